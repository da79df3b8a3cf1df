/**
 * Loads, stores and atomics: `check_mem_access` and the per-pointer-type
 * rules it dispatches to (stack, map value, context, packet, memory), plus
 * `lddw` and the legacy packet loads.
 */
import type { Insn } from "../isa/insn.js";
import {
  BPF_ABS,
  BPF_ADD,
  BPF_AND,
  BPF_CMPXCHG,
  BPF_DW,
  BPF_FETCH,
  BPF_IND,
  BPF_OR,
  BPF_PSEUDO_BTF_ID,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  BPF_W,
  BPF_XCHG,
  BPF_XOR,
} from "../isa/opcodes.js";
import { coerceToSizeInPlace, coerceToSizeSxInPlace, S64_MIN } from "./bounds.js";
import {
  checkMapKptrAccess,
  checkMapKptrFieldAccess,
  checkProgramBtfPtrAccess,
  mapKptrFieldAt,
} from "./calls/kptr.js";
import { checkCtxAccess as checkCtxFieldAccess } from "./ctx/index.js";
import { sockAccessValidFor } from "./ctx/sock.js";
import { DST_OP, DST_OP_NO_MARK, SRC_OP, type VerifierEnv } from "./env.js";
import { checkAllocObjAccess, checkMapValueSpecialFields } from "./graph/access.js";
import { tnumString } from "./log.js";
import { checkPtrToMapAccess } from "./map-ptr-access.js";
import { markChainPrecision, recordStackAccess } from "./prune/precision.js";
import { markStackRead, markStackWrite } from "./prune/stack-marks.js";
import {
  copyReg,
  markRegKnown,
  markRegNotInit,
  markRegPointer,
  markRegUnknown,
  type RegState,
} from "./reg-state.js";
import {
  baseType,
  CONST_PTR_TO_MAP,
  isPacketPointer,
  MEM_ALLOC,
  MEM_RDONLY,
  PTR_MAYBE_NULL,
  PTR_TO_ARENA,
  PTR_TO_BTF_ID,
  PTR_TO_CTX,
  PTR_TO_FLOW_KEYS,
  PTR_TO_FUNC,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_PACKET,
  PTR_TO_PACKET_END,
  PTR_TO_PACKET_META,
  PTR_TO_SOCK_COMMON,
  PTR_TO_SOCKET,
  PTR_TO_STACK,
  PTR_TO_TCP_SOCK,
  PTR_TO_XDP_SOCK,
  regTypeName,
  SCALAR_VALUE,
  typeMayBeNull,
} from "./reg-types.js";
import { EACCES, EFAULT, EINVAL } from "./result.js";
import { noteStackDepth } from "./stack-depth.js";
import {
  BPF_REG_SIZE,
  type FuncState,
  growStack,
  MAX_BPF_STACK,
  STACK_DYNPTR,
  STACK_INVALID,
  STACK_ITER,
  STACK_MISC,
  STACK_SPILL,
  STACK_ZERO,
} from "./state.js";
import { tnumAdd, tnumConst, tnumIsAligned, tnumIsConst } from "./tnum.js";

type Access = "read" | "write";

const BPF_MAX_VAR_OFF = 1n << 29n;
const SIZE_BYTES = [4, 2, 1, 8];

export function sizeBytes(code: number): number {
  return SIZE_BYTES[(code & 0x18) >> 3]!;
}

/** The frame a stack pointer points into. */
function frameOf(env: VerifierEnv, reg: RegState): FuncState {
  return env.state.frames[reg.frameno]!;
}

function isSpillableRegType(type: number): boolean {
  switch (baseType(type)) {
    case PTR_TO_MAP_VALUE:
    case PTR_TO_STACK:
    case PTR_TO_CTX:
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
    case PTR_TO_PACKET_END:
    case PTR_TO_FLOW_KEYS:
    case CONST_PTR_TO_MAP:
    case PTR_TO_SOCKET:
    case PTR_TO_SOCK_COMMON:
    case PTR_TO_TCP_SOCK:
    case PTR_TO_XDP_SOCK:
    case PTR_TO_BTF_ID:
    case PTR_TO_MEM:
    case PTR_TO_FUNC:
    case PTR_TO_MAP_KEY:
    case PTR_TO_ARENA:
      return true;
    default:
      return false;
  }
}

