import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  TNUM_UNKNOWN,
  type Tnum,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap16,
  tnumBswap32,
  tnumBswap64,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumStep,
  tnumSub,
  tnumSubreg,
  tnumToBinary,
  tnumToString,
  tnumUnion,
  tnumWithSubreg,
  tnumXor,
  U64_MAX,
} from "../../src/verifier/tnum.js";

const t = (value: bigint, mask: bigint): Tnum => ({ value, mask });
const member = (x: bigint, a: Tnum): boolean => (x & ~a.mask & U64_MAX) === a.value;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

/** A well-formed random tnum and one of its members. */
const tnumWithMember = fc
  .tuple(
    fc.bigInt({ min: 0n, max: U64_MAX }),
    fc.bigInt({ min: 0n, max: U64_MAX }),
    fc.bigInt({ min: 0n, max: U64_MAX }),
  )
  .map(([v, m, pick]) => {
    // Bias towards few unknown bits sometimes, so constants and near-constants occur.
    const mask = m & (pick & 1n ? m >> 7n : U64_MAX);
    const tn = t(v & ~mask & U64_MAX, mask);
    return { tn, x: tn.value | (pick & mask) };
  });

describe("tnum constructors", () => {
  it("tnumRange keeps the common prefix and leaves the rest unknown", () => {
    // chi = 4 ^ 7 = 3, fls = 2: low two bits unknown.
    expect(tnumRange(4n, 7n)).toEqual(t(4n, 3n));
    // tnum_range(0, 2) covers {0, 1, 2, 3}, as the kernel's header warns.
    expect(tnumRange(0n, 2n)).toEqual(t(0n, 3n));
    expect(tnumRange(5n, 5n)).toEqual(t(5n, 0n));
    // Ends differing in bit 63: everything unknown (1 << 64 special case).
    expect(tnumRange(0n, 1n << 63n)).toEqual(TNUM_UNKNOWN);
    expect(tnumRange(0n, 0xffff_ffffn)).toEqual(t(0n, 0xffff_ffffn));
  });

  it("prints as the kernel's tnum_strn, 0 included as 0x0", () => {
    expect(tnumToString(t(0n, 0xffff_ffffn))).toBe("(0x0; 0xffffffff)");
    expect(tnumToString(t(0xffff_ffff_ffff_fe00n, 0x1ffn))).toBe("(0xfffffffffffffe00; 0x1ff)");
    expect(tnumToBinary(t(0b100n, 0b11n)).slice(-4)).toBe("01xx");
  });
});

