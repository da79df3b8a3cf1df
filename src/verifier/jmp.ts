/**
 * `check_cond_jmp_op`: conditional jumps. Decides whether a branch is
 * always or never taken, otherwise queues the jump target and narrows both
 * sides: scalar bounds, null checks (by id, for every copy) and packet
 * ranges learnt from comparisons with `data_end`.
 */
import type { Insn } from "../isa/insn.js";
import {
  BPF_JA,
  BPF_JCOND,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_X,
} from "../isa/opcodes.js";
import { markPtrNotNull } from "./calls/null-check.js";
import { SRC_OP, type VerifierEnv } from "./env.js";
import { isTrustedReg } from "./graph/ownership.js";
import { pruneContext } from "./prune/context.js";
import { collectLinkedRegs, markChainPrecision, pushJmpHistory } from "./prune/precision.js";
import { markRegKnown, notInitReg, type RegState } from "./reg-state.js";
import {
  baseType,
  CONST_PTR_TO_MAP,
  isPacketPointer,
  PTR_MAYBE_NULL,
  PTR_TO_BTF_ID,
  PTR_TO_BUF,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_PACKET,
  PTR_TO_PACKET_END,
  PTR_TO_PACKET_META,
  PTR_TO_SOCK_COMMON,
  PTR_TO_SOCKET,
  PTR_TO_STACK,
  PTR_TO_TCP_SOCK,
  PTR_TO_XDP_SOCK,
  SCALAR_VALUE,
  typeMayBeNull,
} from "./reg-types.js";
import { EINVAL } from "./result.js";
import { branchTaken, type CondJumpOp, refineOnBranch } from "./scalar/branch.js";
import {
  allRegs,
  INSN_F_DST_REG_STACK,
  INSN_F_SRC_REG_STACK,
  type LinkedReg,
  type VerifierState,
} from "./state.js";
import { tnumIsConst } from "./tnum.js";

/** What a check needs from the instruction walk. */
export interface WalkControl {
  /** queue `insnIdx` to be verified later with a copy of the current state; returns that copy */
  pushBranch(insnIdx: number, prevInsnIdx: number): VerifierState;
  /** the level 1 `print_insn_state` after an instruction */
  printInsnState(): void;
}

const MAX_PACKET_OFF = 0xffff;
/** `reg->range` markers for packet pointers compared against pkt_end */
const AT_PKT_END = -1;
const BEYOND_PKT_END = -2;

/** `flip_opcode`: the same comparison with the operands swapped. */
function flipOpcode(op: number): number {
  switch (op) {
    case BPF_JLT:
      return BPF_JGT;
    case BPF_JGT:
      return BPF_JLT;
    case BPF_JLE:
      return BPF_JGE;
    case BPF_JGE:
      return BPF_JLE;
    case BPF_JSLT:
      return BPF_JSGT;
    case BPF_JSGT:
      return BPF_JSLT;
    case BPF_JSLE:
      return BPF_JSGE;
    case BPF_JSGE:
      return BPF_JSLE;
    default:
      return op;
  }
}

function isPointer(reg: RegState): boolean {
  return reg.type !== SCALAR_VALUE;
}

/** `reg_not_null`: pointers that cannot be NULL without a check having said so. */
function regNotNull(reg: RegState): boolean {
  if (typeMayBeNull(reg.type)) return false;
  // a non-NULL base plus an unbounded offset may still wrap to zero
  if (reg.smin <= -BPF_MAX_VAR_OFF || reg.smax >= BPF_MAX_VAR_OFF) return false;
  // BTF pointers may be NULL even when not marked so (the kernel handles faults), unless trusted
  return (
    NOT_NULL_BASE_TYPES.has(baseType(reg.type)) ||
    (baseType(reg.type) === PTR_TO_BTF_ID && isTrustedReg(reg))
  );
}

/** `BPF_MAX_VAR_OFF` */
const BPF_MAX_VAR_OFF = 1n << 29n;
/**
 * The pointer types `reg_not_null` trusts: ctx, stack and packet pointers are
 * not among them, so comparing one with 0 explores both branches.
 */
const NOT_NULL_BASE_TYPES: ReadonlySet<number> = new Set([
  PTR_TO_SOCKET,
  PTR_TO_TCP_SOCK,
  PTR_TO_XDP_SOCK,
  PTR_TO_BUF,
  PTR_TO_MAP_VALUE,
  PTR_TO_MAP_KEY,
  PTR_TO_SOCK_COMMON,
  PTR_TO_MEM,
  CONST_PTR_TO_MAP,
]);

