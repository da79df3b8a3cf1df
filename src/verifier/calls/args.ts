/**
 * Helper arguments against their prototype: `check_func_arg` and the checks
 * it dispatches to — the register types an argument accepts
 * (`check_reg_type`), the offset rules (`check_func_arg_reg_off`), memory
 * and size pairs (`check_helper_mem_access`, `check_mem_size_reg`,
 * `check_stack_range_initialized`), map keys and values, locks, callbacks.
 */
import type { SpecialField } from "../../btf/fields.js";
import type { VerifierEnv } from "../env.js";
import { SRC_OP } from "../env.js";
import { tnumString } from "../log.js";
import {
  checkMemRegionAccess,
  checkPacketAccess,
  checkPtrOffReg,
  checkStackAccessWithinBounds,
} from "../mem.js";
import { markChainPrecision, markStackSlotPrecision } from "../prune/precision.js";
import { markStackRead } from "../prune/stack-marks.js";
import { markRegUnknown, type RegState } from "../reg-state.js";
import {
  baseType,
  CONST_PTR_TO_DYNPTR,
  CONST_PTR_TO_MAP,
  isPacketPointer,
  MEM_ALLOC,
  MEM_PERCPU,
  MEM_RCU,
  MEM_RDONLY,
  MEM_RINGBUF,
  NON_OWN_REF,
  PTR_MAYBE_NULL,
  PTR_TO_ARENA,
  PTR_TO_BTF_ID,
  PTR_TO_BUF,
  PTR_TO_CTX,
  PTR_TO_FUNC,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_PACKET,
  PTR_TO_PACKET_META,
  PTR_TO_SOCK_COMMON,
  PTR_TO_SOCKET,
  PTR_TO_STACK,
  PTR_TO_TCP_SOCK,
  PTR_TO_XDP_SOCK,
  PTR_TRUSTED,
  regTypeName,
  SCALAR_VALUE,
  typeMayBeNull,
} from "../reg-types.js";
import { EACCES, EINVAL } from "../result.js";
import { BPF_REG_SIZE, STACK_INVALID, STACK_MISC, STACK_SPILL, STACK_ZERO } from "../state.js";
import { tnumIsConst } from "../tnum.js";
import {
  ARG_ANYTHING,
  ARG_CONST_ALLOC_SIZE_OR_ZERO,
  ARG_CONST_MAP_PTR,
  ARG_CONST_SIZE,
  ARG_CONST_SIZE_OR_ZERO,
  ARG_DONTCARE,
  ARG_KPTR_XCHG_DEST,
  ARG_PTR_TO_ARENA,
  ARG_PTR_TO_BTF_ID,
  ARG_PTR_TO_BTF_ID_SOCK_COMMON,
  ARG_PTR_TO_CONST_STR,
  ARG_PTR_TO_CTX,
  ARG_PTR_TO_DYNPTR,
  ARG_PTR_TO_FUNC,
  ARG_PTR_TO_MAP_KEY,
  ARG_PTR_TO_MAP_VALUE,
  ARG_PTR_TO_MEM,
  ARG_PTR_TO_PERCPU_BTF_ID,
  ARG_PTR_TO_RINGBUF_MEM,
  ARG_PTR_TO_SOCK_COMMON,
  ARG_PTR_TO_SOCKET,
  ARG_PTR_TO_SPIN_LOCK,
  ARG_PTR_TO_STACK,
  ARG_PTR_TO_TIMER,
  ARG_SCALAR,
  type ArgType,
  baseArgType,
  type HelperProto,
  helperName,
  MEM_FIXED_SIZE,
  MEM_UNINIT,
  MEM_WRITE,
  OBJ_RELEASE,
} from "./helper-protos.js";
import { checkKptrXchgSource, checkMapKptrFieldAccess, processKptrFunc } from "./kptr.js";
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_BLOOM_FILTER,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_SOCKHASH,
  BPF_MAP_TYPE_SOCKMAP,
  FN,
} from "./map-compat.js";
import { processSpinLock } from "./spin-lock.js";

type Access = "read" | "write";

