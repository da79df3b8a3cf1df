/**
 * The scalar-bounds synchronisation (`reg_bounds_sync`) written the plain
 * way, with `bigint` arithmetic throughout and no shortcuts: the reference
 * that the optimised `syncInPlace` in src/verifier/bounds.ts is checked
 * against. It mirrors `kernel/bpf/verifier.c` of Linux 6.18 step by step
 * (`__update_reg_bounds`, three rounds of `__reg_deduce_bounds`,
 * `__reg_bound_offset`, `__update_reg_bounds`).
 */
import type { MutableBounds } from "../../src/verifier/bounds.js";
import type { Tnum } from "../../src/verifier/tnum.js";

const S32_MIN = -0x8000_0000;
const S32_MAX = 0x7fff_ffff;
const U32_MASK = 0xffff_ffffn;
const U64_MAX = (1n << 64n) - 1n;
const S64_MAX = (1n << 63n) - 1n;
const toS64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const toU64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const lo32u = (x: bigint): number => Number(BigInt.asUintN(32, x));
const lo32s = (x: bigint): number => Number(BigInt.asIntN(32, x));
const toS32 = (x: number): number => x | 0;
const toU32 = (x: number): number => x >>> 0;
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

// ---- tnum operations (kernel/bpf/tnum.c) ----

const fls64 = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

function tnumRange(min: bigint, max: bigint): Tnum {
  const bits = fls64(toU64(min) ^ toU64(max));
  if (bits > 63) return { value: 0n, mask: U64_MAX };
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: toU64(min) & ~delta, mask: delta };
}

function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64_MAX };
}

const tnumSubreg = (a: Tnum): Tnum => ({ value: a.value & U32_MASK, mask: a.mask & U32_MASK });
const tnumClearSubreg = (a: Tnum): Tnum => ({
  value: a.value & ~U32_MASK & U64_MAX,
  mask: a.mask & ~U32_MASK & U64_MAX,
});

function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  const d = z - t.value;
  const carryMask = (1n << BigInt(fls64(d & ~t.mask & U64_MAX))) - 1n;
  const filled = d | carryMask | (~t.mask & U64_MAX);
  const inc = toU64(filled + 1n) & t.mask;
  return t.value | inc;
}

function markKnown(r: MutableBounds, imm: bigint): void {
  const u = toU64(imm);
  r.varOff = { value: u, mask: 0n };
  r.smin = toS64(u);
  r.smax = r.smin;
  r.umin = u;
  r.umax = u;
  r.s32Min = lo32s(u);
  r.s32Max = r.s32Min;
  r.u32Min = lo32u(u);
  r.u32Max = r.u32Min;
}

// ---- Learning bounds from the tnum (`__update_reg_bounds`) ----

/** `__update_reg32_bounds`. */
function updateBounds32(r: MutableBounds): void {
  const v = lo32u(r.varOff.value);
  const m = lo32u(r.varOff.mask);
  // min signed is max(sign bit) | min(other bits); JS | yields the s32 cast.
  r.s32Min = Math.max(r.s32Min, v | (m & 0x8000_0000));
  // max signed is min(sign bit) | max(other bits)
  r.s32Max = Math.min(r.s32Max, v | (m & 0x7fff_ffff));
  r.u32Min = Math.max(r.u32Min, v);
  r.u32Max = Math.min(r.u32Max, (v | m) >>> 0);
}

/** `__update_reg64_bounds`, including the single-member cases found with `tnum_step`. */
function updateBounds64(r: MutableBounds): void {
  const { value, mask } = r.varOff;
  r.smin = bmax(r.smin, toS64(value | (mask & (1n << 63n))));
  r.smax = bmin(r.smax, toS64(value | (mask & S64_MAX)));
  r.umin = bmax(r.umin, value);
  r.umax = bmin(r.umax, value | mask);

  // The u64 range and the tnum may have a single value in common.
  const next = tnumStep(r.varOff, r.umin);
  const uminInTnum = (r.umin & ~mask & U64_MAX) === value;
  const tmax = value | mask;
  if (uminInTnum && next > r.umax) {
    markKnown(r, r.umin);
  } else if (!uminInTnum && next === tmax) {
    markKnown(r, tmax);
  } else if (!uminInTnum && next <= r.umax && tnumStep(r.varOff, next) > r.umax) {
    markKnown(r, next);
  }
}

function updateBounds(r: MutableBounds): void {
  updateBounds32(r);
  updateBounds64(r);
}

// ---- Cross deductions between the four ranges (`__reg_deduce_bounds`) ----