/** `check_ptr_alignment`: stack accesses are always strict; the rest only in strict mode, which tsbpf does not enable. */
function checkPtrAlignment(
  env: VerifierEnv,
  reg: RegState,
  off: number,
  size: number,
  strictOnce: boolean,
): void {
  const strict = reg.type === PTR_TO_STACK || strictOnce;
  if (!strict || size === 1 || isPacketPointer(reg.type) || reg.type === PTR_TO_ARENA) return;
  const descs: Record<number, string> = {
    [PTR_TO_FLOW_KEYS]: "flow keys ",
    [PTR_TO_MAP_KEY]: "key ",
    [PTR_TO_MAP_VALUE]: "value ",
    [PTR_TO_CTX]: "context ",
    [PTR_TO_STACK]: "stack ",
    [PTR_TO_SOCKET]: "sock ",
    [PTR_TO_SOCK_COMMON]: "sock_common ",
    [PTR_TO_TCP_SOCK]: "tcp_sock ",
    [PTR_TO_XDP_SOCK]: "xdp_sock ",
  };
  const regOff = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
  if (!tnumIsAligned(regOff, BigInt(size))) {
    env.reject(
      EACCES,
      `misaligned ${descs[reg.type] ?? ""}access off ${tnumString(reg.varOff)}+${reg.off}+${off} size ${size}`,
    );
  }
}

/** `__check_mem_access`: one bound of an access against a region's size; false after logging the problem. */
function memAccessOk(
  env: VerifierEnv,
  regno: number,
  off: bigint,
  size: number,
  memSize: number,
  zeroSizeOk: boolean,
): boolean {
  const sizeOk = size > 0 || (size === 0 && zeroSizeOk);
  if (off >= 0n && sizeOk && off + BigInt(size) <= BigInt(memSize)) return true;
  const reg = env.reg(regno);
  const o = Number(BigInt.asIntN(32, off));
  switch (reg.type) {
    case PTR_TO_MAP_KEY:
      env.verbose(`invalid access to map key, key_size=${memSize} off=${o} size=${size}`);
      break;
    case PTR_TO_MAP_VALUE:
      env.verbose(`invalid access to map value, value_size=${memSize} off=${o} size=${size}`);
      break;
    case PTR_TO_PACKET:
    case PTR_TO_PACKET_META:
    case PTR_TO_PACKET_END:
      env.verbose(
        `invalid access to packet, off=${o} size=${size}, R${regno}(id=${reg.id},off=${o},r=${memSize})`,
      );
      break;
    default:
      env.verbose(`invalid access to memory, mem_size=${memSize >>> 0} off=${o} size=${size}`);
  }
  return false;
}

/** `check_mem_region_access`: the access at the lowest and the highest offset the register may hold. */
export function checkMemRegionAccess(
  env: VerifierEnv,
  regno: number,
  off: number,
  size: number,
  memSize: number,
  zeroSizeOk: boolean,
): void {
  const reg = env.reg(regno);
  const low = reg.smin + BigInt(off);
  if (reg.smin < 0n && (reg.smin === S64_MIN || low !== BigInt.asIntN(32, low) || low < 0n)) {
    env.reject(
      EACCES,
      `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`,
    );
  }
  if (!memAccessOk(env, regno, low, size, memSize, zeroSizeOk)) {
    env.reject(EACCES, `R${regno} min value is outside of the allowed memory range`);
  }
  if (reg.umax >= BPF_MAX_VAR_OFF) {
    env.reject(
      EACCES,
      `R${regno} unbounded memory access, make sure to bounds check any such access`,
    );
  }
  if (!memAccessOk(env, regno, reg.umax + BigInt(off), size, memSize, zeroSizeOk)) {
    env.reject(EACCES, `R${regno} max value is outside of the allowed memory range`);
  }
}

/** `check_packet_access` */
export function checkPacketAccess(
  env: VerifierEnv,
  regno: number,
  off: number,
  size: number,
  zeroSizeOk: boolean,
): void {
  const reg = env.reg(regno);
  if (reg.smin < 0n) {
    env.reject(
      EACCES,
      `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`,
    );
  }
  if (reg.range < 0 || !memAccessOk(env, regno, BigInt(off), size, reg.range, zeroSizeOk)) {
    env.reject(reg.range < 0 ? EINVAL : EACCES, `R${regno} offset is outside of the packet`);
  }
}

/** `check_ptr_off_reg`: context and similar pointers must be dereferenced unmodified. */
export function checkPtrOffReg(
  env: VerifierEnv,
  reg: RegState,
  regno: number,
  fixedOffOk = false,
): void {
  if (reg.off < 0) {
    env.reject(
      EACCES,
      `negative offset ${regTypeName(reg.type)} ptr R${regno} off=${reg.off} disallowed`,
    );
  }
  if (!fixedOffOk && reg.off !== 0) {
    env.reject(
      EACCES,
      `dereference of modified ${regTypeName(reg.type)} ptr R${regno} off=${reg.off} disallowed`,
    );
  }
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
    env.reject(
      EACCES,
      `variable ${regTypeName(reg.type)} access var_off=${tnumString(reg.varOff)} disallowed`,
    );
  }
}