/** What the arguments tell the rest of the call: the kernel's `struct bpf_call_arg_meta`. */
export interface CallArgMeta {
  readonly funcId: number;
  /** the map of the ARG_CONST_MAP_PTR argument, -1 for none */
  mapIndex: number;
  /** the memory argument is only written by the helper (MEM_UNINIT) */
  rawMode: boolean;
  /** the helper may be given packet pointers */
  readonly pktAccess: boolean;
  /** the register whose reference the helper releases, 0 for none */
  releaseRegno: number;
  /** raw mode on the stack: which register and how many bytes the helper fills */
  regno: number;
  accessSize: number;
  /** ARG_CONST_ALLOC_SIZE_OR_ZERO: the size of the memory r0 will point to */
  memSize: number;
  /** the largest size a size argument may hold, for the return value's bounds */
  msizeMaxValue: bigint;
  /** the reference an argument holds, 0 for none */
  refObjId: number;
  /** ARG_PTR_TO_FUNC: the callback's subprogram */
  subprogno: number;
  /** the key of an array-map lookup when it is a known constant, -1 otherwise */
  constMapKey: bigint;
  /** bpf_kptr_xchg: the kptr field its destination points at */
  kptrField: SpecialField | undefined;
  /** ARG_PTR_TO_PERCPU_BTF_ID: the per-CPU object's type, which r0 points to */
  retBtfId: number;
  /** ARG_PTR_TO_PERCPU_BTF_ID given an RCU-protected per-CPU local object (`returns_cpu_specific_alloc_ptr`) */
  percpuAllocArg: boolean;
}

export function newCallArgMeta(funcId: number, pktAccess: boolean): CallArgMeta {
  return {
    funcId,
    mapIndex: -1,
    rawMode: false,
    pktAccess,
    releaseRegno: 0,
    regno: 0,
    accessSize: 0,
    memSize: 0,
    msizeMaxValue: 0n,
    refObjId: 0,
    subprogno: 0,
    constMapKey: -1n,
    kptrField: undefined,
    retBtfId: 0,
    percpuAllocArg: false,
  };
}

/** `register_is_null`: a scalar known to be 0. */
export function registerIsNull(reg: RegState): boolean {
  return reg.type === SCALAR_VALUE && tnumIsConst(reg.varOff) && reg.varOff.value === 0n;
}

/** `enum bpf_reg_type` lists an argument type accepts (the kernel's `compatible_reg_types`). */
const SOCK_TYPES = [PTR_TO_SOCK_COMMON, PTR_TO_SOCKET, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK];
const MEM_TYPES = [
  PTR_TO_STACK,
  PTR_TO_PACKET,
  PTR_TO_PACKET_META,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_MEM | MEM_RINGBUF,
  PTR_TO_BUF,
  PTR_TO_BTF_ID | PTR_TRUSTED,
];
const COMPATIBLE_REG_TYPES: ReadonlyMap<number, readonly number[]> = new Map<
  number,
  readonly number[]
>([
  [ARG_PTR_TO_MAP_KEY, MEM_TYPES],
  [ARG_PTR_TO_MAP_VALUE, MEM_TYPES],
  [ARG_CONST_SIZE, [SCALAR_VALUE]],
  [ARG_CONST_SIZE_OR_ZERO, [SCALAR_VALUE]],
  [ARG_CONST_ALLOC_SIZE_OR_ZERO, [SCALAR_VALUE]],
  [ARG_SCALAR, [SCALAR_VALUE]],
  [ARG_CONST_MAP_PTR, [CONST_PTR_TO_MAP]],
  [ARG_PTR_TO_CTX, [PTR_TO_CTX]],
  [ARG_PTR_TO_SOCK_COMMON, SOCK_TYPES],
  [ARG_PTR_TO_BTF_ID_SOCK_COMMON, [...SOCK_TYPES, PTR_TO_BTF_ID, PTR_TO_BTF_ID | PTR_TRUSTED]],
  [ARG_PTR_TO_SOCKET, [PTR_TO_SOCKET]],
  [ARG_PTR_TO_BTF_ID, [PTR_TO_BTF_ID, PTR_TO_BTF_ID | PTR_TRUSTED, PTR_TO_BTF_ID | MEM_RCU]],
  [ARG_PTR_TO_SPIN_LOCK, [PTR_TO_MAP_VALUE, PTR_TO_BTF_ID | MEM_ALLOC]],
  [ARG_PTR_TO_MEM, MEM_TYPES],
  [ARG_PTR_TO_RINGBUF_MEM, [PTR_TO_MEM | MEM_RINGBUF]],
  [
    ARG_PTR_TO_PERCPU_BTF_ID,
    [
      PTR_TO_BTF_ID | MEM_PERCPU,
      PTR_TO_BTF_ID | MEM_PERCPU | MEM_RCU,
      PTR_TO_BTF_ID | MEM_PERCPU | PTR_TRUSTED,
    ],
  ],
  [ARG_PTR_TO_FUNC, [PTR_TO_FUNC]],
  [ARG_PTR_TO_STACK, [PTR_TO_STACK]],
  [ARG_PTR_TO_CONST_STR, [PTR_TO_MAP_VALUE]],
  [ARG_PTR_TO_TIMER, [PTR_TO_MAP_VALUE]],
  [ARG_KPTR_XCHG_DEST, [PTR_TO_MAP_VALUE, PTR_TO_BTF_ID | MEM_ALLOC]],
  [ARG_PTR_TO_DYNPTR, [PTR_TO_STACK, CONST_PTR_TO_DYNPTR]],
]);

