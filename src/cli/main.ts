#!/usr/bin/env node
import { Command } from "commander";
import { registerBtf } from "./commands/btf.js";
import { registerDisasm } from "./commands/disasm.js";
import { registerInfo } from "./commands/info.js";

const program = new Command();
program
  .name("tsbpf")
  .description("Load, verify and run eBPF objects built by clang, without a kernel.")
  .option("--debug", "show stack traces for errors")
  .showHelpAfterError("(run with --help for usage)")
  .addHelpText(
    "after",
    `
Exit codes: 0 success, 1 a program was rejected or a test failed,
2 the input could not be used (the message names the file and what is wrong).

Examples:
  $ tsbpf info prog.bpf.o               programs, sections, types, maps
  $ tsbpf disasm prog.bpf.o --prog xdp_main
  $ tsbpf btf prog.bpf.o --type foo`,
  );

registerInfo(program);
registerDisasm(program);
registerBtf(program);

program.exitOverride((err) => {
  // commander's own usage errors (unknown option, missing argument) are bad input too
  process.exit(err.exitCode === 0 ? 0 : 2);
});
await program.parseAsync(process.argv);
