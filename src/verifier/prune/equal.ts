/**
 * `states_equal`: whether a state the walk reached is covered by a
 * checkpoint already proven safe, so that its path need not be explored.
 * The old state subsumes the current one when every register and stack
 * slot the old one relies on holds something at least as constrained, and
 * the ids that tie registers together map one to one.
 */

import { markUnknown } from "../bounds.js";
import type { RegState } from "../reg-state.js";
import { notInitReg } from "../reg-state.js";
import {
  baseType,
  NOT_INIT,
  PTR_TO_ARENA,
  PTR_TO_BUF,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_PACKET,
  PTR_TO_PACKET_META,
  PTR_TO_STACK,
  PTR_TO_TP_BUFFER,
  SCALAR_VALUE,
} from "../reg-types.js";
import {
  BPF_REG_SIZE,
  type FuncState,
  MAX_BPF_REG,
  STACK_INVALID,
  STACK_ITER,
  STACK_MISC,
  STACK_SPILL,
  STACK_ZERO,
  type StackSlot,
  type VerifierState,
} from "../state.js";
import { tnumIn } from "../tnum.js";

/**
 * How strictly states are compared (`enum exact_level`): NOT_EXACT prunes,
 * RANGE_WITHIN is used inside loops whose marks are incomplete (ranges must
 * be contained even for imprecise scalars), EXACT detects infinite loops.
 */
export type ExactLevel = "not-exact" | "range-within" | "exact";

/**
 * `struct bpf_idmap`: old id to current id, consistently. Pairs are kept in
 * two arrays searched linearly, as the kernel's array: a comparison meets few
 * ids, and emptying arrays costs nothing where a Map's clear() reallocates.
 */
export class IdMap {
  private readonly oldIds: number[] = [];
  private readonly curIds: number[] = [];

  constructor(private tmpIdGen: number) {}

  /** Empties the map for a new comparison, fresh ids starting above `tmpIdGen`. */
  reset(tmpIdGen: number): this {
    if (this.oldIds.length > 0) {
      this.oldIds.length = 0;
      this.curIds.length = 0;
    }
    this.tmpIdGen = tmpIdGen;
    return this;
  }

  /** `check_ids` */
  check(oldId: number, curId: number): boolean {
    if ((oldId === 0) !== (curId === 0)) return false;
    if (oldId === 0) return true;
    const i = this.oldIds.indexOf(oldId);
    if (i >= 0) return this.curIds[i] === curId;
    // each current id stands for one old id only
    if (this.curIds.includes(curId)) return false;
    this.oldIds.push(oldId);
    this.curIds.push(curId);
    return true;
  }

  /** `check_scalar_ids`: an unlinked current scalar gets a fresh id, so it can stand for one old id only. */
  checkScalar(oldId: number, curId: number): boolean {
    if (oldId === 0) return true;
    return this.check(oldId, curId !== 0 ? curId : ++this.tmpIdGen);
  }
}

/** `range_within`: the current bounds lie within the old ones. */
function rangeWithin(old: RegState, cur: RegState): boolean {
  return (
    old.umin <= cur.umin &&
    old.umax >= cur.umax &&
    old.smin <= cur.smin &&
    old.smax >= cur.smax &&
    old.u32Min <= cur.u32Min &&
    old.u32Max >= cur.u32Max &&
    old.s32Min <= cur.s32Min &&
    old.s32Max >= cur.s32Max
  );
}

/** The fields the kernel's `memcmp(rold, rcur, offsetof(..., var_off))` covers. */
function sameHead(old: RegState, cur: RegState): boolean {
  return (
    old.type === cur.type &&
    old.off === cur.off &&
    old.range === cur.range &&
    old.mapIndex === cur.mapIndex &&
    old.btfId === cur.btfId &&
    old.memSize === cur.memSize &&
    old.subprogno === cur.subprogno
  );
}

function sameBounds(old: RegState, cur: RegState): boolean {
  return (
    old.varOff.value === cur.varOff.value &&
    old.varOff.mask === cur.varOff.mask &&
    old.smin === cur.smin &&
    old.smax === cur.smax &&
    old.umin === cur.umin &&
    old.umax === cur.umax &&
    old.s32Min === cur.s32Min &&
    old.s32Max === cur.s32Max &&
    old.u32Min === cur.u32Min &&
    old.u32Max === cur.u32Max
  );
}

