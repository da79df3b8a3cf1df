/**
 * Conditional jumps on scalars: whether a comparison's outcome is already
 * decided by what is known (`is_scalar_branch_taken`), and what each side
 * of an undecided jump learns about both operands (`regs_refine_cond_op`
 * followed by `reg_bounds_sync`, as `reg_set_min_max` does). Linux 6.18.
 *
 * For a `BPF_K` jump the source operand is the immediate as a known scalar:
 * `knownScalar(BigInt(imm))` (sign-extended, also for JMP32).
 */

import {
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
  BPF_X,
} from "../../isa/opcodes.js";
import {
  constValueAt,
  copyBounds,
  isConstAt,
  type MutableBounds,
  markUnbounded,
  type ScalarBounds,
  syncInPlace,
  toS64,
  toU64,
} from "../bounds.js";
import {
  tnumAnd,
  tnumConst,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumOverlap,
  tnumSubreg,
  tnumWithSubreg,
} from "../tnum.js";

/** Conditional jump operations (`BPF_OP(code)` of a JMP/JMP32 instruction). */
export type CondJumpOp =
  | typeof BPF_JEQ
  | typeof BPF_JGT
  | typeof BPF_JGE
  | typeof BPF_JSET
  | typeof BPF_JNE
  | typeof BPF_JSGT
  | typeof BPF_JSGE
  | typeof BPF_JLT
  | typeof BPF_JLE
  | typeof BPF_JSLT
  | typeof BPF_JSLE;

/** 1: always taken, 0: never taken, -1: either may happen. */
export type BranchOutcome = 1 | 0 | -1;

const b = (x: boolean): 1 | 0 => (x ? 1 : 0);

/**
 * `is_scalar_branch_taken` for `if dst op src` (`is32`: a JMP32 jump,
 * comparing the low 32 bits). `sameReg` is true when both operands are the
 * same register (`if r1 > r1`), which the kernel decides by the operation
 * alone.
 */
export function branchTaken(
  op: CondJumpOp,
  is32: boolean,
  dst: ScalarBounds,
  src: ScalarBounds,
  sameReg = false,
): BranchOutcome {
  let r1 = dst;
  let r2 = src;
  let t1 = is32 ? tnumSubreg(r1.varOff) : r1.varOff;
  let t2 = is32 ? tnumSubreg(r2.varOff) : r2.varOff;
  // 32-bit bounds stay numbers: comparing them needs no bigint
  const umin1: number | bigint = is32 ? r1.u32Min : r1.umin;
  const umax1: number | bigint = is32 ? r1.u32Max : r1.umax;
  const smin1: number | bigint = is32 ? r1.s32Min : r1.smin;
  const smax1: number | bigint = is32 ? r1.s32Max : r1.smax;
  const umin2: number | bigint = is32 ? r2.u32Min : r2.umin;
  const umax2: number | bigint = is32 ? r2.u32Max : r2.umax;
  const smin2: number | bigint = is32 ? r2.s32Min : r2.smin;
  const smax2: number | bigint = is32 ? r2.s32Max : r2.smax;

  if (sameReg) {
    switch (op) {
      case BPF_JGE:
      case BPF_JLE:
      case BPF_JSGE:
      case BPF_JSLE:
      case BPF_JEQ:
        return 1;
      case BPF_JGT:
      case BPF_JLT:
      case BPF_JSGT:
      case BPF_JSLT:
      case BPF_JNE:
        return 0;
      case BPF_JSET:
        if (tnumIsConst(t1)) return b(t1.value !== 0n);
        return smin1 <= 0n && smax1 >= 0n ? -1 : 1;
      default:
        return -1;
    }
  }

  switch (op) {
    case BPF_JEQ:
    case BPF_JNE: {
      // The outcome when the operands certainly differ.
      const differ: 1 | 0 = op === BPF_JEQ ? 0 : 1;
      if (tnumIsConst(t1) && tnumIsConst(t2))
        return b((t1.value === t2.value) !== (op === BPF_JNE));
      if (!tnumOverlap(t1, t2)) return differ;
      if (umin1 > umax2 || umax1 < umin2) return differ;
      if (smin1 > smax2 || smax1 < smin2) return differ;
      if (!is32) {
        // 64-bit ranges inconclusive: the subregister ranges may still differ.
        if (r1.u32Min > r2.u32Max || r1.u32Max < r2.u32Min) return differ;
        if (r1.s32Min > r2.s32Max || r1.s32Max < r2.s32Min) return differ;
      }
      break;
    }
    case BPF_JSET: {
      if (!isConstAt(r2, is32)) {
        const r = r1;
        r1 = r2;
        r2 = r;
        const t = t1;
        t1 = t2;
        t2 = t;
      }
      if (!isConstAt(r2, is32)) return -1;
      if ((~t1.mask & t1.value & t2.value) !== 0n) return 1;
      if (((t1.mask | t1.value) & t2.value) === 0n) return 0;
      break;
    }
    case BPF_JGT:
      if (umin1 > umax2) return 1;
      if (umax1 <= umin2) return 0;
      break;
    case BPF_JSGT:
      if (smin1 > smax2) return 1;
      if (smax1 <= smin2) return 0;
      break;
    case BPF_JLT:
      if (umax1 < umin2) return 1;
      if (umin1 >= umax2) return 0;
      break;
    case BPF_JSLT:
      if (smax1 < smin2) return 1;
      if (smin1 >= smax2) return 0;
      break;
    case BPF_JGE:
      if (umin1 >= umax2) return 1;
      if (umax1 < umin2) return 0;
      break;
    case BPF_JSGE:
      if (smin1 >= smax2) return 1;
      if (smax1 < smin2) return 0;
      break;
    case BPF_JLE:
      if (umax1 <= umin2) return 1;
      if (umin1 > umax2) return 0;
      break;
    case BPF_JSLE:
      if (smax1 <= smin2) return 1;
      if (smin1 > smax2) return 0;
      break;
  }
  return -1;
}

