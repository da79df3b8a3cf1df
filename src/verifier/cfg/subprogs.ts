/**
 * Subprogram discovery and boundaries: `add_subprog_and_kfunc` and
 * `check_subprogs` of kernel/bpf/verifier.c. A subprogram starts wherever a
 * `call pc+N` or `r = func pc+N` points; it ends where the next one starts,
 * and its last instruction must keep control from falling into the next.
 */
import type { Insn } from "../../isa/insn.js";
import { kfuncName } from "../../object/kfuncs.js";
import { E2BIG, EINVAL } from "../result.js";
import {
  isJump,
  isKfuncCall,
  isLdAbsOrInd,
  isPseudoCall,
  isPseudoFunc,
  isSubprogEnd,
  isTailCall,
  jumpTarget,
} from "./insn-kinds.js";
import { EPROTO, reject, type StructureLog } from "./report.js";

/** `BPF_MAX_SUBPROGS`, the entry function included. */
export const MAX_SUBPROGS = 256;
/** `MAX_KFUNC_DESCS`: distinct kernel functions one program may call. */
export const MAX_KFUNC_DESCS = 256;

export interface Subprog {
  /** first instruction */
  readonly start: number;
  /** one past the last instruction: the next subprogram's start, or the program's length */
  readonly end: number;
  /** calls bpf_tail_call */
  readonly hasTailCall: boolean;
  /** uses LD_ABS or LD_IND */
  readonly hasLdAbs: boolean;
}

export interface KfuncPolicy {
  /** whether the program's license is GPL-compatible (kfuncs need it) */
  readonly gplCompatible: boolean;
  /** whether `id` names a kernel function */
  readonly isKfunc: (id: number) => boolean;
}

export const DEFAULT_KFUNC_POLICY: KfuncPolicy = {
  gplCompatible: true,
  isKfunc: (id) => kfuncName(id) !== undefined,
};

/** `add_subprog`: the index of the subprogram starting at `off`, added when new. */
function addSubprog(starts: number[], off: number, insnCount: number, log: StructureLog): void {
  if (off < 0 || off >= insnCount) reject(log, EINVAL, "call to invalid destination");
  if (starts.includes(off)) return;
  if (starts.length >= MAX_SUBPROGS) reject(log, E2BIG, "too many subprograms");
  starts.push(off);
  starts.sort((a, b) => a - b);
}

/** `add_kfunc_call`, as far as it can be decided without the kernel's BTF. */
function addKfuncCall(insn: Insn, seen: Set<string>, policy: KfuncPolicy, log: StructureLog): void {
  // The first kfunc call sets up the program's kfunc table, with its checks.
  if (seen.size === 0 && !policy.gplCompatible) {
    reject(log, EINVAL, "cannot call kernel function from non-GPL compatible program");
  }
  const id = insn.imm >>> 0;
  const off = insn.off;
  // Left for dead-code elimination, which reports it if it survives.
  if (id === 0 && off === 0) {
    seen.add("0:0");
    return;
  }
  if (off < 0) {
    log("negative offset disallowed for kernel module function call");
    reject(log, EINVAL, "failed to find BTF for kernel function");
  }
  if (off > 0) {
    // Module BTFs come from fd_array, which a tsbpf program never has.
    log("kfunc offset > 0 without fd_array is invalid");
    reject(log, EPROTO, "failed to find BTF for kernel function");
  }
  const key = `${id}:${off}`;
  if (seen.has(key)) return;
  if (seen.size >= MAX_KFUNC_DESCS) reject(log, E2BIG, "too many different kernel function calls");
  if (!policy.isKfunc(id)) reject(log, EINVAL, `kernel btf_id ${id} is not a function`);
  seen.add(key);
}

/**
 * `add_subprog_and_kfunc`: the sorted starts of all subprograms, the entry
 * function first. At log level 2 the kernel lists them (`func#1 @12`).
 */
export function findSubprogStarts(
  insns: readonly Insn[],
  policy: KfuncPolicy,
  logLevel: number,
  log: StructureLog,
): number[] {
  const starts: number[] = [];
  addSubprog(starts, 0, insns.length, log);
  const kfuncs = new Set<string>();
  insns.forEach((insn, i) => {
    if (isPseudoFunc(insn) || isPseudoCall(insn))
      addSubprog(starts, i + insn.imm + 1, insns.length, log);
    else if (isKfuncCall(insn)) addKfuncCall(insn, kfuncs, policy, log);
  });
  if (logLevel >= 2) {
    starts.forEach((start, i) => {
      log(`func#${i} @${start}`);
    });
  }
  return starts;
}

/**
 * `check_subprogs`: every jump stays inside its subprogram and every
 * subprogram ends in `exit` or an unconditional jump.
 */
export function checkSubprogs(
  insns: readonly Insn[],
  starts: readonly number[],
  log: StructureLog,
): Subprog[] {
  const subprogs: Subprog[] = [];
  starts.forEach((start, s) => {
    const end = starts[s + 1] ?? insns.length;
    let hasTailCall = false;
    let hasLdAbs = false;
    for (let i = start; i < end; i++) {
      const insn = insns[i] as Insn;
      if (isTailCall(insn)) hasTailCall = true;
      if (isLdAbsOrInd(insn)) hasLdAbs = true;
      if (isJump(insn)) {
        const target = jumpTarget(insn, i);
        if (target < start || target >= end)
          reject(log, EINVAL, `jump out of range from insn ${i} to ${target}`);
      }
    }
    if (!isSubprogEnd(insns[end - 1] as Insn))
      reject(log, EINVAL, "last insn is not an exit or jmp");
    subprogs.push({ start, end, hasTailCall, hasLdAbs });
  });
  return subprogs;
}
