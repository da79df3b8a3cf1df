/**
 * Scalar ALU transfer functions: what an arithmetic instruction does to the
 * ranges and tnum of a scalar destination, as the kernel's
 * `adjust_scalar_min_max_vals` and its `scalar_min_max_*` /
 * `scalar32_min_max_*` helpers (Linux 6.18), and the scalar register moves
 * of `check_alu_op` (`r1 = r2`, `w1 = w2`, `r1 = (s8)r2`, `r1 = imm`).
 *
 * Pointer arithmetic, ids, precision and the state fork for AND/OR on a
 * value in [-1, 0] belong to the register-state layer; see
 * `forkOnMinusOneOrZero` for the hook.
 */

import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  type BPF_DIV,
  BPF_END,
  BPF_LSH,
  type BPF_MOD,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
} from "../../isa/opcodes.js";
import {
  coerceSubregToSizeSxInPlace,
  coerceToSizeInPlace,
  coerceToSizeSxInPlace,
  copyBounds,
  knownScalar,
  lo32u,
  type MutableBounds,
  markKnown,
  markKnown32,
  markUnbounded,
  markUnbounded32,
  markUnbounded64,
  markUnknown,
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  type ScalarBounds,
  syncInPlace,
  toS64,
  toU64,
  U32_MAX,
  U64_MAX,
  updateBounds,
  updateBounds32,
  zext32To64InPlace,
} from "../bounds.js";
import {
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap16,
  tnumBswap32,
  tnumBswap64,
  tnumIsConst,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumXor,
} from "../tnum.js";

/** The ALU operations (`BPF_OP(code)`, from isa/opcodes) this module handles; BPF_MOV is separate. */
export type ScalarAluOp =
  | typeof BPF_ADD
  | typeof BPF_SUB
  | typeof BPF_MUL
  | typeof BPF_DIV
  | typeof BPF_OR
  | typeof BPF_AND
  | typeof BPF_LSH
  | typeof BPF_RSH
  | typeof BPF_NEG
  | typeof BPF_MOD
  | typeof BPF_XOR
  | typeof BPF_ARSH
  | typeof BPF_END;

export interface ScalarAluOptions {
  /**
   * BPF_END only: the instruction's `imm` (16, 32 or 64) and whether it
   * swaps unconditionally or to little endian (`BPF_TO_LE`, source bit 0)
   * versus big endian. The target is little endian, so `le16/le32` only
   * truncate, `le64` does nothing and `be*`/`bswap*` swap.
   */
  readonly endImm?: 16 | 32 | 64;
  readonly endToLe?: boolean;
}

const bmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const bmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);

const inS64 = (x: bigint): boolean => x >= S64_MIN && x <= S64_MAX;
const inS32 = (x: number): boolean => x >= S32_MIN && x <= S32_MAX;

/**
 * The kernel's `is_safe_to_compute_dst_reg_range`: whether the verifier
 * tracks the result at all; when not, the destination becomes unknown.
 * 6.18 tracks division and modulo by nothing (they always give unknown).
 */
export function isSafeToComputeRange(op: ScalarAluOp, is64: boolean, src: ScalarBounds): boolean {
  switch (op) {
    case BPF_ADD:
    case BPF_SUB:
    case BPF_NEG:
    case BPF_AND:
    case BPF_XOR:
    case BPF_OR:
    case BPF_MUL:
    case BPF_END:
      return true;
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH: {
      const srcIsConst = is64
        ? tnumIsConst(src.varOff) && src.smin === src.smax && src.umin === src.umax
        : tnumSubregIsConst(src.varOff) && src.s32Min === src.s32Max && src.u32Min === src.u32Max;
      // The 64-bit umax is compared even for 32-bit shifts, as the kernel does.
      return srcIsConst && src.umax < (is64 ? 64n : 32n);
    }
    default:
      return false;
  }
}

// ---- add / sub / mul ----

function add32(d: MutableBounds, s: ScalarBounds): void {
  const smin = d.s32Min + s.s32Min;
  const smax = d.s32Max + s.s32Max;
  if (!inS32(smin) || !inS32(smax)) {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  } else {
    d.s32Min = smin;
    d.s32Max = smax;
  }
  const umin = d.u32Min + s.u32Min;
  const umax = d.u32Max + s.u32Max;
  const minOverflow = umin > U32_MAX;
  const maxOverflow = umax > U32_MAX;
  d.u32Min = umin >>> 0;
  d.u32Max = umax >>> 0;
  // Either every sum wraps or none does; otherwise nothing is known.
  if (!minOverflow && maxOverflow) {
    d.u32Min = 0;
    d.u32Max = U32_MAX;
  }
}