function isPktPtrBranchTaken(dst: RegState, src: RegState, op: number): 1 | 0 | -1 {
  let pkt: RegState;
  if (src.type === PTR_TO_PACKET_END) pkt = dst;
  else if (dst.type === PTR_TO_PACKET_END) {
    pkt = src;
    op = flipOpcode(op);
  } else return -1;
  if (pkt.range >= 0) return -1;
  switch (op) {
    case BPF_JLE:
    case BPF_JGT:
      if (pkt.range === BEYOND_PKT_END) return op === BPF_JGT ? 1 : 0;
      break;
    case BPF_JLT:
    case BPF_JGE:
      if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return op === BPF_JGE ? 1 : 0;
      break;
  }
  return -1;
}

function isRegConst(reg: RegState, is32: boolean): boolean {
  if (reg.type !== SCALAR_VALUE) return false;
  return is32 ? (reg.varOff.mask & 0xffff_ffffn) === 0n : tnumIsConst(reg.varOff);
}

/** `is_branch_taken` */
function isBranchTaken(
  r1: RegState,
  r2: RegState,
  op: number,
  is32: boolean,
  sameReg: boolean,
): 1 | 0 | -1 {
  const anyPkt = (r: RegState) => isPacketPointer(r.type) || r.type === PTR_TO_PACKET_END;
  if (anyPkt(r1) && anyPkt(r2) && !is32) return isPktPtrBranchTaken(r1, r2, op);
  if (isPointer(r1) || isPointer(r2)) {
    if (is32) return -1;
    if (!isRegConst(r2, is32)) {
      op = flipOpcode(op);
      [r1, r2] = [r2, r1];
    }
    if (!isRegConst(r2, is32)) return -1;
    if (!regNotNull(r1)) return -1;
    if (r2.varOff.value !== 0n) return -1;
    if (op === BPF_JEQ) return 0;
    if (op === BPF_JNE) return 1;
    return -1;
  }
  return branchTaken(op as CondJumpOp, is32, r1, r2, sameReg);
}

/** `mark_ptr_or_null_regs`: after `if rX == 0`, every copy of rX is NULL on one side and valid on the other. */
function markPtrOrNullRegs(
  env: VerifierEnv,
  state: VerifierState,
  regno: number,
  isNull: boolean,
): void {
  const reg = state.frames[state.curframe]!.regs[regno]!;
  const { id, refObjId } = reg;
  if (refObjId !== 0 && refObjId === id && isNull) {
    // a reference that turned out NULL was never acquired
    state.refs = state.refs.filter((r) => r.id !== id);
  }
  for (const r of allRegs(state)) {
    if (!typeMayBeNull(r.type) || r.id !== id) continue;
    if (isNull) {
      markRegKnown(r, 0n);
      continue;
    }
    markPtrNotNull(env, r);
  }
}

/** `find_good_pkt_pointers`: every packet pointer with this id may read `range` bytes. */
function findGoodPktPointers(
  state: VerifierState,
  dstReg: RegState,
  type: number,
  rangeRightOpen: boolean,
): void {
  if (dstReg.off < 0 || (dstReg.off === 0 && rangeRightOpen)) return;
  if (
    dstReg.umax > BigInt(MAX_PACKET_OFF) ||
    dstReg.umax + BigInt(dstReg.off) > BigInt(MAX_PACKET_OFF)
  )
    return;
  let newRange = dstReg.off;
  if (rangeRightOpen) newRange++;
  const id = dstReg.id;
  for (const r of allRegs(state)) {
    if (r.type === type && r.id === id) r.range = Math.max(r.range, newRange);
  }
}

function markPktEnd(state: VerifierState, regno: number, rangeOpen: boolean): void {
  const reg = state.frames[state.curframe]!.regs[regno]!;
  if (reg.type !== PTR_TO_PACKET) return;
  reg.range = rangeOpen ? BEYOND_PKT_END : AT_PKT_END;
}

function isInitPktPointer(reg: RegState, type: number): boolean {
  return reg.type === type && reg.off === 0 && tnumIsConst(reg.varOff) && reg.varOff.value === 0n;
}

