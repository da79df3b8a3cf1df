/**
 * Helpers that call back into the program (bpf_loop, bpf_for_each_map_elem):
 * `push_callback_call` queues the callback, verified as a subprogram in a
 * new frame on a copy of the state, while the caller goes on after the call.
 * When the callback returns, verification resumes at the call itself, which
 * queues the next iteration until the iteration count is reached (or state
 * pruning finds nothing new).
 */
import type { VerifierEnv } from "../env.js";
import { invalidScalarMessage } from "../exit.js";
import type { WalkControl } from "../jmp.js";
import { markChainPrecision } from "../prune/precision.js";
import { copyReg, markRegPointer, markRegUnknown } from "../reg-state.js";
import { CONST_PTR_TO_MAP, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, SCALAR_VALUE } from "../reg-types.js";
import { E2BIG, EACCES, EINVAL } from "../result.js";
import { type FuncState, newFuncState } from "../state.js";
import { registerIsNull } from "./args.js";

/** The kernel's MAX_CALL_FRAMES. */
const MAX_CALL_FRAMES = 8;

/** Sets up the callback's registers from the caller's (`set_callee_state_fn`). */
export type SetCalleeState = (caller: FuncState, callee: FuncState) => void;

/** `set_loop_callback_state`: `callback(u32 index, void *ctx)`, returning 0 (go on) or 1 (stop). */
export const setLoopCallbackState: SetCalleeState = (caller, callee) => {
  markRegUnknown(callee.regs[1]!);
  callee.regs[2] = copyReg(caller.regs[3]!);
  callee.inCallbackFn = true;
  callee.callbackRetRange = { min: 0, max: 1 };
};

/**
 * `set_map_elem_callback_state`: `callback(map, key, value, ctx)` of
 * bpf_for_each_map_elem, returning 0 (go on) or 1 (stop).
 */
export const setMapElemCallbackState: SetCalleeState = (caller, callee) => {
  const mapIndex = caller.regs[1]!.mapIndex;
  markRegPointer(callee.regs[1]!, CONST_PTR_TO_MAP, { mapIndex });
  markRegPointer(callee.regs[2]!, PTR_TO_MAP_KEY, { mapIndex });
  markRegPointer(callee.regs[3]!, PTR_TO_MAP_VALUE, { mapIndex });
  callee.regs[4] = copyReg(caller.regs[3]!);
  callee.inCallbackFn = true;
  callee.callbackRetRange = { min: 0, max: 1 };
};

/** `bpf_loop_inline_state` per call instruction: can the loop be inlined (flags 0, one callback)? */
const loopInlineStates = new WeakMap<
  VerifierEnv,
  Map<number, { fit: boolean; subprogno: number }>
>();

/**
 * `update_loop_inline_state` and the precision bpf_loop's arguments need:
 * a zero flags argument (r4) is relied on while the call may still be
 * inlined, and the iteration count (r1) decides when the loop is done.
 */
export function markLoopArgsPrecise(env: VerifierEnv, subprogno: number): void {
  let states = loopInlineStates.get(env);
  if (states === undefined) {
    states = new Map();
    loopInlineStates.set(env, states);
  }
  const flagIsZero = (): boolean => {
    const zero = registerIsNull(env.reg(4));
    if (zero) markChainPrecision(env, 4);
    return zero;
  };
  const state = states.get(env.insnIdx);
  if (state === undefined) states.set(env.insnIdx, { fit: flagIsZero(), subprogno });
  else if (state.fit) state.fit = flagIsZero() && state.subprogno === subprogno;
  markChainPrecision(env, 1);
}

/** `push_callback_call`: queue the callback `subprogno` in a new frame on a copy of the state. */
export function pushCallbackCall(
  env: VerifierEnv,
  walk: WalkControl,
  subprogno: number,
  setCallee: SetCalleeState,
): void {
  const sub = env.subprogs[subprogno]!;
  const callbackState = walk.pushBranch(sub.start, env.insnIdx);
  // setup_func_entry, on the queued copy
  if (callbackState.curframe + 1 >= MAX_CALL_FRAMES) {
    env.reject(E2BIG, `the call stack of ${callbackState.curframe + 2} frames is too deep`);
  }
  const caller = callbackState.frames[callbackState.curframe]!;
  const callee = newFuncState(callbackState.curframe + 1, env.insnIdx, subprogno);
  // `init_func_state` marks the whole state scratched
  env.markAllScratched();
  setCallee(caller, callee);
  callbackState.frames.push(callee);
  callbackState.curframe++;
  caller.callbackDepth++;
  env.frame.callbackDepth = 0;
}

/**
 * The callback half of `prepare_func_exit`: r0 must be a scalar within the
 * callback's return range; the caller resumes at the call instruction.
 */
export function checkCallbackReturn(env: VerifierEnv, callee: FuncState): void {
  const r0 = callee.regs[0]!;
  if (r0.type !== SCALAR_VALUE) env.reject(EACCES, "R0 not a scalar value");
  // the return value decides whether the loop goes on: its exact value matters
  markChainPrecision(env, 0);
  const range = callee.callbackRetRange ?? { min: 0, max: 1 };
  if (r0.smin < BigInt(range.min) || r0.smax > BigInt(range.max)) {
    env.reject(EINVAL, invalidScalarMessage("At callback return", "R0", r0.smin, r0.smax, range));
  }
}
