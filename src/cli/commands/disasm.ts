import type { Command } from "commander";
import { disassembleProgram, formatInstruction, sourceLocation } from "../../api.js";
import { type CliContext, EXIT_OK, runCommand, toJson } from "../io.js";
import { loadObjectFile, selectPrograms } from "../load.js";

export function registerDisasm(program: Command, ctx: CliContext): void {
  program
    .command("disasm")
    .description("disassemble programs in the kernel verifier log's syntax")
    .argument("<object>", "a BPF ELF object built by clang (-target bpf)")
    .option("--prog <name>", "only this program")
    .option("--no-source", "leave out the '; source line @ file.c:N' annotations")
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
Each program is shown as the kernel loads it: the entry function followed by
the subprograms it calls, with relocations applied, numbered as in the
verifier log (an lddw takes two slots). Source lines come from .BTF.ext line
info (compile with -g).

Example:
  $ tsbpf disasm examples/flow_queue.bpf.o --prog enqueue`,
    )
    .action(
      async (
        file: string,
        opts: { prog?: string; source: boolean; json?: boolean },
        cmd: Command,
      ) => {
        await runCommand(ctx, file, cmd.optsWithGlobals().debug === true, () => {
          const spec = loadObjectFile(file);
          const programs = selectPrograms(spec, opts.prog);
          if (opts.json) {
            ctx.io.out(
              toJson({
                object: file,
                programs: programs.map((p) => ({
                  name: p.name,
                  section: p.section,
                  type: p.type,
                  insns: p.insns.flatMap((insn, i) => {
                    if (i > 0 && p.insns[i - 1]!.code === 0x18) return [];
                    return [
                      {
                        index: i,
                        code: insn.code,
                        text: formatInstruction(p, i),
                        source: sourceLocation(p, i) ?? null,
                      },
                    ];
                  }),
                })),
              }),
            );
            return EXIT_OK;
          }
          const out: string[] = [];
          for (const p of programs) {
            if (out.length > 0) out.push("");
            out.push(`${p.name} (section ${p.section}, type ${p.type}):`);
            out.push(...disassembleProgram(p, { sourceLines: opts.source }));
          }
          ctx.io.out(`${out.join("\n")}\n`);
          return EXIT_OK;
        });
      },
    );
}