type AccessSource = "direct" | "helper";

/** `check_stack_access_within_bounds` */
export function checkStackAccessWithinBounds(
  env: VerifierEnv,
  regno: number,
  off: number,
  size: number,
  src: AccessSource,
  t: Access,
): void {
  const reg = env.reg(regno);
  const frame = frameOf(env, reg);
  const extra =
    src === "helper" ? " indirect access to" : t === "read" ? " read from" : " write to";
  let minOff: bigint;
  let maxOff: bigint;
  if (tnumIsConst(reg.varOff)) {
    minOff = BigInt.asIntN(64, reg.varOff.value) + BigInt(off);
    maxOff = minOff + BigInt(size);
  } else {
    if (reg.smax >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) {
      env.reject(EACCES, `invalid unbounded variable-offset${extra} stack R${regno}`);
    }
    minOff = reg.smin + BigInt(off);
    maxOff = reg.smax + BigInt(off) + BigInt(size);
  }
  // privileged programs may read stack they never wrote
  const outOfBounds = minOff < BigInt(-MAX_BPF_STACK) || minOff > -1n || maxOff > 0n || size < 0;
  if (outOfBounds) {
    const errno =
      minOff < BigInt(-MAX_BPF_STACK) || minOff > -1n ? EACCES : size < 0 ? EFAULT : EINVAL;
    if (tnumIsConst(reg.varOff))
      env.reject(errno, `invalid${extra} stack R${regno} off=${off} size=${size}`);
    env.reject(
      errno,
      `invalid variable-offset${extra} stack R${regno} var_off=${tnumString(reg.varOff)} off=${off} size=${size}`,
    );
  }
  growStack(frame, Number(-minOff));
  noteStackDepth(env, frame.subprogno, Number(-minOff));
}

function saveRegisterState(frame: FuncState, spi: number, reg: RegState, size: number): void {
  const slot = frame.stack[spi]!;
  slot.spilled = copyReg(reg);
  let i = BPF_REG_SIZE;
  for (; i > BPF_REG_SIZE - size; i--) slot.slotType[i - 1] = STACK_SPILL;
  // the rest of a narrow spill is ordinary data; unwritten bytes stay as they were
  for (; i > 0; i--) {
    const t = slot.slotType[i - 1]!;
    if (t !== STACK_ZERO && t !== STACK_INVALID) slot.slotType[i - 1] = STACK_MISC;
  }
}

/** The number of bits a scalar's unsigned maximum needs (`get_reg_width`). */
function regWidth(reg: RegState): number {
  return reg.umax === 0n ? 0 : reg.umax.toString(2).length;
}

function isConstZero(reg: RegState): boolean {
  return reg.type === SCALAR_VALUE && tnumIsConst(reg.varOff) && reg.varOff.value === 0n;
}

/** `check_stack_write_fixed_off` */
function checkStackWriteFixedOff(
  env: VerifierEnv,
  frame: FuncState,
  off: number,
  size: number,
  valueRegno: number,
  insn: Insn,
): void {
  const slot = -off - 1;
  const spi = Math.floor(slot / BPF_REG_SIZE);
  const reg = valueRegno >= 0 ? env.reg(valueRegno) : undefined;
  const stackSlot = frame.stack[spi]!;
  // only a whole-slot write screens the slot off from what was there before
  if (off % BPF_REG_SIZE === 0 && size === BPF_REG_SIZE) markStackWrite(env, frame.frameno, spi);
  env.markStackSlotScratched(spi);
  const isStImm = (insn.code & 0x07) === 0x02;
  let spill = true;
  if (reg !== undefined && off % BPF_REG_SIZE === 0 && reg.type === SCALAR_VALUE) {
    const fits = regWidth(reg) <= 8 * size;
    if (fits && reg.id === 0 && !tnumIsConst(reg.varOff)) reg.id = env.nextId();
    saveRegisterState(frame, spi, reg, size);
    if (!fits) stackSlot.spilled.id = 0;
  } else if (reg === undefined && off % BPF_REG_SIZE === 0 && isStImm) {
    const tmp = copyReg(env.reg(0));
    markRegKnown(tmp, BigInt(insn.imm | 0));
    saveRegisterState(frame, spi, tmp, size);
  } else if (reg !== undefined && isSpillableRegType(reg.type)) {
    if (size !== BPF_REG_SIZE) env.reject(EACCES, "invalid size of register spill");
    if (frame !== env.frame && reg.type === PTR_TO_STACK) {
      env.reject(EINVAL, "cannot spill pointers to stack into stack frame of the caller");
    }
    saveRegisterState(frame, spi, reg, size);
  } else {
    let type = STACK_MISC;
    // a partial overwrite of a spilled register leaves plain data behind
    if (stackSlot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
      for (let i = 0; i < BPF_REG_SIZE; i++) {
        if (stackSlot.slotType[i] === STACK_SPILL) stackSlot.slotType[i] = STACK_MISC;
      }
    } else if (stackSlot.slotType[BPF_REG_SIZE - 1] === STACK_ITER) {
      // `scrub_special_slot`: data over an iterator destroys it (its reference stays held)
      markRegNotInit(stackSlot.spilled);
      stackSlot.iter = undefined;
      for (let i = 0; i < BPF_REG_SIZE; i++) {
        if (stackSlot.slotType[i] !== STACK_INVALID) stackSlot.slotType[i] = STACK_MISC;
      }
    }
    if (
      (reg !== undefined && isConstZero(reg)) ||
      (reg === undefined && isStImm && insn.imm === 0)
    ) {
      // the zeros are no longer tied to a spilled register: its value must stay exactly zero
      markChainPrecision(env, valueRegno);
      type = STACK_ZERO;
    }
    for (let i = 0; i < size; i++) stackSlot.slotType[(slot - i) % BPF_REG_SIZE] = type;
    spill = false;
  }
  if (spill) recordStackAccess(env, frame.frameno, spi);
}

