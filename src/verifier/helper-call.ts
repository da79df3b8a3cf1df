/**
 * `check_helper_call`: a call of a kernel helper by id. The prototype table
 * (calls/helper-protos.ts) says which program types may call it and what
 * each argument must be; this checks the arguments, applies what the helper
 * does to the state (references acquired and released, locks, callbacks,
 * packet pointers invalidated) and sets r0 from the return type.
 */
import type { Insn } from "../isa/insn.js";
import { syncInPlace } from "./bounds.js";
import {
  type CallArgMeta,
  checkFuncArg,
  newCallArgMeta,
  recordFuncKey,
  registerIsNull,
} from "./calls/args.js";
import {
  markLoopArgsPrecise,
  pushCallbackCall,
  setLoopCallbackState,
  setMapElemCallbackState,
} from "./calls/callbacks.js";
import {
  baseArgType,
  type HelperProto,
  helperName,
  helperProto,
  RET_INTEGER,
  RET_PTR_TO_BTF_ID,
  RET_PTR_TO_MAP_VALUE,
  RET_PTR_TO_MEM,
  RET_PTR_TO_MEM_OR_BTF_ID,
  RET_PTR_TO_SOCK_COMMON,
  RET_PTR_TO_SOCKET,
  RET_PTR_TO_TCP_SOCK,
  RET_VOID,
} from "./calls/helper-protos.js";
import { releaseKptrXchgSource, setKptrXchgReturn } from "./calls/kptr.js";
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_SOCKHASH,
  BPF_MAP_TYPE_SOCKMAP,
  checkMapFuncCompatibility,
  FN,
  recordFuncMap,
} from "./calls/map-compat.js";
import { acquireReferenceState, releaseReference } from "./calls/refs.js";
import { mapSpinLockOffset } from "./calls/spin-lock.js";
import { clearCallerSavedRegs } from "./calls.js";
import type { VerifierEnv } from "./env.js";
import { checkResourceLeak } from "./exit.js";
import type { WalkControl } from "./jmp.js";
import { checkMemAccess } from "./mem.js";
import { markRegNotInit, markRegPointer, markRegUnknown } from "./reg-state.js";
import {
  isPacketPointer,
  MEM_ALLOC,
  MEM_RCU,
  MEM_RDONLY,
  PTR_MAYBE_NULL,
  PTR_TO_BTF_ID,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_PACKET_END,
  PTR_TO_SOCK_COMMON,
  PTR_TO_SOCKET,
  PTR_TO_TCP_SOCK,
  typeFlag,
  typeMayBeNull,
} from "./reg-types.js";
import { EINVAL } from "./result.js";
import { allRegs } from "./state.js";

/** `license_is_gpl_compatible` */
const GPL_COMPATIBLE = new Set([
  "GPL",
  "GPL v2",
  "GPL and additional rights",
  "Dual BSD/GPL",
  "Dual MIT/GPL",
  "Dual MPL/GPL",
]);

/** `bpf_helper_changes_pkt_data`: helpers that may move or resize the packet. */
const CHANGES_PKT_DATA = new Set([
  9, 10, 11, 13, 18, 19, 31, 38, 39, 43, 44, 50, 54, 63, 65, 73, 74, 75, 76, 90, 91, 143,
]);

/** `is_ptr_cast_function`: r0 is the argument seen as another socket type, holding its reference. */
const PTR_CAST_FUNCTIONS = new Set([96, 95, 137, 136, 138, 196, 139, 140]);

const MAX_ERRNO = 4095n;
const FN_PER_CPU_PTR = 153;
const FN_THIS_CPU_PTR = 154;

/** `is_acquire_function`: r0 holds a new reference the program must release. */
function isAcquireFunction(env: VerifierEnv, funcId: number, mapIndex: number): boolean {
  if (
    funcId === FN.sk_lookup_tcp ||
    funcId === FN.sk_lookup_udp ||
    funcId === FN.skc_lookup_tcp ||
    funcId === FN.ringbuf_reserve ||
    funcId === FN.kptr_xchg
  ) {
    return true;
  }
  const mapType = mapIndex >= 0 ? env.maps[mapIndex]!.type : 0;
  return (
    funcId === FN.map_lookup_elem &&
    (mapType === BPF_MAP_TYPE_SOCKMAP || mapType === BPF_MAP_TYPE_SOCKHASH)
  );
}

/** Programs that may sleep: the `.s` section variants, and syscall programs. */
function isSleepable(env: VerifierEnv): boolean {
  return env.progType === "syscall" || /^[a-z_]+\.s(\/|$)/.test(env.program.section);
}