/** `try_match_pkt_pointers` */
function tryMatchPktPointers(
  insn: Insn,
  dstReg: RegState,
  srcReg: RegState,
  thisBranch: VerifierState,
  otherBranch: VerifierState,
): boolean {
  if ((insn.code & 0x08) !== BPF_X || (insn.code & 0x07) === BPF_JMP32) return false;
  const dataVsEnd =
    (dstReg.type === PTR_TO_PACKET && srcReg.type === PTR_TO_PACKET_END) ||
    (dstReg.type === PTR_TO_PACKET_META && isInitPktPointer(srcReg, PTR_TO_PACKET));
  const endVsData =
    (dstReg.type === PTR_TO_PACKET_END && srcReg.type === PTR_TO_PACKET) ||
    (isInitPktPointer(dstReg, PTR_TO_PACKET) && srcReg.type === PTR_TO_PACKET_META);
  const srcInOther = () => otherBranch.frames[otherBranch.curframe]!.regs[insn.src]!;
  const dstInOther = () => otherBranch.frames[otherBranch.curframe]!.regs[insn.dst]!;
  switch (insn.code & 0xf0) {
    case BPF_JGT:
      if (dataVsEnd) {
        findGoodPktPointers(thisBranch, dstReg, dstReg.type, false);
        markPktEnd(otherBranch, insn.dst, true);
      } else if (endVsData) {
        findGoodPktPointers(otherBranch, srcInOther(), srcReg.type, true);
        markPktEnd(thisBranch, insn.src, false);
      } else return false;
      return true;
    case BPF_JLT:
      if (dataVsEnd) {
        findGoodPktPointers(otherBranch, dstInOther(), dstReg.type, true);
        markPktEnd(thisBranch, insn.dst, false);
      } else if (endVsData) {
        findGoodPktPointers(thisBranch, srcReg, srcReg.type, false);
        markPktEnd(otherBranch, insn.src, true);
      } else return false;
      return true;
    case BPF_JGE:
      if (dataVsEnd) {
        findGoodPktPointers(thisBranch, dstReg, dstReg.type, true);
        markPktEnd(otherBranch, insn.dst, false);
      } else if (endVsData) {
        findGoodPktPointers(otherBranch, srcInOther(), srcReg.type, false);
        markPktEnd(thisBranch, insn.src, true);
      } else return false;
      return true;
    case BPF_JLE:
      if (dataVsEnd) {
        findGoodPktPointers(otherBranch, dstInOther(), dstReg.type, false);
        markPktEnd(thisBranch, insn.dst, true);
      } else if (endVsData) {
        findGoodPktPointers(thisBranch, srcReg, srcReg.type, true);
        markPktEnd(otherBranch, insn.src, false);
      } else return false;
      return true;
    default:
      return false;
  }
}

const COND_OPS = new Set([
  BPF_JEQ,
  BPF_JGT,
  BPF_JGE,
  BPF_JSET,
  BPF_JNE,
  BPF_JSGT,
  BPF_JSGE,
  BPF_JLT,
  BPF_JLE,
  BPF_JSLT,
  BPF_JSLE,
]);

