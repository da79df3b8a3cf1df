/**
 * Pruning, precision and the complexity limits against the recorded word of
 * Linux 6.18 (test/verifier/data/prune/record.sh re-records it):
 *
 * - every program of prune.o gets the kernel's verdict, errno, closing error
 *   lines and statistics (processed instructions, max_states_per_insn,
 *   total_states, peak_states);
 * - in the level 2 logs, the lines pruning writes (`safe`, `mark_precise`,
 *   `propagating`, `SCC ...`, the stack liveness updates, the live registers
 *   table) are the kernel's, line for line;
 * - every fixture program both accept has the kernel's statistics.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { objectNameFromPath, parseObject } from "../../../src/object/load.js";
import type { ObjectSpec } from "../../../src/object/spec.js";
import { verifyProgram } from "../../../src/verifier/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, "../data/prune");
const fixtures = join(here, "../../fixtures");

interface KernelRecord {
  readonly verdict: "accept" | "reject";
  readonly errno: number;
  readonly processed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
  readonly errors: readonly string[];
}

function load(path: string): ObjectSpec {
  return parseObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) });
}

const prune = load(join(data, "prune.o"));
const records = JSON.parse(readFileSync(join(data, "kernel-prune.json"), "utf8")) as Record<
  string,
  KernelRecord
>;

function program(spec: ObjectSpec, name: string) {
  const p = spec.programs.find((q) => q.name === name);
  if (p === undefined) throw new Error(`no program ${name}`);
  return p;
}

describe("prune.o against the kernel's verdicts and statistics", () => {
  for (const [name, k] of Object.entries(records)) {
    it(name, { timeout: 120_000 }, () => {
      const r = verifyProgram(prune, program(prune, name), { logLevel: 0 });
      expect({
        verdict: r.verdict,
        errno: r.errno,
        processed: r.processed,
        maxStatesPerInsn: r.maxStatesPerInsn,
        totalStates: r.totalStates,
        peakStates: r.peakStates,
        errors: r.errors,
      }).toEqual(k);
    });
  }
});

/** Map addresses are the kernel's and tsbpf has none: both become MAP. */
function normalise(line: string): string {
  return line.replace(/0xffff[0-9a-f]{12}|map\[id:\d+\](\[0\]\+\d+)?/g, "MAP").replace(/ +$/, "");
}

/** The lines state pruning, precision tracking and liveness write. */
const PRUNING_LINE =
  /(: safe$|^mark_precise: |^force_precise: |^frame \d+: propagating |^SCC (enter|exit|backedge) |^\(\d+(,\d+)*\) (frame \d+ insn|live stack)|^processed |^Live regs before insn:|^(\s+\d+| {4})\s+\d+: [.0-9]{10} |^infinite loop detected)/;

function pruningLines(log: string): string[] {
  return log
    .split("\n")
    .filter((l) => PRUNING_LINE.test(l))
    .map(normalise);
}

describe("prune.o level 2 logs: the lines pruning writes", () => {
  for (const name of Object.keys(records)) {
    let kernelLog: string;
    try {
      kernelLog = readFileSync(join(data, "kernel-logs", `${name}.log`), "utf8");
    } catch {
      continue;
    }
    it(name, () => {
      const r = verifyProgram(prune, program(prune, name), { logLevel: 2 });
      const expected = pruningLines(kernelLog);
      expect(expected.length).toBeGreaterThan(0);
      expect(pruningLines(r.log)).toEqual(expected);
    });
  }
});

interface FixtureStats {
  readonly verdict: "accept" | "reject";
  readonly processed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
}

/**
 * Programs whose counts differ for reasons outside pruning, each with the
 * reason; they are reported as skipped, not passed.
 */
const ELSEWHERE: Record<string, string> = {};

describe("fixture programs both accept: the kernel's statistics", () => {
  const stats = JSON.parse(readFileSync(join(data, "fixture-stats.json"), "utf8")) as Record<
    string,
    FixtureStats
  >;
  const objects = new Map<string, ObjectSpec>();
  for (const [key, k] of Object.entries(stats)) {
    if (k.verdict !== "accept") continue;
    const [file, name] = key.split(":") as [string, string];
    const reason = ELSEWHERE[key];
    if (reason !== undefined) {
      it.skip(`${key} (${reason})`, () => {});
      continue;
    }
    it(key, (ctx) => {
      let spec = objects.get(file);
      if (spec === undefined) {
        spec = load(join(fixtures, file));
        objects.set(file, spec);
      }
      const r = verifyProgram(spec, program(spec, name), { logLevel: 0 });
      // programs tsbpf cannot verify yet (kfuncs, ...) are the verifier core's concern
      if (r.verdict !== "accept") ctx.skip();
      expect({
        processed: r.processed,
        maxStatesPerInsn: r.maxStatesPerInsn,
        totalStates: r.totalStates,
        peakStates: r.peakStates,
      }).toEqual({
        processed: k.processed,
        maxStatesPerInsn: k.maxStatesPerInsn,
        totalStates: k.totalStates,
        peakStates: k.peakStates,
      });
    });
  }
});