/** Variable-offset stack writes: every byte that may be written becomes data (or zero). */
function checkStackWriteVarOff(
  env: VerifierEnv,
  frame: FuncState,
  ptrRegno: number,
  off: number,
  size: number,
  valueRegno: number,
  insn: Insn,
): void {
  const ptr = env.reg(ptrRegno);
  const minOff = Number(ptr.smin) + off;
  const maxOff = Number(ptr.smax) + off + size;
  const value = valueRegno >= 0 ? env.reg(valueRegno) : undefined;
  const writesZero =
    value !== undefined ? isConstZero(value) : (insn.code & 0x07) === 0x02 && insn.imm === 0;
  let zeroUsed = false;
  for (let i = minOff; i < maxOff; i++) {
    const slot = -i - 1;
    const spi = Math.floor(slot / BPF_REG_SIZE);
    const stackSlot = frame.stack[spi]!;
    env.markStackSlotScratched(spi);
    if (stackSlot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
      for (let j = 0; j < BPF_REG_SIZE; j++) {
        if (stackSlot.slotType[j] === STACK_SPILL) stackSlot.slotType[j] = STACK_MISC;
      }
    }
    const idx = slot % BPF_REG_SIZE;
    const cur = stackSlot.slotType[idx]!;
    if (writesZero && cur === STACK_ZERO) zeroUsed = true;
    if (!(writesZero && cur === STACK_ZERO))
      stackSlot.slotType[idx] = writesZero && cur === STACK_ZERO ? STACK_ZERO : STACK_MISC;
  }
  // backtracking does not follow STACK_ZERO: the zero written must stay exactly zero
  if (zeroUsed) markChainPrecision(env, valueRegno);
}

/** `bpf_stack_narrow_access_ok` */
function stackNarrowAccessOk(off: number, size: number, spillSize: number): boolean {
  // little endian: a narrow fill reads the low part, which starts at the slot's lowest address
  return off % BPF_REG_SIZE === 0 && size <= spillSize;
}

/** `check_stack_read_fixed_off` */
function checkStackReadFixedOff(
  env: VerifierEnv,
  frame: FuncState,
  off: number,
  size: number,
  dstRegno: number,
): void {
  const slot = -off - 1;
  const spi = Math.floor(slot / BPF_REG_SIZE);
  const stackSlot = frame.stack[spi]!;
  const stype = stackSlot.slotType;
  const spilled = stackSlot.spilled;
  env.markStackSlotScratched(spi);
  markStackRead(env, frame.frameno, spi);
  if (stype[BPF_REG_SIZE - 1] === STACK_SPILL) {
    let spillSize = 1;
    for (let i = BPF_REG_SIZE - 1; i > 0 && stype[i - 1] === STACK_SPILL; i--) spillSize++;
    if (size !== BPF_REG_SIZE || spillSize !== BPF_REG_SIZE) {
      if (spilled.type !== SCALAR_VALUE) env.reject(EACCES, "invalid size of register fill");
      if (dstRegno < 0) return;
      const dst = env.reg(dstRegno);
      if (size <= spillSize && stackNarrowAccessOk(off, size, spillSize)) {
        Object.assign(dst, copyReg(spilled));
        if (regWidth(spilled) > size * 8) dst.id = 0;
      } else {
        let spillCnt = 0;
        let zeroCnt = 0;
        for (let i = 0; i < size; i++) {
          const t = stype[(slot - i) % BPF_REG_SIZE];
          if (t === STACK_SPILL) spillCnt++;
          else if (t === STACK_ZERO) zeroCnt++;
        }
        if (spillCnt === size && isConstZero(spilled)) markRegKnown(dst, 0n);
        else {
          // not the spilled register coming back: nothing for backtracking to follow
          if (zeroCnt === size) markRegKnown(dst, 0n);
          else markRegUnknown(dst);
          return;
        }
      }
    } else if (dstRegno >= 0) {
      Object.assign(env.reg(dstRegno), copyReg(spilled));
    }
    recordStackAccess(env, frame.frameno, spi);
    return;
  }
  for (let i = 0; i < size; i++) {
    const t = stype[(slot - i) % BPF_REG_SIZE];
    // an iterator's or dynptr's bytes are the kernel's, never data
    if (t === STACK_ITER || t === STACK_DYNPTR)
      env.reject(EACCES, `invalid read from stack off ${off}+${i} size ${size}`);
  }
  if (dstRegno >= 0) markRegStackRead(env, frame, off, off + size, dstRegno);
}