/** The negated condition (`rev_opcode`); JSET's negation is spelt JSET|X. */
const JSET_NOT = BPF_JSET | BPF_X;
type RefineOp = CondJumpOp | typeof JSET_NOT;

function reverseOp(op: CondJumpOp): RefineOp {
  switch (op) {
    case BPF_JEQ:
      return BPF_JNE;
    case BPF_JNE:
      return BPF_JEQ;
    case BPF_JSET:
      return JSET_NOT;
    case BPF_JGE:
      return BPF_JLT;
    case BPF_JLT:
      return BPF_JGE;
    case BPF_JGT:
      return BPF_JLE;
    case BPF_JLE:
      return BPF_JGT;
    case BPF_JSGE:
      return BPF_JSLT;
    case BPF_JSLT:
      return BPF_JSGE;
    case BPF_JSGT:
      return BPF_JSLE;
    case BPF_JSLE:
      return BPF_JSGT;
  }
}

const wrapU32 = (x: number): number => x >>> 0;
const wrapS32 = (x: number): number => x | 0;
const bmin = (a: bigint, c: bigint): bigint => (a < c ? a : c);
const bmax = (a: bigint, c: bigint): bigint => (a > c ? a : c);

function isPowerOf2(x: bigint): boolean {
  return x !== 0n && (x & (x - 1n)) === 0n;
}

