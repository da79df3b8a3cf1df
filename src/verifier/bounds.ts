/**
 * The numeric part of a scalar register as the kernel verifier tracks it:
 * a tnum (known bits) plus signed and unsigned ranges of the whole 64-bit
 * value and of its low 32 bits, kept consistent with one another by
 * `boundsSync` (the kernel's `reg_bounds_sync`).
 *
 * Everything here follows `kernel/bpf/verifier.c` of Linux 6.18 with its
 * stable fixes (`__mark_reg_known`, `__update_reg_bounds`,
 * `__reg_deduce_bounds`, `__reg_bound_offset`, `reg_bounds_sanity_check`,
 * `coerce_reg_to_size[_sx]`, `zext_32_to_64`), so the ranges this module
 * computes are the ones the kernel prints in its log.
 *
 * Representation: 64-bit bounds are `bigint`s (`smin`/`smax` in
 * [-2^63, 2^63), `umin`/`umax` in [0, 2^64)); 32-bit bounds are `number`s
 * (`s32Min`/`s32Max` in [-2^31, 2^31), `u32Min`/`u32Max` in [0, 2^32)).
 * Values are immutable: every operation returns a new object.
 */

import { syncLow32InPlace } from "./bounds-low32.js";
import {
  hex,
  TNUM_UNKNOWN,
  type Tnum,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumRange,
  tnumStep,
  tnumSubreg,
  tnumSubregIsConst,
  U32_MASK,
  U64_MAX,
} from "./tnum.js";

export interface ScalarBounds {
  readonly varOff: Tnum;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly umin: bigint;
  readonly umax: bigint;
  readonly s32Min: number;
  readonly s32Max: number;
  readonly u32Min: number;
  readonly u32Max: number;
}

/** A copy of ScalarBounds being worked on; never escapes this layer. */
export type MutableBounds = { -readonly [K in keyof ScalarBounds]: ScalarBounds[K] };

export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -0x8000_0000;
export const S32_MAX = 0x7fff_ffff;
export const U32_MAX = 0xffff_ffff;
export { U64_MAX };

const BIG_U32_MAX = 0xffff_ffffn;
const BIG_S32_MIN = -0x8000_0000n;
const BIG_S32_MAX = 0x7fff_ffffn;

// The casts return their argument when it is already in range: BigInt.asIntN
// and asUintN allocate a new bigint even when nothing changes.

/** (s64) cast of a u64 bigint. */
export const toS64 = (x: bigint): bigint => (x >= 0n && x <= S64_MAX ? x : BigInt.asIntN(64, x));
/** (u64) cast of an s64 bigint. */
export const toU64 = (x: bigint): bigint => (x >= 0n && x <= U64_MAX ? x : BigInt.asUintN(64, x));
/** (u32) of the low 32 bits of a 64-bit value. */
export const lo32u = (x: bigint): number =>
  x >= 0n && x <= BIG_U32_MAX ? Number(x) : Number(BigInt.asUintN(32, x));
/** (s32) of the low 32 bits of a 64-bit value. */
export const lo32s = (x: bigint): number =>
  x >= BIG_S32_MIN && x <= BIG_S32_MAX ? Number(x) : Number(BigInt.asIntN(32, x));
/** (s32) cast of a 32-bit number. */
export const toS32 = (x: number): number => x | 0;
/** (u32) cast of a 32-bit number. */
export const toU32 = (x: number): number => x >>> 0;

const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export function copyBounds(b: ScalarBounds): MutableBounds {
  return {
    varOff: b.varOff,
    smin: b.smin,
    smax: b.smax,
    umin: b.umin,
    umax: b.umax,
    s32Min: b.s32Min,
    s32Max: b.s32Max,
    u32Min: b.u32Min,
    u32Max: b.u32Max,
  };
}

/**
 * Overwrites the bounds part of `dst` (a register, say) with `src`'s:
 * `Object.assign(dst, src)` for bounds, without its generic per-property path.
 */
export function assignBounds(dst: MutableBounds, src: ScalarBounds): void {
  dst.varOff = src.varOff;
  dst.smin = src.smin;
  dst.smax = src.smax;
  dst.umin = src.umin;
  dst.umax = src.umax;
  dst.s32Min = src.s32Min;
  dst.s32Max = src.s32Max;
  dst.u32Min = src.u32Min;
  dst.u32Max = src.u32Max;
}

/** A scalar about which nothing is known (`__mark_reg_unknown`). */
export function unknownScalar(): ScalarBounds {
  return {
    varOff: TNUM_UNKNOWN,
    smin: S64_MIN,
    smax: S64_MAX,
    umin: 0n,
    umax: U64_MAX,
    s32Min: S32_MIN,
    s32Max: S32_MAX,
    u32Min: 0,
    u32Max: U32_MAX,
  };
}