/**
 * `check_reg_type`: the register's type is one the argument accepts, with
 * the argument's MEM_RDONLY and PTR_MAYBE_NULL folded away first
 * (`R2 type=ctx expected=fp, pkt, pkt_meta, ...`).
 */
function checkRegType(env: VerifierEnv, regno: number, argType: ArgType, meta: CallArgMeta): void {
  const reg = env.reg(regno);
  const compatible = COMPATIBLE_REG_TYPES.get(baseArgType(argType));
  if (compatible === undefined) {
    env.reject(
      EACCES,
      `${helperName(meta.funcId)}#${meta.funcId}: argument type ${argType} is not verified by tsbpf`,
    );
  }
  let type = reg.type;
  if (argType & MEM_RDONLY) type &= ~MEM_RDONLY;
  if (argType & PTR_MAYBE_NULL) type &= ~PTR_MAYBE_NULL;
  // a local object may be the source of bpf_kptr_xchg
  const kptrSource = meta.funcId === FN.kptr_xchg && regno === 2;
  if (kptrSource && type & MEM_ALLOC) type &= ~(MEM_ALLOC | MEM_PERCPU);
  if (!compatible.includes(type)) {
    env.reject(
      EACCES,
      `R${regno} type=${regTypeName(reg.type)} expected=${compatible.map(regTypeName).join(", ")}`,
    );
  }
  if (baseType(reg.type) !== PTR_TO_BTF_ID) return;
  if (kptrSource) {
    checkKptrXchgSource(env, meta.kptrField, regno);
    return;
  }
  if (compatible === MEM_TYPES) {
    if (!(argType & MEM_RDONLY)) {
      env.reject(
        EACCES,
        `${helperName(meta.funcId)}() may write into memory pointed by R${regno} type=${regTypeName(reg.type)}`,
      );
    }
    return;
  }
  const isRelease = (argType & OBJ_RELEASE) !== 0;
  if (typeMayBeNull(reg.type) && (!(argType & PTR_MAYBE_NULL) || isRelease)) {
    env.reject(EACCES, `Possibly NULL pointer passed to helper arg${regno}`);
  }
  // the struct the pointer must point to is checked against vmlinux BTF, which tsbpf does not have
}

/** `check_func_arg_reg_off`: which pointers may carry a fixed or variable offset into a helper. */
export function checkFuncArgRegOff(
  env: VerifierEnv,
  reg: RegState,
  regno: number,
  argType: ArgType,
): void {
  if (argType & OBJ_RELEASE) {
    if (reg.off !== 0) {
      env.reject(
        EINVAL,
        `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`,
      );
    }
    checkPtrOffReg(env, reg, regno, false);
    return;
  }
  switch (reg.type) {
    case PTR_TO_STACK:
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
    case PTR_TO_MAP_KEY:
    case PTR_TO_MAP_VALUE:
    case PTR_TO_MEM:
    case PTR_TO_MEM | MEM_RDONLY:
    case PTR_TO_MEM | MEM_RINGBUF:
    case PTR_TO_BUF:
    case PTR_TO_BUF | MEM_RDONLY:
    case PTR_TO_ARENA:
    case SCALAR_VALUE:
      return;
    case PTR_TO_BTF_ID:
    case PTR_TO_BTF_ID | MEM_ALLOC:
    case PTR_TO_BTF_ID | PTR_TRUSTED:
    case PTR_TO_BTF_ID | MEM_RCU:
    case PTR_TO_BTF_ID | MEM_ALLOC | NON_OWN_REF:
    case PTR_TO_BTF_ID | MEM_ALLOC | NON_OWN_REF | MEM_RCU:
      checkPtrOffReg(env, reg, regno, true);
      return;
    default:
      checkPtrOffReg(env, reg, regno, false);
  }
}

