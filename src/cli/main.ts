#!/usr/bin/env node
import { runCli } from "./program.js";

// `tsbpf disasm x.o | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli(process.argv.slice(2));