/** The constant `v` (taken modulo 2^64), as `__mark_reg_known`. */
export function knownScalar(v: bigint): ScalarBounds {
  const u = toU64(v);
  const s = toS64(u);
  const u32 = lo32u(u);
  const s32 = u32 | 0;
  return {
    varOff: tnumConst(u),
    smin: s,
    smax: s,
    umin: u,
    umax: u,
    s32Min: s32,
    s32Max: s32,
    u32Min: u32,
    u32Max: u32,
  };
}

/** `___mark_reg_known`: every bound and the tnum become the constant. */
export function markKnown(r: MutableBounds, imm: bigint): void {
  const u = toU64(imm);
  r.varOff = tnumConst(u);
  r.smin = toS64(u);
  r.smax = r.smin;
  r.umin = u;
  r.umax = u;
  r.s32Min = lo32s(u);
  r.s32Max = r.s32Min;
  r.u32Min = lo32u(u);
  r.u32Max = r.u32Min;
}

/** `__mark_reg32_known`: the low 32 bits become the constant, the high bits stay. */
export function markKnown32(r: MutableBounds, imm: bigint): void {
  r.varOff = tnumConstSubreg(r.varOff, imm);
  r.s32Min = lo32s(imm);
  r.s32Max = r.s32Min;
  r.u32Min = lo32u(imm);
  r.u32Max = r.u32Min;
}

export function markUnbounded64(r: MutableBounds): void {
  r.smin = S64_MIN;
  r.smax = S64_MAX;
  r.umin = 0n;
  r.umax = U64_MAX;
}

export function markUnbounded32(r: MutableBounds): void {
  r.s32Min = S32_MIN;
  r.s32Max = S32_MAX;
  r.u32Min = 0;
  r.u32Max = U32_MAX;
}

/** `__mark_reg_unbounded`: all ranges forgotten, the tnum kept. */
export function markUnbounded(r: MutableBounds): void {
  markUnbounded64(r);
  markUnbounded32(r);
}

export function markUnknown(r: MutableBounds): void {
  r.varOff = TNUM_UNKNOWN;
  markUnbounded(r);
}

export function isConst(b: ScalarBounds): boolean {
  return tnumIsConst(b.varOff);
}

/**
 * The kernel's `is_reg_const`: the tnum of the 64-bit value (or of the low
 * 32 bits for 32-bit operations) is a constant.
 */
export function isConstAt(b: ScalarBounds, is32: boolean): boolean {
  return is32 ? tnumSubregIsConst(b.varOff) : tnumIsConst(b.varOff);
}

/** `reg_const_value`: the constant of `isConstAt` (the low 32 bits for is32). */
export function constValueAt(b: ScalarBounds, is32: boolean): bigint {
  return is32 ? b.varOff.value & U32_MASK : b.varOff.value;
}

// ---- Learning bounds from the tnum (`__update_reg_bounds`) ----