function add64(d: MutableBounds, s: ScalarBounds): void {
  const smin = d.smin + s.smin;
  const smax = d.smax + s.smax;
  if (!inS64(smin) || !inS64(smax)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const umin = d.umin + s.umin;
  const umax = d.umax + s.umax;
  const minOverflow = umin > U64_MAX;
  const maxOverflow = umax > U64_MAX;
  d.umin = toU64(umin);
  d.umax = toU64(umax);
  if (!minOverflow && maxOverflow) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
}

function sub32(d: MutableBounds, s: ScalarBounds): void {
  const smin = d.s32Min - s.s32Max;
  const smax = d.s32Max - s.s32Min;
  if (!inS32(smin) || !inS32(smax)) {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  } else {
    d.s32Min = smin;
    d.s32Max = smax;
  }
  const umin = d.u32Min - s.u32Max;
  const umax = d.u32Max - s.u32Min;
  const minUnderflow = umin < 0;
  const maxUnderflow = umax < 0;
  d.u32Min = umin >>> 0;
  d.u32Max = umax >>> 0;
  // Either every difference wraps or none does; otherwise nothing is known.
  if (minUnderflow && !maxUnderflow) {
    d.u32Min = 0;
    d.u32Max = U32_MAX;
  }
}

function sub64(d: MutableBounds, s: ScalarBounds): void {
  const smin = d.smin - s.smax;
  const smax = d.smax - s.smin;
  if (!inS64(smin) || !inS64(smax)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const umin = d.umin - s.umax;
  const umax = d.umax - s.umin;
  const minUnderflow = umin < 0n;
  const maxUnderflow = umax < 0n;
  d.umin = toU64(umin);
  d.umax = toU64(umax);
  if (minUnderflow && !maxUnderflow) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
}

function mul32(d: MutableBounds, s: ScalarBounds): void {
  const umax = d.u32Max * s.u32Max;
  const umin = d.u32Min * s.u32Min;
  if (umax > U32_MAX || umin > U32_MAX) {
    d.u32Min = 0;
    d.u32Max = U32_MAX;
  } else {
    d.u32Min = umin;
    d.u32Max = umax;
  }
  const p = [d.s32Min * s.s32Min, d.s32Min * s.s32Max, d.s32Max * s.s32Min, d.s32Max * s.s32Max];
  if (!p.every(inS32)) {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  } else {
    // +0 turns a -0 product into 0.
    d.s32Min = Math.min(...p) + 0;
    d.s32Max = Math.max(...p) + 0;
  }
}

function mul64(d: MutableBounds, s: ScalarBounds): void {
  const umax = d.umax * s.umax;
  const umin = d.umin * s.umin;
  if (umax > U64_MAX || umin > U64_MAX) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = umin;
    d.umax = umax;
  }
  const p = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax];
  if (!p.every(inS64)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = p.reduce(bmin);
    d.smax = p.reduce(bmax);
  }
}

// ---- bitwise ----
// These run after the destination's tnum already holds the result.

function and32(d: MutableBounds, s: ScalarBounds): void {
  const v = lo32u(d.varOff.value);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    markKnown32(d, BigInt(v));
    return;
  }
  // The minimum comes from the known bits, the maximum from both maxima.
  d.u32Min = v;
  d.u32Max = Math.min(d.u32Max, s.u32Max);
  setS32FromU32(d);
}

function and64(d: MutableBounds, s: ScalarBounds): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    markKnown(d, d.varOff.value);
    return;
  }
  d.umin = d.varOff.value;
  d.umax = bmin(d.umax, s.umax);
  setS64FromU64(d);
  updateBounds(d);
}

function or32(d: MutableBounds, s: ScalarBounds): void {
  const v = lo32u(d.varOff.value);
  const m = lo32u(d.varOff.mask);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    markKnown32(d, BigInt(v));
    return;
  }
  // The maximum comes from the known bits, the minimum from both minima.
  d.u32Min = Math.max(d.u32Min, s.u32Min);
  d.u32Max = (v | m) >>> 0;
  setS32FromU32(d);
}

function or64(d: MutableBounds, s: ScalarBounds): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    markKnown(d, d.varOff.value);
    return;
  }
  d.umin = bmax(d.umin, s.umin);
  d.umax = d.varOff.value | d.varOff.mask;
  setS64FromU64(d);
  updateBounds(d);
}