/** `mark_reg_stack_read`: zeros read as a known zero, anything else as an unknown scalar. */
function markRegStackRead(
  env: VerifierEnv,
  frame: FuncState,
  minOff: number,
  maxOff: number,
  dstRegno: number,
): void {
  let zeros = 0;
  for (let i = minOff; i < maxOff; i++)
    markStackRead(env, frame.frameno, Math.floor((-i - 1) / BPF_REG_SIZE));
  for (let i = minOff; i < maxOff; i++) {
    const slot = -i - 1;
    const spi = Math.floor(slot / BPF_REG_SIZE);
    env.markStackSlotScratched(spi);
    if (frame.stack[spi]?.slotType[slot % BPF_REG_SIZE] !== STACK_ZERO) break;
    zeros++;
  }
  if (zeros === maxOff - minOff) markRegKnown(env.reg(dstRegno), 0n);
  else markRegUnknown(env.reg(dstRegno));
}

function checkStackRead(
  env: VerifierEnv,
  ptrRegno: number,
  off: number,
  size: number,
  dstRegno: number,
): void {
  const reg = env.reg(ptrRegno);
  const frame = frameOf(env, reg);
  if (tnumIsConst(reg.varOff)) {
    checkStackReadFixedOff(
      env,
      frame,
      off + Number(BigInt.asIntN(64, reg.varOff.value)),
      size,
      dstRegno,
    );
    return;
  }
  if (dstRegno < 0) {
    env.reject(
      EACCES,
      `variable offset stack pointer cannot be passed into helper function; var_off=${tnumString(reg.varOff)} off=${off} size=${size}`,
    );
  }
  markRegStackRead(env, frame, Number(reg.smin) + off, Number(reg.smax) + off + size, dstRegno);
}

function checkStackWrite(
  env: VerifierEnv,
  ptrRegno: number,
  off: number,
  size: number,
  valueRegno: number,
  insn: Insn,
): void {
  const reg = env.reg(ptrRegno);
  const frame = frameOf(env, reg);
  if (tnumIsConst(reg.varOff)) {
    checkStackWriteFixedOff(
      env,
      frame,
      off + Number(BigInt.asIntN(64, reg.varOff.value)),
      size,
      valueRegno,
      insn,
    );
  } else {
    checkStackWriteVarOff(env, frame, ptrRegno, off, size, valueRegno, insn);
  }
}

/** Reads a read-only map's frozen contents, as the kernel's `bpf_map_direct_read`. */
function mapDirectRead(
  env: VerifierEnv,
  mapIndex: number,
  off: number,
  size: number,
  signed: boolean,
): bigint | undefined {
  const map = env.maps[mapIndex];
  const data = map?.initialValue;
  if (
    map === undefined ||
    !map.readOnly ||
    data === undefined ||
    off < 0 ||
    off + size > data.length
  )
    return undefined;
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[off + i]!);
  if (signed && size < 8) value = BigInt.asIntN(size * 8, value);
  return value;
}

/** `check_map_access_type`: `.rodata` is read-only for programs. */
function checkMapAccessType(
  env: VerifierEnv,
  mapIndex: number,
  off: number,
  size: number,
  t: Access,
): void {
  const map = env.maps[mapIndex]!;
  const BPF_F_RDONLY_PROG = 1 << 7;
  const BPF_F_WRONLY_PROG = 1 << 8;
  if (t === "write" && map.flags & BPF_F_RDONLY_PROG) {
    env.reject(
      EACCES,
      `write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}`,
    );
  }
  if (t === "read" && map.flags & BPF_F_WRONLY_PROG) {
    env.reject(
      EACCES,
      `read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}`,
    );
  }
}

