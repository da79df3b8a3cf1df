/**
 * Open-coded iterators (`bpf_iter_<type>_new/next/destroy`, what clang
 * emits for `bpf_for` and `bpf_repeat`): the iterator lives in stack slots
 * marked STACK_ITER and holds a reference until it is destroyed. A call of
 * `next` forks the walk: on the current path the iterator is drained and the
 * call returned NULL; a queued path continues with the iterator active one
 * level deeper. The loop converges when is_state_visited finds the queued
 * state at `next` equal to a checkpoint there (see prune/explored.ts).
 */
import type { KfuncName } from "../../object/kfuncs.js";
import type { VerifierEnv } from "../env.js";
import type { WalkControl } from "../jmp.js";
import { checkMemAccess } from "../mem.js";
import { IdMap, regsafe } from "../prune/equal.js";
import { markStackRead, markStackWrite } from "../prune/stack-marks.js";
import {
  markRegKnown,
  markRegNotInit,
  markRegPointer,
  markRegUnknown,
  type RegState,
} from "../reg-state.js";
import { PTR_MAYBE_NULL, PTR_TO_STACK, PTR_UNTRUSTED, SCALAR_VALUE } from "../reg-types.js";
import { EFAULT, EINVAL } from "../result.js";
import {
  BPF_REG_SIZE,
  type FuncState,
  type IterSlot,
  MAX_BPF_REG,
  STACK_INVALID,
  STACK_ITER,
  STACK_SPILL,
  type StackSlot,
  type VerifierState,
} from "../state.js";
import { tnumIsConst } from "../tnum.js";
import { releaseReference } from "./refs.js";

/** Which of an iterator's "methods" a kfunc is (`KF_ITER_NEW`, `KF_ITER_NEXT`, `KF_ITER_DESTROY`). */
export type IterRole = "new" | "next" | "destroy";

/** An iterator type: its name without `bpf_iter_` and how many stack slots its struct takes. */
export interface IterType {
  readonly kind: string;
  readonly nrSlots: number;
}

/** `struct bpf_iter_num` is one u64 of opaque state. */
const ITER_NUM: IterType = { kind: "num", nrSlots: 1 };

const ITER_KFUNCS: ReadonlyMap<KfuncName, { readonly type: IterType; readonly role: IterRole }> =
  new Map([
    ["bpf_iter_num_new", { type: ITER_NUM, role: "new" }],
    ["bpf_iter_num_next", { type: ITER_NUM, role: "next" }],
    ["bpf_iter_num_destroy", { type: ITER_NUM, role: "destroy" }],
  ] as const);

/** The iterator type and role of an iterator kfunc; undefined for any other kfunc. */
export function iterKfunc(name: KfuncName): { type: IterType; role: IterRole } | undefined {
  return ITER_KFUNCS.get(name);
}

/** Where `process_iter_arg` found an initialised iterator (`meta->iter`). */
export interface IterArg {
  readonly frameno: number;
  readonly spi: number;
  /** the reference the iterator holds */
  readonly refObjId: number;
}

/** `__get_spi`, with C's division: the frame's top (off 0) is slot 0 too. */
function getSpi(off: number): number {
  return Math.trunc((-off - 1) / BPF_REG_SIZE);
}

/**
 * `stack_slot_obj_get_spi` for an iterator: the slot index of the pointer's
 * constant, aligned offset; "range" when those slots are not allocated yet,
 * "invalid" (after saying why) when the pointer cannot hold an iterator.
 */
function iterGetSpi(
  env: VerifierEnv,
  reg: RegState,
  nrSlots: number,
): number | "range" | "invalid" {
  if (!tnumIsConst(reg.varOff)) {
    env.verbose("iter has to be at a constant offset");
    return "invalid";
  }
  const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
  const spi = getSpi(off);
  if (off % BPF_REG_SIZE !== 0 || spi + 1 < nrSlots) {
    env.verbose(`cannot pass in iter at an offset=${off}`);
    return "invalid";
  }
  const frame = env.state.frames[reg.frameno]!;
  // `is_spi_bounds_valid`
  if (spi >= frame.stack.length || spi - nrSlots + 1 < 0) return "range";
  return spi;
}

/** `is_iter_reg_valid_uninit`: none of the slots already holds an iterator. */
function isIterRegValidUninit(env: VerifierEnv, reg: RegState, nrSlots: number): boolean {
  const spi = iterGetSpi(env, reg, nrSlots);
  if (spi === "range") return true;
  if (spi === "invalid") return false;
  const frame = env.state.frames[reg.frameno]!;
  for (let i = 0; i < nrSlots; i++) {
    if (frame.stack[spi - i]!.slotType.includes(STACK_ITER)) return false;
  }
  return true;
}

