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

/** The whole abstract machine state on one path: `struct bpf_verifier_state`. */
export interface VerifierState {
  readonly frames: FuncState[];
  curframe: number;
  refs: RefState[];
  /** the held bpf_spin_lock: which allocation (map/object identity string) and id */
  activeLock: { readonly ptr: string; readonly id: number } | undefined;
  activeRcuLock: number;
  speculative: boolean;
}

export function newStackSlot(): StackSlot {
  return { slotType: [0, 0, 0, 0, 0, 0, 0, 0], spilled: notInitReg() };
}

export function newFuncState(frameno: number, callsite: number, subprogno: number): FuncState {
  const regs = Array.from({ length: MAX_BPF_REG }, notInitReg);
  regs[BPF_REG_FP] = framePointer(frameno);
  return { regs, stack: [], frameno, callsite, subprogno, inCallbackFn: false };
}

/** The state at a program's first instruction: R1 = ctx, R10 = fp. */
export function initialState(): VerifierState {
  const frame = newFuncState(0, -1, 0);
  markRegPointer(frame.regs[1]!, PTR_TO_CTX);
  return { frames: [frame], curframe: 0, refs: [], activeLock: undefined, activeRcuLock: 0, speculative: false };
}

function copyFrame(frame: FuncState): FuncState {
  return {
    regs: frame.regs.map(copyReg),
    stack: frame.stack.map((slot) => ({ slotType: [...slot.slotType], spilled: copyReg(slot.spilled) })),
    frameno: frame.frameno,
    callsite: frame.callsite,
    subprogno: frame.subprogno,
    inCallbackFn: frame.inCallbackFn,
  };
}

export function copyState(state: VerifierState): VerifierState {
  return {
    frames: state.frames.map(copyFrame),
    curframe: state.curframe,
    refs: [...state.refs],
    activeLock: state.activeLock,
    activeRcuLock: state.activeRcuLock,
    speculative: state.speculative,
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
    for (const slot of frame.stack) if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) yield slot.spilled;
  }
}
