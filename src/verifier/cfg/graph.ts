/**
 * `check_cfg` of kernel/bpf/verifier.c: a depth-first search from the entry
 * that every instruction must be reached by, and that no jump may land on the
 * second slot of an lddw. For a privileged loader a back-edge is no error
 * (the walk proves the loop ends), so reachability is all that is checked.
 * On the way it marks the instructions the walk treats specially: where
 * states are compared for pruning, where jump history is recorded, where a
 * checkpoint is forced.
 */
import type { Insn } from "../../isa/insn.js";
import {
  BPF_CALL,
  BPF_EXIT,
  BPF_JA,
  BPF_JMP,
  BPF_JMP32,
  insnClass,
  insnOp,
} from "../../isa/opcodes.js";
import { EINVAL } from "../result.js";
import {
  callsAsyncCallback,
  callsSyncCallback,
  isIterNextKfuncCall,
  isLdimm64,
  isMayGoto,
  isPseudoCall,
  isPseudoFunc,
  jumpOffset,
} from "./insn-kinds.js";
import { reject, type StructureLog } from "./report.js";

/** The per-instruction marks `check_cfg` leaves for the walk (the kernel's insn_aux_data flags). */
export interface ControlFlowMarks {
  /** `prune_point`: the walk looks for an equivalent visited state here */
  readonly prunePoints: ReadonlySet<number>;
  /** `jmp_point`: reached other than by falling through, so jump history records it */
  readonly jmpPoints: ReadonlySet<number>;
  /** `force_checkpoint`: a state is saved here however recently the last one was */
  readonly forceCheckpoints: ReadonlySet<number>;
  /** `calls_callback`: a call of a helper or kfunc that runs a callback before returning */
  readonly callsCallback: ReadonlySet<number>;
  /** targets of jumps and of calls into subprograms */
  readonly jumpTargets: ReadonlySet<number>;
}

interface Marks {
  readonly prunePoints: Set<number>;
  readonly jmpPoints: Set<number>;
  readonly forceCheckpoints: Set<number>;
  readonly callsCallback: Set<number>;
  readonly jumpTargets: Set<number>;
}

/** `push_insn` for one edge: the successor if it is in the program. */
function edge(from: number, to: number, insnCount: number, log: StructureLog): number {
  if (to < 0 || to >= insnCount)
    reject(log, EINVAL, `jump out of range from insn ${from} to ${to}`);
  return to;
}

/** A taken branch: its target is a pruning point and a jump point (`push_insn` with BRANCH). */
function branchTo(marks: Marks, target: number): void {
  marks.prunePoints.add(target);
  marks.jmpPoints.add(target);
  marks.jumpTargets.add(target);
}

/** `visit_insn`: the successors of instruction `t`, marking what the walk needs to know. */
function successors(insns: readonly Insn[], t: number, marks: Marks, log: StructureLog): number[] {
  const insn = insns[t] as Insn;
  const count = insns.length;
  const size = isLdimm64(insn) ? 2 : 1;
  const cls = insnClass(insn.code);
  const isCall = cls === BPF_JMP && insnOp(insn.code) === BPF_CALL;
  if (isPseudoFunc(insn) || isCall) {
    // `visit_func_call_insn`: control comes back after the call, from somewhere else.
    const next = [edge(t, t + size, count, log)];
    marks.prunePoints.add(t + size);
    marks.jmpPoints.add(t + size);
    if (isCall && callsAsyncCallback(insn)) marks.prunePoints.add(t);
    if (isCall && callsSyncCallback(insn)) {
      marks.callsCallback.add(t);
      marks.forceCheckpoints.add(t);
      marks.prunePoints.add(t);
      marks.jmpPoints.add(t);
    }
    if (isCall && isIterNextKfuncCall(insn)) {
      marks.prunePoints.add(t);
      marks.forceCheckpoints.add(t);
    }
    if (isPseudoFunc(insn) || isPseudoCall(insn)) {
      marks.prunePoints.add(t);
      next.push(edge(t, t + insn.imm + 1, count, log));
      branchTo(marks, t + insn.imm + 1);
    }
    return next;
  }
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return [edge(t, t + size, count, log)];
  switch (insnOp(insn.code)) {
    case BPF_EXIT:
      return [];
    case BPF_JA: {
      const target = edge(t, t + jumpOffset(insn) + 1, count, log);
      marks.prunePoints.add(target);
      marks.jmpPoints.add(target);
      marks.jumpTargets.add(target);
      return [target];
    }
    default: {
      marks.prunePoints.add(t);
      if (isMayGoto(insn)) marks.forceCheckpoints.add(t);
      const fallthrough = edge(t, t + 1, count, log);
      const target = edge(t, t + insn.off + 1, count, log);
      branchTo(marks, target);
      return [fallthrough, target];
    }
  }
}

/**
 * Walks the control flow graph from instruction 0, then reports the first
 * instruction (in program order) nobody reaches or the first lddw whose
 * second slot is jumped to.
 */
export function checkControlFlow(insns: readonly Insn[], log: StructureLog): ControlFlowMarks {
  const marks: Marks = {
    prunePoints: new Set(),
    jmpPoints: new Set(),
    forceCheckpoints: new Set(),
    callsCallback: new Set(),
    jumpTargets: new Set(),
  };
  const reached = new Uint8Array(insns.length);
  const stack = [0];
  reached[0] = 1;
  for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
    for (const next of successors(insns, t, marks, log)) {
      if (reached[next] === 1) continue;
      reached[next] = 1;
      stack.push(next);
    }
  }
  for (let i = 0; i < insns.length; i++) {
    if (reached[i] !== 1) reject(log, EINVAL, `unreachable insn ${i}`);
    if (isLdimm64(insns[i] as Insn)) {
      if (reached[i + 1] === 1) reject(log, EINVAL, `jump into the middle of ldimm64 insn ${i}`);
      i++;
    }
  }
  return marks;
}
