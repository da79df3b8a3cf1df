import { RuntimeFault } from "./errors.js";
import { ACCESS_RW, MAX_CALL_FRAMES, Memory, type MemoryOptions } from "./memory.js";
import type { DecodedProgram } from "./program.js";

/**
 * A helper or kfunc implementation. It reads its arguments from `vm.regs`
 * (r1..r5) and returns the value for r0. It may fault with `vm.fault(...)`.
 */
export type NativeFn = (vm: Vm) => bigint;

export interface NativeEntry {
  readonly name: string;
  readonly fn: NativeFn;
}

/** The kernel's default instruction budget per run for programs the verifier accepted. */
export const DEFAULT_BUDGET = 1_000_000;
/** `MAX_TAIL_CALL_CNT` */
export const MAX_TAIL_CALLS = 33;
/** `BPF_MAX_LOOPS`: iterations a `may_goto` allows before it takes its branch. */
export const MAY_GOTO_LIMIT = 8 * 1024 * 1024;

export interface VmOptions extends MemoryOptions {
  /** instructions one run may execute before it faults (default 1,000,000) */
  readonly budget?: number;
}

/**
 * The machine programs run on: the address space, the register file, the
 * helper and kfunc tables, and the state of the run in progress. One `Vm`
 * runs one program at a time; a run that faults leaves nothing behind that
 * the next run would see (registers, frames and counters are reset at entry).
 */
export class Vm {
  readonly memory: Memory;
  /** r0..r10; `regs32` views the same bytes as (low, high) 32-bit halves */
  readonly regs = new BigUint64Array(11);
  readonly regs32 = new Uint32Array(this.regs.buffer);
  readonly signedRegs = new BigInt64Array(this.regs.buffer);
  /** helpers by the kernel's id */
  readonly helpers = new Map<number, NativeEntry>();
  /** kfuncs by tsbpf's id (src/object/kfuncs.ts) */
  readonly kfuncs = new Map<number, NativeEntry>();
  budget: number;

  // State of the run in progress, read and written by the interpreter and helpers.
  /** instructions left in this run's budget */
  remaining = 0;
  /** frame index of the function executing */
  depth = 0;
  /** index of the instruction being executed when a helper runs */
  pc = 0;
  program: DecodedProgram | undefined;
  /** set by the tail-call helper: the interpreter continues in this program */
  tailCallTarget: DecodedProgram | undefined;
  tailCalls = 0;
  mayGotoLeft = MAY_GOTO_LIMIT;
  /** trace_printk output of this run */
  printk: string[] = [];
  /** the packet the legacy `ldabs`/`ldind` loads read, [start, end) */
  packetStart = 0;
  packetEnd = 0;
  /** caller state per frame depth: r6..r9 as 32-bit halves, return index, program */
  readonly savedRegs = new Uint32Array(MAX_CALL_FRAMES * 8);
  readonly returnPc = new Int32Array(MAX_CALL_FRAMES);
  readonly returnProgram: DecodedProgram[] = [];
  /** addresses of the bpf_spin_locks the run holds */
  readonly heldLocks: number[] = [];
  /** functions to run when the run ends, fault or not (releasing per-run allocations) */
  readonly atRunEnd: (() => void)[] = [];

  constructor(options: VmOptions = {}) {
    this.memory = new Memory(options);
    this.budget = options.budget ?? DEFAULT_BUDGET;
  }

  registerHelper(id: number, name: string, fn: NativeFn): void {
    this.helpers.set(id, { name, fn });
  }

  registerKfunc(id: number, name: string, fn: NativeFn): void {
    this.kfuncs.set(id, { name, fn });
  }

  /** r1..r5 as a number, for helpers taking addresses or sizes (faults when above 2^53). */
  arg(n: 1 | 2 | 3 | 4 | 5): number {
    const lo = this.regs32[n * 2]!;
    const hi = this.regs32[n * 2 + 1]!;
    if (hi >= 0x200000) this.fault(`R${n} = ${this.regs[n]} is too large for this argument`);
    return hi * 0x100000000 + lo;
  }

  /** Throws a fault at the instruction being executed. */
  fault(message: string): never {
    throw new RuntimeFault(message, this.pc);
  }

  /** Frame pointer (r10) of frame `depth`. */
  framePointer(depth: number): number {
    if (depth >= MAX_CALL_FRAMES) {
      this.fault(`call stack too deep: more than ${MAX_CALL_FRAMES} frames`);
    }
    return this.memory.frames[depth]!.end;
  }

  /** Prepares the per-run state. */
  beginRun(program: DecodedProgram): void {
    this.regs.fill(0n);
    this.remaining = this.budget;
    this.depth = 0;
    this.pc = 0;
    this.program = program;
    this.tailCallTarget = undefined;
    this.tailCalls = 0;
    this.mayGotoLeft = MAY_GOTO_LIMIT;
    this.printk = [];
    for (const frame of this.memory.frames) {
      this.memory.bytes.fill(0, frame.start, frame.end);
    }
  }

  /** Releases what the run allocated; runs whether the run ended cleanly or not. */
  endRun(): void {
    for (const addr of this.heldLocks.splice(0)) {
      if (this.memory.allows(addr, 4, ACCESS_RW)) this.memory.view.setUint32(addr, 0, true);
    }
    const pending = this.atRunEnd.splice(0);
    for (const f of pending) f();
    this.program = undefined;
    this.tailCallTarget = undefined;
  }
}