function checkCtxAccess(
  env: VerifierEnv,
  off: number,
  size: number,
  t: Access,
  signExtend: boolean,
): number {
  const result = checkCtxFieldAccess(env.progType, off, size, t, { signExtend });
  if (!result.ok) env.reject(EACCES, `invalid bpf_context access off=${off} size=${size}`);
  return result.regType;
}

/**
 * `check_mem_access`: whether `size` bytes at `regs[regno] + off` may be read
 * or written, and what a load puts into `valueRegno`.
 */
export function checkMemAccess(
  env: VerifierEnv,
  insn: Insn,
  regno: number,
  off: number,
  size: number,
  t: Access,
  valueRegno: number,
  strictAlignmentOnce: boolean,
  isLdsx: boolean,
): void {
  const regs = env.regs;
  const reg = regs[regno]!;
  checkPtrAlignment(env, reg, off, size, strictAlignmentOnce);
  off += reg.off;
  const type = reg.type;
  const base = baseType(type);
  if (type === PTR_TO_MAP_KEY) {
    if (t === "write") env.reject(EACCES, `write to change key R${regno} not allowed`);
    checkMemRegionAccess(env, regno, off, size, env.maps[reg.mapIndex]!.keySize, false);
    if (valueRegno >= 0) markRegUnknown(regs[valueRegno]!);
  } else if (type === PTR_TO_MAP_VALUE) {
    checkMapAccessType(env, reg.mapIndex, off, size, t);
    checkMemRegionAccess(env, regno, off, size, env.maps[reg.mapIndex]!.valueSize, false);
    checkMapValueSpecialFields(env, reg, off, size);
    checkMapKptrFieldAccess(env, reg, off, size, true);
    const kptrField = mapKptrFieldAt(env, reg, off);
    if (kptrField !== undefined) {
      checkMapKptrAccess(env, insn, valueRegno, kptrField);
    } else if (t === "read" && valueRegno >= 0) {
      const direct = tnumIsConst(reg.varOff)
        ? mapDirectRead(env, reg.mapIndex, off + Number(reg.varOff.value), size, isLdsx)
        : undefined;
      if (direct !== undefined) markRegKnown(regs[valueRegno]!, direct);
      else markRegUnknown(regs[valueRegno]!);
    }
  } else if (base === PTR_TO_MEM) {
    if (typeMayBeNull(type))
      env.reject(EACCES, `R${regno} invalid mem access '${regTypeName(type)}'`);
    const rdonly = (type & MEM_RDONLY) !== 0;
    if (t === "write" && rdonly)
      env.reject(EACCES, `R${regno} cannot write into ${regTypeName(type)}`);
    checkMemRegionAccess(env, regno, off, size, reg.memSize, false);
    if (valueRegno >= 0 && (t === "read" || rdonly)) markRegUnknown(regs[valueRegno]!);
  } else if (type === PTR_TO_CTX) {
    checkPtrOffReg(env, reg, regno);
    const loaded = checkCtxAccess(env, off, size, t, isLdsx);
    if (t === "read" && valueRegno >= 0) {
      const dst = regs[valueRegno]!;
      if (loaded === SCALAR_VALUE) markRegUnknown(dst);
      else {
        markRegPointer(dst, loaded);
        if (typeMayBeNull(loaded)) dst.id = env.nextId();
      }
    }
  } else if (type === PTR_TO_STACK) {
    checkStackAccessWithinBounds(env, regno, off, size, "direct", t);
    if (t === "read") checkStackRead(env, regno, off, size, valueRegno);
    else checkStackWrite(env, regno, off, size, valueRegno, insn);
  } else if (isPacketPointer(type)) {
    if (t === "write" && !packetWritable(env)) env.reject(EACCES, "cannot write into packet");
    checkPacketAccess(env, regno, off, size, false);
    if (t === "read" && valueRegno >= 0) markRegUnknown(regs[valueRegno]!);
  } else if (type === PTR_TO_ARENA) {
    if (t === "read" && valueRegno >= 0) markRegUnknown(regs[valueRegno]!);
  } else if (type === CONST_PTR_TO_MAP) {
    checkPtrToMapAccess(env, regno, off, t, valueRegno);
  } else if (
    type === PTR_TO_SOCKET ||
    type === PTR_TO_SOCK_COMMON ||
    type === PTR_TO_TCP_SOCK ||
    type === PTR_TO_XDP_SOCK
  ) {
    // `check_sock_access`
    if (t === "write") env.reject(EACCES, `R${regno} cannot write into ${regTypeName(type)}`);
    if (reg.smin < 0n) {
      env.reject(
        EACCES,
        `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`,
      );
    }
    if (!sockAccessValidFor(type, off, size)) {
      env.reject(EACCES, `R${regno} invalid ${regTypeName(type)} access off=${off} size=${size}`);
    }
    if (valueRegno >= 0) markRegUnknown(regs[valueRegno]!);
  } else if (base === PTR_TO_BTF_ID && !(type & PTR_MAYBE_NULL) && type & MEM_ALLOC) {
    checkAllocObjAccess(env, regno, off, size);
    if (t === "read" && valueRegno >= 0) markRegUnknown(regs[valueRegno]!);
  } else if (base === PTR_TO_BTF_ID && !(type & PTR_MAYBE_NULL)) {
    // BTF-typed access: the field must exist; the value is unknown
    checkProgramBtfPtrAccess(env, regno, off, t);
    if (t === "read" && valueRegno >= 0) markRegUnknown(regs[valueRegno]!);
  } else {
    env.reject(EACCES, `R${regno} invalid mem access '${regTypeName(type)}'`);
  }
  const dst = valueRegno >= 0 ? regs[valueRegno]! : undefined;
  if (dst !== undefined && size < BPF_REG_SIZE && t === "read" && dst.type === SCALAR_VALUE) {
    if (isLdsx) coerceToSizeSxInPlace(dst, size);
    else coerceToSizeInPlace(dst, size);
  }
}

