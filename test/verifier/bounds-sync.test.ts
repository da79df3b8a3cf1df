import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  copyBounds,
  type MutableBounds,
  type ScalarBounds,
  syncInPlace,
} from "../../src/verifier/bounds.js";
import { referenceSyncInPlace } from "./bounds-reference.js";

// `syncInPlace` takes shortcuts (constants, values whose upper 32 bits are
// zero) to stay fast on million-instruction programs; every shortcut must
// give exactly what the step-by-step reference gives, including on the
// contradictory inputs the kernel reports as invariant violations.

const U64 = 1n << 64n;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/** Values near every boundary the deductions branch on. */
const EDGES = [0n, 1n << 31n, 1n << 32n, 1n << 63n, U64, 1n << 16n, 1n << 8n, 1n << 52n];
const edgeValue = fc
  .tuple(fc.constantFrom(...EDGES), fc.integer({ min: -3, max: 3 }))
  .map(([e, d]) => u64(e + BigInt(d)));
const anyU64 = fc.oneof(
  edgeValue,
  fc.bigInt({ min: 0n, max: U64 - 1n }),
  fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
  fc.bigInt({ min: 0n, max: 300n }),
);
const anyMask = fc.oneof(
  fc.constant(0n),
  fc.constant(U64 - 1n),
  fc.constant(0xffff_ffffn),
  fc.integer({ min: 0, max: 64 }).map((n) => (1n << BigInt(n)) - 1n),
  anyU64,
);

/** One field: the constant's own value (so constants come out consistent), an edge, or anything. */
function around(v: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constant(v),
    fc.integer({ min: -2, max: 2 }).map((d) => u64(v + BigInt(d))),
    anyU64,
  );
}

const bounds: fc.Arbitrary<ScalarBounds> = fc.tuple(anyU64, anyMask).chain(([value, mask]) => {
  const v = value & ~mask;
  const lo = v;
  const hi = v | mask;
  return fc
    .tuple(around(lo), around(hi), around(lo), around(hi), around(lo), around(hi))
    .chain(([umin, umax, smin, smax, u32a, u32b]) =>
      fc.tuple(around(lo), around(hi)).map(([s32a, s32b]) => ({
        varOff: { value: v, mask },
        umin,
        umax,
        smin: s64(smin),
        smax: s64(smax),
        u32Min: Number(u32a & 0xffff_ffffn),
        u32Max: Number(u32b & 0xffff_ffffn),
        s32Min: Number(BigInt.asIntN(32, s32a)),
        s32Max: Number(BigInt.asIntN(32, s32b)),
      })),
    );
});

/** Scalars whose 64-bit ranges and tnum lie in [0, 2^32): the domain of the number-only sync. */
const LOW_EDGES = [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0xffffn, 0x100n];
const low32 = fc.oneof(
  fc.constantFrom(...LOW_EDGES),
  fc.bigInt({ min: 0n, max: 0xffff_ffffn }),
  fc.bigInt({ min: 0n, max: 64n }),
  fc
    .tuple(fc.constantFrom(...LOW_EDGES), fc.integer({ min: -2, max: 2 }))
    .map(([e, d]) => BigInt.asUintN(32, e + BigInt(d))),
);
const low32Mask = fc.oneof(
  fc.constant(0n),
  fc.constant(0xffff_ffffn),
  fc.integer({ min: 0, max: 32 }).map((n) => (1n << BigInt(n)) - 1n),
  low32,
);
const s32 = fc.oneof(
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  fc.constantFrom(-0x8000_0000, -1, 0, 1, 0x7fff_ffff),
);
const lowBounds: fc.Arbitrary<ScalarBounds> = fc
  .tuple(low32, low32Mask, fc.array(low32, { minLength: 6, maxLength: 6 }), s32, s32, fc.nat(15))
  .map(([value, mask, [umin, umax, smin, smax, u32a, u32b], s32a, s32b, tight]) => {
    const v = value & ~mask;
    // Some fields follow the tnum, as real registers' do; the rest are free.
    const pick = (bit: number, free: bigint, own: bigint): bigint => (tight & bit ? own : free);
    return {
      varOff: { value: v, mask },
      umin: pick(1, umin!, v),
      umax: pick(1, umax!, v | mask),
      smin: pick(2, smin!, v),
      smax: pick(2, smax!, v | mask),
      u32Min: Number(pick(4, u32a!, v)),
      u32Max: Number(pick(4, u32b!, v | mask)),
      s32Min: tight & 8 ? Number(BigInt.asIntN(32, v)) : s32a,
      s32Max: tight & 8 ? Number(BigInt.asIntN(32, v | mask)) : s32b,
    };
  });