/** `may_access_direct_pkt_data` for a helper's read of its arguments. */
function mayPassPacket(env: VerifierEnv, meta: CallArgMeta): boolean {
  switch (env.progType) {
    case "lwt_in":
    case "lwt_out":
    case "lwt_seg6local":
    case "sk_reuseport":
    case "flow_dissector":
    case "cgroup_skb":
    case "sched_cls":
    case "sched_act":
    case "xdp":
    case "lwt_xmit":
    case "sk_skb":
    case "sk_msg":
      return meta.pktAccess;
    case "cgroup_sockopt":
      return true;
    default:
      return false;
  }
}

const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_WRONLY_PROG = 1 << 8;

/** `check_map_access_type`: maps the program may only read (or only write). */
function checkMapAccessType(
  env: VerifierEnv,
  regno: number,
  off: number,
  size: number,
  t: Access,
): void {
  const reg = env.reg(regno);
  const map = env.maps[reg.mapIndex]!;
  const at = reg.smin + BigInt(off);
  if (t === "write" && (map.flags & BPF_F_RDONLY_PROG || map.readOnly)) {
    env.reject(
      EACCES,
      `write into map forbidden, value_size=${map.valueSize} off=${at} size=${size}`,
    );
  }
  if (t === "read" && map.flags & BPF_F_WRONLY_PROG) {
    env.reject(
      EACCES,
      `read from map forbidden, value_size=${map.valueSize} off=${at} size=${size}`,
    );
  }
}

/**
 * `check_stack_range_initialized`: `accessSize` bytes of stack at the
 * register. A privileged program may pass stack it never wrote; a helper
 * that writes the memory leaves plain data behind; a helper that only
 * writes it (raw mode) has its bytes marked by the caller afterwards.
 */
function checkStackRangeInitialized(
  env: VerifierEnv,
  regno: number,
  off: number,
  accessSize: number,
  zeroSizeOk: boolean,
  access: Access,
  meta: CallArgMeta | undefined,
): void {
  const reg = env.reg(regno);
  const frame = env.state.frames[reg.frameno]!;
  if (accessSize === 0 && !zeroSizeOk) env.reject(EACCES, "invalid zero-sized read");
  checkStackAccessWithinBounds(env, regno, off, accessSize, "direct", access);
  let minOff: number;
  let maxOff: number;
  let rawMeta = meta;
  if (tnumIsConst(reg.varOff)) {
    minOff = Number(BigInt.asIntN(64, reg.varOff.value)) + off;
    maxOff = minOff;
  } else {
    // a variable-offset buffer cannot be filled by a helper: it must have been written already
    if (rawMeta?.rawMode) rawMeta = undefined;
    minOff = Number(reg.smin) + off;
    maxOff = Number(reg.smax) + off;
  }
  if (rawMeta?.rawMode) {
    rawMeta.accessSize = accessSize;
    rawMeta.regno = regno;
    return;
  }
  const clobber = access === "write";
  for (let i = minOff; i < maxOff + accessSize; i++) {
    const slot = -i - 1;
    const spi = Math.floor(slot / BPF_REG_SIZE);
    const stackSlot = frame.stack[spi]!;
    const idx = slot % BPF_REG_SIZE;
    const stype = stackSlot.slotType[idx]!;
    if (stype === STACK_MISC) {
      // any byte read makes the whole slot read, even for a helper that may only write it
      markStackRead(env, reg.frameno, spi);
      continue;
    }
    if (stype === STACK_ZERO || stype === STACK_INVALID) {
      if (clobber) stackSlot.slotType[idx] = STACK_MISC;
      markStackRead(env, reg.frameno, spi);
      continue;
    }
    if (stackSlot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
      if (clobber) {
        markRegUnknown(stackSlot.spilled);
        for (let j = 0; j < BPF_REG_SIZE; j++) {
          if (stackSlot.slotType[j] !== STACK_INVALID) stackSlot.slotType[j] = STACK_MISC;
        }
      }
      markStackRead(env, reg.frameno, spi);
      continue;
    }
    if (tnumIsConst(reg.varOff)) {
      env.reject(
        EACCES,
        `invalid read from stack R${regno} off ${minOff}+${i - minOff} size ${accessSize}`,
      );
    }
    env.reject(
      EACCES,
      `invalid read from stack R${regno} var_off ${tnumString(reg.varOff)}+${i - minOff} size ${accessSize}`,
    );
  }
}