function xor32(d: MutableBounds, s: ScalarBounds): void {
  const v = lo32u(d.varOff.value);
  const m = lo32u(d.varOff.mask);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) {
    markKnown32(d, BigInt(v));
    return;
  }
  d.u32Min = v;
  d.u32Max = (v | m) >>> 0;
  setS32FromU32(d);
}

function xor64(d: MutableBounds, s: ScalarBounds): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) {
    markKnown(d, d.varOff.value);
    return;
  }
  d.umin = d.varOff.value;
  d.umax = d.varOff.value | d.varOff.mask;
  setS64FromU64(d);
  updateBounds(d);
}

/** The u32 range as s32 when it does not cross the sign boundary, else unbounded. */
function setS32FromU32(d: MutableBounds): void {
  if ((d.u32Min | 0) <= (d.u32Max | 0)) {
    d.s32Min = d.u32Min | 0;
    d.s32Max = d.u32Max | 0;
  } else {
    d.s32Min = S32_MIN;
    d.s32Max = S32_MAX;
  }
}

function setS64FromU64(d: MutableBounds): void {
  if (toS64(d.umin) <= toS64(d.umax)) {
    d.smin = toS64(d.umin);
    d.smax = toS64(d.umax);
  } else {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  }
}

// ---- shifts (the shift amount is a known constant here) ----

function lshBounds32(d: MutableBounds, uminVal: bigint, umaxVal: bigint): void {
  // Sign information is lost, except what the tnum still says.
  d.s32Min = S32_MIN;
  d.s32Max = S32_MAX;
  if (umaxVal > 31n || d.u32Max > 2 ** (31 - Number(umaxVal))) {
    // The top bit might be shifted out.
    d.u32Min = 0;
    d.u32Max = U32_MAX;
  } else {
    d.u32Min = (d.u32Min * 2 ** Number(uminVal)) % 2 ** 32;
    d.u32Max = (d.u32Max * 2 ** Number(umaxVal)) % 2 ** 32;
  }
}

function lshBounds64(d: MutableBounds, uminVal: bigint, umaxVal: bigint): void {
  // `<<32` is how compilers start a sign extension (`<<32 s>>32`); the s32
  // bounds then carry over exactly.
  if (uminVal === 32n && umaxVal === 32n) {
    d.smax = BigInt(d.s32Max) << 32n;
    d.smin = BigInt(d.s32Min) << 32n;
  } else {
    d.smax = S64_MAX;
    d.smin = S64_MIN;
  }
  if (d.umax > 1n << (63n - umaxVal)) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = toU64(d.umin << uminVal);
    d.umax = toU64(d.umax << umaxVal);
  }
}

function lsh64(d: MutableBounds, s: ScalarBounds): void {
  // The 64-bit bounds use the unshifted 32-bit bounds, so they go first.
  lshBounds64(d, s.umin, s.umax);
  lshBounds32(d, s.umin, s.umax);
  d.varOff = tnumLshift(d.varOff, Number(s.umin));
  updateBounds(d);
}

function lsh32(d: MutableBounds, s: ScalarBounds): void {
  const subreg = tnumSubreg(d.varOff);
  lshBounds32(d, BigInt(s.u32Min), BigInt(s.u32Max));
  d.varOff = tnumSubreg(tnumLshift(subreg, s.u32Min));
  markUnbounded64(d);
  updateBounds32(d);
}

function rsh64(d: MutableBounds, s: ScalarBounds): void {
  // An unsigned shift: signed bounds are rebuilt from the unsigned ones.
  d.smin = S64_MIN;
  d.smax = S64_MAX;
  d.varOff = tnumRshift(d.varOff, Number(s.umin));
  d.umin >>= s.umax;
  d.umax >>= s.umin;
  markUnbounded32(d);
  updateBounds(d);
}

function rsh32(d: MutableBounds, s: ScalarBounds): void {
  const subreg = tnumSubreg(d.varOff);
  d.s32Min = S32_MIN;
  d.s32Max = S32_MAX;
  d.varOff = tnumRshift(subreg, s.u32Min);
  d.u32Min = Math.floor(d.u32Min / 2 ** s.u32Max);
  d.u32Max = Math.floor(d.u32Max / 2 ** s.u32Min);
  markUnbounded64(d);
  updateBounds32(d);
}

function arsh64(d: MutableBounds, s: ScalarBounds): void {
  d.smin >>= s.umin;
  d.smax >>= s.umin;
  d.varOff = tnumArshift(d.varOff, Number(s.umin), 64);
  d.umin = 0n;
  d.umax = U64_MAX;
  markUnbounded32(d);
  updateBounds(d);
}

