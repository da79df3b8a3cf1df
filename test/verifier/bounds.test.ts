import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LSH,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
} from "../../src/isa/opcodes.js";
import {
  boundsSanityCheck,
  boundsSync,
  coerceToSize,
  knownScalar,
  type ScalarBounds,
  unknownScalar,
} from "../../src/verifier/bounds.js";
import {
  forkOnMinusOneOrZero,
  movReg,
  type ScalarAluOp,
  scalarAlu,
} from "../../src/verifier/scalar/alu.js";
import { branchTaken, type CondJumpOp, refineOnBranch } from "../../src/verifier/scalar/branch.js";
import { formatScalar } from "../../src/verifier/scalar/format.js";
import { tnumConst, tnumRange } from "../../src/verifier/tnum.js";
import { replayLog } from "./replay.js";

const dataDir = join(dirname(fileURLToPath(import.meta.url)), "data", "scalar");
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** A ctx load of `size` bytes: unknown, then truncated (check_mem_access). */
const load = (size: number): ScalarBounds => coerceToSize(unknownScalar(), size);
const k = (v: bigint | number): ScalarBounds => knownScalar(BigInt(v));

describe("kernel logs replayed through the scalar domain", () => {
  // Each NAME.PROG.log is the Linux 6.18 verifier's level-2 log of one
  // program of NAME.bpf.c (regenerate with data/scalar/build.sh).
  const logs = readdirSync(dataDir).filter((f) => f.endsWith(".log"));
  it("has fixtures", () => {
    expect(logs.length).toBeGreaterThanOrEqual(10);
  });
  for (const file of logs) {
    it(file, () => {
      const { checked, mismatches } = replayLog(readFileSync(join(dataDir, file), "utf8"));
      expect(checked).toBeGreaterThan(10);
      expect(mismatches).toEqual([]);
    });
  }
});

