import type { Command } from "commander";
import { loadObject, RuntimeFault } from "../../api.js";
import {
  type CliContext,
  EXIT_FAILED,
  EXIT_OK,
  readInput,
  runCommand,
  toJson,
  UsageError,
} from "../io.js";
import { loadObjectFile } from "../load.js";

interface RunCliOptions {
  prog?: string;
  data?: string;
  dataSize?: string;
  ctx?: string;
  repeat: string;
  json?: boolean;
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${what} must be a whole number, not '${text}'`);
  return n;
}

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command("run")
    .description("run a program on a packet, as BPF_PROG_TEST_RUN does, and print its return value")
    .argument("<object>", "a BPF ELF object built by clang (-target bpf)")
    .option("--prog <name>", "the program to run (required when the object has several)")
    .option("--data <file>", "packet bytes to run on (default: 64 zero bytes)")
    .option("--data-size <n>", "run on n zero bytes instead")
    .option(
      "--ctx <file>",
      "context bytes (struct __sk_buff / xdp_md fields, a syscall program's buffer)",
    )
    .option("--repeat <n>", "run n times and report the mean duration", "1")
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
The program runs against the object's maps, which start as the object
declares them (global data with its initial values). retval is r0 at exit as
the kernel's test run reports it (an unsigned 32-bit number). A program that
faults (reads outside memory, runs out of its instruction budget) stops with
an error naming the instruction; the exit code is then 1.

Examples:
  $ tsbpf run examples/packet_counter.bpf.o --data packet.bin
  $ tsbpf run prog.bpf.o --prog xdp_main --data-size 128 --repeat 1000 --json`,
    )
    .action(async (file: string, opts: RunCliOptions, cmd: Command) => {
      await runCommand(ctx, file, cmd.optsWithGlobals().debug === true, () => {
        const spec = loadObjectFile(file);
        let name = opts.prog;
        if (name === undefined) {
          if (spec.programs.length !== 1) {
            const known = spec.programs.map((p) => p.name).join(", ") || "none";
            throw new UsageError(
              `the object has ${spec.programs.length} programs; choose one with --prog (${known})`,
            );
          }
          name = spec.programs[0]!.name;
        }
        if (opts.data !== undefined && opts.dataSize !== undefined) {
          throw new UsageError("give --data or --data-size, not both");
        }
        const data =
          opts.data !== undefined
            ? readInput(opts.data)
            : opts.dataSize !== undefined
              ? new Uint8Array(positiveInt(opts.dataSize, "--data-size"))
              : undefined;
        const ctxBytes = opts.ctx === undefined ? undefined : readInput(opts.ctx);
        const repeat = positiveInt(opts.repeat, "--repeat");
        const object = loadObject(spec);
        try {
          const result = object.program(name).run({
            ...(data !== undefined && { data }),
            ...(ctxBytes !== undefined && { ctx: ctxBytes }),
            repeat: Math.max(1, repeat),
          });
          if (opts.json) {
            ctx.io.out(
              toJson({
                retval: result.retval,
                durationNs: result.durationNs,
                repeat: Math.max(1, repeat),
                insns: result.insns,
                printk: result.printk,
              }),
            );
          } else {
            for (const line of result.printk) ctx.io.out(`printk: ${line}\n`);
            ctx.io.out(
              `retval ${result.retval} (0x${result.retval.toString(16)}), ${result.durationNs} ns\n`,
            );
          }
          return EXIT_OK;
        } catch (err) {
          if (!(err instanceof RuntimeFault)) throw err;
          ctx.io.err(`tsbpf: ${file}: ${name}: ${err.message}\n`);
          return EXIT_FAILED;
        } finally {
          object.close();
        }
      });
    });
}
