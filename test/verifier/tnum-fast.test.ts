import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Tnum } from "../../src/verifier/tnum.js";
import * as fast from "../../src/verifier/tnum.js";
import * as ref from "./tnum-reference.js";

// src/verifier/tnum.ts trims bigint operations for speed; every function
// must still give exactly what the plain transcription of tnum.c gives.

const U64 = 1n << 64n;
const EDGES = [0n, 1n, 1n << 31n, 1n << 32n, 1n << 63n, U64, 0xffn, 1n << 52n, 1n << 53n];
const u64 = fc.oneof(
  fc
    .tuple(fc.constantFrom(...EDGES), fc.integer({ min: -2, max: 2 }))
    .map(([e, d]) => BigInt.asUintN(64, e + BigInt(d))),
  fc.bigInt({ min: 0n, max: U64 - 1n }),
  fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
  fc.bigInt({ min: 0n, max: 300n }),
);
const mask = fc.oneof(
  fc.constant(0n),
  fc.constant(U64 - 1n),
  fc.integer({ min: 0, max: 64 }).map((n) => (1n << BigInt(n)) - 1n),
  u64,
);
const tnum: fc.Arbitrary<Tnum> = fc.tuple(u64, mask).map(([v, m]) => ({ value: v & ~m, mask: m }));

const plain = (t: Tnum) => ({ value: t.value, mask: t.mask });

describe("tnum operations agree with the plain transcription of tnum.c", () => {
  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (a: Tnum, b: Tnum) => Tnum][] = [
    ["tnumAdd", fast.tnumAdd, ref.tnumAdd],
    ["tnumSub", fast.tnumSub, ref.tnumSub],
    ["tnumAnd", fast.tnumAnd, ref.tnumAnd],
    ["tnumOr", fast.tnumOr, ref.tnumOr],
    ["tnumXor", fast.tnumXor, ref.tnumXor],
    ["tnumMul", fast.tnumMul, ref.tnumMul],
    ["tnumUnion", fast.tnumUnion, ref.tnumUnion],
    ["tnumIntersect", fast.tnumIntersect, ref.tnumIntersect],
  ];
  for (const [name, fastOp, refOp] of binary) {
    it(name, () => {
      fc.assert(
        fc.property(tnum, tnum, (a, b) => {
          expect(plain(fastOp(a, b))).toEqual(plain(refOp(a, b)));
        }),
        { numRuns: name === "tnumMul" ? 1000 : 5000 },
      );
    });
  }

  it("tnumIn, tnumOverlap", () => {
    fc.assert(
      fc.property(tnum, tnum, fc.boolean(), (a, b0, related) => {
        // related pairs: b inside a, so the true cases are exercised too
        const b = related ? { value: a.value | (b0.value & a.mask), mask: b0.mask & a.mask } : b0;
        expect(fast.tnumIn(a, b)).toBe(ref.tnumIn(a, b));
        expect(fast.tnumOverlap(a, b)).toBe(ref.tnumOverlap(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it("unary operations, subregisters, steps", () => {
    fc.assert(
      fc.property(tnum, u64, fc.integer({ min: 0, max: 63 }), (a, z, sh) => {
        expect(plain(fast.tnumNeg(a))).toEqual(plain(ref.tnumNeg(a)));
        expect(plain(fast.tnumClearSubreg(a))).toEqual(plain(ref.tnumClearSubreg(a)));
        expect(plain(fast.tnumSubreg(a))).toEqual(plain(ref.tnumSubreg(a)));
        expect(plain(fast.tnumLshift(a, sh))).toEqual(plain(ref.tnumLshift(a, sh)));
        expect(plain(fast.tnumRshift(a, sh))).toEqual(plain(ref.tnumRshift(a, sh)));
        expect(plain(fast.tnumArshift(a, sh, 64))).toEqual(plain(ref.tnumArshift(a, sh, 64)));
        expect(plain(fast.tnumArshift(a, sh & 31, 32))).toEqual(
          plain(ref.tnumArshift(a, sh & 31, 32)),
        );
        expect(plain(fast.tnumConstSubreg(a, z))).toEqual(plain(ref.tnumConstSubreg(a, z)));
        expect(plain(fast.tnumRange(a.value, z))).toEqual(plain(ref.tnumRange(a.value, z)));
        expect(fast.tnumStep(a, z)).toBe(ref.tnumStep(a, z));
        expect(fast.fls64(z)).toBe(ref.fls64(z));
        expect(fast.fls64(a.mask)).toBe(ref.fls64(a.mask));
      }),
      { numRuns: 5000 },
    );
  });
});