describe("register states as the kernel printed them", () => {
  it("narrow ctx loads", () => {
    expect(formatScalar(load(4))).toBe(
      "scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
    );
    expect(formatScalar(load(2))).toBe(
      "scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))",
    );
    expect(formatScalar(unknownScalar())).toBe("scalar()");
  });

  it("r6 = *(u32 *)(r1 +0); r6 &= 255; r6 += 10; r7 = -r6", () => {
    const r6 = scalarAlu(BPF_AND, true, load(4), k(255));
    expect(formatScalar(r6)).toBe(
      "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))",
    );
    const r6b = scalarAlu(BPF_ADD, true, r6, k(10));
    expect(formatScalar(r6b)).toBe(
      "scalar(smin=umin=smin32=umin32=10,smax=umax=smax32=umax32=265,var_off=(0x0; 0x1ff))",
    );
    const r7 = scalarAlu(BPF_NEG, true, r6b, r6b);
    expect(formatScalar(r7)).toBe(
      "scalar(smin=smin32=-265,smax=smax32=-10,umin=0xfffffffffffffef7,umax=0xfffffffffffffff6," +
        "umin32=0xfffffef7,umax32=0xfffffff6,var_off=(0xfffffffffffffe00; 0x1ff))",
    );
  });

  it("constants print as values", () => {
    expect(formatScalar(k(0))).toBe("0");
    expect(formatScalar(k(-1))).toBe("-1");
    expect(formatScalar(k(32767))).toBe("32767");
    expect(formatScalar(k(-32768))).toBe("-32768");
    expect(formatScalar(k(32768))).toBe("0x8000");
    expect(formatScalar(k(-32769))).toBe("0xffffffffffff7fff");
    expect(formatScalar(k(0xffffffff))).toBe("0xffffffff");
    expect(formatScalar(k(4660), { precise: true })).toBe("P4660");
    expect(formatScalar(load(4), { id: 2 })).toBe(
      "scalar(id=2,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))",
    );
    expect(formatScalar(unknownScalar(), { id: 1, addConstOffset: -4 })).toBe("scalar(id=1-4)");
  });

  it("division and modulo give unknown, even the 32-bit forms (no zero extension)", () => {
    // Kernel log: "w1 /= 3 ; R1=scalar()".
    expect(formatScalar(scalarAlu(0x30, false, load(1), k(3)))).toBe("scalar()");
    expect(formatScalar(scalarAlu(0x90, true, load(1), k(3)))).toBe("scalar()");
  });

  it("32-bit jump on a 64-bit unknown: if w6 > 0x64 (fall-through)", () => {
    const r6 = unknownScalar();
    expect(branchTaken(BPF_JGT, true, r6, k(0x64))).toBe(-1);
    const [fall] = refineOnBranch(BPF_JGT, true, r6, k(0x64), false);
    expect(formatScalar(fall)).toBe(
      "scalar(smax=0x7fffffff00000064,umax=0xffffffff00000064,smin32=0,smax32=umax32=100,var_off=(0x0; 0xffffffff0000007f))",
    );
    const [taken] = refineOnBranch(BPF_JGT, true, r6, k(0x64), true);
    expect(formatScalar(taken)).toBe("scalar(smin=0x8000000000000065,umin=umin32=101)");
  });

  it("w2 == 0x10 on (r2 << 32) | 0x10 is decided (always taken)", () => {
    const r2 = scalarAlu(BPF_OR, true, scalarAlu(BPF_LSH, true, load(4), k(32)), k(16));
    expect(formatScalar(r2)).toBe(
      "scalar(smin=0x8000000000000010,smax=0x7fffffff00000010,umin=smin32=umin32=16,umax=0xffffffff00000010,smax32=umax32=16,var_off=(0x10; 0xffffffff00000000))",
    );
    expect(branchTaken(BPF_JEQ, true, r2, k(0x10))).toBe(1);
    expect(branchTaken(BPF_JEQ, false, r2, k(0x10))).toBe(-1);
  });

  it("JEQ against a value the known bits exclude is never taken (tnum overlap)", () => {
    const r3 = scalarAlu(BPF_AND, true, load(4), k(0xf0));
    expect(branchTaken(BPF_JEQ, false, r3, k(5))).toBe(0);
    expect(branchTaken(BPF_JNE, false, r3, k(5))).toBe(1);
    expect(branchTaken(BPF_JSET, false, r3, k(0xf))).toBe(0);
    expect(branchTaken(BPF_JSET, false, scalarAlu(BPF_OR, true, r3, k(1)), k(1))).toBe(1);
  });

  it("same-register comparisons are decided by the operation", () => {
    const r = load(4);
    expect(branchTaken(BPF_JGE, false, r, r, true)).toBe(1);
    expect(branchTaken(BPF_JSLT, false, r, r, true)).toBe(0);
    expect(branchTaken(BPF_JSET, false, r, r, true)).toBe(-1);
    expect(branchTaken(BPF_JSET, false, k(4), k(4), true)).toBe(1);
    expect(refineOnBranch(BPF_JEQ, false, r, r, true, true)).toEqual([r, r]);
  });

  it("movsx of a value that may be negative in the narrow type", () => {
    // Kernel log: "r9 = (s8)r7" with r7 a u32 load -> scalar(smin=smin32=-128,smax=smax32=127).
    expect(formatScalar(movReg(load(4), true, 8))).toBe("scalar(smin=smin32=-128,smax=smax32=127)");
    // ... and of one that cannot be: unchanged.
    const small = scalarAlu(BPF_AND, true, load(4), k(0x7f));
    expect(movReg(small, true, 8)).toEqual(small);
  });

  it("fork hint of maybe_fork_scalars", () => {
    const minusOneOrZero = scalarAlu(
      BPF_ARSH,
      true,
      scalarAlu(BPF_LSH, true, load(1), k(63)),
      k(63),
    );
    expect(formatScalar(minusOneOrZero)).toBe("scalar(smin=smin32=-1,smax=smax32=0)");
    expect(forkOnMinusOneOrZero(minusOneOrZero)).toBe("alu64");
    expect(forkOnMinusOneOrZero(load(4))).toBeNull();
  });
});