describe("tnum arithmetic, checked against hand-computed kernel results", () => {
  it("add propagates carries out of unknown bits", () => {
    // (0x0; 0xff) + 10: from the kernel log "r6 &= 255; r6 += 10" -> var_off=(0x0; 0x1ff).
    expect(tnumAdd(t(0n, 0xffn), tnumConst(10n))).toEqual(t(0n, 0x1ffn));
    expect(tnumAdd(tnumConst(U64_MAX), tnumConst(1n))).toEqual(tnumConst(0n));
  });

  it("neg is 0 - a with tnum_sub's borrow rules", () => {
    expect(tnumNeg(tnumConst(5n))).toEqual(tnumConst(u64(-5n)));
    // dv = 0, alpha = 0, beta = -0x1ff: the borrow may run through every bit.
    // (The kernel's r7 = -r7 prints (0xfffffffffffffe00; 0x1ff) only after
    // intersecting with the bounds; see bounds.test.ts.)
    expect(tnumNeg(t(0n, 0x1ffn))).toEqual(TNUM_UNKNOWN);
    expect(tnumNeg(t(0x10n, 0x3n))).toEqual(t(0xffff_ffff_ffff_ffe0n, 0x1fn));
    expect(tnumSub(tnumConst(3n), tnumConst(5n))).toEqual(tnumConst(u64(-2n)));
  });

  it("and/or/xor know what the known bits decide", () => {
    expect(tnumAnd(TNUM_UNKNOWN, tnumConst(0xf0f0n))).toEqual(t(0n, 0xf0f0n));
    expect(tnumOr(t(0n, 0xffffn), tnumConst(0x8001n))).toEqual(t(0x8001n, 0x7ffen));
    expect(tnumXor(t(0n, 0xffn), tnumConst(0x55n))).toEqual(t(0n, 0xffn));
    expect(tnumXor(tnumConst(0x0fn), tnumConst(0xffn))).toEqual(tnumConst(0xf0n));
  });

  it("mul is the union-based long multiplication of 6.18", () => {
    // Kernel log: (0xc; 0x8000000080000003) * 3 -> var_off (0x0; 0x800000018000003f),
    // and 3 * (0xc; 0x8000000080000003) -> (0x20; 0x800000018000000f).
    const b = t(0xcn, 0x8000_0000_8000_0003n);
    expect(tnumMul(b, tnumConst(3n))).toEqual(t(0n, 0x8000_0001_8000_003fn));
    expect(tnumMul(tnumConst(3n), b)).toEqual(t(0x20n, 0x8000_0001_8000_000fn));
    expect(tnumMul(tnumConst(6n), tnumConst(7n))).toEqual(tnumConst(42n));
    expect(tnumUnion(tnumConst(3n), tnumConst(9n))).toEqual(t(1n, 0b1010n));
  });

  it("shifts", () => {
    expect(tnumLshift(t(0n, 0x7fn), 5)).toEqual(t(0n, 0xfe0n));
    expect(tnumRshift(t(0x100n, 0xffn), 4)).toEqual(t(0x10n, 0xfn));
    expect(tnumArshift(tnumConst(1n << 63n), 4, 64)).toEqual(tnumConst(0xf800_0000_0000_0000n));
    // 32-bit arsh works on the low word and zero-extends.
    expect(tnumArshift(t(0x8000_0000n, 0x7fff_fff8n), 1, 32)).toEqual(
      t(0xc000_0000n, 0x3fff_fffcn),
    );
    expect(tnumArshift(tnumConst(0xffff_ffff_0000_0000n), 4, 32)).toEqual(tnumConst(0n));
  });

  it("byte swaps move unknown bits with their bytes", () => {
    // Kernel log: be16 of (0x0; 0x1ff) -> (0x0; 0xff01).
    expect(tnumBswap16(t(0n, 0x1ffn))).toEqual(t(0n, 0xff01n));
    expect(tnumBswap32(t(0xffff_ff80n, 0x7fn))).toEqual(t(0x80ff_ffffn, 0x7f00_0000n));
    expect(tnumBswap64(tnumConst(0x0102_0304_0506_0708n))).toEqual(
      tnumConst(0x0807_0605_0403_0201n),
    );
  });

  it("subregister helpers", () => {
    const a = t(0x1_0000_0001n, 0xf0_0000_00f0n);
    expect(tnumSubreg(a)).toEqual(t(1n, 0xf0n));
    expect(tnumClearSubreg(a)).toEqual(t(0x1_0000_0000n, 0xf0_0000_0000n));
    expect(tnumWithSubreg(a, tnumConst(0xffff_ffff_0000_0002n))).toEqual(
      t(0x1_0000_0002n, 0xf0_0000_0000n),
    );
    expect(tnumConstSubreg(a, 7n)).toEqual(t(0x1_0000_0007n, 0xf0_0000_0000n));
    expect(tnumCast(tnumConst(0x1234_5678n), 2)).toEqual(tnumConst(0x5678n));
  });

  it("intersect, in, overlap, aligned", () => {
    expect(tnumIntersect(t(0n, 0xffn), t(0x10n, 0x0fn))).toEqual(t(0x10n, 0x0fn));
    expect(tnumIn(t(0n, 0xffn), tnumConst(0x42n))).toBe(true);
    expect(tnumIn(t(0n, 0xffn), tnumConst(0x142n))).toBe(false);
    expect(tnumOverlap(t(0n, 0xf0n), tnumConst(5n))).toBe(false);
    expect(tnumOverlap(t(0n, 0xf0n), tnumConst(0x50n))).toBe(true);
    expect(tnumIsAligned(t(0n, 0xf8n), 8n)).toBe(true);
    expect(tnumIsAligned(t(4n, 0xf8n), 8n)).toBe(false);
  });

  it("step finds the next member, with the examples of the kernel's commit message", () => {
    // t = x11100x0, z = 241 -> 242
    expect(tnumStep(t(0b0111_0000n, 0b1000_0010n), 241n)).toBe(242n);
    // t = xx11x0x0, z = 189 -> 240
    expect(tnumStep(t(0b0011_0000n, 0b1100_1010n), 189n)).toBe(240n);
    // t = 1x1x0xxx, z = 180 -> 181
    expect(tnumStep(t(0b1010_0000n, 0b0101_0111n), 180n)).toBe(181n);
    // t = x00010x1, z = 130 -> 137
    expect(tnumStep(t(0b0000_1001n, 0b1000_0010n), 130n)).toBe(137n);
    expect(tnumStep(t(8n, 3n), 100n)).toBe(11n);
    expect(tnumStep(t(8n, 3n), 1n)).toBe(8n);
  });

  it("step agrees with brute force on small tnums", () => {
    for (let mask = 0n; mask < 64n; mask++) {
      for (let value = 0n; value < 64n; value++) {
        if ((value & mask) !== 0n) continue;
        const a = t(value, mask);
        const members: bigint[] = [];
        for (let x = 0n; x < 64n; x++) if (member(x, a)) members.push(x);
        const tmax = value | mask;
        for (let z = value; z < tmax; z++) {
          const expected = members.find((m) => m > z);
          expect(tnumStep(a, z)).toBe(expected);
        }
      }
    }
  });
});

