/**
 * Instruction-level predicates the whole-program checks and the walk share,
 * named after the kernel's (`bpf_pseudo_call`, `bpf_is_ldimm64`, ...) so a
 * search for the kernel name finds them.
 */
import { helperId } from "../../isa/helpers.js";
import type { Insn } from "../../isa/insn.js";
import {
  BPF_ABS,
  BPF_CALL,
  BPF_EXIT,
  BPF_HELPER_CALL,
  BPF_IND,
  BPF_JA,
  BPF_JCOND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDDW,
  BPF_MAY_GOTO,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  insnClass,
  insnMode,
  insnOp,
} from "../../isa/opcodes.js";
import { kfuncName } from "../../object/kfuncs.js";

const CALL = BPF_JMP | BPF_CALL;

function requireHelper(name: string): number {
  const id = helperId(name);
  if (id === undefined) throw new Error(`helper table lacks ${name}`);
  return id;
}

export const BPF_FUNC_TAIL_CALL = requireHelper("bpf_tail_call");

/** `is_sync_callback_calling_function`: helpers that call a callback before they return. */
const SYNC_CALLBACK_HELPERS: ReadonlySet<number> = new Set(
  ["bpf_for_each_map_elem", "bpf_find_vma", "bpf_loop", "bpf_user_ringbuf_drain"].map(
    requireHelper,
  ),
);

/** `is_async_callback_calling_function` */
const ASYNC_CALLBACK_HELPERS: ReadonlySet<number> = new Set(
  ["bpf_timer_set_callback"].map(requireHelper),
);

function kfuncNameOf(insn: Insn): string | undefined {
  return kfuncName(insn.imm);
}

/** `bpf_is_ldimm64`: the first slot of a 64-bit immediate load. */
export function isLdimm64(insn: Insn): boolean {
  return insn.code === BPF_LDDW;
}

/** `bpf_pseudo_func`: an lddw that loads the address of a subprogram (`r2 = func pc+N`). */
export function isPseudoFunc(insn: Insn): boolean {
  return insn.code === BPF_LDDW && insn.src === BPF_PSEUDO_FUNC;
}

/** `bpf_pseudo_call`: a bpf-to-bpf call (`call pc+N`). */
export function isPseudoCall(insn: Insn): boolean {
  return insn.code === CALL && insn.src === BPF_PSEUDO_CALL;
}

/** `bpf_pseudo_kfunc_call`: a call of a kernel function by id. */
export function isKfuncCall(insn: Insn): boolean {
  return insn.code === CALL && insn.src === BPF_PSEUDO_KFUNC_CALL;
}

/** `bpf_helper_call`: a call of a helper by number. */
export function isHelperCall(insn: Insn): boolean {
  return insn.code === CALL && insn.src === BPF_HELPER_CALL;
}

export function isTailCall(insn: Insn): boolean {
  return isHelperCall(insn) && insn.imm === BPF_FUNC_TAIL_CALL;
}

/** The legacy packet loads (`LD_ABS`, `LD_IND`) that subprograms may only use with BTF. */
export function isLdAbsOrInd(insn: Insn): boolean {
  const mode = insnMode(insn.code);
  return insnClass(insn.code) === BPF_LD && (mode === BPF_ABS || mode === BPF_IND);
}

/** `is_may_goto_insn` */
export function isMayGoto(insn: Insn): boolean {
  return insn.code === (BPF_JMP | BPF_JCOND) && insn.src === BPF_MAY_GOTO;
}

/** A JMP or JMP32 class instruction other than call and exit: it names a target. */
export function isJump(insn: Insn): boolean {
  const cls = insnClass(insn.code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return false;
  const op = insnOp(insn.code);
  return op !== BPF_CALL && op !== BPF_EXIT;
}

/** `bpf_jmp_offset`: `gotol` (JMP32 | JA) keeps its offset in imm, every other jump in off. */
export function jumpOffset(insn: Insn): number {
  return insn.code === (BPF_JMP32 | BPF_JA) ? insn.imm : insn.off;
}

/** The instruction a jump at `index` goes to when taken. */
export function jumpTarget(insn: Insn, index: number): number {
  return index + jumpOffset(insn) + 1;
}

/** What may end a subprogram so that control never falls into the next one. */
export function isSubprogEnd(insn: Insn): boolean {
  return (
    insn.code === (BPF_JMP | BPF_EXIT) ||
    insn.code === (BPF_JMP32 | BPF_JA) ||
    insn.code === (BPF_JMP | BPF_JA)
  );
}

/** `is_sync_callback_calling_insn`: the callback runs before the call returns (bpf_loop, ...). */
export function callsSyncCallback(insn: Insn): boolean {
  if (isHelperCall(insn)) return SYNC_CALLBACK_HELPERS.has(insn.imm);
  return isKfuncCall(insn) && kfuncNameOf(insn) === "bpf_rbtree_add_impl";
}

/** `is_async_callback_calling_insn`: the callback runs later (timers, workqueues). */
export function callsAsyncCallback(insn: Insn): boolean {
  if (isHelperCall(insn)) return ASYNC_CALLBACK_HELPERS.has(insn.imm);
  return isKfuncCall(insn) && kfuncNameOf(insn) === "bpf_wq_set_callback_impl";
}

/** `is_iter_next_kfunc` for the iterators tsbpf knows. */
export function isIterNextKfuncCall(insn: Insn): boolean {
  if (!isKfuncCall(insn)) return false;
  const name = kfuncNameOf(insn);
  return name?.startsWith("bpf_iter_") === true && name.endsWith("_next");
}
