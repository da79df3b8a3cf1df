import { copyReg, framePointer, markRegPointer, notInitReg, type RegState } from "./reg-state.js";
import { PTR_TO_CTX } from "./reg-types.js";

export const MAX_BPF_REG = 11;
export const BPF_REG_FP = 10;
export const BPF_REG_SIZE = 8;
export const MAX_BPF_STACK = 512;

/** What each byte of an 8-byte stack slot holds: the kernel's `enum bpf_stack_slot_type`. */
export const STACK_INVALID = 0;
export const STACK_SPILL = 1;
export const STACK_MISC = 2;
export const STACK_ZERO = 3;
export const STACK_DYNPTR = 4;
export const STACK_ITER = 5;

export interface StackSlot {
  /** per byte, lowest address first */
  readonly slotType: number[];
  /** the register spilled here, when `slotType` says STACK_SPILL */
  spilled: RegState;
  /** an open-coded iterator's state, when `slotType` says STACK_ITER (replaced, never mutated) */
  iter: IterSlot | undefined;
}

/** `reg->iter` of an iterator's stack slot; the reference id is `spilled.refObjId` on the first slot. */
export interface IterSlot {
  /** the iterator type without its `bpf_iter_` prefix: `num` */
  readonly kind: string;
  readonly state: "active" | "drained";
  /** how many times the walk took the iterator's next element (`iter.depth`) */
  readonly depth: number;
}

/** One frame of the call stack: `struct bpf_func_state`. */
export interface FuncState {
  readonly regs: RegState[];
  /** slot i covers fp-8*(i+1) .. fp-8*i-1 */
  readonly stack: StackSlot[];
  readonly frameno: number;
  /** instruction index of the call that made this frame, -1 for the main program */
  readonly callsite: number;
  readonly subprogno: number;
  inCallbackFn: boolean;
  /** callbacks: the values the callback may return (`callback_ret_range`) */
  callbackRetRange: { readonly min: number; readonly max: number } | undefined;
  /** how many times this frame's callback-calling helper has had its callback verified on this path */
  callbackDepth: number;
}

/** An acquired reference: `struct bpf_reference_state`. */
export interface RefState {
  readonly id: number;
  /** the instruction that acquired it, for `alloc_insn=` */
  readonly insnIdx: number;
  readonly kind: "ptr" | "lock" | "rcu" | "irq";
  /** for locks: the identity of the allocation the lock lives in */
  readonly lockPtr?: string;
}

/** A register or spilled stack slot linked to others by a shared scalar id (`struct linked_reg`). */
export interface LinkedReg {
  readonly frameno: number;
  /** the register number, or the stack slot index */
  readonly index: number;
  readonly isReg: boolean;
}

/** `INSN_F_STACK_ACCESS`: the instruction spilled to or filled from a stack slot */
export const INSN_F_STACK_ACCESS = 1;
/** `INSN_F_SRC_REG_STACK` / `INSN_F_DST_REG_STACK`: a compared register was a stack pointer */
export const INSN_F_SRC_REG_STACK = 2;
export const INSN_F_DST_REG_STACK = 4;

/**
 * One instruction of the jump history (`struct bpf_insn_hist_entry`): how the
 * path reached it when not by falling through, and which stack slot it
 * spilled to or filled from. Precision backtracking walks these backwards.
 */
export interface HistoryEntry {
  readonly idx: number;
  readonly prevIdx: number;
  flags: number;
  /** for a stack access: which frame and slot */
  stackFrame: number;
  stackSlot: number;
  /** scalars sharing an id at a conditional jump: precision flows between them */
  linkedRegs: readonly LinkedReg[];
}

/** The whole abstract machine state on one path: `struct bpf_verifier_state`. */
export interface VerifierState {
  readonly frames: FuncState[];
  curframe: number;
  refs: RefState[];
  /** the held bpf_spin_lock: which allocation (map/object identity string) and id */
  activeLock: { readonly ptr: string; readonly id: number } | undefined;
  activeRcuLock: number;
  speculative: boolean;
  /** the checkpoint this path continues from (`parent`), for precision backtracking */
  parent: VerifierState | undefined;
  /** paths from this checkpoint still being explored (`branches`): 0 means proven safe */
  branches: number;
  /** the instruction a checkpoint was taken at (`insn_idx`) */
  insnIdx: number;
  /** the first and the latest instruction of this path since its parent checkpoint */
  firstInsnIdx: number;
  lastInsnIdx: number;
  /** instructions since the parent checkpoint that backtracking cannot infer (`jmp_history`) */
  history: HistoryEntry[];
  /** a checkpoint whose dead registers and stack slots were cleared (`cleaned`) */
  cleaned: boolean;
}

