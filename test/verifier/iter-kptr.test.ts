/**
 * Open-coded numeric iterators and kptrs in map values, against what Linux
 * 6.18 did with the same objects (data/iter-kptr/, recorded by its
 * record.sh): the verdict, the closing error lines, the errno, the number
 * of instructions the walk processed, and for accepted programs the value a
 * BPF_PROG_TEST_RUN returned. Also the kernel's own log of one iterator
 * loop, line for line, and the pieces the iterator rules are built from.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { objectNameFromPath, parseObject } from "../../src/api.js";
import type { ObjectSpec } from "../../src/object/spec.js";
import { createRuntime } from "../../src/runtime/index.js";
import { iterActiveDepthsDiffer, widenImpreciseScalars } from "../../src/verifier/calls/iter.js";
import { verifyProgram } from "../../src/verifier/index.js";
import { formatFuncState } from "../../src/verifier/log.js";
import { markRegKnown, markRegUnknown } from "../../src/verifier/reg-state.js";
import {
  copyState,
  growStack,
  initialState,
  STACK_ITER,
  type VerifierState,
} from "../../src/verifier/state.js";

const data = join(import.meta.dirname, "data", "iter-kptr");
const fixtures = join(import.meta.dirname, "..", "fixtures");

interface KernelVerdict {
  verdict: "accept" | "reject";
  errno: number;
  errors: string[];
  processed: number;
}
const verdicts: Record<string, KernelVerdict> = JSON.parse(
  readFileSync(join(data, "kernel-verdicts.json"), "utf8"),
);
const retvals: Record<string, number> = JSON.parse(
  readFileSync(join(data, "kernel-retvals.json"), "utf8"),
);
const fixtureVerdicts: Record<string, { verdict: string; errno: number; errors: string[] }> =
  JSON.parse(readFileSync(join(fixtures, "kernel-verdicts.json"), "utf8"));

const specs = new Map<string, ObjectSpec>();
function object(path: string): ObjectSpec {
  let spec = specs.get(path);
  if (spec === undefined) {
    spec = parseObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) });
    specs.set(path, spec);
  }
  return spec;
}

function verify(path: string, name: string, logLevel = 0) {
  const spec = object(path);
  const program = spec.programs.find((p) => p.name === name);
  if (program === undefined) throw new Error(`${path} has no program ${name}`);
  return verifyProgram(spec, program, { logLevel });
}

const cases = Object.entries(verdicts).map(([key, expected]) => {
  const [file, name] = key.split(":") as [string, string];
  return { key, path: join(data, file), name, expected };
});

describe("iterator and kptr programs against the kernel's verdicts", () => {
  it("has both objects' programs recorded", () => {
    expect(cases.filter((c) => c.key.startsWith("iter_loops.o:")).length).toBeGreaterThanOrEqual(
      25,
    );
    expect(cases.filter((c) => c.key.startsWith("kptr_rules.o:")).length).toBeGreaterThanOrEqual(
      20,
    );
    expect(cases.some((c) => c.expected.verdict === "accept")).toBe(true);
    expect(cases.some((c) => c.expected.verdict === "reject")).toBe(true);
  });

  it.each(cases)("$key", ({ path, name, expected }) => {
    const result = verify(path, name, 1);
    expect(result.verdict).toBe(expected.verdict);
    expect(result.errors).toEqual(expected.errors);
    if (expected.verdict === "reject") expect(result.errno).toBe(expected.errno);
    expect(result.processed).toBe(expected.processed);
  });
});

describe("the corpus fixtures for iterators and kptrs", () => {
  const fixtureCases = [
    ["verifier_loops.o", "iter_num_sum"],
    ["verifier_loops.o", "iter_num_leak_reject"],
    ["verifier_loops.o", "iter_num_unchecked_reject"],
    ["kptr_stash.o", "stash_new"],
    ["kptr_stash.o", "unstash"],
    ["kptr_stash.o", "bump_percpu"],
    ["kptr_stash.o", "stash_percpu"],
  ] as const;
  it.each(fixtureCases)("%s:%s", (file, name) => {
    const expected = fixtureVerdicts[`${file}:${name}`]!;
    const result = verify(join(fixtures, file), name);
    expect(result.verdict).toBe(expected.verdict);
    expect(result.errors).toEqual(expected.errors);
    if (expected.verdict === "reject") expect(result.errno).toBe(expected.errno);
  });
});

/** A `struct __sk_buff` with every field 0, as the recording loader passed it. */
const skb = (): Uint8Array => new Uint8Array(192);
const packet = (): Uint8Array => {
  const p = new Uint8Array(64);
  p[12] = 0x08;
  return p;
};

