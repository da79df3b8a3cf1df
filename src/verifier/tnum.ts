/**
 * Tracked numbers ("tnums"): what the verifier knows about the individual
 * bits of a 64-bit value. Each bit is known 0, known 1 or unknown; `mask`
 * has a 1 for every unknown bit and `value` holds the known bits (it is 0
 * wherever `mask` is 1). A tnum stands for the set of every u64 `x` with
 * `(x & ~mask) === value`.
 *
 * The operations reproduce the kernel's `kernel/bpf/tnum.c` bit for bit
 * (Linux 6.18 with its stable fixes), because the verifier log prints
 * tnums and the bounds derived from them. Values are `bigint`s in
 * [0, 2^64); every function returns a value in that range.
 *
 * Every bigint operation allocates, and these run for nearly every
 * instruction verified, so they are written with as few operations as the
 * range allows: `x & ~y` needs no `& U64_MAX` when `x` is already a u64.
 */

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

export const U64_MAX = 0xffff_ffff_ffff_ffffn;
export const U32_MASK = 0xffff_ffffn;
const HIGH32 = U64_MAX ^ U32_MASK;

function tn(value: bigint, mask: bigint): Tnum {
  return { value, mask };
}

// BigInt.asUintN allocates even when its argument is already in range.
const u64 = (x: bigint): bigint => (x >= 0n && x <= U64_MAX ? x : BigInt.asUintN(64, x));

/** The completely unknown value. */
export const TNUM_UNKNOWN: Tnum = Object.freeze(tn(0n, U64_MAX));

export function tnumConst(value: bigint): Tnum {
  return tn(u64(value), 0n);
}

/** Index (1-based) of the most significant set bit, 0 for 0: the kernel's fls64. */
export function fls64(x: bigint): number {
  if (x === 0n) return 0;
  if (x <= 0xffff_ffffn) return 32 - Math.clz32(Number(x));
  if (x <= U64_MAX) return 64 - Math.clz32(Number(x >> 32n));
  return x.toString(2).length;
}

/**
 * A tnum covering [min, max] (u64): the common high bits of both ends are
 * known, everything from the highest differing bit down is unknown.
 */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min) ^ u64(max);
  const bits = fls64(chi);
  // 1 << 64 is undefined in C, so the kernel special-cases it.
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return tn(u64(min) & ~delta, delta);
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return tn(u64(a.value << s), u64(a.mask << s));
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return tn(a.value >> s, a.mask >> s);
}

/**
 * Arithmetic right shift by the smallest possible shift amount. For 32-bit
 * instructions the shift happens on the low 32 bits and the result is
 * zero-extended, as `tnum_arshift(a, min_shift, 32)` does.
 */
export function tnumArshift(a: Tnum, minShift: number, insnBitness: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (insnBitness === 32) {
    return tn(
      BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s),
      BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s),
    );
  }
  return tn(u64(BigInt.asIntN(64, a.value) >> s), u64(BigInt.asIntN(64, a.mask) >> s));
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sv = u64(a.value + b.value);
  if (a.mask === 0n && b.mask === 0n) return tn(sv, 0n);
  const sm = u64(a.mask + b.mask);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return tn(sv & ~mu, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return tn(dv & ~mu, mu);
}

/** 0 - a, as `tnum_neg`. */
export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(tn(0n, 0n), a);
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return tn(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return tn(v, mu & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return tn(v & ~mu, mu);
}

/**
 * a * b by long multiplication over the bits of `a`: a known 1 adds the
 * shifted `b`, an unknown bit takes the union of adding it and not adding
 * it (the kernel's union-based `tnum_mul`, in 6.18 through the stable tree).
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let acc = tn(0n, 0n);
  let x = a;
  let y = b;
  while (x.value !== 0n || x.mask !== 0n) {
    if ((x.value & 1n) !== 0n) acc = tnumAdd(acc, y);
    else if ((x.mask & 1n) !== 0n) acc = tnumUnion(acc, tnumAdd(acc, y));
    x = tnumRshift(x, 1);
    y = tnumLshift(y, 1);
  }
  return acc;
}

/** The smallest tnum containing every member of a and of b. */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return tn(v & ~mu, mu);
}