export function checkCondJmpOp(env: VerifierEnv, insn: Insn, walk: WalkControl): void {
  const op = insn.code & 0xf0;
  if (op === BPF_JA || op > BPF_JCOND || !(COND_OPS.has(op) || op === BPF_JCOND)) {
    env.reject(EINVAL, `invalid BPF_JMP/JMP32 opcode ${(op >> 4).toString(16)}`);
  }
  if (op === BPF_JCOND) {
    // may_goto: fall through later, jump now
    // 6.18 accepts off 0 (a may_goto to the next instruction); 32-bit and other src forms are refused
    if (insn.code !== (0x05 | BPF_JCOND) || insn.src !== 0 || insn.dst !== 0 || insn.imm !== 0) {
      env.reject(EINVAL, `invalid may_goto imm ${insn.imm}`);
    }
    walk.pushBranch(env.insnIdx + 1, env.insnIdx);
    env.insnIdx += insn.off;
    return;
  }
  env.checkRegArg(insn.dst, SRC_OP);
  const thisBranch = env.state;
  const regs = env.regs;
  const dstReg = regs[insn.dst]!;
  const isX = (insn.code & 0x08) === BPF_X;
  let srcReg: RegState;
  if (isX) {
    if (insn.imm !== 0) env.reject(EINVAL, "BPF_JMP/JMP32 uses reserved fields");
    env.checkRegArg(insn.src, SRC_OP);
    srcReg = regs[insn.src]!;
  } else {
    if (insn.src !== 0) env.reject(EINVAL, "BPF_JMP/JMP32 uses reserved fields");
    srcReg = notInitReg();
    markRegKnown(srcReg, BigInt(insn.imm | 0));
  }
  if (isX) {
    // a stack pointer compared carries no scalar to backtrack into
    const flags =
      (srcReg.type === PTR_TO_STACK ? INSN_F_SRC_REG_STACK : 0) |
      (dstReg.type === PTR_TO_STACK ? INSN_F_DST_REG_STACK : 0);
    if (flags) pushJmpHistory(env, thisBranch, flags);
  }
  const is32 = (insn.code & 0x07) === BPF_JMP32;
  const pred = isBranchTaken(dstReg, srcReg, op, is32, isX && insn.src === insn.dst);
  if (pred >= 0) {
    // the branch was decided by these values: they must be compared exactly when pruning
    if (dstReg.type === SCALAR_VALUE) markChainPrecision(env, insn.dst);
    if (isX && srcReg.type === SCALAR_VALUE) markChainPrecision(env, insn.src);
  }
  if (pred === 1) {
    if (env.log.enabled) walk.printInsnState();
    env.insnIdx += insn.off;
    return;
  }
  if (pred === 0) {
    if (env.log.enabled) walk.printInsnState();
    return;
  }

  // scalars sharing an id learn from this comparison together; so does their precision
  const linked: LinkedReg[] = [];
  const liveRegs = pruneContext(env)?.liveRegsBefore;
  if (isX && srcReg.type === SCALAR_VALUE && srcReg.id)
    collectLinkedRegs(thisBranch, srcReg.id, linked, liveRegs);
  if (dstReg.type === SCALAR_VALUE && dstReg.id)
    collectLinkedRegs(thisBranch, dstReg.id, linked, liveRegs);
  if (linked.length > 1) pushJmpHistory(env, thisBranch, 0, linked);
  const otherBranch = walk.pushBranch(env.insnIdx + insn.off + 1, env.insnIdx);
  const otherRegs = otherBranch.frames[otherBranch.curframe]!.regs;
  if (dstReg.type === SCALAR_VALUE && srcReg.type === SCALAR_VALUE) {
    const sameReg = isX && insn.src === insn.dst;
    const [trueDst, trueSrc] = refineOnBranch(
      op as CondJumpOp,
      is32,
      otherRegs[insn.dst]!,
      srcReg,
      true,
      sameReg,
    );
    const [falseDst, falseSrc] = refineOnBranch(
      op as CondJumpOp,
      is32,
      dstReg,
      srcReg,
      false,
      sameReg,
    );
    Object.assign(otherRegs[insn.dst]!, trueDst);
    Object.assign(dstReg, falseDst);
    if (isX && !sameReg) {
      Object.assign(otherRegs[insn.src]!, trueSrc);
      Object.assign(srcReg, falseSrc);
    }
    if (isX) {
      syncLinkedRegs(thisBranch, insn.src, linked);
      syncLinkedRegs(otherBranch, insn.src, linked);
    }
    syncLinkedRegs(thisBranch, insn.dst, linked);
    syncLinkedRegs(otherBranch, insn.dst, linked);
  }

  if (
    !is32 &&
    isX &&
    isPointer(srcReg) &&
    isPointer(dstReg) &&
    baseType(srcReg.type) !== PTR_TO_BTF_ID &&
    baseType(dstReg.type) !== PTR_TO_BTF_ID
  ) {
    const eqRegs = op === BPF_JEQ ? otherRegs : op === BPF_JNE ? regs : undefined;
    if (eqRegs !== undefined) {
      if (regNotNull(dstReg) && typeMayBeNull(srcReg.type))
        eqRegs[insn.src]!.type &= ~PTR_MAYBE_NULL;
      if (regNotNull(srcReg) && typeMayBeNull(dstReg.type))
        eqRegs[insn.dst]!.type &= ~PTR_MAYBE_NULL;
    }
  }

  if (
    !is32 &&
    !isX &&
    insn.imm === 0 &&
    (op === BPF_JEQ || op === BPF_JNE) &&
    typeMayBeNull(dstReg.type)
  ) {
    markPtrOrNullRegs(env, thisBranch, insn.dst, op === BPF_JNE);
    markPtrOrNullRegs(env, otherBranch, insn.dst, op === BPF_JEQ);
  } else {
    tryMatchPktPointers(insn, dstReg, srcReg, thisBranch, otherBranch);
  }
  if (env.log.enabled) walk.printInsnState();
}

/**
 * `sync_linked_regs`: the scalars collected as copies of the compared one
 * (same id, no added constant) learn the same bounds.
 */
function syncLinkedRegs(state: VerifierState, regno: number, linked: readonly LinkedReg[]): void {
  const known = state.frames[state.curframe]!.regs[regno]!;
  if (known.type !== SCALAR_VALUE || known.id === 0) return;
  for (const e of linked) {
    const frame = state.frames[e.frameno]!;
    const reg = e.isReg ? frame.regs[e.index]! : frame.stack[e.index]!.spilled;
    if (reg === known || reg.type !== SCALAR_VALUE || reg.id !== known.id) continue;
    const precise = reg.precise;
    Object.assign(reg, known);
    reg.precise = precise;
  }
}
