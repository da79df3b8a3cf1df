/**
 * `reg_bounds_sync` for the most common scalar of all: one whose 64-bit
 * ranges and tnum lie in [0, 2^32), so its upper half is known zero (a
 * loop counter, a narrow load, a masked value). With the upper half zero
 * every 64-bit quantity fits a JavaScript number, and the sync that
 * `bounds.ts` runs on bigints (allocating a bigint per operation) becomes
 * plain number arithmetic.
 *
 * It is the same algorithm, step for step (`__update_reg_bounds`, three
 * rounds of `__reg_deduce_bounds`, `__reg_bound_offset`,
 * `__update_reg_bounds`), with the upper-half terms folded to zero; the
 * tests check it against the bigint version on random and contradictory
 * inputs. Where a step would leave the domain (contradictory 32-bit signed
 * bounds can make the 64-bit signed range negative) it gives up before
 * writing anything and the caller runs the general version.
 */
import type { MutableBounds } from "./bounds.js";

const BIG_U32_MAX = 0xffff_ffffn;

/** The kernel's fls for a 32-bit value: index (1-based) of the top set bit, 0 for 0. */
const fls32 = (x: number): number => 32 - Math.clz32(x);

/**
 * The working copy: 64-bit values as numbers in [0, 2^32), 32-bit ones as
 * the bounds module keeps them. Reused between calls; the sync does not
 * re-enter itself.
 */
const w = {
  value: 0,
  mask: 0,
  umin: 0,
  umax: 0,
  smin: 0,
  smax: 0,
  u32Min: 0,
  u32Max: 0,
  s32Min: 0,
  s32Max: 0,
};

/** `___mark_reg_known` of a value in [0, 2^32). */
function markKnown(x: number): void {
  w.value = x;
  w.mask = 0;
  w.umin = x;
  w.umax = x;
  w.smin = x;
  w.smax = x;
  w.u32Min = x;
  w.u32Max = x;
  w.s32Min = x | 0;
  w.s32Max = x | 0;
}

/** The working copy as a deduction round found it. */
const saved = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

function save(): void {
  saved[0] = w.value;
  saved[1] = w.mask;
  saved[2] = w.umin;
  saved[3] = w.umax;
  saved[4] = w.smin;
  saved[5] = w.smax;
  saved[6] = w.u32Min;
  saved[7] = w.u32Max;
  saved[8] = w.s32Min;
  saved[9] = w.s32Max;
}

function unchangedSinceSave(): boolean {
  return (
    saved[0] === w.value &&
    saved[1] === w.mask &&
    saved[2] === w.umin &&
    saved[3] === w.umax &&
    saved[4] === w.smin &&
    saved[5] === w.smax &&
    saved[6] === w.u32Min &&
    saved[7] === w.u32Max &&
    saved[8] === w.s32Min &&
    saved[9] === w.s32Max
  );
}

/** `tnum_step` on a tnum whose upper half is zero. */
function tnumStep(value: number, mask: number, z: number): number {
  const tmax = (value | mask) >>> 0;
  if (z >= tmax) return tmax;
  if (z < value) return value;
  const d = z - value;
  const carryMask = 2 ** fls32((d & ~mask) >>> 0) - 1;
  // The upper half of ~mask is all ones; a carry out of bit 31 lands there
  // and is masked away, so the low half is all that matters.
  const filled = (d | carryMask | ~mask) >>> 0;
  const inc = (((filled + 1) >>> 0) & mask) >>> 0;
  return (value | inc) >>> 0;
}

function updateBounds(): void {
  // __update_reg32_bounds
  const v = w.value;
  const m = w.mask;
  w.s32Min = Math.max(w.s32Min, v | (m & 0x8000_0000));
  w.s32Max = Math.min(w.s32Max, v | (m & 0x7fff_ffff));
  w.u32Min = Math.max(w.u32Min, v);
  w.u32Max = Math.min(w.u32Max, (v | m) >>> 0);
  // __update_reg64_bounds: no sign bit among the unknowns
  const tmax = (v | m) >>> 0;
  w.smin = Math.max(w.smin, v);
  w.smax = Math.min(w.smax, tmax);
  w.umin = Math.max(w.umin, v);
  w.umax = Math.min(w.umax, tmax);
  const next = tnumStep(v, m, w.umin);
  const uminInTnum = (w.umin & ~m) >>> 0 === v;
  if (uminInTnum && next > w.umax) {
    markKnown(w.umin);
  } else if (!uminInTnum && next === tmax) {
    markKnown(tmax);
  } else if (!uminInTnum && next <= w.umax && tnumStep(v, m, next) > w.umax) {
    markKnown(next);
  }
}