/** `check_helper_mem_access`: `accessSize` bytes at the register, by the rules of what it points to. */
export function checkHelperMemAccess(
  env: VerifierEnv,
  regno: number,
  accessSize: number,
  access: Access,
  zeroSizeOk: boolean,
  meta: CallArgMeta | undefined,
): void {
  const reg = env.reg(regno);
  switch (baseType(reg.type)) {
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
      checkPacketAccess(env, regno, reg.off, accessSize, zeroSizeOk);
      return;
    case PTR_TO_MAP_KEY:
      if (access === "write")
        env.reject(EACCES, `R${regno} cannot write into ${regTypeName(reg.type)}`);
      checkMemRegionAccess(env, regno, reg.off, accessSize, env.maps[reg.mapIndex]!.keySize, false);
      return;
    case PTR_TO_MAP_VALUE:
      checkMapAccessType(env, regno, reg.off, accessSize, access);
      checkMemRegionAccess(
        env,
        regno,
        reg.off,
        accessSize,
        env.maps[reg.mapIndex]!.valueSize,
        zeroSizeOk,
      );
      checkMapKptrFieldAccess(env, reg, reg.off, accessSize, false);
      return;
    case PTR_TO_MEM:
      if (reg.type & MEM_RDONLY && access === "write") {
        env.reject(EACCES, `R${regno} cannot write into ${regTypeName(reg.type)}`);
      }
      checkMemRegionAccess(env, regno, reg.off, accessSize, reg.memSize, zeroSizeOk);
      return;
    case PTR_TO_STACK:
      checkStackRangeInitialized(env, regno, reg.off, accessSize, zeroSizeOk, access, meta);
      return;
    case PTR_TO_BTF_ID:
      // a read through a BTF pointer: the struct layout comes from vmlinux BTF, not modelled
      return;
    default:
      if (zeroSizeOk && accessSize === 0 && registerIsNull(reg)) return;
      env.reject(
        EACCES,
        `R${regno} type=${regTypeName(reg.type)} expected=${regTypeName(PTR_TO_STACK)}`,
      );
  }
}

const BPF_MAX_VAR_SIZ = 1n << 29n;