/** `is_iter_reg_valid_init`: the slots hold one iterator of this type, its first slot holding the reference. */
function isIterRegValidInit(
  env: VerifierEnv,
  reg: RegState,
  type: IterType,
): "ok" | "invalid" | "untrusted" {
  const spi = iterGetSpi(env, reg, type.nrSlots);
  if (spi === "range" || spi === "invalid") return "invalid";
  const frame = env.state.frames[reg.frameno]!;
  for (let i = 0; i < type.nrSlots; i++) {
    const slot = frame.stack[spi - i]!;
    const st = slot.spilled;
    if (st.type & PTR_UNTRUSTED) return "untrusted";
    if ((i === 0) !== (st.refObjId !== 0)) return "invalid";
    if (slot.iter?.kind !== type.kind) return "invalid";
    if (!slot.slotType.every((t) => t === STACK_ITER)) return "invalid";
  }
  return "ok";
}

/** `mark_stack_slots_iter`: the slots become an active iterator holding a new reference. */
function markStackSlotsIter(env: VerifierEnv, reg: RegState, type: IterType): void {
  const spi = iterGetSpi(env, reg, type.nrSlots);
  if (typeof spi !== "number")
    env.reject(EFAULT, "verifier internal error: iterator slots not allocated");
  const frame = env.state.frames[reg.frameno]!;
  const id = env.nextId();
  env.state.refs = [...env.state.refs, { id, insnIdx: env.insnIdx, kind: "ptr" }];
  for (let i = 0; i < type.nrSlots; i++) {
    const slot = frame.stack[spi - i]!;
    // the kernel has no register type for an iterator: its slots say PTR_TO_STACK
    markRegPointer(slot.spilled, PTR_TO_STACK, { refObjId: i === 0 ? id : 0 });
    slot.iter = { kind: type.kind, state: "active", depth: 0 };
    slot.slotType.fill(STACK_ITER);
    markStackWrite(env, frame.frameno, spi - i);
    env.markStackSlotScratched(spi - i);
  }
}

/** `unmark_stack_slots_iter`: destroy releases the reference and frees the slots. */
function unmarkStackSlotsIter(env: VerifierEnv, reg: RegState, type: IterType, spi: number): void {
  const frame = env.state.frames[reg.frameno]!;
  for (let i = 0; i < type.nrSlots; i++) {
    const slot = frame.stack[spi - i]!;
    if (i === 0) releaseReference(env, slot.spilled.refObjId);
    markRegNotInit(slot.spilled);
    slot.iter = undefined;
    slot.slotType.fill(STACK_INVALID);
    markStackWrite(env, frame.frameno, spi - i);
    env.markStackSlotScratched(spi - i);
  }
}

/**
 * `process_iter_arg`: the iterator argument of `new` must be stack that
 * holds no iterator yet (it becomes one); of `next` and `destroy`, an
 * initialised iterator of the same type (destroy frees it).
 */
export function processIterArg(
  env: VerifierEnv,
  regno: number,
  type: IterType,
  role: IterRole,
): IterArg | undefined {
  const reg = env.reg(regno);
  const argno = regno - 1;
  if (reg.type !== PTR_TO_STACK) {
    env.reject(EINVAL, `arg#${argno} expected pointer to an iterator on stack`);
  }
  if (role === "new") {
    if (!isIterRegValidUninit(env, reg, type.nrSlots)) {
      env.reject(EINVAL, `expected uninitialized iter_${type.kind} as arg #${argno}`);
    }
    for (let i = 0; i < type.nrSlots * BPF_REG_SIZE; i += BPF_REG_SIZE) {
      checkMemAccess(
        env,
        env.insns[env.insnIdx]!,
        regno,
        i,
        BPF_REG_SIZE,
        "write",
        -1,
        false,
        false,
      );
    }
    markStackSlotsIter(env, reg, type);
    return undefined;
  }
  const valid = isIterRegValidInit(env, reg, type);
  if (valid === "invalid") {
    env.reject(EINVAL, `expected an initialized iter_${type.kind} as arg #${argno}`);
  }
  if (valid === "untrusted") {
    env.reject(EINVAL, `expected an RCU CS when using bpf_iter_${type.kind}_${role}`);
  }
  const spi = iterGetSpi(env, reg, type.nrSlots) as number;
  const frame = env.state.frames[reg.frameno]!;
  for (let i = 0; i < type.nrSlots; i++) {
    markStackRead(env, reg.frameno, spi - i);
    env.markStackSlotScratched(spi - i);
  }
  const arg = { frameno: reg.frameno, spi, refObjId: frame.stack[spi]!.spilled.refObjId };
  if (role === "destroy") unmarkStackSlotsIter(env, reg, type, spi);
  return arg;
}

