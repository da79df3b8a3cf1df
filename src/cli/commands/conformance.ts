import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { runConformanceCase } from "../../api.js";
import { type CliContext, EXIT_FAILED, EXIT_OK, runCommand, toJson, UsageError } from "../io.js";

/** The `.data` files a list of files and folders names, in order. */
function collectCases(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`${path}: no such file or folder`);
    }
    if (isDir) {
      for (const name of readdirSync(path).sort())
        if (name.endsWith(".data")) files.push(join(path, name));
    } else {
      files.push(path);
    }
  }
  return files;
}

export function registerConformance(program: Command, ctx: CliContext): void {
  program
    .command("conformance")
    .description("run BPF ISA conformance tests (the bpf_conformance .data format)")
    .argument("<paths...>", ".data files, or folders of them")
    .option("--json", "print JSON instead of text")
    .option("-q, --quiet", "print only failures and the summary")
    .addHelpText(
      "after",
      `
Each file holds an -- asm program (or -- raw instruction words), optional
-- mem input bytes and the expected -- result (r0 at exit) or -- error. The
program runs with r1 pointing at the memory and r2 holding its length.
The last line is 'N passed, M failed' (and ', K skipped' when some were).

Example:
  $ tsbpf conformance ../shared/conformance/tests`,
    )
    .action(async (paths: string[], opts: { json?: boolean; quiet?: boolean }, cmd: Command) => {
      await runCommand(ctx, undefined, cmd.optsWithGlobals().debug === true, () => {
        const files = collectCases(paths);
        const results = files.map((file) => {
          const outcome = runConformanceCase(readFileSync(file, "utf8"), basename(file));
          return { file, ...outcome };
        });
        const count = (s: string) => results.filter((r) => r.status === s).length;
        const passed = count("pass");
        const failed = count("fail");
        const skipped = count("skip");
        if (opts.json) {
          ctx.io.out(toJson({ passed, failed, skipped, results }));
        } else {
          for (const r of results) {
            if (opts.quiet && r.status === "pass") continue;
            const detail = r.message === undefined ? "" : `: ${r.message}`;
            ctx.io.out(
              `${r.status.toUpperCase()} ${basename(r.file)}${r.status === "pass" ? "" : detail}\n`,
            );
          }
          ctx.io.out(
            `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`,
          );
        }
        return failed > 0 ? EXIT_FAILED : EXIT_OK;
      });
    });
}