describe("invariants", () => {
  it("the sanity check reports contradictory bounds in the kernel's words", () => {
    const bad: ScalarBounds = { ...unknownScalar(), umin: 10n, umax: 5n };
    const res = boundsSanityCheck(bad, "true_reg1");
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.message).toBe(
        "verifier bug: REG INVARIANTS VIOLATION (true_reg1): range bounds violation " +
          "u64=[0xa, 0x5] s64=[0x8000000000000000, 0x7fffffffffffffff] u32=[0x0, 0xffffffff] " +
          "s32=[0x80000000, 0x7fffffff] var_off=(0x0, 0xffffffffffffffff)",
      );
      expect(res.repaired.umin).toBe(0n);
    }
    const constBad: ScalarBounds = { ...k(5), umax: 6n };
    expect(boundsSanityCheck(constBad, "x").ok).toBe(false);
    expect(boundsSanityCheck(load(4), "x").ok).toBe(true);
  });
});

// ---- Properties ----

function ordered(a: bigint, b: bigint): [bigint, bigint] {
  return a <= b ? [a, b] : [b, a];
}

/** A random consistent scalar with a concrete member: built like the verifier builds them. */
const scalarWithMember = fc
  .tuple(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([a, b, pick, shape]) => {
    if (shape === 0) return { b: k(a), x: a };
    // A range [lo, hi] (unsigned or signed) with a member, synced like after a comparison.
    const [lo, hi] = ordered(a, b);
    const x = lo + (pick % (hi - lo + 1n));
    if (shape === 1) {
      return {
        b: boundsSync({ ...unknownScalar(), umin: lo, umax: hi, varOff: tnumRange(lo, hi) }),
        x,
      };
    }
    if (shape === 2) {
      const [slo, shi] = ordered(s64(lo), s64(hi));
      const sx = slo + (pick % (shi - slo + 1n));
      return { b: boundsSync({ ...unknownScalar(), smin: slo, smax: shi }), x: u64(sx) };
    }
    // Known bits: x with some bits forgotten.
    return {
      b: boundsSync({ ...unknownScalar(), varOff: { value: a & ~b & u64(-1n), mask: b } }),
      x: a | b,
    };
  });

function contains(bnd: ScalarBounds, x: bigint): boolean {
  const lo = Number(BigInt.asUintN(32, x));
  const slo = Number(BigInt.asIntN(32, x));
  return (
    (x & ~bnd.varOff.mask & u64(-1n)) === bnd.varOff.value &&
    x >= bnd.umin &&
    x <= bnd.umax &&
    s64(x) >= bnd.smin &&
    s64(x) <= bnd.smax &&
    lo >= bnd.u32Min &&
    lo <= bnd.u32Max &&
    slo >= bnd.s32Min &&
    slo <= bnd.s32Max
  );
}

function consistent(bnd: ScalarBounds): boolean {
  return (
    bnd.umin <= bnd.umax &&
    bnd.smin <= bnd.smax &&
    bnd.u32Min <= bnd.u32Max &&
    bnd.s32Min <= bnd.s32Max
  );
}

const concreteOps: [ScalarAluOp, string, (x: bigint, y: bigint, is64: boolean) => bigint][] = [
  [BPF_ADD, "add", (x, y) => x + y],
  [BPF_SUB, "sub", (x, y) => x - y],
  [BPF_MUL, "mul", (x, y) => x * y],
  [BPF_AND, "and", (x, y) => x & y],
  [BPF_OR, "or", (x, y) => x | y],
  [BPF_XOR, "xor", (x, y) => x ^ y],
  [BPF_NEG, "neg", (x) => -x],
  [BPF_LSH, "lsh", (x, y, is64) => x << (y & (is64 ? 63n : 31n))],
  [BPF_RSH, "rsh", (x, y, is64) => (is64 ? x : BigInt.asUintN(32, x)) >> (y & (is64 ? 63n : 31n))],
  [
    BPF_ARSH,
    "arsh",
    (x, y, is64) => (is64 ? s64(x) >> (y & 63n) : BigInt.asIntN(32, x) >> (y & 31n)),
  ],
];