/** `may_access_direct_pkt_data` for writes. */
function packetWritable(env: VerifierEnv): boolean {
  switch (env.progType) {
    case "sched_cls":
    case "sched_act":
    case "xdp":
    case "lwt_xmit":
    case "sk_skb":
    case "sk_msg":
      return true;
    default:
      return false;
  }
}

export function checkLoadMem(env: VerifierEnv, insn: Insn, isLdsx: boolean): void {
  env.checkRegArg(insn.src, SRC_OP);
  env.checkRegArg(insn.dst, DST_OP_NO_MARK);
  checkMemAccess(
    env,
    insn,
    insn.src,
    insn.off,
    sizeBytes(insn.code),
    "read",
    insn.dst,
    false,
    isLdsx,
  );
}

export function checkStoreReg(env: VerifierEnv, insn: Insn): void {
  env.checkRegArg(insn.src, SRC_OP);
  env.checkRegArg(insn.dst, SRC_OP);
  checkMemAccess(
    env,
    insn,
    insn.dst,
    insn.off,
    sizeBytes(insn.code),
    "write",
    insn.src,
    false,
    false,
  );
}

export function checkStoreImm(env: VerifierEnv, insn: Insn): void {
  env.checkRegArg(insn.dst, SRC_OP);
  checkMemAccess(env, insn, insn.dst, insn.off, sizeBytes(insn.code), "write", -1, false, false);
}

const ATOMIC_OPS = new Set([
  BPF_ADD,
  BPF_ADD | BPF_FETCH,
  BPF_AND,
  BPF_AND | BPF_FETCH,
  BPF_OR,
  BPF_OR | BPF_FETCH,
  BPF_XOR,
  BPF_XOR | BPF_FETCH,
  BPF_XCHG,
  BPF_CMPXCHG,
]);

/** `check_atomic` */
export function checkAtomic(env: VerifierEnv, insn: Insn): void {
  if (!ATOMIC_OPS.has(insn.imm)) {
    env.reject(
      EINVAL,
      `BPF_ATOMIC uses invalid atomic opcode ${(insn.imm >>> 0).toString(16).padStart(2, "0")}`,
    );
  }
  const size = insn.code & 0x18;
  if (size !== BPF_W && size !== BPF_DW) env.reject(EINVAL, "invalid atomic operand size");
  env.checkRegArg(insn.src, SRC_OP);
  env.checkRegArg(insn.dst, SRC_OP);
  if (insn.imm === BPF_CMPXCHG) env.checkRegArg(0, SRC_OP);
  const dstType = env.reg(insn.dst).type;
  if (
    dstType === PTR_TO_CTX ||
    isPacketPointer(dstType) ||
    dstType === PTR_TO_FLOW_KEYS ||
    isSockPointer(dstType)
  ) {
    env.reject(
      EACCES,
      `BPF_ATOMIC stores into R${insn.dst} ${regTypeName(dstType)} is not allowed`,
    );
  }
  let loadReg = -1;
  if (insn.imm & BPF_FETCH) {
    loadReg = insn.imm === BPF_CMPXCHG ? 0 : insn.src;
    env.checkRegArg(loadReg, DST_OP);
  }
  const bytes = sizeBytes(insn.code);
  checkMemAccess(env, insn, insn.dst, insn.off, bytes, "read", -1, true, false);
  if (loadReg >= 0)
    checkMemAccess(env, insn, insn.dst, insn.off, bytes, "read", loadReg, true, false);
  checkMemAccess(env, insn, insn.dst, insn.off, bytes, "write", -1, true, false);
}

