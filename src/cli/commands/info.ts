import type { Command } from "commander";
import { mapTypeName } from "../../api.js";
import { type CliContext, EXIT_OK, runCommand, toJson } from "../io.js";
import { loadObjectFile } from "../load.js";

export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command("info")
    .description("list the programs and maps of a BPF object file")
    .argument("<object>", "a BPF ELF object built by clang (-target bpf)")
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
Programs are the global functions of executable sections; their type comes
from the section name as libbpf reads it (tc -> sched_cls, xdp -> xdp, ...).
Global data sections (.data, .rodata, .bss, .data.X) appear as one-value array maps.

Example:
  $ tsbpf info examples/flow_queue.bpf.o`,
    )
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      await runCommand(ctx, file, cmd.optsWithGlobals().debug === true, () => {
        const spec = loadObjectFile(file);
        const programs = spec.programs.map((p) => ({
          name: p.name,
          section: p.section,
          type: p.type,
          insns: p.insns.length,
        }));
        const maps = spec.maps.map((m) => ({
          name: m.name,
          type: mapTypeName(m.type),
          keySize: m.keySize,
          valueSize: m.valueSize,
          maxEntries: m.maxEntries,
          flags: m.flags,
        }));
        if (opts.json) {
          ctx.io.out(toJson({ object: file, license: spec.license, programs, maps }));
          return EXIT_OK;
        }
        const out: string[] = [`license: ${spec.license || "(none)"}`, "programs:"];
        if (programs.length === 0) out.push("  (none)");
        for (const p of programs)
          out.push(`  ${p.name}  section ${p.section}  type ${p.type}  ${p.insns} insns`);
        out.push("maps:");
        if (maps.length === 0) out.push("  (none)");
        for (const m of maps) {
          const flags = m.flags === 0 ? "" : `  flags 0x${m.flags.toString(16)}`;
          out.push(
            `  ${m.name}  type ${m.type}  key ${m.keySize}B  value ${m.valueSize}B  max_entries ${m.maxEntries}${flags}`,
          );
        }
        ctx.io.out(`${out.join("\n")}\n`);
        return EXIT_OK;
      });
    });
}