/** `__reg32_deduce_bounds`: 32-bit ranges from the 64-bit ones and from each other. */
function deduceBounds32(r: MutableBounds): void {
  // Same upper 32 bits over the whole u64 range: the low halves form a range.
  if (r.umin >> 32n === r.umax >> 32n) {
    r.u32Min = Math.max(r.u32Min, lo32u(r.umin));
    r.u32Max = Math.min(r.u32Max, lo32u(r.umax));
    if (lo32s(r.umin) <= lo32s(r.umax)) {
      r.s32Min = Math.max(r.s32Min, lo32s(r.umin));
      r.s32Max = Math.min(r.s32Max, lo32s(r.umax));
    }
  }
  if (r.smin >> 32n === r.smax >> 32n) {
    if (lo32u(r.smin) <= lo32u(r.smax)) {
      r.u32Min = Math.max(r.u32Min, lo32u(r.smin));
      r.u32Max = Math.min(r.u32Max, lo32u(r.smax));
    }
    if (lo32s(r.smin) <= lo32s(r.smax)) {
      r.s32Min = Math.max(r.s32Min, lo32s(r.smin));
      r.s32Max = Math.min(r.s32Max, lo32s(r.smax));
    }
  }
  // Upper halves are two consecutive numbers while the low halves go from
  // negative to non-negative: still one s32 range.
  if (
    (lo32u(r.umin >> 32n) + 1) >>> 0 === lo32u(r.umax >> 32n) &&
    lo32s(r.umin) < 0 &&
    lo32s(r.umax) >= 0
  ) {
    r.s32Min = Math.max(r.s32Min, lo32s(r.umin));
    r.s32Max = Math.min(r.s32Max, lo32s(r.umax));
  }
  if (
    (lo32u(r.smin >> 32n) + 1) >>> 0 === lo32u(r.smax >> 32n) &&
    lo32s(r.smin) < 0 &&
    lo32s(r.smax) >= 0
  ) {
    r.s32Min = Math.max(r.s32Min, lo32s(r.smin));
    r.s32Max = Math.min(r.s32Max, lo32s(r.smax));
  }
  // A u32 range that does not cross the s32 sign boundary is an s32 range.
  if (toS32(r.u32Min) <= toS32(r.u32Max)) {
    r.s32Min = Math.max(r.s32Min, toS32(r.u32Min));
    r.s32Max = Math.min(r.s32Max, toS32(r.u32Max));
  }
  if (toU32(r.s32Min) <= toU32(r.s32Max)) {
    r.u32Min = Math.max(toU32(r.s32Min), r.u32Min);
    r.u32Max = Math.min(toU32(r.s32Max), r.u32Max);
  } else if (r.u32Max < toU32(r.s32Min)) {
    // The s32 range wraps and the u32 range only meets its non-negative part.
    r.s32Min = toS32(r.u32Min);
    r.u32Max = Math.min(r.u32Max, toU32(r.s32Max));
  } else if (toU32(r.s32Max) < r.u32Min) {
    // ... or only its negative part.
    r.s32Max = toS32(r.u32Max);
    r.u32Min = Math.max(r.u32Min, toU32(r.s32Min));
  }
}

/** `__reg64_deduce_bounds`: s64 and u64 ranges from each other. */
function deduceBounds64(r: MutableBounds): void {
  if (toS64(r.umin) <= toS64(r.umax)) {
    r.smin = bmax(r.smin, toS64(r.umin));
    r.smax = bmin(r.smax, toS64(r.umax));
  }
  if (toU64(r.smin) <= toU64(r.smax)) {
    r.umin = bmax(toU64(r.smin), r.umin);
    r.umax = bmin(toU64(r.smax), r.umax);
  } else if (r.umax < toU64(r.smin)) {
    // The s64 range crosses the sign boundary and the u64 range only meets
    // its non-negative part.
    r.smin = toS64(r.umin);
    r.umax = bmin(r.umax, toU64(r.smax));
  } else if (toU64(r.smax) < r.umin) {
    // ... or only its negative part.
    r.smax = toS64(r.umax);
    r.umin = bmax(r.umin, toU64(r.smin));
  }
}

/** `__reg_deduce_mixed_bounds`: 64-bit ranges tightened with 32-bit knowledge. */
function deduceMixedBounds(r: MutableBounds): void {
  const hi = ~U32_MASK & U64_MAX;
  const newUmin = (r.umin & hi) | BigInt(r.u32Min);
  const newUmax = (r.umax & hi) | BigInt(r.u32Max);
  r.umin = bmax(r.umin, newUmin);
  r.umax = bmin(r.umax, newUmax);
  const newSmin = toS64((toU64(r.smin) & hi) | BigInt(r.u32Min));
  const newSmax = toS64((toU64(r.smax) & hi) | BigInt(r.u32Max));
  r.smin = bmax(r.smin, newSmin);
  r.smax = bmin(r.smax, newSmax);

  // After a sign-extending load the value lies in [(s64)S32_MIN, S32_MAX]; a
  // non-negative s32 range then rules out the all-ones upper half.
  if (r.s32Min >= 0 && r.smin >= BigInt(S32_MIN) && r.smax <= BigInt(S32_MAX)) {
    r.smin = BigInt(r.s32Min);
    r.smax = BigInt(r.s32Max);
    r.umin = BigInt(r.s32Min);
    r.umax = BigInt(r.s32Max);
    r.varOff = tnumIntersect(r.varOff, tnumRange(r.smin, r.smax));
  }
}

function deduceBounds(r: MutableBounds): void {
  deduceBounds32(r);
  deduceBounds64(r);
  deduceMixedBounds(r);
}

/** `__reg_bound_offset`: known bits learnt from the u64 and u32 ranges. */
function boundOffset(r: MutableBounds): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(BigInt(r.u32Min), BigInt(r.u32Max)));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

/** `reg_bounds_sync`, in place, the reference way. */
export function referenceSyncInPlace(r: MutableBounds): void {
  updateBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  boundOffset(r);
  updateBounds(r);
}
