import type { Command } from "commander";
import { verifyProgram } from "../../api.js";
import { type CliContext, EXIT_FAILED, EXIT_OK, runCommand, toJson, UsageError } from "../io.js";
import { loadObjectFile, selectPrograms } from "../load.js";

interface VerifyCliOptions {
  prog?: string;
  logLevel: string;
  json?: boolean;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description("check programs with the Linux verifier's rules and print its verdict and log")
    .argument("<object>", "a BPF ELF object built by clang (-target bpf)")
    .option("--prog <name>", "only this program")
    .option(
      "--log-level <n>",
      "0: verdict only, 1: the path that failed, 2: every instruction",
      "0",
    )
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
Each program is verified as Linux 6.18 verifies it for a privileged loader
(CAP_BPF and CAP_PERFMON), and the verdict, error lines and log match the
kernel's. A rejection names the instruction and, with -g, the source line.

Exit codes: 0 every program accepted, 1 some program rejected, 2 the object
could not be loaded.

Examples:
  $ tsbpf verify examples/packet_counter.bpf.o
  $ tsbpf verify prog.bpf.o --prog xdp_main --log-level 1
  $ tsbpf verify prog.bpf.o --json | jq '.programs[] | {name, verdict, errors}'`,
    )
    .action(async (file: string, opts: VerifyCliOptions, cmd: Command) => {
      await runCommand(ctx, file, cmd.optsWithGlobals().debug === true, () => {
        const logLevel = Number(opts.logLevel);
        if (![0, 1, 2, 3, 4, 5, 6, 7].includes(logLevel)) {
          throw new UsageError(
            `--log-level must be 0, 1 or 2 (4 adds statistics), not '${opts.logLevel}'`,
          );
        }
        const spec = loadObjectFile(file);
        const programs = selectPrograms(spec, opts.prog);
        const results = programs.map((p, i) => {
          if (programs.length > 1)
            ctx.io.progress?.(`verifying ${i + 1}/${programs.length}: ${p.name}`);
          return { program: p, result: verifyProgram(spec, p, { logLevel }) };
        });
        ctx.io.progress?.(undefined);
        const rejected = results.some((r) => r.result.verdict === "reject");
        if (opts.json) {
          ctx.io.out(
            toJson({
              object: file,
              programs: results.map(({ program: p, result: r }) => ({
                name: p.name,
                section: p.section,
                type: p.type,
                verdict: r.verdict,
                errors: r.errors,
                insn: r.insn ?? null,
                source: r.source ?? null,
                processed: r.processed,
                totalStates: r.totalStates,
                peakStates: r.peakStates,
                maxStatesPerInsn: r.maxStatesPerInsn,
                verifyTimeUs: r.verifyTimeUs,
                ...(logLevel > 0 ? { log: r.log } : {}),
              })),
            }),
          );
          return rejected ? EXIT_FAILED : EXIT_OK;
        }
        for (const { program: p, result: r } of results) {
          if (logLevel > 0) ctx.io.out(r.log.endsWith("\n") || r.log === "" ? r.log : `${r.log}\n`);
          if (r.verdict === "accept") {
            ctx.io.out(`${p.name}: accepted (processed ${r.processed} insns)\n`);
          } else {
            const where = `insn ${r.insn}${r.source === undefined ? "" : ` (${r.source})`}`;
            ctx.io.out(
              `${p.name}: rejected at ${where}: ${r.errors.join("; ") || "no reason given"}\n`,
            );
          }
        }
        return rejected ? EXIT_FAILED : EXIT_OK;
      });
    });
}