/** `check_mem_size_reg`: the size register of a (memory, size) pair, and the memory it sizes. */
function checkMemSizeReg(
  env: VerifierEnv,
  reg: RegState,
  regno: number,
  access: Access,
  zeroSizeOk: boolean,
  meta: CallArgMeta,
): void {
  meta.msizeMaxValue = reg.umax;
  // with a size only known by its bounds the helper may fill less: no raw mode
  const rawMeta = tnumIsConst(reg.varOff) ? meta : undefined;
  if (reg.smin < 0n) {
    env.reject(EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
  }
  if (reg.umin === 0n && !zeroSizeOk) {
    env.reject(
      EACCES,
      `R${regno} invalid zero-sized read: u64=[${BigInt.asIntN(64, reg.umin)},${BigInt.asIntN(64, reg.umax)}]`,
    );
  }
  if (reg.umax >= BPF_MAX_VAR_SIZ) {
    env.reject(
      EACCES,
      `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`,
    );
  }
  checkHelperMemAccess(env, regno - 1, Number(reg.umax), access, zeroSizeOk, rawMeta);
  // the size bounds the access: pruning must not merge it with another size
  markChainPrecision(env, regno);
}

/**
 * `record_func_key`: a tail call through a constant index within the
 * program array is relied on (the JIT turns it into a direct jump), so the
 * index is marked precise.
 */
export function recordFuncKey(env: VerifierEnv, meta: CallArgMeta): void {
  if (meta.funcId !== FN.tail_call || meta.mapIndex < 0) return;
  const reg = env.reg(3);
  const max = BigInt(env.maps[meta.mapIndex]!.maxEntries);
  if (reg.type !== SCALAR_VALUE || !tnumIsConst(reg.varOff) || reg.varOff.value >= max) return;
  markChainPrecision(env, 3);
}

/** `resolve_map_arg_type`: a socket map's "value" is a socket; a bloom filter's peek only reads. */
function resolveMapArgType(env: VerifierEnv, meta: CallArgMeta, argType: ArgType): ArgType {
  if (meta.mapIndex < 0) env.reject(EACCES, "invalid map_ptr to access map->type");
  const mapType = env.maps[meta.mapIndex]!.type;
  if (mapType === BPF_MAP_TYPE_SOCKMAP || mapType === BPF_MAP_TYPE_SOCKHASH) {
    if (argType !== ARG_PTR_TO_MAP_VALUE)
      env.reject(EINVAL, "invalid arg_type for sockmap/sockhash");
    return ARG_PTR_TO_BTF_ID_SOCK_COMMON;
  }
  if (mapType === BPF_MAP_TYPE_BLOOM_FILTER && meta.funcId === FN.map_peek_elem)
    return ARG_PTR_TO_MAP_VALUE;
  return argType;
}

/**
 * `get_constant_map_key`: the key of an array lookup, when the stack holds
 * it as known zeros or a spilled constant of exactly the key's size; such
 * a lookup within the array's bounds cannot fail.
 */
function constantMapKey(env: VerifierEnv, key: RegState, keySize: number): bigint {
  if (key.type !== PTR_TO_STACK || !tnumIsConst(key.varOff)) return -1n;
  const stackOff = key.off + Number(BigInt.asIntN(64, key.varOff.value));
  const slot = -stackOff - 1;
  const spi = Math.floor(slot / BPF_REG_SIZE);
  const off = slot % BPF_REG_SIZE;
  const stackSlot = env.state.frames[key.frameno]!.stack[spi];
  if (stackSlot === undefined) return -1n;
  const stype = stackSlot.slotType;
  let zeroSize = 0;
  for (let i = off; i >= 0 && stype[i] === STACK_ZERO; i--) zeroSize++;
  if (zeroSize >= keySize) return 0n;
  if (stype[BPF_REG_SIZE - 1] !== STACK_SPILL || stackSlot.spilled.type !== SCALAR_VALUE)
    return -1n;
  let spillSize = 0;
  for (let i = off; i >= 0 && stype[i] === STACK_SPILL; i--) spillSize++;
  if (spillSize !== keySize || !tnumIsConst(stackSlot.spilled.varOff)) return -1n;
  // the lookup relies on the constant: pruning must not merge it with another key
  markStackSlotPrecision(env, key.frameno, spi);
  stackSlot.spilled.precise = true;
  return stackSlot.spilled.varOff.value;
}

/** `check_reg_const_str`: a NUL-terminated string in a frozen, read-only map value. */
function checkRegConstStr(env: VerifierEnv, reg: RegState, regno: number): void {
  const map = env.maps[reg.mapIndex]!;
  if (!(map.flags & BPF_F_RDONLY_PROG || map.readOnly)) {
    env.reject(EACCES, `R${regno} does not point to a readonly map'`);
  }
  if (!tnumIsConst(reg.varOff)) env.reject(EACCES, `R${regno} is not a constant address'`);
  checkMemRegionAccess(env, regno, reg.off, map.valueSize - reg.off, map.valueSize, false);
  const start = reg.off + Number(reg.varOff.value);
  const data = map.initialValue;
  if (data === undefined || !data.subarray(start, map.valueSize).includes(0)) {
    env.reject(EINVAL, "string is not zero-terminated");
  }
}

/** `check_func_arg`: argument `arg` (0..4, in r1..r5) against the prototype. */
export function checkFuncArg(
  env: VerifierEnv,
  arg: number,
  meta: CallArgMeta,
  proto: HelperProto,
): void {
  const regno = arg + 1;
  let argType = proto.args[arg] ?? ARG_DONTCARE;
  if (argType === ARG_DONTCARE) return;
  env.checkRegArg(regno, SRC_OP);
  const reg = env.reg(regno);
  // a privileged program may hand any value, pointers included, to an ARG_ANYTHING
  if (argType === ARG_ANYTHING) return;
  if (isPacketPointer(reg.type) && !mayPassPacket(env, meta)) {
    env.reject(EACCES, "helper access to the packet is not allowed");
  }
  if (baseArgType(argType) === ARG_PTR_TO_MAP_VALUE)
    argType = resolveMapArgType(env, meta, argType);
  if (!(registerIsNull(reg) && typeMayBeNull(argType))) {
    checkRegType(env, regno, argType, meta);
    checkFuncArgRegOff(env, reg, regno, argType);
  }
  if (argType & OBJ_RELEASE) {
    if (reg.refObjId === 0 && !registerIsNull(reg)) {
      env.reject(EINVAL, `R${regno} must be referenced when passed to release function`);
    }
    meta.releaseRegno = regno;
  }
  if (reg.refObjId !== 0 && baseArgType(argType) !== ARG_KPTR_XCHG_DEST)
    meta.refObjId = reg.refObjId;

  const access: Access = (argType & MEM_WRITE) !== 0 ? "write" : "read";
  switch (baseArgType(argType)) {
    case ARG_CONST_MAP_PTR:
      if (
        meta.funcId === FN.tail_call &&
        env.maps[reg.mapIndex]!.type !== BPF_MAP_TYPE_PROG_ARRAY
      ) {
        env.reject(EINVAL, "expected prog array map for tail call");
      }
      meta.mapIndex = reg.mapIndex;
      return;
    case ARG_PTR_TO_MAP_KEY: {
      if (meta.mapIndex < 0) env.reject(EACCES, "invalid map_ptr to access map->key");
      const map = env.maps[meta.mapIndex]!;
      checkHelperMemAccess(env, regno, map.keySize, "read", false, undefined);
      if (map.type === BPF_MAP_TYPE_ARRAY || map.type === BPF_MAP_TYPE_PERCPU_ARRAY) {
        meta.constMapKey = constantMapKey(env, reg, map.keySize);
      }
      return;
    }
    case ARG_PTR_TO_MAP_VALUE:
      if (typeMayBeNull(argType) && registerIsNull(reg)) return;
      if (meta.mapIndex < 0) env.reject(EACCES, "invalid map_ptr to access map->value");
      meta.rawMode = (argType & MEM_UNINIT) !== 0;
      checkHelperMemAccess(env, regno, env.maps[meta.mapIndex]!.valueSize, access, false, meta);
      return;
    case ARG_PTR_TO_SPIN_LOCK:
      processSpinLock(env, regno, meta.funcId === FN.spin_lock);
      return;
    case ARG_PTR_TO_FUNC:
      meta.subprogno = reg.subprogno;
      return;
    case ARG_PTR_TO_MEM:
      meta.rawMode = (argType & MEM_UNINIT) !== 0;
      if (argType & MEM_FIXED_SIZE) {
        checkHelperMemAccess(env, regno, proto.argSize[arg] ?? 0, access, false, meta);
      }
      return;
    case ARG_CONST_SIZE:
    case ARG_CONST_SIZE_OR_ZERO: {
      const memArg = proto.args[arg - 1] ?? ARG_DONTCARE;
      const memAccess: Access = (memArg & MEM_WRITE) !== 0 ? "write" : "read";
      checkMemSizeReg(
        env,
        reg,
        regno,
        memAccess,
        baseArgType(argType) === ARG_CONST_SIZE_OR_ZERO,
        meta,
      );
      return;
    }
    case ARG_CONST_ALLOC_SIZE_OR_ZERO:
      if (!tnumIsConst(reg.varOff)) env.reject(EACCES, `R${regno} is not a known constant'`);
      meta.memSize = Number(reg.varOff.value);
      // the returned memory's size is this constant
      markChainPrecision(env, regno);
      return;
    case ARG_PTR_TO_CONST_STR:
      checkRegConstStr(env, reg, regno);
      return;
    case ARG_KPTR_XCHG_DEST:
      meta.kptrField = processKptrFunc(env, regno);
      return;
    case ARG_PTR_TO_PERCPU_BTF_ID:
      if (reg.btfId === 0) env.reject(EACCES, `Helper has invalid btf_id in R${regno}`);
      meta.retBtfId = reg.btfId;
      meta.percpuAllocArg = (reg.type & MEM_RCU) !== 0;
      return;
    case ARG_PTR_TO_TIMER:
    case ARG_PTR_TO_DYNPTR:
    case ARG_PTR_TO_ARENA:
      env.reject(
        EINVAL,
        `${helperName(meta.funcId)}#${meta.funcId}: R${regno} holds a timer, dynptr or kptr argument, which tsbpf does not verify yet`,
      );
      return;
    default:
      return;
  }
}