export function newStackSlot(): StackSlot {
  return { slotType: [0, 0, 0, 0, 0, 0, 0, 0], spilled: notInitReg(), iter: undefined };
}

export function newFuncState(frameno: number, callsite: number, subprogno: number): FuncState {
  const regs = Array.from({ length: MAX_BPF_REG }, notInitReg);
  regs[BPF_REG_FP] = framePointer(frameno);
  return {
    regs,
    stack: [],
    frameno,
    callsite,
    subprogno,
    inCallbackFn: false,
    callbackRetRange: undefined,
    callbackDepth: 0,
  };
}

/**
 * The state at a program's first instruction: R1 = ctx, R10 = fp. A global
 * function verified on its own starts from its subprogram with only R10 set;
 * its arguments come from its prototype.
 */
export function initialState(subprogno = 0, start = 0): VerifierState {
  const frame = newFuncState(0, -1, subprogno);
  if (subprogno === 0) markRegPointer(frame.regs[1]!, PTR_TO_CTX);
  return {
    frames: [frame],
    curframe: 0,
    refs: [],
    activeLock: undefined,
    activeRcuLock: 0,
    speculative: false,
    parent: undefined,
    branches: 1,
    insnIdx: start,
    firstInsnIdx: start,
    lastInsnIdx: -1,
    history: [],
    cleaned: false,
  };
}

// Copies run at every branch and checkpoint: plain loops, no callbacks.
function copyFrame(frame: FuncState): FuncState {
  const srcRegs = frame.regs;
  const regs: RegState[] = [];
  for (let i = 0; i < srcRegs.length; i++) regs.push(copyReg(srcRegs[i]!));
  const srcStack = frame.stack;
  const stack: StackSlot[] = [];
  for (let i = 0; i < srcStack.length; i++) {
    const slot = srcStack[i]!;
    stack.push({
      slotType: slot.slotType.slice(),
      spilled: copyReg(slot.spilled),
      iter: slot.iter,
    });
  }
  return {
    regs,
    stack,
    frameno: frame.frameno,
    callsite: frame.callsite,
    subprogno: frame.subprogno,
    inCallbackFn: frame.inCallbackFn,
    callbackRetRange: frame.callbackRetRange,
    callbackDepth: frame.callbackDepth,
  };
}

/**
 * Only the newest history entry can still change (it is the one the
 * instruction being verified records into); older entries are shared.
 */
function copyHistory(history: readonly HistoryEntry[]): HistoryEntry[] {
  const copy = history.slice();
  const last = copy.length - 1;
  if (last >= 0) copy[last] = { ...copy[last]! };
  return copy;
}

function copyFrames(frames: readonly FuncState[]): FuncState[] {
  const copy: FuncState[] = [];
  for (let i = 0; i < frames.length; i++) copy.push(copyFrame(frames[i]!));
  return copy;
}

export function copyState(state: VerifierState): VerifierState {
  return {
    frames: copyFrames(state.frames),
    curframe: state.curframe,
    refs: state.refs.slice(),
    activeLock: state.activeLock,
    activeRcuLock: state.activeRcuLock,
    speculative: state.speculative,
    parent: state.parent,
    branches: state.branches,
    insnIdx: state.insnIdx,
    firstInsnIdx: state.firstInsnIdx,
    lastInsnIdx: state.lastInsnIdx,
    history: copyHistory(state.history),
    cleaned: false,
  };
}

export function curFrame(state: VerifierState): FuncState {
  return state.frames[state.curframe]!;
}

/** Grows a frame's stack so `bytes` bytes below fp exist. */
export function growStack(frame: FuncState, bytes: number): void {
  const slots = Math.ceil(bytes / BPF_REG_SIZE);
  while (frame.stack.length < slots) frame.stack.push(newStackSlot());
}

/** Every register of every frame, and every spilled register: what null checks and invalidations walk. */
export function* allRegs(state: VerifierState): Generator<RegState> {
  for (const frame of state.frames) {
    yield* frame.regs;
    for (const slot of frame.stack)
      if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) yield slot.spilled;
  }
}