/** `regs_exact` */
function regsExact(old: RegState, cur: RegState, idmap: IdMap): boolean {
  return (
    sameHead(old, cur) &&
    sameBounds(old, cur) &&
    idmap.check(old.id, cur.id) &&
    idmap.check(old.refObjId, cur.refObjId)
  );
}

/** `regsafe`: the current register is at least as constrained as the old one. */
export function regsafe(old: RegState, cur: RegState, idmap: IdMap, exact: ExactLevel): boolean {
  if (exact === "exact") return regsExact(old, cur, idmap);
  if (old.type === NOT_INIT && (exact === "not-exact" || cur.type === NOT_INIT)) return true;
  if (old.type !== cur.type) return false;
  switch (baseType(old.type)) {
    case SCALAR_VALUE:
      if (!old.precise && exact === "not-exact") return true;
      if (!idmap.checkScalar(old.id, cur.id)) return false;
      return rangeWithin(old, cur) && tnumIn(old.varOff, cur.varOff);
    case PTR_TO_MAP_KEY:
    case PTR_TO_MAP_VALUE:
    case PTR_TO_MEM:
    case PTR_TO_BUF:
    case PTR_TO_TP_BUFFER:
      return (
        sameHead(old, cur) &&
        rangeWithin(old, cur) &&
        tnumIn(old.varOff, cur.varOff) &&
        idmap.check(old.id, cur.id) &&
        idmap.check(old.refObjId, cur.refObjId)
      );
    case PTR_TO_PACKET_META:
    case PTR_TO_PACKET:
      if (old.range < 0 || cur.range < 0) {
        // [BEYOND|AT]_PKT_END must match
        if (old.range !== cur.range) return false;
      } else if (old.range > cur.range) return false;
      if (old.off !== cur.off) return false;
      if (!idmap.check(old.id, cur.id)) return false;
      return rangeWithin(old, cur) && tnumIn(old.varOff, cur.varOff);
    case PTR_TO_STACK:
      return regsExact(old, cur, idmap) && old.frameno === cur.frameno;
    case PTR_TO_ARENA:
      return true;
    default:
      return regsExact(old, cur, idmap);
  }
}

/** What stack that is all data (or unwritten, which a privileged program may read) compares as. */
const UNBOUND_REG: RegState = (() => {
  const reg = notInitReg();
  reg.type = SCALAR_VALUE;
  markUnknown(reg);
  return reg;
})();

function isStackAllMisc(slot: StackSlot): boolean {
  return slot.slotType.every((t) => t === STACK_MISC || t === STACK_INVALID);
}

/** `scalar_reg_for_stack`: a 64-bit scalar spill, or all-data stack as an unknown scalar. */
function scalarRegForStack(slot: StackSlot): RegState | undefined {
  if (slot.slotType[0] === STACK_SPILL && slot.spilled.type === SCALAR_VALUE) return slot.spilled;
  if (isStackAllMisc(slot)) return UNBOUND_REG;
  return undefined;
}

/** `stacksafe` */
export function stacksafe(
  old: FuncState,
  cur: FuncState,
  idmap: IdMap,
  exact: ExactLevel,
): boolean {
  const oldAllocated = old.stack.length * BPF_REG_SIZE;
  const curAllocated = cur.stack.length * BPF_REG_SIZE;
  for (let i = 0; i < oldAllocated; i++) {
    const spi = Math.floor(i / BPF_REG_SIZE);
    const b = i % BPF_REG_SIZE;
    const oldSlot = old.stack[spi]!;
    const oldType = oldSlot.slotType[b]!;
    if (exact !== "not-exact" && (i >= curAllocated || oldType !== cur.stack[spi]!.slotType[b]))
      return false;
    if (oldType === STACK_INVALID) continue;
    // privileged programs may read uninitialised stack: data is data
    if (oldType === STACK_MISC) continue;
    if (i >= curAllocated) return false;
    const curSlot = cur.stack[spi]!;
    const oldReg = scalarRegForStack(oldSlot);
    const curReg = scalarRegForStack(curSlot);
    if (oldReg !== undefined && curReg !== undefined) {
      if (!regsafe(oldReg, curReg, idmap, exact)) return false;
      i += BPF_REG_SIZE - 1;
      continue;
    }
    const curType = curSlot.slotType[b]!;
    if (oldType === STACK_MISC && curType === STACK_ZERO) continue;
    if (oldType !== curType) return false;
    if (b !== BPF_REG_SIZE - 1) continue;
    switch (oldSlot.slotType[BPF_REG_SIZE - 1]) {
      case STACK_SPILL:
        if (!regsafe(oldSlot.spilled, curSlot.spilled, idmap, exact)) return false;
        break;
      case STACK_MISC:
      case STACK_ZERO:
      case STACK_INVALID:
        continue;
      case STACK_ITER: {
        // the depth is not compared: it would keep an iterator loop from ever converging
        const o = oldSlot.iter;
        const c = curSlot.iter;
        if (o === undefined || c === undefined || o.kind !== c.kind || o.state !== c.state)
          return false;
        if (!idmap.check(oldSlot.spilled.refObjId, curSlot.spilled.refObjId)) return false;
        break;
      }
      default:
        // dynptr slots: not modelled, never equal
        return false;
    }
  }
  return true;
}

