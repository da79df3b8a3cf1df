/**
 * Calls: bpf-to-bpf calls into subprograms (new frames, argument passing,
 * return), kfunc calls, and the dispatch to helper calls.
 */
import type { Insn } from "../isa/insn.js";
import { checkCallbackReturn } from "./calls/callbacks.js";
import { checkSubprogCall, funcArgsInfo } from "./calls/global-funcs.js";
import { DST_OP_NO_MARK, type VerifierEnv } from "./env.js";
import type { WalkControl } from "./jmp.js";
import { formatFuncState } from "./log.js";
import { copyReg, markRegNotInit, markRegUnknown } from "./reg-state.js";
import { PTR_TO_STACK } from "./reg-types.js";
import { E2BIG, EFAULT, EINVAL } from "./result.js";
import { newFuncState } from "./state.js";

export { checkHelperCall } from "./helper-call.js";

/** The kernel's MAX_CALL_FRAMES. */
const MAX_CALL_FRAMES = 8;
const CALLER_SAVED = [0, 1, 2, 3, 4, 5];

/** `clear_caller_saved_regs`: after any call, r0-r5 hold nothing the caller may read. */
export function clearCallerSavedRegs(env: VerifierEnv): void {
  for (const r of CALLER_SAVED) {
    markRegNotInit(env.reg(r));
    env.checkRegArg(r, DST_OP_NO_MARK);
  }
}

/** `check_func_call`: a call to a subprogram of the same program. */
export function checkFuncCall(env: VerifierEnv, insn: Insn, _walk: WalkControl): void {
  const target = env.insnIdx + insn.imm + 1;
  const subprogno = env.subprogs.findIndex((s) => s.start === target);
  if (subprogno < 0) env.reject(EFAULT, `verifier bug. No program starts at insn ${target}`);
  const sub = env.subprogs[subprogno]!;
  const state = env.state;
  const err = checkSubprogCall(env, subprogno, env.frame.regs);
  if (err === EFAULT) env.reject(EFAULT);
  if (sub.linkage === "global") {
    if (state.activeLock !== undefined) {
      env.verbose("global function calls are not allowed while holding a lock,");
      env.reject(EINVAL, "use static function instead");
    }
    if (err) env.reject(err, `Caller passes invalid args into func#${subprogno} ('${sub.name}')`);
    env.log.write(`Func#${subprogno} ('${sub.name}') is global and assumed valid.\n`);
    // the function is verified on its own once the main program is
    funcArgsInfo(sub).called = true;
    clearCallerSavedRegs(env);
    markRegUnknown(env.reg(0));
    return;
  }
  if (state.curframe + 1 >= MAX_CALL_FRAMES) {
    env.reject(E2BIG, `the call stack of ${state.curframe + 2} frames is too deep`);
  }
  const caller = env.frame;
  const callee = newFuncState(state.curframe + 1, env.insnIdx, subprogno);
  // `init_func_state` marks everything scratched: the callee's first instruction prints its registers
  env.markAllScratched();
  // r1-r5 carry the arguments; the callee may not read r0 or r6-r9
  for (let r = 1; r <= 5; r++) callee.regs[r] = copyReg(caller.regs[r]!);
  state.frames.push(callee);
  state.curframe++;
  for (const r of CALLER_SAVED) markRegNotInit(caller.regs[r]!);
  env.insnIdx = sub.start - 1;
  if (env.log.enabled) {
    env.log.write("caller:\n");
    env.log.write(`${formatFuncState(caller, env.names, undefined, state.refs)}\n`);
    env.log.write("callee:\n");
    env.log.write(`${formatFuncState(callee, env.names, undefined, state.refs)}\n`);
  }
}

/** `prepare_func_exit`: back to the caller with the callee's r0. */
export function prepareFuncExit(env: VerifierEnv): void {
  const state = env.state;
  const callee = env.frame;
  const r0 = callee.regs[0]!;
  if (r0.type === PTR_TO_STACK) env.reject(EINVAL, "cannot return stack pointer to the caller");
  const caller = state.frames[state.curframe - 1]!;
  if (callee.inCallbackFn) {
    // back to the helper call, which queues the next iteration of the callback
    checkCallbackReturn(env, callee);
    env.insnIdx = callee.callsite;
  } else {
    caller.regs[0] = copyReg(r0);
    env.insnIdx = callee.callsite + 1;
  }
  if (env.log.enabled) {
    env.log.write("returning from callee:\n");
    env.log.write(`${formatFuncState(callee, env.names, undefined, state.refs)}\n`);
    env.log.write(`to caller at ${env.insnIdx}:\n`);
    env.log.write(`${formatFuncState(caller, env.names, undefined, state.refs)}\n`);
  }
  state.frames.pop();
  state.curframe--;
}

export { checkKfuncCall, checkKfuncCallUnderLock } from "./calls/kfuncs.js";