function iterSlotOf(state: VerifierState, arg: IterArg): StackSlot {
  return state.frames[arg.frameno]!.stack[arg.spi]!;
}

/**
 * `process_iter_next_call`, after r0 was set from the return type: an
 * active iterator forks a queued path where `next` returned an element and
 * the iterator is one level deeper; on the current path it is drained and
 * r0 is NULL. `findLoopEntry` is `find_prev_entry`: the checkpoint at this
 * call on the current path whose active iterators are at another depth.
 */
export function processIterNextCall(
  env: VerifierEnv,
  walk: WalkControl,
  arg: IterArg,
  findLoopEntry: ((from: VerifierState, insnIdx: number) => VerifierState | undefined) | undefined,
): void {
  const cur = env.state;
  const curSlot = iterSlotOf(cur, arg);
  const iter = curSlot.iter;
  if (iter === undefined) env.reject(EFAULT, "verifier internal error: unexpected iterator state");
  if (iter.state === "active") {
    const parent = cur.parent;
    // next is a forced checkpoint: its parent is the checkpoint at this very call
    if (findLoopEntry !== undefined && (parent === undefined || parent.insnIdx !== env.insnIdx)) {
      env.reject(EFAULT, "bug: bad parent state for iter next call");
    }
    const prev = parent === undefined ? undefined : findLoopEntry?.(parent, env.insnIdx);
    const queued = walk.pushBranch(env.insnIdx + 1, env.insnIdx);
    const queuedSlot = iterSlotOf(queued, arg);
    queuedSlot.iter = { kind: iter.kind, state: "active", depth: iter.depth + 1 };
    if (prev !== undefined) widenImpreciseScalars(prev, queued);
    const r0 = queued.frames[queued.curframe]!.regs[0]!;
    r0.type &= ~PTR_MAYBE_NULL;
  }
  curSlot.iter = { kind: iter.kind, state: "drained", depth: iter.depth };
  // `__mark_reg_const_zero`: a privileged program's zero is not precise by default
  markRegKnown(env.reg(0), 0n);
}

/** `iter_active_depths_differ`: some iterator active in `old` is at another depth in `cur`. */
export function iterActiveDepthsDiffer(old: VerifierState, cur: VerifierState): boolean {
  for (let fr = old.curframe; fr >= 0; fr--) {
    const frame = old.frames[fr]!;
    const curFrame = cur.frames[fr];
    for (let i = 0; i < frame.stack.length; i++) {
      const slot = frame.stack[i]!;
      if (slot.slotType[0] !== STACK_ITER || slot.iter?.state !== "active") continue;
      if (curFrame?.stack[i]?.iter?.depth !== slot.iter.depth) return true;
    }
  }
  return false;
}

/**
 * The iterator r1 points at in `state` (the first argument of every
 * iterator kfunc); what is_state_visited asks at a `next` call.
 */
export function iterAtR1(state: VerifierState): IterSlot | undefined {
  const reg = state.frames[state.curframe]!.regs[1]!;
  if (reg.type !== PTR_TO_STACK || !tnumIsConst(reg.varOff)) return undefined;
  const spi = getSpi(reg.off + Number(BigInt.asIntN(64, reg.varOff.value)));
  return state.frames[reg.frameno]?.stack[spi]?.iter;
}

/** `maybe_widen_reg`: an imprecise scalar that changed between iterations becomes unknown. */
function maybeWidenReg(old: RegState, cur: RegState, idmap: IdMap): void {
  if (old.type !== SCALAR_VALUE || old.type !== cur.type) return;
  if (old.precise || cur.precise || regsafe(old, cur, idmap, "exact")) return;
  markRegUnknown(cur);
}

function isSpilledReg(slot: StackSlot): boolean {
  return slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL;
}

/**
 * `widen_imprecise_scalars`: scalars whose exact value nothing has needed
 * so far are forgotten in the queued iteration when they differ from the
 * loop's entry, so that the loop's states converge instead of counting.
 */
export function widenImpreciseScalars(old: VerifierState, cur: VerifierState): void {
  const idmap = new IdMap(0x4000_0000);
  for (let fr = old.curframe; fr >= 0; fr--) {
    const fold: FuncState = old.frames[fr]!;
    const fcur: FuncState = cur.frames[fr]!;
    for (let i = 0; i < MAX_BPF_REG; i++) maybeWidenReg(fold.regs[i]!, fcur.regs[i]!, idmap);
    const slots = Math.min(fold.stack.length, fcur.stack.length);
    for (let i = 0; i < slots; i++) {
      if (!isSpilledReg(fold.stack[i]!) || !isSpilledReg(fcur.stack[i]!)) continue;
      maybeWidenReg(fold.stack[i]!.spilled, fcur.stack[i]!.spilled, idmap);
    }
  }
}