/** The `function calls are not allowed while holding a lock` rule (do_check, before the call is looked at). */
function checkCallUnderLock(env: VerifierEnv, funcId: number): void {
  if (env.state.activeLock !== undefined && funcId !== FN.spin_unlock) {
    env.reject(EINVAL, "function calls are not allowed while holding a lock");
  }
}

/** The prototype, or the kernel's refusal: unknown id, not for this program type, GPL-only, may sleep. */
function lookUpProto(env: VerifierEnv, funcId: number): HelperProto {
  const found = helperProto(funcId, env.progType);
  if (found === "unknown") env.reject(EINVAL, `invalid func ${helperName(funcId)}#${funcId}`);
  if (found === "not-allowed") {
    env.reject(EINVAL, `program of this type cannot use helper ${helperName(funcId)}#${funcId}`);
  }
  if (found.gplOnly && !GPL_COMPATIBLE.has(env.program.license)) {
    env.reject(EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
  }
  if (found.mightSleep && !isSleepable(env))
    env.reject(EINVAL, "helper call might sleep in a non-sleepable prog");
  if (env.state.activeRcuLock && found.mightSleep) {
    env.reject(EINVAL, `sleepable helper ${helperName(funcId)}#${funcId} in rcu_read_lock region`);
  }
  return found;
}

/** The reference an OBJ_RELEASE argument holds goes away with every copy of the pointer. */
function releaseArgument(env: VerifierEnv, meta: CallArgMeta): void {
  if (meta.releaseRegno === 0) return;
  let released = false;
  if (meta.funcId === FN.kptr_xchg && meta.refObjId !== 0)
    released = releaseKptrXchgSource(env, meta.refObjId);
  else if (meta.refObjId !== 0) released = releaseReference(env, meta.refObjId);
  else released = registerIsNull(env.reg(meta.releaseRegno));
  if (!released) {
    env.reject(
      EINVAL,
      `func ${helperName(meta.funcId)}#${meta.funcId} reference has not been acquired before`,
    );
  }
}

/** What some helpers do beyond their arguments: tail calls, callbacks, flags that must be zero. */
function checkHelperSpecific(env: VerifierEnv, meta: CallArgMeta, walk: WalkControl): void {
  const regs = env.regs;
  switch (meta.funcId) {
    case FN.tail_call:
      checkResourceLeak(env, true, "tail_call");
      return;
    case FN.get_local_storage:
      if (!registerIsNull(regs[2]!))
        env.reject(EINVAL, "get_local_storage() doesn't support non-zero flags");
      return;
    case FN.loop:
      markLoopArgsPrecise(env, meta.subprogno);
      if (BigInt(env.frame.callbackDepth) < regs[1]!.umax) {
        pushCallbackCall(env, walk, meta.subprogno, setLoopCallbackState);
      } else {
        env.frame.callbackDepth = 0;
        if (env.log.level2)
          env.log.write(`frame${env.state.curframe} bpf_loop iteration limit reached\n`);
      }
      return;
    case FN.for_each_map_elem:
      pushCallbackCall(env, walk, meta.subprogno, setMapElemCallbackState);
      return;
    default:
      return;
  }
}

/** Sets r0 from the helper's return type (`check_helper_call`'s return-type switch). */
function setReturnValue(
  env: VerifierEnv,
  funcId: number,
  proto: HelperProto,
  meta: CallArgMeta,
): void {
  const r0 = env.reg(0);
  const retType = proto.ret;
  let retFlag = typeFlag(retType);
  switch (baseArgType(retType)) {
    case RET_INTEGER:
      markRegUnknown(r0);
      break;
    case RET_VOID:
      markRegNotInit(r0);
      break;
    case RET_PTR_TO_MAP_VALUE: {
      if (meta.mapIndex < 0) env.reject(EINVAL, "kernel subsystem misconfigured verifier");
      const map = env.maps[meta.mapIndex]!;
      // a lookup in an array with a constant key inside it cannot fail
      const arrayType = map.type === BPF_MAP_TYPE_ARRAY || map.type === BPF_MAP_TYPE_PERCPU_ARRAY;
      if (
        funcId === FN.map_lookup_elem &&
        arrayType &&
        meta.constMapKey >= 0n &&
        meta.constMapKey < BigInt(map.maxEntries)
      ) {
        retFlag &= ~PTR_MAYBE_NULL;
      }
      markRegPointer(r0, PTR_TO_MAP_VALUE | retFlag, { mapIndex: meta.mapIndex });
      // the id of a map value with a lock names the lock (`bpf_spin_unlock of different lock`)
      if (!typeMayBeNull(retFlag) && mapSpinLockOffset(env, meta.mapIndex) !== undefined)
        r0.id = env.nextId();
      break;
    }
    case RET_PTR_TO_SOCKET:
      markRegPointer(r0, PTR_TO_SOCKET | retFlag);
      break;
    case RET_PTR_TO_SOCK_COMMON:
      markRegPointer(r0, PTR_TO_SOCK_COMMON | retFlag);
      break;
    case RET_PTR_TO_TCP_SOCK:
      markRegPointer(r0, PTR_TO_TCP_SOCK | retFlag);
      break;
    case RET_PTR_TO_MEM:
      markRegPointer(r0, PTR_TO_MEM | retFlag, { memSize: meta.memSize });
      break;
    case RET_PTR_TO_MEM_OR_BTF_ID:
      if ((funcId === FN_PER_CPU_PTR || funcId === FN_THIS_CPU_PTR) && meta.percpuAllocArg) {
        // a per-CPU local object read from a kptr: this CPU's copy, under RCU
        markRegPointer(r0, PTR_TO_BTF_ID | MEM_ALLOC | MEM_RCU, { btfId: meta.retBtfId });
      } else {
        markRegPointer(r0, PTR_TO_BTF_ID | (retFlag & ~MEM_RDONLY), { btfId: meta.retBtfId });
      }
      break;
    case RET_PTR_TO_BTF_ID:
      if (funcId === FN.kptr_xchg && meta.kptrField !== undefined) {
        setKptrXchgReturn(r0, meta.kptrField, retFlag);
        break;
      }
      // the kernel struct comes from vmlinux BTF, which tsbpf does not carry
      markRegPointer(r0, PTR_TO_BTF_ID | (retFlag & ~MEM_RDONLY));
      break;
    default:
      env.reject(
        EINVAL,
        `unknown return type ${baseArgType(retType)} of func ${helperName(funcId)}#${funcId}`,
      );
  }
  if (typeMayBeNull(r0.type)) r0.id = env.nextId();
  if (PTR_CAST_FUNCTIONS.has(funcId)) {
    r0.refObjId = meta.refObjId;
  } else if (isAcquireFunction(env, funcId, meta.mapIndex)) {
    const id = acquireReferenceState(env, env.insnIdx);
    r0.id = id;
    r0.refObjId = id;
  }
  refineRetvalRange(r0, funcId, meta);
}

/** `do_refine_retval_range`: string and stack readers return at most the buffer's size. */
function refineRetvalRange(
  r0: ReturnType<VerifierEnv["reg"]>,
  funcId: number,
  meta: CallArgMeta,
): void {
  switch (funcId) {
    case FN.get_stack:
    case FN.get_task_stack:
    case FN.probe_read_str:
    case FN.probe_read_kernel_str:
    case FN.probe_read_user_str:
      r0.smax = meta.msizeMaxValue;
      r0.s32Max = Number(BigInt.asIntN(32, meta.msizeMaxValue));
      r0.smin = -MAX_ERRNO;
      r0.s32Min = -Number(MAX_ERRNO);
      syncInPlace(r0);
      return;
    default:
      return;
  }
}

/** `clear_all_pkt_pointers`: after the packet may have moved, old packet pointers are plain values. */
function clearAllPktPointers(env: VerifierEnv): void {
  for (const reg of allRegs(env.state)) {
    if (isPacketPointer(reg.type) || reg.type === PTR_TO_PACKET_END) markRegUnknown(reg);
  }
}

export function checkHelperCall(env: VerifierEnv, insn: Insn, walk: WalkControl): void {
  const funcId = insn.imm;
  checkCallUnderLock(env, funcId);
  const proto = lookUpProto(env, funcId);
  const meta = newCallArgMeta(funcId, proto.pktAccess);
  for (let arg = 0; arg < 5; arg++) checkFuncArg(env, arg, meta, proto);
  recordFuncMap(env, meta.mapIndex, funcId);
  recordFuncKey(env, meta);
  // a helper that only writes its memory argument leaves initialised data behind
  for (let i = 0; i < meta.accessSize; i++) {
    checkMemAccess(env, insn, meta.regno, i, 1, "write", -1, false, false);
  }
  releaseArgument(env, meta);
  checkHelperSpecific(env, meta, walk);
  clearCallerSavedRegs(env);
  setReturnValue(env, funcId, proto, meta);
  checkMapFuncCompatibility(env, meta.mapIndex, funcId);
  if (CHANGES_PKT_DATA.has(funcId)) clearAllPktPointers(env);
}
