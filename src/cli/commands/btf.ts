import type { Command } from "commander";
import { type CliContext, EXIT_OK, runCommand, toJson, UsageError } from "../io.js";
import { loadObjectFile } from "../load.js";

export function registerBtf(program: Command, ctx: CliContext): void {
  program
    .command("btf")
    .description("print an object's BTF types as C declarations")
    .argument("<object>", "a BPF ELF object built by clang with -g")
    .option("--type <name>", "only types with this name")
    .option("--json", "print JSON instead of text")
    .addHelpText(
      "after",
      `
Structs show each member's offset and size; declaration tags such as
__contains(foo, node) show as btf_decl_tag("contains:foo:node") on the member
or variable they belong to.

Example:
  $ tsbpf btf examples/flow_queue.bpf.o --type flow_queue`,
    )
    .action(async (file: string, opts: { type?: string; json?: boolean }, cmd: Command) => {
      await runCommand(ctx, file, cmd.optsWithGlobals().debug === true, () => {
        const spec = loadObjectFile(file);
        const btf = spec.btf;
        if (btf === undefined)
          throw new UsageError("the object has no .BTF section (compile with -g)");
        const types = btf.types.filter(
          (t) =>
            t.id !== 0 &&
            t.kind !== "decl_tag" &&
            (opts.type === undefined || t.name === opts.type),
        );
        if (opts.type !== undefined && types.length === 0)
          throw new UsageError(`no BTF type named '${opts.type}'`);
        if (opts.json) {
          ctx.io.out(
            toJson({
              object: file,
              types: types.map((t) => ({ ...t, tags: btf.declTags(t.id), c: btf.format(t.id) })),
            }),
          );
          return EXIT_OK;
        }
        const out = types.map((t) => `[${t.id}] ${t.kind.toUpperCase()} ${btf.format(t.id)}`);
        ctx.io.out(`${out.join("\n")}\n`);
        return EXIT_OK;
      });
    });
}
