import { Command, CommanderError } from "commander";
import { registerBtf } from "./commands/btf.js";
import { registerConformance } from "./commands/conformance.js";
import { registerDisasm } from "./commands/disasm.js";
import { registerInfo } from "./commands/info.js";
import { registerRun } from "./commands/run.js";
import { registerVerify } from "./commands/verify.js";
import { type CliContext, type CliIo, EXIT_BAD_INPUT, EXIT_OK, processIo } from "./io.js";

function buildProgram(ctx: CliContext): Command {
  const program = new Command();
  program
    .name("tsbpf")
    .description("Load, verify and run eBPF objects built by clang, without a kernel.")
    .option("--debug", "show stack traces for errors")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride()
    .addHelpText(
      "after",
      `
Exit codes: 0 success, 1 a program was rejected or a test failed,
2 the input could not be used (the message names the file and what is wrong).

Examples:
  $ tsbpf info prog.bpf.o                     programs, sections, types, maps
  $ tsbpf disasm prog.bpf.o --prog xdp_main   kernel verifier syntax, with source lines
  $ tsbpf btf prog.bpf.o --type foo           BTF types as C declarations
  $ tsbpf verify prog.bpf.o --log-level 1     the kernel verifier's verdict and log
  $ tsbpf run prog.bpf.o --data packet.bin    run a program on a packet
  $ tsbpf conformance DIR                     run BPF conformance tests`,
    );
  registerInfo(program, ctx);
  registerDisasm(program, ctx);
  registerBtf(program, ctx);
  registerVerify(program, ctx);
  registerRun(program, ctx);
  registerConformance(program, ctx);
  for (const cmd of program.commands) {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) });
  }
  return program;
}

/**
 * Runs the tsbpf command line with `argv` (without the node and script
 * entries) and returns the exit code. Output goes to `io`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = EXIT_OK;
  const ctx: CliContext = { io, exit: (c) => (code = c) };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version end here with 0; usage mistakes are bad input
    return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  return code;
}