function arsh32(d: MutableBounds, s: ScalarBounds): void {
  const shift = s.u32Min;
  d.s32Min >>= shift;
  d.s32Max >>= shift;
  d.varOff = tnumArshift(tnumSubreg(d.varOff), shift, 32);
  d.u32Min = 0;
  d.u32Max = U32_MAX;
  markUnbounded64(d);
  updateBounds32(d);
}

/** `scalar_byte_swap` for a little-endian target. */
function byteSwap(d: MutableBounds, is64: boolean, imm: 16 | 32 | 64, toLe: boolean): void {
  const needSwap = is64 || !toLe;
  if (needSwap) {
    d.varOff =
      imm === 16
        ? tnumBswap16(d.varOff)
        : imm === 32
          ? tnumBswap32(d.varOff)
          : tnumBswap64(d.varOff);
    // The ranges do not survive a byte swap; they are rebuilt from the tnum.
    markUnbounded(d);
  }
  if (imm === 16 || imm === 32) coerceToSizeInPlace(d, imm / 8);
}

/** A scalar whose tnum and every range are the one value its tnum holds. */
function isExactConst(b: ScalarBounds): boolean {
  const v = b.varOff.value;
  if (b.varOff.mask !== 0n || b.umin !== v || b.umax !== v) return false;
  const s = toS64(v);
  if (b.smin !== s || b.smax !== s) return false;
  const v32 = lo32u(v);
  return b.u32Min === v32 && b.u32Max === v32 && b.s32Min === (v32 | 0) && b.s32Max === (v32 | 0);
}

/**
 * The value of `a op b` on two constants, zero-extended from the low 32
 * bits for 32-bit operations; undefined for the operations left to the
 * range rules. Only called once `isSafeToComputeRange` holds, so shift
 * amounts are below the operand width.
 */
function foldConstants(op: ScalarAluOp, is64: boolean, a: bigint, b: bigint): bigint | undefined {
  const x = is64 ? a : BigInt.asUintN(32, a);
  const y = is64 ? b : BigInt.asUintN(32, b);
  let r: bigint;
  switch (op) {
    case BPF_ADD:
      r = x + y;
      break;
    case BPF_SUB:
      r = x - y;
      break;
    case BPF_MUL:
      r = x * y;
      break;
    case BPF_AND:
      r = x & y;
      break;
    case BPF_OR:
      r = x | y;
      break;
    case BPF_XOR:
      r = x ^ y;
      break;
    case BPF_NEG:
      r = -x;
      break;
    case BPF_LSH:
      r = x << y;
      break;
    case BPF_RSH:
      r = x >> y;
      break;
    case BPF_ARSH:
      r = BigInt.asIntN(is64 ? 64 : 32, x) >> y;
      break;
    default:
      return undefined;
  }
  return BigInt.asUintN(is64 ? 64 : 32, r);
}

/**
 * `adjust_scalar_min_max_vals` for scalar `dst op= src` (for BPF_NEG and
 * BPF_END, `src` is ignored: pass `dst`). `is64` is the instruction class
 * (ALU64 versus ALU). The result is synchronised and, for 32-bit
 * operations, zero-extended, as the kernel leaves it.
 */
export function scalarAlu(
  op: ScalarAluOp,
  is64: boolean,
  dst: ScalarBounds,
  src: ScalarBounds,
  opts: ScalarAluOptions = {},
): ScalarBounds {
  // Arithmetic on two constants is most of what programs do; the range rules
  // would arrive at the constant result, so it is computed directly.
  if (isExactConst(dst) && isExactConst(src) && isSafeToComputeRange(op, is64, src)) {
    const v = foldConstants(op, is64, dst.varOff.value, src.varOff.value);
    if (v !== undefined) return knownScalar(v);
  }
  return scalarAluByRanges(op, is64, dst, src, opts);
}

/**
 * `scalarAlu` without its shortcut for constants: every operation through
 * the kernel's range and tnum rules.
 */