describe("tnum soundness (every concrete result is a member of the abstract one)", () => {
  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (x: bigint, y: bigint) => bigint][] = [
    ["add", tnumAdd, (x, y) => u64(x + y)],
    ["sub", tnumSub, (x, y) => u64(x - y)],
    ["mul", tnumMul, (x, y) => u64(x * y)],
    ["and", tnumAnd, (x, y) => x & y],
    ["or", tnumOr, (x, y) => x | y],
    ["xor", tnumXor, (x, y) => x ^ y],
    ["union", tnumUnion, (x) => x],
  ];
  for (const [name, op, concrete] of binary) {
    it(name, () => {
      fc.assert(
        fc.property(tnumWithMember, tnumWithMember, (a, b) => {
          const r = op(a.tn, b.tn);
          expect((r.value & r.mask) === 0n).toBe(true);
          expect(member(concrete(a.x, b.x), r)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it("shifts, neg, byte swaps, range", () => {
    fc.assert(
      fc.property(tnumWithMember, fc.integer({ min: 0, max: 63 }), (a, s) => {
        const sh = BigInt(s);
        expect(member(u64(a.x << sh), tnumLshift(a.tn, s))).toBe(true);
        expect(member(a.x >> sh, tnumRshift(a.tn, s))).toBe(true);
        expect(member(u64(BigInt.asIntN(64, a.x) >> sh), tnumArshift(a.tn, s, 64))).toBe(true);
        const s32 = BigInt(s & 31);
        expect(
          member(
            BigInt.asUintN(32, BigInt.asIntN(32, a.x) >> s32),
            tnumArshift(tnumSubreg(a.tn), s & 31, 32),
          ),
        ).toBe(true);
        expect(member(u64(-a.x), tnumNeg(a.tn))).toBe(true);
        expect(member(tnumBswap64(tnumConst(a.x)).value, tnumBswap64(a.tn))).toBe(true);
        const lo = a.x >> sh;
        expect(member(a.x, tnumRange(lo < a.x ? lo : a.x, a.x))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
