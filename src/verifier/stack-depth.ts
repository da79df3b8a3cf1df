/**
 * Stack use across calls (`check_max_stack_depth`): once every path is
 * verified, each subprogram's deepest stack use is known, and the call graph
 * is walked statically from the entry to check that no chain of calls needs
 * more than 512 bytes, nor is more than 8 frames deep (recursion that the
 * walk happened to bound is refused here).
 */
import type { Insn } from "../isa/insn.js";
import type { Subprog as SubprogLayout } from "./cfg/subprogs.js";
import type { VerifierEnv } from "./env.js";
import { E2BIG, EACCES, EINVAL } from "./result.js";
import { BPF_REG_SIZE, MAX_BPF_STACK } from "./state.js";

/** The kernel's MAX_CALL_FRAMES */
const MAX_CALL_FRAMES = 8;
/** `BPF_PRIV_STACK_MIN_SIZE`: smaller frames stay on the kernel stack */
const BPF_PRIV_STACK_MIN_SIZE = 64;

function isPseudoCall(insn: Insn): boolean {
  return insn.code === 0x85 && insn.src === 1;
}

function isPseudoFunc(insn: Insn): boolean {
  return insn.code === 0x18 && insn.src === 4;
}

function isPseudoKfuncCall(insn: Insn): boolean {
  return insn.code === 0x85 && insn.src === 2;
}

/**
 * `bpf_enable_priv_stack` on x86-64, whose JIT gives tracing programs a
 * private stack per subprogram: their frames are then limited one by one.
 */
function privateStackAllowed(env: VerifierEnv, layouts: readonly SubprogLayout[]): boolean {
  if (layouts.some((s) => s.hasTailCall)) return false;
  switch (env.progType) {
    case "kprobe":
    case "tracepoint":
    case "perf_event":
    case "raw_tracepoint":
      return true;
    case "tracing":
      // iterators are excepted from the recursion check that private stacks need
      return !env.program.section.startsWith("iter");
    default:
      return false;
  }
}

/**
 * `round_up_stack_depth` with the JIT on (these machines run with
 * `bpf_jit_enable=1`): frames are 16-byte aligned.
 */
export function roundUpStackDepth(depth: number): number {
  return Math.ceil(depth / 16) * 16;
}

/** `check_max_stack_depth` (and `check_max_stack_depth_subprog` from the entry). */
export function checkMaxStackDepth(env: VerifierEnv, layouts: readonly SubprogLayout[]): void {
  const insns = env.insns;
  const subprogs = env.subprogs;
  const privStack = privateStackAllowed(env, layouts);
  const isCb = new Set<number>();
  insns.forEach((insn, i) => {
    if (isPseudoFunc(insn)) isCb.add(env.subprogAt(i + insn.imm + 1));
  });
  const retInsn: number[] = [];
  const retProg: number[] = [];
  let depth = 0;
  let frame = 0;
  let idx = 0;
  let i = subprogs[0]!.start;
  const frameDepth = (sub: number) => roundUpStackDepth(subprogs[sub]!.stackDepth);
  // private stacks apply to the frames at least BPF_PRIV_STACK_MIN_SIZE deep
  const onPrivateStack = (sub: number) => privStack && frameDepth(sub) >= BPF_PRIV_STACK_MIN_SIZE;

  const enterFunc = (): void => {
    if (layouts[idx]?.hasLdAbs) {
      const inCb = isCb.has(idx) || retProg.slice(0, frame).some((p) => isCb.has(p));
      if (inCb) env.reject(EINVAL, "cannot use BPF_LD_[ABS|IND] within callback");
    }
    if (idx !== 0 && layouts[idx]?.hasTailCall && depth >= 256) {
      env.reject(
        EACCES,
        `tail_calls are not allowed when call stack of previous frames is ${depth} bytes. Too large`,
      );
    }
    const subDepth = frameDepth(idx);
    if (onPrivateStack(idx)) {
      if (subDepth > MAX_BPF_STACK)
        env.reject(EACCES, `stack size of subprog ${idx} is ${subDepth}. Too large`);
    } else {
      depth += subDepth;
      if (depth > MAX_BPF_STACK)
        env.reject(EACCES, `combined stack size of ${frame + 1} calls is ${depth}. Too large`);
    }
  };

  enterFunc();
  for (;;) {
    const end = subprogs[idx + 1]?.start ?? insns.length;
    let called = false;
    for (; i < end; i++) {
      const insn = insns[i]!;
      if (isPseudoKfuncCall(insn) || (!isPseudoCall(insn) && !isPseudoFunc(insn))) continue;
      retInsn[frame] = i + 1;
      retProg[frame] = idx;
      const next = i + insn.imm + 1;
      i = next;
      idx = env.subprogAt(next);
      frame++;
      if (frame >= MAX_CALL_FRAMES) {
        env.reject(E2BIG, `the call stack of ${frame} frames is too deep !`);
      }
      enterFunc();
      called = true;
      break;
    }
    if (called) continue;
    if (frame === 0) return;
    if (!onPrivateStack(idx)) depth -= frameDepth(idx);
    frame--;
    i = retInsn[frame]!;
    idx = retProg[frame]!;
  }
}

/** A stack access reached `bytes` below a frame's fp: the subprogram's depth grows to it (`grow_stack_state`). */
export function noteStackDepth(env: VerifierEnv, subprogno: number, bytes: number): void {
  const size = Math.ceil(bytes / BPF_REG_SIZE) * BPF_REG_SIZE;
  const sub = env.subprogs[subprogno];
  if (sub !== undefined && sub.stackDepth < size) sub.stackDepth = size;
}

/** The `stack depth 16+0` line of the statistics (log level 4): each subprogram's depth. */
export function stackDepthLine(env: VerifierEnv): string {
  return `stack depth ${env.subprogs.map((s) => s.stackDepth).join("+")}`;
}