export function scalarAluByRanges(
  op: ScalarAluOp,
  is64: boolean,
  dst: ScalarBounds,
  src: ScalarBounds,
  opts: ScalarAluOptions = {},
): ScalarBounds {
  const d = copyBounds(dst);
  if (!isSafeToComputeRange(op, is64, src)) {
    markUnknown(d);
    return d;
  }
  switch (op) {
    case BPF_ADD:
      add32(d, src);
      add64(d, src);
      d.varOff = tnumAdd(d.varOff, src.varOff);
      break;
    case BPF_SUB:
      sub32(d, src);
      sub64(d, src);
      d.varOff = tnumSub(d.varOff, src.varOff);
      break;
    case BPF_NEG: {
      // 0 - dst, computed with the subtraction rules.
      const operand = copyBounds(dst);
      const zero = copyBounds(knownScalar(0n));
      sub32(zero, operand);
      sub64(zero, operand);
      Object.assign(d, zero);
      d.varOff = tnumNeg(operand.varOff);
      break;
    }
    case BPF_MUL:
      d.varOff = tnumMul(d.varOff, src.varOff);
      mul32(d, src);
      mul64(d, src);
      break;
    case BPF_AND:
      d.varOff = tnumAnd(d.varOff, src.varOff);
      and32(d, src);
      and64(d, src);
      break;
    case BPF_OR:
      d.varOff = tnumOr(d.varOff, src.varOff);
      or32(d, src);
      or64(d, src);
      break;
    case BPF_XOR:
      d.varOff = tnumXor(d.varOff, src.varOff);
      xor32(d, src);
      xor64(d, src);
      break;
    case BPF_LSH:
      if (is64) lsh64(d, src);
      else lsh32(d, src);
      break;
    case BPF_RSH:
      if (is64) rsh64(d, src);
      else rsh32(d, src);
      break;
    case BPF_ARSH:
      if (is64) arsh64(d, src);
      else arsh32(d, src);
      break;
    case BPF_END:
      byteSwap(d, is64, opts.endImm ?? 64, opts.endToLe ?? false);
      break;
  }
  // 32-bit results are zero-extended; a byte swap already truncated.
  if (!is64 && op !== BPF_END) zext32To64InPlace(d);
  syncInPlace(d);
  return d;
}

/**
 * The hook for the kernel's `maybe_fork_scalars` (BPF_AND and BPF_OR with
 * a constant source): when the destination is exactly in [-1, 0] (64-bit,
 * else in its 32-bit signed range), the kernel explores the next
 * instruction twice, once with the destination 0 and once with it -1
 * (the -1 path continues through the operation). Returns which width
 * matched, or null when no fork happens.
 */
export function forkOnMinusOneOrZero(dst: ScalarBounds): "alu64" | "alu32" | null {
  if (dst.smin === -1n && dst.smax === 0n) return "alu64";
  if (dst.s32Min === -1 && dst.s32Max === 0) return "alu32";
  return null;
}

/**
 * The destination with the constant `value` (`__mark_reg_known`, or
 * `__mark_reg32_known` for "alu32"): the two states of the fork that
 * `forkOnMinusOneOrZero` announces (0 for the pushed branch, -1 for the
 * path that goes on through the operation).
 */
export function withKnown(
  dst: ScalarBounds,
  value: bigint,
  width: "alu64" | "alu32",
): ScalarBounds {
  const d = copyBounds(dst);
  if (width === "alu64") markKnown(d, value);
  else markKnown32(d, value);
  return d;
}

/** `r1 = imm` (ALU64, sign-extended imm) or `w1 = imm` (ALU, zero-extended). */
export function movImm(imm: number, is64: boolean): ScalarBounds {
  return knownScalar(is64 ? BigInt(imm | 0) : BigInt(imm >>> 0));
}

/**
 * Scalar register moves of `check_alu_op`. `offset` is the instruction's
 * `off` (0 for a plain move, 8/16/32 for movsx). Returns the destination's
 * bounds; whether the destination shares the source's id is the caller's
 * business (the kernel keeps it for a plain 64-bit move, for a 32-bit one
 * when the source fits in 32 bits, and for movsx when no sign extension can
 * happen: `src.umax < 2^(off-1)`).
 */
export function movReg(src: ScalarBounds, is64: boolean, offset: 0 | 8 | 16 | 32): ScalarBounds {
  const d = copyBounds(src);
  if (is64) {
    // r1 = r2 copies; r1 = (sN)r2 sign-extends without a sync after it.
    if (offset !== 0) coerceToSizeSxInPlace(d, offset / 8);
    return d;
  }
  if (offset !== 0) coerceSubregToSizeSxInPlace(d, offset / 8);
  zext32To64InPlace(d);
  syncInPlace(d);
  return d;
}

/** True when a movsx from `src` cannot change the value (the kernel then keeps the id). */
export function movsxIsNoop(src: ScalarBounds, offset: 8 | 16 | 32): boolean {
  return src.umax < 1n << BigInt(offset - 1);
}
