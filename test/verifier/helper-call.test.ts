/**
 * Helper calls against the running kernel's verdicts: the programs of
 * test/verifier/data/helper-call/*.bpf.c (one rule each: map key and value
 * pointers, memory and size pairs, context arguments, return types and the
 * registers a call scratches, ring buffer references, spin locks, tail
 * calls, map-in-map lookups, bpf_loop callbacks, GPL-only helpers), with
 * the verdict, errno and error lines Linux 6.18 gave for each, recorded by
 * data/helper-call/record.sh through tools/kernel-oracle.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { objectNameFromPath, parseObject } from "../../src/api.js";
import type { ObjectSpec } from "../../src/object/spec.js";
import { markPtrNotNull } from "../../src/verifier/calls/null-check.js";
import { VerifierEnv } from "../../src/verifier/env.js";
import { verifyProgram } from "../../src/verifier/index.js";
import { notInitReg } from "../../src/verifier/reg-state.js";
import {
  CONST_PTR_TO_MAP,
  PTR_MAYBE_NULL,
  PTR_TO_MAP_VALUE,
} from "../../src/verifier/reg-types.js";
import { initialState } from "../../src/verifier/state.js";

const data = join(import.meta.dirname, "data", "helper-call");

interface KernelAnswer {
  verdict: "accept" | "reject";
  errno: number;
  errors: string[];
  log: string;
}
const kernel: Record<string, KernelAnswer> = JSON.parse(
  readFileSync(join(data, "kernel-verdicts.json"), "utf8"),
);

const objects = new Map<string, ObjectSpec>();
function object(name: string): ObjectSpec {
  let spec = objects.get(name);
  if (spec === undefined) {
    const file = join(data, `${name}.o`);
    spec = parseObject(new Uint8Array(readFileSync(file)), { name: objectNameFromPath(file) });
    objects.set(name, spec);
  }
  return spec;
}

function verify(key: string, logLevel: number) {
  const [obj, prog] = key.split("/") as [string, string];
  const spec = object(obj);
  const program = spec.programs.find((p) => p.name === prog);
  if (program === undefined) throw new Error(`${key}: no such program in ${obj}.o`);
  return verifyProgram(spec, program, { logLevel });
}

/** The kernel ends one message without a newline, so the statistics line runs into it. */
function kernelErrors(answer: KernelAnswer): string[] {
  return answer.errors.map((l) => l.replace(/processed \d+ insns \(limit.*$/, ""));
}

/** Log lines with kernel addresses of maps (and their alignment padding) made comparable. */
function comparableLevel1(log: string): string[] {
  return log
    .split("\n")
    .filter(
      (l) => l !== "" && !/^processed \d+ insns/.test(l) && !/^arg#\d+ reference type/.test(l),
    )
    .map((l) =>
      l
        .replace(/= (0xffff[0-9a-f]{12}|map\[id:\d+\](\[0\]\+\d+)?)\s+;/, "= MAP ;")
        .replace(/processed \d+ insns \(limit.*$/, ""),
    );
}

describe("helper calls: verdicts and error lines as Linux 6.18 gives them", () => {
  const keys = Object.keys(kernel);
  it("covers at least 40 programs, accepted and rejected", () => {
    expect(keys.length).toBeGreaterThanOrEqual(40);
    expect(keys.filter((k) => kernel[k]!.verdict === "accept").length).toBeGreaterThanOrEqual(15);
    expect(keys.filter((k) => kernel[k]!.verdict === "reject").length).toBeGreaterThanOrEqual(30);
  });
  for (const key of keys) {
    const answer = kernel[key]!;
    it(`${key}: ${answer.verdict} ${answer.errors.join(" | ")}`, () => {
      const r = verify(key, 1);
      expect({ verdict: r.verdict, errors: r.errors }).toEqual({
        verdict: answer.verdict,
        errors: kernelErrors(answer),
      });
      if (answer.verdict === "reject") expect(r.errno).toBe(answer.errno);
    });
  }
});

describe("level 1 logs of rejected programs", () => {
  for (const [key, answer] of Object.entries(kernel)) {
    if (answer.verdict !== "reject") continue;
    it(`${key}: the failing path line for line, map addresses aside`, () => {
      expect(comparableLevel1(verify(key, 1).log)).toEqual(comparableLevel1(answer.log));
    });
  }
});

/**
 * Level 2 logs up to the first branch the kernel took from its stack: what
 * follows depends on state pruning. Lines only the kernel writes (liveness,
 * precision backtracking, BTF argument notes) are dropped, and an
 * instruction's state is compared whether the kernel put it on the
 * instruction's line or, after such a dropped line, on a line of its own.
 */
function comparableLevel2(log: string): string[] {
  const out: string[] = [];
  const kernelOnly =
    /^(func#\d+ @|Live regs before insn:|\s+\d+: [.0-9]{10} |mark_precise: |arg#\d+ reference type|\(\d+\) frame \d+ insn|\(\d+\) live stack|processed \d+ insns)/;
  for (const raw of log.split("\n")) {
    if (raw === "" || kernelOnly.test(raw)) continue;
    const l = raw.replace(/= (0xffff[0-9a-f]{12}|map\[id:\d+\](\[0\]\+\d+)?)/, "= MAP");
    const withState = /^(\d+: \([0-9a-f]{2}\) .*?)\s+;(.*)$/.exec(l);
    if (withState) {
      out.push(withState[1]!, `state:${withState[2]}`);
      continue;
    }
    const stateOnly = /^\d+:((?: frame\d+:)?(?: [A-Za-z]\w*=.*| refs=.*)?)$/.exec(l);
    if (stateOnly && !/^\d+: \(/.test(l)) {
      out.push(`state:${stateOnly[1]}`);
      continue;
    }
    out.push(l);
  }
  const from = out.findIndex((l) => /^from \d+ to \d+:/.test(l));
  return from < 0 ? out : out.slice(0, from);
}

describe("level 2 logs of accepted programs", () => {
  const recorded = [
    "ok_lookup",
    "ok_update_delete",
    "ok_probe_read",
    "ok_ringbuf_submit",
    "ok_spin_lock",
    "ok_tail_call",
    "ok_csum_diff_null",
    "ok_map_in_map",
  ];
  for (const prog of recorded) {
    const key = `helper_call/${prog}`;
    it(`${prog}: every instruction and state of the first path`, () => {
      const theirs = comparableLevel2(readFileSync(join(data, `${prog}.level2.log`), "utf8"));
      const ours = comparableLevel2(verify(key, 2).log);
      expect(theirs.length).toBeGreaterThan(5);
      expect(ours).toEqual(theirs);
    });
  }
});

describe("a map-in-map lookup after its null check", () => {
  it("becomes the nameless inner map, as the kernel's inner_map_meta", () => {
    const spec = object("helper_call");
    const program = spec.programs.find((p) => p.name === "ok_map_in_map")!;
    const env = new VerifierEnv(spec, program, 0, initialState());
    const outer = spec.maps.findIndex((m) => m.name === "outer");
    const reg = {
      ...notInitReg(),
      type: PTR_TO_MAP_VALUE | PTR_MAYBE_NULL,
      mapIndex: outer,
      id: 1,
    };
    markPtrNotNull(env, reg);
    expect(reg.type).toBe(CONST_PTR_TO_MAP);
    expect(reg.id).toBe(0);
    expect(env.names.mapName(reg.mapIndex)).toBe("");
    expect(env.maps[reg.mapIndex]).toMatchObject({ keySize: 4, valueSize: 8, type: 2 });
  });
  it("keeps the id of a map value that holds a bpf_spin_lock", () => {
    const spec = object("helper_call");
    const env = new VerifierEnv(spec, spec.programs[0]!, 0, initialState());
    const locked = spec.maps.findIndex((m) => m.name === "locked");
    const hmap = spec.maps.findIndex((m) => m.name === "hmap");
    const withLock = {
      ...notInitReg(),
      type: PTR_TO_MAP_VALUE | PTR_MAYBE_NULL,
      mapIndex: locked,
      id: 3,
    };
    const without = {
      ...notInitReg(),
      type: PTR_TO_MAP_VALUE | PTR_MAYBE_NULL,
      mapIndex: hmap,
      id: 4,
    };
    markPtrNotNull(env, withLock);
    markPtrNotNull(env, without);
    expect([withLock.type, withLock.id]).toEqual([PTR_TO_MAP_VALUE, 3]);
    expect([without.type, without.id]).toEqual([PTR_TO_MAP_VALUE, 0]);
  });
});