/** `__update_reg32_bounds`. */
export function updateBounds32(r: MutableBounds): void {
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
export function updateBounds64(r: MutableBounds): void {
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

export function updateBounds(r: MutableBounds): void {
  updateBounds32(r);
  updateBounds64(r);
}

// ---- Cross deductions between the four ranges (`__reg_deduce_bounds`) ----

/** `__reg32_deduce_bounds`: 32-bit ranges from the 64-bit ones and from each other. */
export function deduceBounds32(r: MutableBounds): void {
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
export function deduceBounds64(r: MutableBounds): void {
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
export function deduceMixedBounds(r: MutableBounds): void {
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

export function deduceBounds(r: MutableBounds): void {
  deduceBounds32(r);
  deduceBounds64(r);
  deduceMixedBounds(r);
}

/** `__reg_bound_offset`: known bits learnt from the u64 and u32 ranges. */
export function boundOffset(r: MutableBounds): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(BigInt(r.u32Min), BigInt(r.u32Max)));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

/**
 * `reg_bounds_sync` when the tnum is a constant that lies inside every
 * range: the full sync then collapses every range onto that constant, which
 * this computes directly. Returns false (touching nothing) otherwise.
 */
function syncConstInPlace(r: MutableBounds, v: bigint): boolean {
  const s = toS64(v);
  const v32 = lo32u(v);
  const s32 = v32 | 0;
  if (r.umin > v || r.umax < v || r.smin > s || r.smax < s) return false;
  if (r.u32Min > v32 || r.u32Max < v32 || r.s32Min > s32 || r.s32Max < s32) return false;
  r.umin = v;
  r.umax = v;
  r.smin = s;
  r.smax = s;
  r.u32Min = v32;
  r.u32Max = v32;
  r.s32Min = s32;
  r.s32Max = s32;
  return true;
}

/** Nothing known at all: the sync has nothing to learn and changes nothing. */
function isUnboundedUnknown(r: MutableBounds): boolean {
  return (
    r.varOff.mask === U64_MAX &&
    r.umin === 0n &&
    r.umax === U64_MAX &&
    r.smin === S64_MIN &&
    r.smax === S64_MAX &&
    r.u32Min === 0 &&
    r.u32Max === U32_MAX &&
    r.s32Min === S32_MIN &&
    r.s32Max === S32_MAX
  );
}

/** `reg_bounds_sync`, in place. */
export function syncInPlace(r: MutableBounds): void {
  // Most syncs are of constants; they skip the general deduction.
  if (r.varOff.mask === 0n && syncConstInPlace(r, r.varOff.value)) return;
  if (syncLow32InPlace(r)) return;
  if (isUnboundedUnknown(r)) return;
  updateBounds(r);
  // Three rounds, as the kernel: each can feed the next (sign bits, 32<->64).
  // A round that changes nothing leaves the next ones nothing to change.
  for (let round = 0; round < 3; round++) {
    const { varOff, smin, smax, umin, umax, s32Min, s32Max, u32Min, u32Max } = r;
    deduceBounds(r);
    if (
      r.varOff === varOff &&
      r.smin === smin &&
      r.smax === smax &&
      r.umin === umin &&
      r.umax === umax &&
      r.s32Min === s32Min &&
      r.s32Max === s32Max &&
      r.u32Min === u32Min &&
      r.u32Max === u32Max
    )
      break;
  }
  boundOffset(r);
  // Intersecting with the old tnum may have tightened the bounds again.
  updateBounds(r);
}

/** `reg_bounds_sync`: the ranges and the tnum brought to a common fixpoint. */
export function boundsSync(b: ScalarBounds): ScalarBounds {
  const r = copyBounds(b);
  syncInPlace(r);
  return r;
}

// ---- Invariants (`reg_bounds_sanity_check`) ----

export type SanityResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** The kernel's log line (it is a "verifier bug" report). */
      readonly message: string;
      /** What the kernel continues with: the ranges forgotten, the tnum kept. */
      readonly repaired: ScalarBounds;
    };

/**
 * `reg_bounds_sanity_check`. The kernel reports a violation as
 * `verifier bug: REG INVARIANTS VIOLATION (...)` and, outside its self
 * tests, carries on with the register's ranges reset.
 */
export function boundsSanityCheck(b: ScalarBounds, ctx: string): SanityResult {
  let msg: string | null = null;
  if (b.umin > b.umax || b.smin > b.smax || b.u32Min > b.u32Max || b.s32Min > b.s32Max) {
    msg = "range bounds violation";
  } else if (tnumIsConst(b.varOff)) {
    const u = b.varOff.value;
    if (b.umin !== u || b.umax !== u || b.smin !== toS64(u) || b.smax !== toS64(u)) {
      msg = "const tnum out of sync with range bounds";
    }
  }
  if (msg === null && tnumSubregIsConst(b.varOff)) {
    const u = lo32u(b.varOff.value);
    const s = toS32(u);
    if (b.u32Min !== u || b.u32Max !== u || b.s32Min !== s || b.s32Max !== s) {
      msg = "const subreg tnum out of sync with range bounds";
    }
  }
  if (msg === null) return { ok: true };
  const h32 = (x: number): string => hex(BigInt(toU32(x)));
  const message =
    `verifier bug: REG INVARIANTS VIOLATION (${ctx}): ${msg} ` +
    `u64=[${hex(b.umin)}, ${hex(b.umax)}] s64=[${hex(toU64(b.smin))}, ${hex(toU64(b.smax))}] ` +
    `u32=[${h32(b.u32Min)}, ${h32(b.u32Max)}] s32=[${h32(b.s32Min)}, ${h32(b.s32Max)}] ` +
    `var_off=(${hex(b.varOff.value)}, ${hex(b.varOff.mask)})`;
  const repaired = copyBounds(b);
  markUnbounded(repaired);
  return { ok: false, message, repaired };
}

// ---- Size changes ----

/** `zext_32_to_64`: the result of a 32-bit operation, zero-extended. */
export function zext32To64InPlace(r: MutableBounds): void {
  r.varOff = tnumSubreg(r.varOff);
  // __reg_assign_32_into_64
  r.umin = BigInt(r.u32Min);
  r.umax = BigInt(r.u32Max);
  if (r.s32Min >= 0 && r.s32Max >= 0) {
    r.smin = BigInt(r.s32Min);
    r.smax = BigInt(r.s32Max);
  } else {
    r.smin = 0n;
    r.smax = BigInt(U32_MAX);
  }
}

export function zext32To64(b: ScalarBounds): ScalarBounds {
  const r = copyBounds(b);
  zext32To64InPlace(r);
  return r;
}

/**
 * `coerce_reg_to_size`: the value truncated to its low `size` bytes (1, 2
 * or 4), as after a narrow load or a 16/32-bit byte swap. Ends with a sync.
 */
export function coerceToSizeInPlace(r: MutableBounds, size: number): void {
  r.varOff = tnumCast(r.varOff, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  const high = ~mask & U64_MAX;
  if ((r.umin & high) === (r.umax & high)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  // Below 32 bits the subregister was truncated too; its bounds are stale.
  if (size < 4) markUnbounded32(r);
  syncInPlace(r);
}

export function coerceToSize(b: ScalarBounds, size: number): ScalarBounds {
  const r = copyBounds(b);
  coerceToSizeInPlace(r, size);
  return r;
}

function signExtend(x: bigint, size: number): bigint {
  return BigInt.asIntN(size * 8, x);
}

/**
 * `coerce_reg_to_size_sx`: the low `size` bytes (1, 2 or 4) sign-extended
 * to 64 bits, as `r1 = (s8)r2` and sign-extending loads. No sync follows
 * in the kernel for the 64-bit move; callers that need one add it.
 */
export function coerceToSizeSxInPlace(r: MutableBounds, size: number): void {
  if (tnumIsConst(r.varOff)) {
    const v = toU64(signExtend(r.varOff.value, size));
    r.varOff = tnumConst(v);
    r.smin = toS64(v);
    r.smax = r.smin;
    r.umin = v;
    r.umax = v;
    r.s32Min = lo32s(v);
    r.s32Max = r.s32Min;
    r.u32Min = lo32u(v);
    r.u32Max = r.u32Min;
    return;
  }
  const bits = BigInt(size * 8);
  const topMax = (toU64(r.smax) >> bits) << bits;
  const topMin = (toU64(r.smin) >> bits) << bits;
  if (topMax === topMin) {
    const a = signExtend(toU64(r.smax), size);
    const b = signExtend(toU64(r.smin), size);
    const hi = bmax(a, b);
    const lo = bmin(a, b);
    if (hi >= 0n === lo >= 0n) {
      r.smin = lo;
      r.smax = hi;
      r.s32Min = Number(lo);
      r.s32Max = Number(hi);
      r.umin = toU64(lo);
      r.umax = toU64(hi);
      r.u32Min = lo32u(lo);
      r.u32Max = lo32u(hi);
      r.varOff = tnumRange(toU64(lo), toU64(hi));
      return;
    }
  }
  // set_sext64_default_val
  const half = 1n << (bits - 1n);
  r.smin = -half;
  r.smax = half - 1n;
  r.s32Min = Number(-half);
  r.s32Max = Number(half - 1n);
  r.umin = 0n;
  r.u32Min = 0;
  r.umax = U64_MAX;
  r.u32Max = U32_MAX;
  r.varOff = TNUM_UNKNOWN;
}

export function coerceToSizeSx(b: ScalarBounds, size: number): ScalarBounds {
  const r = copyBounds(b);
  coerceToSizeSxInPlace(r, size);
  return r;
}

/**
 * `coerce_subreg_to_size_sx`: the low `size` bytes (1 or 2) sign-extended
 * into the 32-bit subregister, as `w1 = (s8)w2`. The 64-bit part is left
 * for the zero extension that follows.
 */
export function coerceSubregToSizeSxInPlace(r: MutableBounds, size: number): void {
  if (tnumIsConst(r.varOff)) {
    const v = toU64(signExtend(r.varOff.value, size));
    r.varOff = tnumConst(v);
    r.s32Min = lo32s(v);
    r.s32Max = r.s32Min;
    r.u32Min = lo32u(v);
    r.u32Max = r.u32Min;
    return;
  }
  const bits = size * 8;
  const topMax = Math.floor(toU32(r.s32Max) / 2 ** bits);
  const topMin = Math.floor(toU32(r.s32Min) / 2 ** bits);
  if (topMax === topMin) {
    const a = Number(signExtend(BigInt(toU32(r.s32Max)), size));
    const b = Number(signExtend(BigInt(toU32(r.s32Min)), size));
    const hi = Math.max(a, b);
    const lo = Math.min(a, b);
    if (lo >= 0 === hi >= 0) {
      r.s32Min = lo;
      r.s32Max = hi;
      r.u32Min = toU32(lo);
      r.u32Max = toU32(hi);
      r.varOff = tnumSubreg(tnumRange(toU64(BigInt(lo)), toU64(BigInt(hi))));
      return;
    }
  }
  // set_sext32_default_val
  const half = 2 ** (bits - 1);
  r.s32Min = -half;
  r.s32Max = half - 1;
  r.u32Min = 0;
  r.u32Max = U32_MAX;
  r.varOff = tnumSubreg(TNUM_UNKNOWN);
}
