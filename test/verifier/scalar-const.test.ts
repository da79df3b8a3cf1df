import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_END,
  BPF_LSH,
  BPF_MOD,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
} from "../../src/isa/opcodes.js";
import { knownScalar, type ScalarBounds } from "../../src/verifier/bounds.js";
import { type ScalarAluOp, scalarAlu, scalarAluByRanges } from "../../src/verifier/scalar/alu.js";

// `scalarAlu` computes arithmetic on two constants directly; the kernel runs
// them through its range rules (`scalarAluByRanges`). Both must agree on every
// operation, width and value, including overflow, sign and shift edges.

const U64 = 1n << 64n;
const EDGES = [0n, 1n, 2n, 31n, 32n, 63n, 64n, 1n << 31n, 1n << 32n, 1n << 63n, U64];
const value = fc.oneof(
  fc
    .tuple(fc.constantFrom(...EDGES), fc.integer({ min: -2, max: 2 }))
    .map(([e, d]) => BigInt.asUintN(64, e + BigInt(d))),
  fc.bigInt({ min: 0n, max: U64 - 1n }),
  fc.bigInt({ min: 0n, max: 70n }),
);
const OPS: [ScalarAluOp, string][] = [
  [BPF_ADD, "add"],
  [BPF_SUB, "sub"],
  [BPF_MUL, "mul"],
  [BPF_AND, "and"],
  [BPF_OR, "or"],
  [BPF_XOR, "xor"],
  [BPF_NEG, "neg"],
  [BPF_LSH, "lsh"],
  [BPF_RSH, "rsh"],
  [BPF_ARSH, "arsh"],
  [BPF_DIV, "div"],
  [BPF_MOD, "mod"],
  [BPF_END, "end"],
];

const plain = (b: ScalarBounds) => ({ ...b, varOff: { ...b.varOff } });

describe("arithmetic on constants agrees with the range rules", () => {
  for (const [op, name] of OPS) {
    for (const is64 of [true, false]) {
      it(`${name}${is64 ? "" : "32"}`, () => {
        fc.assert(
          fc.property(value, value, (a, b) => {
            const dst = knownScalar(a);
            const src = op === BPF_NEG || op === BPF_END ? dst : knownScalar(b);
            const opts = op === BPF_END ? { endImm: 32 as const, endToLe: false } : {};
            expect(plain(scalarAlu(op, is64, dst, src, opts))).toEqual(
              plain(scalarAluByRanges(op, is64, dst, src, opts)),
            );
          }),
          { numRuns: 3000 },
        );
      });
    }
  }

  it("folds to the value the instruction computes", () => {
    // r1 = 0xffffffff; w1 += 1 wraps to 0; r1 s>>= 63 of the sign bit gives all ones
    expect(scalarAlu(BPF_ADD, false, knownScalar(0xffff_ffffn), knownScalar(1n))).toEqual(
      knownScalar(0n),
    );
    expect(scalarAlu(BPF_ARSH, true, knownScalar(1n << 63n), knownScalar(63n))).toEqual(
      knownScalar(-1n),
    );
    expect(scalarAlu(BPF_ARSH, false, knownScalar(0x8000_0000n), knownScalar(31n))).toEqual(
      knownScalar(0xffff_ffffn),
    );
    expect(scalarAlu(BPF_SUB, true, knownScalar(0n), knownScalar(1n))).toEqual(knownScalar(-1n));
  });

  it("leaves shifts by the width or more to the range rules (unknown)", () => {
    const r = scalarAlu(BPF_LSH, false, knownScalar(1n), knownScalar(32n));
    expect(r.varOff.mask).toBe(U64 - 1n);
  });
});