/** `__reg_deduce_bounds`; false when the result leaves the domain. */
function deduceBounds(): boolean {
  // __reg32_deduce_bounds: both 64-bit ranges lie within one upper half (0)
  w.u32Min = Math.max(w.u32Min, w.umin);
  w.u32Max = Math.min(w.u32Max, w.umax);
  if ((w.umin | 0) <= (w.umax | 0)) {
    w.s32Min = Math.max(w.s32Min, w.umin | 0);
    w.s32Max = Math.min(w.s32Max, w.umax | 0);
  }
  if (w.smin <= w.smax) {
    w.u32Min = Math.max(w.u32Min, w.smin);
    w.u32Max = Math.min(w.u32Max, w.smax);
  }
  if ((w.smin | 0) <= (w.smax | 0)) {
    w.s32Min = Math.max(w.s32Min, w.smin | 0);
    w.s32Max = Math.min(w.s32Max, w.smax | 0);
  }
  // (the two cases for consecutive upper halves never apply: both are 0)
  if ((w.u32Min | 0) <= (w.u32Max | 0)) {
    w.s32Min = Math.max(w.s32Min, w.u32Min | 0);
    w.s32Max = Math.min(w.s32Max, w.u32Max | 0);
  }
  if (w.s32Min >>> 0 <= w.s32Max >>> 0) {
    w.u32Min = Math.max(w.s32Min >>> 0, w.u32Min);
    w.u32Max = Math.min(w.s32Max >>> 0, w.u32Max);
  } else if (w.u32Max < w.s32Min >>> 0) {
    w.s32Min = w.u32Min | 0;
    w.u32Max = Math.min(w.u32Max, w.s32Max >>> 0);
  } else if (w.s32Max >>> 0 < w.u32Min) {
    w.s32Max = w.u32Max | 0;
    w.u32Min = Math.max(w.u32Min, w.s32Min >>> 0);
  }

  // __reg64_deduce_bounds: signed and unsigned order agree on [0, 2^32)
  if (w.umin <= w.umax) {
    w.smin = Math.max(w.smin, w.umin);
    w.smax = Math.min(w.smax, w.umax);
  }
  if (w.smin <= w.smax) {
    w.umin = Math.max(w.smin, w.umin);
    w.umax = Math.min(w.smax, w.umax);
  } else if (w.umax < w.smin) {
    w.smin = w.umin;
    w.umax = Math.min(w.umax, w.smax);
  } else if (w.smax < w.umin) {
    w.smax = w.umax;
    w.umin = Math.max(w.umin, w.smin);
  }

  // __reg_deduce_mixed_bounds: the upper halves are zero, so the 32-bit
  // bounds are the candidate 64-bit ones
  w.umin = Math.max(w.umin, w.u32Min);
  w.umax = Math.min(w.umax, w.u32Max);
  w.smin = Math.max(w.smin, w.u32Min);
  w.smax = Math.min(w.smax, w.u32Max);
  if (w.s32Min >= 0 && w.smax <= 0x7fff_ffff) {
    if (w.s32Max < 0) return false;
    w.smin = w.s32Min;
    w.smax = w.s32Max;
    w.umin = w.s32Min;
    w.umax = w.s32Max;
    tnumIntersectRange(w.smin, w.smax);
  }
  return true;
}

/** varOff = tnum_intersect(varOff, tnum_range(min, max)), for 0 <= min, max < 2^32. */
function tnumIntersectRange(min: number, max: number): void {
  const delta = 2 ** fls32((min ^ max) >>> 0) - 1;
  const rv = (min & ~delta) >>> 0;
  const v = (w.value | rv) >>> 0;
  const mu = (w.mask & delta) >>> 0;
  w.value = (v & ~mu) >>> 0;
  w.mask = mu;
}

/**
 * `__reg_bound_offset`: the upper half of var64 is zero, so var_off is
 * var32 (or-ing in a zero upper half changes nothing: the intersection's
 * value and mask have no bit in common).
 */
function boundOffset(): void {
  tnumIntersectRange(w.umin, w.umax);
  tnumIntersectRange(w.u32Min, w.u32Max);
}

/**
 * `reg_bounds_sync` of `r` when its tnum and 64-bit ranges lie in
 * [0, 2^32): true when done, false (nothing written) when `r` is outside
 * that domain or the sync would leave it.
 */
export function syncLow32InPlace(r: MutableBounds): boolean {
  const t = r.varOff;
  if (
    t.value > BIG_U32_MAX ||
    t.mask > BIG_U32_MAX ||
    r.umin > BIG_U32_MAX ||
    r.umax > BIG_U32_MAX ||
    r.smin < 0n ||
    r.smin > BIG_U32_MAX ||
    r.smax < 0n ||
    r.smax > BIG_U32_MAX
  )
    return false;
  const value = Number(t.value);
  const mask = Number(t.mask);
  const umin = Number(r.umin);
  const umax = Number(r.umax);
  const smin = Number(r.smin);
  const smax = Number(r.smax);
  w.value = value;
  w.mask = mask;
  w.umin = umin;
  w.umax = umax;
  w.smin = smin;
  w.smax = smax;
  w.u32Min = r.u32Min;
  w.u32Max = r.u32Max;
  w.s32Min = r.s32Min;
  w.s32Max = r.s32Max;

  updateBounds();
  // Three rounds, as the kernel; a round that changes nothing leaves the
  // next ones nothing to change either.
  for (let round = 0; round < 3; round++) {
    save();
    if (!deduceBounds()) return false;
    if (unchangedSinceSave()) break;
  }
  boundOffset();
  updateBounds();

  if (w.value !== value || w.mask !== mask)
    r.varOff = { value: BigInt(w.value), mask: BigInt(w.mask) };
  if (w.umin !== umin) r.umin = BigInt(w.umin);
  if (w.umax !== umax) r.umax = BigInt(w.umax);
  if (w.smin !== smin) r.smin = BigInt(w.smin);
  if (w.smax !== smax) r.smax = BigInt(w.smax);
  r.u32Min = w.u32Min;
  r.u32Max = w.u32Max;
  r.s32Min = w.s32Min;
  r.s32Max = w.s32Max;
  return true;
}