/**
 * Values in both a and b. Where the two disagree on a known bit the result
 * says "known 1", as the kernel's does; callers only intersect tnums that
 * describe the same value.
 */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return tn(v & ~mu, mu);
}

/** Keeps the lowest `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const keep = size >= 8 ? U64_MAX : (1n << BigInt(size * 8)) - 1n;
  return tn(a.value & keep, a.mask & keep);
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

export function tnumEqualsConst(a: Tnum, b: bigint): boolean {
  return a.mask === 0n && a.value === u64(b);
}

export function tnumIsUnknown(a: Tnum): boolean {
  return a.mask === U64_MAX;
}

/** True when every member of `a` is a multiple of `size` (a power of two). */
export function tnumIsAligned(a: Tnum, size: bigint): boolean {
  if (size === 0n) return true;
  return ((a.value | a.mask) & (size - 1n)) === 0n;
}

/** True when `b` is a subset of `a`. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  const known = ~a.mask;
  if ((b.mask & known) !== 0n) return false;
  return a.value === (b.value & known);
}

/** True when a and b have a member in common (they agree on every bit both know). */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  // the bits both know must agree
  return ((a.value ^ b.value) & ~(a.mask | b.mask)) === 0n;
}

/**
 * The smallest member of `t` greater than `z`; `t`'s largest member when
 * `z` is at or above it, `t`'s smallest when `z` is below it.
 */
export function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  // Members are t.value + s for submasks s of t.mask; find the smallest s > d.
  const d = z - t.value;
  const carryMask = (1n << BigInt(fls64(d & ~t.mask & U64_MAX))) - 1n;
  const filled = d | carryMask | (~t.mask & U64_MAX);
  const inc = u64(filled + 1n) & t.mask;
  return t.value | inc;
}

/** The low 32 bits (the subregister), zero-extended. */
export function tnumSubreg(a: Tnum): Tnum {
  return tnumCast(a, 4);
}

/** `a` with its low 32 bits known zero. */
export function tnumClearSubreg(a: Tnum): Tnum {
  return tn(a.value & HIGH32, a.mask & HIGH32);
}

/** The high 32 bits of `reg` with the low 32 bits of `subreg`. */
export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  return tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
}

/** `a` with its low 32 bits set to the constant `value`. */
export function tnumConstSubreg(a: Tnum, value: bigint): Tnum {
  return tnumWithSubreg(a, tnumConst(BigInt.asUintN(32, value)));
}

export function tnumSubregIsConst(a: Tnum): boolean {
  return (a.mask & U32_MASK) === 0n;
}

function swapBytes(x: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) {
    out = (out << 8n) | ((x >> BigInt(i * 8)) & 0xffn);
  }
  return out;
}

/** Byte swap of the low 16 bits; the rest becomes known zero. */
export function tnumBswap16(a: Tnum): Tnum {
  return tn(swapBytes(a.value, 2), swapBytes(a.mask, 2));
}

/** Byte swap of the low 32 bits; the rest becomes known zero. */
export function tnumBswap32(a: Tnum): Tnum {
  return tn(swapBytes(a.value, 4), swapBytes(a.mask, 4));
}

export function tnumBswap64(a: Tnum): Tnum {
  return tn(swapBytes(a.value, 8), swapBytes(a.mask, 8));
}

/** The kernel's `%#llx`: unlike C's printf it prints 0 as `0x0`. */
export function hex(x: bigint): string {
  return `0x${x.toString(16)}`;
}

/** `(0x0; 0xffffffff)`: the kernel's `tnum_strn` ("(%#llx; %#llx)"). */
export function tnumToString(a: Tnum): string {
  return `(${hex(a.value)}; ${hex(a.mask)})`;
}

/** 64 characters, most significant bit first: `0`, `1` or `x` (the kernel's `tnum_sbin`). */
export function tnumToBinary(a: Tnum): string {
  let out = "";
  for (let i = 63; i >= 0; i--) {
    const bit = 1n << BigInt(i);
    out += (a.mask & bit) !== 0n ? "x" : (a.value & bit) !== 0n ? "1" : "0";
  }
  return out;
}