/** `regs_refine_cond_op`: both operands narrowed by "r1 op r2 holds". */
function refineCondOp(reg1: MutableBounds, reg2: MutableBounds, op: RefineOp, is32: boolean): void {
  let r1 = reg1;
  let r2 = reg2;
  // operands are swapped through a variable: destructuring would allocate an array
  let swap: MutableBounds;
  let o: RefineOp = op;
  // GE/GT/SGE/SGT reuse the LE/LT/SLE/SLT rules with the operands swapped.
  switch (o) {
    case BPF_JGE:
      o = BPF_JLE;
      swap = r1;
      r1 = r2;
      r2 = swap;
      break;
    case BPF_JGT:
      o = BPF_JLT;
      swap = r1;
      r1 = r2;
      r2 = swap;
      break;
    case BPF_JSGE:
      o = BPF_JSLE;
      swap = r1;
      r1 = r2;
      r2 = swap;
      break;
    case BPF_JSGT:
      o = BPF_JSLT;
      swap = r1;
      r1 = r2;
      r2 = swap;
      break;
  }

  switch (o) {
    case BPF_JEQ:
      if (is32) {
        r1.u32Min = Math.max(r1.u32Min, r2.u32Min);
        r1.u32Max = Math.min(r1.u32Max, r2.u32Max);
        r1.s32Min = Math.max(r1.s32Min, r2.s32Min);
        r1.s32Max = Math.min(r1.s32Max, r2.s32Max);
        r2.u32Min = r1.u32Min;
        r2.u32Max = r1.u32Max;
        r2.s32Min = r1.s32Min;
        r2.s32Max = r1.s32Max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = bmax(r1.umin, r2.umin);
        r1.umax = bmin(r1.umax, r2.umax);
        r1.smin = bmax(r1.smin, r2.smin);
        r1.smax = bmin(r1.smax, r2.smax);
        r2.umin = r1.umin;
        r2.umax = r1.umax;
        r2.smin = r1.smin;
        r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      break;
    case BPF_JNE: {
      if (!isConstAt(r2, is32)) {
        swap = r1;
        r1 = r2;
        r2 = swap;
      }
      if (!isConstAt(r2, is32)) break;
      // Only a constant at the very edge of the other range narrows it.
      const val = constValueAt(r2, is32);
      if (is32) {
        const u = Number(val);
        const s = u | 0;
        if (r1.u32Min === u) r1.u32Min = wrapU32(r1.u32Min + 1);
        if (r1.u32Max === u) r1.u32Max = wrapU32(r1.u32Max - 1);
        if (r1.s32Min === s) r1.s32Min = wrapS32(r1.s32Min + 1);
        if (r1.s32Max === s) r1.s32Max = wrapS32(r1.s32Max - 1);
      } else {
        if (r1.umin === val) r1.umin = toU64(r1.umin + 1n);
        if (r1.umax === val) r1.umax = toU64(r1.umax - 1n);
        if (r1.smin === toS64(val)) r1.smin = toS64(r1.smin + 1n);
        if (r1.smax === toS64(val)) r1.smax = toS64(r1.smax - 1n);
      }
      break;
    }
    case BPF_JSET: {
      if (!isConstAt(r2, is32)) {
        swap = r1;
        r1 = r2;
        r2 = swap;
      }
      if (!isConstAt(r2, is32)) break;
      const val = constValueAt(r2, is32);
      // "r1 & val" being true pins a bit only when val has a single bit.
      if (!isPowerOf2(val)) break;
      if (is32) {
        const t = tnumOr(tnumSubreg(r1.varOff), tnumConst(val));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
      } else {
        r1.varOff = tnumOr(r1.varOff, tnumConst(val));
      }
      break;
    }
    case JSET_NOT: {
      if (!isConstAt(r2, is32)) {
        swap = r1;
        r1 = r2;
        r2 = swap;
      }
      if (!isConstAt(r2, is32)) break;
      const val = constValueAt(r2, is32);
      // Ranges are forgotten before the tnum narrows, so a dead branch
      // cannot produce contradictory bounds.
      markUnbounded(r1);
      const notVal = ~val & 0xffff_ffff_ffff_ffffn;
      if (is32) {
        const t = tnumAnd(tnumSubreg(r1.varOff), tnumConst(notVal));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
      } else {
        r1.varOff = tnumAnd(r1.varOff, tnumConst(notVal));
      }
      break;
    }
    case BPF_JLE:
      if (is32) {
        r1.u32Max = Math.min(r1.u32Max, r2.u32Max);
        r2.u32Min = Math.max(r1.u32Min, r2.u32Min);
      } else {
        r1.umax = bmin(r1.umax, r2.umax);
        r2.umin = bmax(r1.umin, r2.umin);
      }
      break;
    case BPF_JLT:
      if (is32) {
        r1.u32Max = Math.min(r1.u32Max, wrapU32(r2.u32Max - 1));
        r2.u32Min = Math.max(wrapU32(r1.u32Min + 1), r2.u32Min);
      } else {
        r1.umax = bmin(r1.umax, toU64(r2.umax - 1n));
        r2.umin = bmax(toU64(r1.umin + 1n), r2.umin);
      }
      break;
    case BPF_JSLE:
      if (is32) {
        r1.s32Max = Math.min(r1.s32Max, r2.s32Max);
        r2.s32Min = Math.max(r1.s32Min, r2.s32Min);
      } else {
        r1.smax = bmin(r1.smax, r2.smax);
        r2.smin = bmax(r1.smin, r2.smin);
      }
      break;
    case BPF_JSLT:
      if (is32) {
        r1.s32Max = Math.min(r1.s32Max, wrapS32(r2.s32Max - 1));
        r2.s32Min = Math.max(wrapS32(r1.s32Min + 1), r2.s32Min);
      } else {
        r1.smax = bmin(r1.smax, toS64(r2.smax - 1n));
        r2.smin = bmax(toS64(r1.smin + 1n), r2.smin);
      }
      break;
  }
}

/**
 * What `if dst op src` teaches about both scalar operands on one side of
 * the jump: `taken` true for the jump target, false for the fall-through.
 * Returns `[dst, src]` after refinement and `reg_bounds_sync`. When both
 * operands are the same register the kernel learns nothing (returns them
 * unchanged). Callers should run `boundsSanityCheck` on the results, as the
 * kernel does ("true_reg1", "true_reg2", "false_reg1", "false_reg2").
 */
export function refineOnBranch(
  op: CondJumpOp,
  is32: boolean,
  dst: ScalarBounds,
  src: ScalarBounds,
  taken: boolean,
  sameReg = false,
): [ScalarBounds, ScalarBounds] {
  if (sameReg) return [dst, src];
  const d = copyBounds(dst);
  const s = copyBounds(src);
  refineCondOp(d, s, taken ? op : reverseOp(op), is32);
  syncInPlace(d);
  syncInPlace(s);
  return [d, s];
}
