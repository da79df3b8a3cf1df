/**
 * Level 2 logs against the kernel's, line for line: for every program of the
 * fixture and example objects that Linux 6.18 accepts, tsbpf's level 2 log
 * must be the one the kernel wrote (recorded by
 * tools/kernel-oracle/record-level2-logs.sh into test/verifier/data/level2-logs),
 * apart from what tsbpf cannot know: map addresses and the kernel's BTF ids
 * of kfuncs (and the padding before `;` that their printed width moves).
 *
 * Programs whose logs are known to differ are listed, each with the first
 * line that differs, in test/verifier/data/level2-logs/known-differ.json;
 * they are reported as skipped. A listed program that now matches is named
 * in the output; rewrite the list with
 *   TSBPF_UPDATE_LOG_DIFFS=1 npx vitest run test/verifier/log-fidelity.test.ts
 * (which only ever removes programs that match and adds ones that differ).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { objectNameFromPath, parseObject } from "../../src/object/load.js";
import type { ObjectSpec } from "../../src/object/spec.js";
import { verifyProgram } from "../../src/verifier/index.js";
import { repoRoot } from "../differential/corpus.js";

const dataDir = join(repoRoot, "test/verifier/data/level2-logs");
const knownPath = join(dataDir, "known-differ.json");
const known = JSON.parse(readFileSync(knownPath, "utf8")) as Record<string, string>;

/**
 * What tsbpf cannot reproduce: kernel addresses of maps (tsbpf prints
 * `map[id:N]`), vmlinux BTF ids of kfuncs, and the alignment padding that
 * the different widths shift.
 */
function normaliseLogLine(line: string): string {
  return line
    .replace(/0xffff(?!f{8})[0-9a-f]{12}/g, "ADDR")
    .replace(/map\[id:\d+\](\[0\]\+\d+)?/g, "ADDR")
    .replace(/\b(bpf_\w+|scx_\w+)#\d{4,}/g, "$1#KFUNC")
    .replace(/ {2,};/g, " ;")
    .replace(/ +$/, "");
}

function normaliseLog(log: string): string[] {
  return log.split("\n").map(normaliseLogLine);
}

/** The first line where the logs part, as `line N: kernel «...» tsbpf «...»`, or undefined. */
function firstDifference(kernel: string[], ours: string[]): string | undefined {
  const n = Math.max(kernel.length, ours.length);
  for (let i = 0; i < n; i++) {
    if (kernel[i] !== ours[i])
      return `line ${i + 1}: kernel «${kernel[i] ?? "<end>"}» tsbpf «${ours[i] ?? "<end>"}»`;
  }
  return undefined;
}

/** `file.o__prog.log` / `examples__file.o__prog.log` back to the object path and program. */
function parseRecordName(file: string): { key: string; path: string; prog: string } {
  const base = file.slice(0, -".log".length);
  const parts = base.split("__");
  const prog = parts.pop()!;
  const objKey = parts.join("/");
  const path = objKey.startsWith("examples/") ? objKey : `test/fixtures/${objKey}`;
  return { key: `${objKey}:${prog}`, path, prog };
}

const objects = new Map<string, ObjectSpec>();
function load(path: string): ObjectSpec {
  let spec = objects.get(path);
  if (spec === undefined) {
    const full = join(repoRoot, path);
    spec = parseObject(new Uint8Array(readFileSync(full)), { name: objectNameFromPath(full) });
    objects.set(path, spec);
  }
  return spec;
}

const records = readdirSync(dataDir)
  .filter((f) => f.endsWith(".log"))
  .sort();
const nowMatching: string[] = [];
const nowDiffering: Record<string, string> = {};

describe("level 2 logs of the programs the kernel accepts", () => {
  it("has the kernel's recordings", () => {
    expect(records.length).toBeGreaterThan(100);
  });

  for (const file of records) {
    const { key, path, prog } = parseRecordName(file);
    it(key, { timeout: 60_000 }, (ctx) => {
      const spec = load(path);
      const program = spec.programs.find((p) => p.name === prog);
      expect(program, `${path} has no program ${prog}`).toBeDefined();
      const kernel = normaliseLog(readFileSync(join(dataDir, file), "utf8"));
      const ours = normaliseLog(verifyProgram(spec, program!, { logLevel: 2 }).log);
      const diff = firstDifference(kernel, ours);
      if (key in known) {
        if (diff === undefined) nowMatching.push(key);
        else nowDiffering[key] = diff;
        ctx.skip(`known to differ: ${known[key]}`);
      }
      if (diff !== undefined) nowDiffering[key] = diff;
      expect(diff).toBeUndefined();
    });
  }

  afterAll(() => {
    if (nowMatching.length > 0) {
      console.log(
        `log fidelity: ${nowMatching.length} listed program(s) now match the kernel: ${nowMatching.join(", ")}`,
      );
    }
    const matching = records.length - Object.keys(nowDiffering).length;
    console.log(`log fidelity: ${matching}/${records.length} level 2 logs match the kernel's`);
    if (process.env.TSBPF_UPDATE_LOG_DIFFS === "1") {
      const sorted = Object.fromEntries(
        Object.entries(nowDiffering).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      writeFileSync(knownPath, `${JSON.stringify(sorted, null, 2)}\n`);
    }
  });
});