describe("soundness: the abstract result contains the concrete one", () => {
  for (const [op, name, concrete] of concreteOps) {
    for (const is64 of [true, false]) {
      it(`${name}${is64 ? "" : "32"}`, () => {
        fc.assert(
          fc.property(
            scalarWithMember,
            scalarWithMember,
            fc.integer({ min: 0, max: 63 }),
            (d, s, sh) => {
              fc.pre(contains(d.b, d.x) && contains(s.b, s.x));
              let src = s;
              if (op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) {
                const amount = BigInt(is64 ? sh : sh & 31);
                src = { b: k(amount), x: amount };
              }
              const res = scalarAlu(op, is64, d.b, src.b);
              const raw = concrete(d.x, src.x, is64);
              const expected = is64 ? u64(raw) : BigInt.asUintN(32, raw);
              expect(consistent(res)).toBe(true);
              expect(contains(res, expected)).toBe(true);
            },
          ),
          { numRuns: 200 },
        );
      });
    }
  }
});

const jumpOps: [CondJumpOp, (x: bigint, y: bigint, sx: bigint, sy: bigint) => boolean][] = [
  [BPF_JEQ, (x, y) => x === y],
  [BPF_JNE, (x, y) => x !== y],
  [BPF_JGT, (x, y) => x > y],
  [BPF_JGE, (x, y) => x >= y],
  [BPF_JLT, (x, y) => x < y],
  [BPF_JLE, (x, y) => x <= y],
  [BPF_JSGT, (_x, _y, sx, sy) => sx > sy],
  [BPF_JSGE, (_x, _y, sx, sy) => sx >= sy],
  [BPF_JSLT, (_x, _y, sx, sy) => sx < sy],
  [BPF_JSLE, (_x, _y, sx, sy) => sx <= sy],
  [BPF_JSET, (x, y) => (x & y) !== 0n],
];

describe("soundness of jumps: the side the concrete values take keeps them", () => {
  for (const [op, holds] of jumpOps) {
    for (const is32 of [false, true]) {
      it(`op 0x${op.toString(16)}${is32 ? " (jmp32)" : ""}`, () => {
        fc.assert(
          fc.property(scalarWithMember, scalarWithMember, fc.boolean(), (d, s, constSrc) => {
            const src = constSrc ? { b: k(s.x), x: s.x } : s;
            fc.pre(contains(d.b, d.x) && contains(src.b, src.x));
            const x = is32 ? BigInt.asUintN(32, d.x) : d.x;
            const y = is32 ? BigInt.asUintN(32, src.x) : src.x;
            const sx = is32 ? BigInt.asIntN(32, d.x) : s64(d.x);
            const sy = is32 ? BigInt.asIntN(32, src.x) : s64(src.x);
            const taken = holds(x, y, sx, sy);
            const pred = branchTaken(op, is32, d.b, src.b);
            if (pred !== -1) expect(pred).toBe(taken ? 1 : 0);
            else {
              const [rd, rs] = refineOnBranch(op, is32, d.b, src.b, taken);
              expect(contains(rd, d.x)).toBe(true);
              expect(contains(rs, src.x)).toBe(true);
            }
          }),
          { numRuns: 200 },
        );
      });
    }
  }
});

describe("boundsSync", () => {
  it("never produces min > max from consistent input, and keeps every member", () => {
    fc.assert(
      fc.property(scalarWithMember, (s) => {
        fc.pre(contains(s.b, s.x));
        const r = boundsSync(s.b);
        expect(consistent(r)).toBe(true);
        expect(contains(r, s.x)).toBe(true);
        expect(boundsSanityCheck(r, "sync").ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("learns a constant when the range and the tnum share one value (tnum_step)", () => {
    // tnum (0x8; 0x3) = {8..11} and u64 range [11, 100]: only 11 is left.
    const r = boundsSync({
      ...unknownScalar(),
      umin: 11n,
      umax: 100n,
      varOff: { value: 8n, mask: 3n },
    });
    expect(formatScalar(r)).toBe("11");
    expect(r.varOff).toEqual(tnumConst(11n));
  });
});