describe("accepted programs run to the kernel's return values", () => {
  // the recording ran each object's programs in this order on one loaded object
  for (const file of ["iter_loops.o", "kptr_rules.o"]) {
    it(file, () => {
      const spec = object(join(data, file));
      const rt = createRuntime(spec);
      const expected = Object.entries(retvals).filter(([k]) => k.startsWith(`${file}:`));
      expect(expected.length).toBeGreaterThanOrEqual(7);
      for (const [key, retval] of expected) {
        const name = key.slice(file.length + 1);
        const type = spec.programs.find((p) => p.name === name)!.type;
        const run =
          type === "syscall" ? rt.run(name) : rt.run(name, { data: packet(), ctx: skb() });
        expect(run.retval, key).toBe(retval);
      }
      rt.close();
    });
  }
});

/**
 * The kernel's level-2 log of iter_num_sum (Linux 6.18, verifier_loops.o):
 * the iterator slot as it prints, the fork at every next() (drained now,
 * active one level deeper later), and the loop converging at insn 15.
 */
describe("the log of an iterator loop", () => {
  const result = verify(join(fixtures, "verifier_loops.o"), "iter_num_sum", 2);
  const lines = result.log.split("\n").map((l) => l.replace(/#\d+/g, "").replace(/\s+;/, " ;"));
  it.each([
    "6: (85) call bpf_iter_num_new ; R0=scalar() fp-8=iter_num(ref_id=1,state=active,depth=0) refs=1",
    "8: (85) call bpf_iter_num_next ; R0=0 fp-8=iter_num(ref_id=1,state=drained,depth=0) refs=1",
    "from 8 to 9: R0=rdonly_mem(id=2,ref_obj_id=1,sz=4) R6=0 R7=fp-8 R10=fp0 fp-8=iter_num(ref_id=1,state=active,depth=1) refs=1",
    "15: (85) call bpf_iter_num_next ; R0=0 fp-8=iter_num(ref_id=1,state=drained,depth=1) refs=1",
    "15: safe",
    "processed 36 insns (limit 1000000) max_states_per_insn 1 total_states 4 peak_states 5 mark_read 0",
  ])("%s", (line) => {
    expect(lines).toContain(line);
  });
});

/** A state whose fp-8 holds an active number iterator at `depth`, with reference `id`. */
function withIterator(depth: number, id = 1): VerifierState {
  const st = initialState();
  const frame = st.frames[0]!;
  growStack(frame, 8);
  const slot = frame.stack[0]!;
  slot.slotType.fill(STACK_ITER);
  slot.spilled.refObjId = id;
  slot.iter = { kind: "num", state: "active", depth };
  st.refs = [{ id, insnIdx: 0, kind: "ptr" }];
  return st;
}

describe("iterator state", () => {
  it("prints the main slot as the kernel does", () => {
    const st = withIterator(3, 7);
    const names = {
      mapName: () => "",
      mapKeySize: () => 0,
      mapValueSize: () => 0,
      btfTypeName: () => "",
    };
    expect(formatFuncState(st.frames[0]!, names, undefined, st.refs)).toBe(
      " R1=ctx() R10=fp0 fp-8=iter_num(ref_id=7,state=active,depth=3) refs=7",
    );
  });

  it("tells loop iterations apart by the depth of active iterators only", () => {
    expect(iterActiveDepthsDiffer(withIterator(0), withIterator(1))).toBe(true);
    expect(iterActiveDepthsDiffer(withIterator(2), withIterator(2))).toBe(false);
    const drained = withIterator(0);
    drained.frames[0]!.stack[0]!.iter = { kind: "num", state: "drained", depth: 0 };
    expect(iterActiveDepthsDiffer(drained, withIterator(5))).toBe(false);
  });

  it("copies the iterator with the state and keeps the copies apart", () => {
    const st = withIterator(0);
    const copy = copyState(st);
    copy.frames[0]!.stack[0]!.iter = { kind: "num", state: "drained", depth: 0 };
    expect(st.frames[0]!.stack[0]!.iter?.state).toBe("active");
  });

  it("widens scalars that changed between iterations unless they are precise", () => {
    const old = withIterator(0);
    const cur = withIterator(1);
    markRegKnown(old.frames[0]!.regs[6]!, 0n);
    markRegKnown(cur.frames[0]!.regs[6]!, 1n);
    markRegKnown(old.frames[0]!.regs[7]!, 0n);
    markRegKnown(cur.frames[0]!.regs[7]!, 1n);
    cur.frames[0]!.regs[7]!.precise = true;
    markRegKnown(old.frames[0]!.regs[8]!, 5n);
    markRegKnown(cur.frames[0]!.regs[8]!, 5n);
    widenImpreciseScalars(old, cur);
    const regs = cur.frames[0]!.regs;
    const unknown = copyState(cur).frames[0]!.regs[9]!;
    markRegUnknown(unknown);
    expect(regs[6]!.varOff).toEqual(unknown.varOff);
    expect(regs[7]!.varOff.value).toBe(1n);
    expect(regs[8]!.varOff).toEqual({ value: 5n, mask: 0n });
  });
});