function plain(b: ScalarBounds): Record<string, unknown> {
  return { ...b, varOff: { value: b.varOff.value, mask: b.varOff.mask } };
}

function bothWays(b: ScalarBounds): { fast: MutableBounds; ref: MutableBounds } {
  const fast = copyBounds(b);
  const ref = copyBounds(b);
  syncInPlace(fast);
  referenceSyncInPlace(ref);
  return { fast, ref };
}

describe("syncInPlace agrees with the step-by-step reg_bounds_sync", () => {
  it("on random bounds, consistent or not", () => {
    fc.assert(
      fc.property(bounds, (b) => {
        const { fast, ref } = bothWays(b);
        expect(plain(fast)).toEqual(plain(ref));
      }),
      { numRuns: 20_000 },
    );
  });

  it("on scalars whose upper 32 bits are zero", () => {
    fc.assert(
      fc.property(lowBounds, (b) => {
        const { fast, ref } = bothWays(b);
        expect(plain(fast)).toEqual(plain(ref));
      }),
      { numRuns: 50_000 },
    );
  });

  it("on the unknown scalar and near relatives of it", () => {
    const unknown: ScalarBounds = {
      varOff: { value: 0n, mask: U64 - 1n },
      umin: 0n,
      umax: U64 - 1n,
      smin: -(1n << 63n),
      smax: (1n << 63n) - 1n,
      u32Min: 0,
      u32Max: 0xffff_ffff,
      s32Min: -0x8000_0000,
      s32Max: 0x7fff_ffff,
    };
    const variants: ScalarBounds[] = [
      unknown,
      { ...unknown, varOff: { value: 1n, mask: U64 - 2n } },
      { ...unknown, umin: 1n },
      { ...unknown, smax: 5n },
      { ...unknown, u32Max: 7 },
      { ...unknown, s32Min: -1 },
    ];
    for (const b of variants) {
      const { fast, ref } = bothWays(b);
      expect(plain(fast)).toEqual(plain(ref));
    }
    expect(plain(bothWays(unknown).ref)).toEqual(plain(unknown));
  });

  it("on constants, inside and outside their ranges", () => {
    const cases: bigint[] = [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 1n << 32n, U64 - 1n];
    for (const v of cases) {
      const exact: ScalarBounds = {
        varOff: { value: v, mask: 0n },
        umin: v,
        umax: v,
        smin: s64(v),
        smax: s64(v),
        u32Min: Number(v & 0xffff_ffffn),
        u32Max: Number(v & 0xffff_ffffn),
        s32Min: Number(BigInt.asIntN(32, v)),
        s32Max: Number(BigInt.asIntN(32, v)),
      };
      const variants: ScalarBounds[] = [
        exact,
        { ...exact, umin: 0n, umax: U64 - 1n, smin: -(1n << 63n), smax: (1n << 63n) - 1n },
        { ...exact, u32Min: 0, u32Max: 0xffff_ffff, s32Min: -0x8000_0000, s32Max: 0x7fff_ffff },
        // the constant outside a range: the kernel's invariant violation path
        { ...exact, umin: u64(v + 1n), umax: u64(v + 5n) },
        { ...exact, s32Min: 5, s32Max: 3 },
      ];
      for (const b of variants) {
        const { fast, ref } = bothWays(b);
        expect(plain(fast)).toEqual(plain(ref));
      }
    }
  });
});