/** `refsafe`: the same references (by id mapping) and the same locks held. */
function refsafe(old: VerifierState, cur: VerifierState, idmap: IdMap): boolean {
  if (old.refs.length !== cur.refs.length) return false;
  if (old.activeRcuLock !== cur.activeRcuLock) return false;
  if ((old.activeLock === undefined) !== (cur.activeLock === undefined)) return false;
  if (old.activeLock !== undefined && cur.activeLock !== undefined) {
    if (
      old.activeLock.ptr !== cur.activeLock.ptr ||
      !idmap.check(old.activeLock.id, cur.activeLock.id)
    )
      return false;
  }
  for (let i = 0; i < old.refs.length; i++) {
    const o = old.refs[i]!;
    const c = cur.refs[i]!;
    if (!idmap.check(o.id, c.id) || o.kind !== c.kind) return false;
    if (o.kind === "lock" && o.lockPtr !== c.lockPtr) return false;
  }
  return true;
}

/** `func_states_equal`: only the registers live at the frame's instruction are compared. */
function funcStatesEqual(
  old: FuncState,
  cur: FuncState,
  idmap: IdMap,
  exact: ExactLevel,
  liveRegs: number,
): boolean {
  if (old.callbackDepth > cur.callbackDepth) return false;
  for (let i = 0; i < MAX_BPF_REG; i++)
    if (liveRegs & (1 << i) && !regsafe(old.regs[i]!, cur.regs[i]!, idmap, exact)) return false;
  return stacksafe(old, cur, idmap, exact);
}

/** The id map of `statesEqual`, reused: a comparison runs to its end before the next starts. */
const statesEqualIdMap = new IdMap(0);

/**
 * `states_equal`: `old` (a checkpoint) covers `cur`. `idGen` is the id
 * counter's value, above which fresh ids for unlinked scalars are drawn.
 * `liveRegsBefore` (per instruction, as compute_live_registers finds it)
 * limits each frame's comparison to the registers live at its instruction;
 * without it every register is compared.
 */
export function statesEqual(
  old: VerifierState,
  cur: VerifierState,
  exact: ExactLevel,
  idGen: number,
  liveRegsBefore?: Uint16Array,
): boolean {
  if (old.curframe !== cur.curframe) return false;
  const idmap = statesEqualIdMap.reset(idGen);
  if (old.speculative && !cur.speculative) return false;
  if (!refsafe(old, cur, idmap)) return false;
  for (let i = 0; i <= old.curframe; i++) {
    if (old.frames[i]!.callsite !== cur.frames[i]!.callsite) return false;
    const insnIdx = i === old.curframe ? old.insnIdx : old.frames[i + 1]!.callsite;
    const liveRegs = liveRegsBefore === undefined ? 0xffff : (liveRegsBefore[insnIdx] ?? 0xffff);
    if (!funcStatesEqual(old.frames[i]!, cur.frames[i]!, idmap, exact, liveRegs)) return false;
  }
  return true;
}

/** `states_maybe_looping`: the innermost frames' registers are identical, byte for byte. */
export function statesMaybeLooping(old: VerifierState, cur: VerifierState): boolean {
  const fr = cur.curframe;
  if (old.curframe !== fr) return false;
  const fold = old.frames[fr]!;
  const fcur = cur.frames[fr]!;
  for (let i = 0; i < MAX_BPF_REG; i++) {
    const o = fold.regs[i]!;
    const c = fcur.regs[i]!;
    if (!sameHead(o, c) || !sameBounds(o, c) || o.id !== c.id || o.refObjId !== c.refObjId)
      return false;
  }
  return true;
}