function isSockPointer(type: number): boolean {
  return (
    type === PTR_TO_SOCKET ||
    type === PTR_TO_SOCK_COMMON ||
    type === PTR_TO_TCP_SOCK ||
    type === PTR_TO_XDP_SOCK
  );
}

/** Program types whose context is an skb, so `BPF_LD_ABS` works (`may_access_skb`). */
function mayAccessSkb(env: VerifierEnv): boolean {
  return (
    env.progType === "socket_filter" || env.progType === "sched_cls" || env.progType === "sched_act"
  );
}

const CALLER_SAVED = [0, 1, 2, 3, 4, 5];

/** `check_ld_abs`: the legacy packet loads. */
export function checkLdAbs(env: VerifierEnv, insn: Insn): void {
  const mode = insn.code & 0xe0;
  if (!mayAccessSkb(env))
    env.reject(EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
  for (let i = env.state.curframe; i > 0; i--) {
    if (env.state.frames[i]!.inCallbackFn)
      env.reject(EINVAL, "cannot use BPF_LD_[ABS|IND] within callback");
  }
  if (
    insn.dst !== 0 ||
    insn.off !== 0 ||
    (insn.code & 0x18) === BPF_DW ||
    (mode === BPF_ABS && insn.src !== 0)
  ) {
    env.reject(EINVAL, "BPF_LD_[ABS|IND] uses reserved fields");
  }
  env.checkRegArg(6, SRC_OP);
  if (env.state.refs.some((r) => r.kind === "ptr")) {
    env.verbose(
      `Unreleased reference id=${env.state.refs[0]!.id} alloc_insn=${env.state.refs[0]!.insnIdx}`,
    );
    env.reject(EINVAL, "BPF_LD_[ABS|IND] cannot be mixed with socket references");
  }
  if (env.state.activeLock !== undefined) {
    env.reject(EINVAL, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region");
  }
  if (env.state.activeRcuLock)
    env.reject(EINVAL, "BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region");
  if (env.reg(6).type !== PTR_TO_CTX)
    env.reject(EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
  if (mode === BPF_IND) env.checkRegArg(insn.src, SRC_OP);
  checkPtrOffReg(env, env.reg(6), 6);
  for (const r of CALLER_SAVED) {
    markRegNotInit(env.reg(r));
    env.checkRegArg(r, DST_OP_NO_MARK);
  }
  markRegUnknown(env.reg(0));
}

/** `check_ld_imm`: a 64-bit constant, a map, a map value or a function. */
export function checkLdImm(env: VerifierEnv, insn: Insn): void {
  if ((insn.code & 0x18) !== BPF_DW) env.reject(EINVAL, "invalid BPF_LD_IMM insn");
  if (insn.off !== 0) env.reject(EINVAL, "BPF_LD_IMM64 uses reserved fields");
  env.checkRegArg(insn.dst, DST_OP);
  const dst = env.reg(insn.dst);
  const next = env.insns[env.insnIdx + 1]!;
  if (insn.src === 0) {
    markRegKnown(dst, (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0));
    return;
  }
  if (insn.src === BPF_PSEUDO_FUNC) {
    const subprogno = env.subprogAt(env.insnIdx + insn.imm + 1);
    if (env.program.funcInfo.length === 0) env.reject(EINVAL, "missing btf func_info");
    if (env.subprogs[subprogno]?.linkage !== "static")
      env.reject(EINVAL, "callback function not static");
    if (subprogno === 0) env.reject(EINVAL, "callback function cannot be the main program");
    markRegPointer(dst, PTR_TO_FUNC, { subprogno });
    return;
  }
  if (insn.src === BPF_PSEUDO_MAP_VALUE || insn.src === BPF_PSEUDO_MAP_IDX_VALUE) {
    markRegPointer(dst, PTR_TO_MAP_VALUE, { mapIndex: insn.imm, off: next.imm | 0 });
    return;
  }
  if (insn.src === BPF_PSEUDO_MAP_FD || insn.src === BPF_PSEUDO_MAP_IDX) {
    markRegPointer(dst, CONST_PTR_TO_MAP, { mapIndex: insn.imm });
    return;
  }
  if (insn.src === BPF_PSEUDO_BTF_ID)
    env.reject(EINVAL, "typed ksym variables are not supported by tsbpf");
  env.reject(EINVAL, "bpf verifier is misconfigured");
}

export { DST_OP };
