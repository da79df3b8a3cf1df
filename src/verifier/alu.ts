/**
 * `check_alu_op`: reserved fields, register operands, and what each ALU
 * instruction does to the destination register: scalar bounds through the
 * scalar domain, pointer arithmetic under the kernel's rules.
 */
import { ALU_STRING } from "../isa/disasm.js";
import type { Insn } from "../isa/insn.js";
import {
  BPF_ADD,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_END,
  BPF_LSH,
  BPF_MOD,
  BPF_MOV,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_X,
  BPF_XOR,
} from "../isa/opcodes.js";
import { markUnbounded32, S64_MAX, S64_MIN, syncInPlace, U64_MAX } from "./bounds.js";
import { DST_OP, DST_OP_NO_MARK, SRC_OP, type VerifierEnv } from "./env.js";
import { markChainPrecision } from "./prune/precision.js";
import {
  copyReg,
  markRegKnown,
  markRegNotInit,
  markRegUnknown,
  notInitReg,
  type RegState,
} from "./reg-state.js";
import {
  baseType,
  CONST_PTR_TO_DYNPTR,
  CONST_PTR_TO_MAP,
  isPacketPointer,
  PTR_MAYBE_NULL,
  PTR_TO_BTF_ID,
  PTR_TO_BUF,
  PTR_TO_CTX,
  PTR_TO_FLOW_KEYS,
  PTR_TO_FUNC,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_PACKET,
  PTR_TO_PACKET_META,
  PTR_TO_STACK,
  PTR_TO_TP_BUFFER,
  regTypeName,
  SCALAR_VALUE,
} from "./reg-types.js";
import { EACCES, EINVAL } from "./result.js";
import { movImm, movReg, movsxIsNoop, type ScalarAluOp, scalarAlu } from "./scalar/alu.js";
import { tnumAdd, tnumIsConst, tnumSub } from "./tnum.js";

/** The kernel's BPF_MAX_VAR_OFF: offsets a pointer may carry. */
const BPF_MAX_VAR_OFF = 1n << 29n;

function isPointer(reg: RegState): boolean {
  return reg.type !== SCALAR_VALUE;
}

function aluString(op: number): string {
  return ALU_STRING[op >> 4]!;
}

/** `check_reg_sane_offset`: a pointer's offset must stay far from overflow. */
function checkRegSaneOffset(env: VerifierEnv, reg: RegState, type: number): void {
  const known = tnumIsConst(reg.varOff);
  const val = BigInt.asIntN(64, reg.varOff.value);
  if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
    env.reject(EINVAL, `math between ${regTypeName(type)} pointer and ${val} is not allowed`);
  }
  if (reg.off >= BPF_MAX_VAR_OFF || reg.off <= -BPF_MAX_VAR_OFF) {
    env.reject(EINVAL, `${regTypeName(type)} pointer offset ${reg.off} is not allowed`);
  }
  if (reg.smin === S64_MIN) {
    env.reject(
      EINVAL,
      `math between ${regTypeName(type)} pointer and register with unbounded min value is not allowed`,
    );
  }
  if (reg.smin >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) {
    env.reject(EINVAL, `value ${reg.smin} makes ${regTypeName(type)} pointer be out of bounds`);
  }
}

const fitsS32 = (v: bigint): boolean => v === BigInt.asIntN(32, v);

/** `adjust_ptr_min_max_vals`: pointer +/- scalar. */
function adjustPtrMinMaxVals(
  env: VerifierEnv,
  insn: Insn,
  ptrReg: RegState,
  offReg: RegState,
): void {
  const dst = insn.dst;
  const dstReg = env.reg(dst);
  const op = insn.code & 0xf0;
  const known = tnumIsConst(offReg.varOff);
  const { smin: sminVal, smax: smaxVal, umin: uminVal, umax: umaxVal } = offReg;
  const { smin: sminPtr, smax: smaxPtr, umin: uminPtr, umax: umaxPtr } = ptrReg;

  if (
    (known && (sminVal !== smaxVal || uminVal !== umaxVal)) ||
    sminVal > smaxVal ||
    uminVal > umaxVal
  ) {
    // bounds from a dead branch: the result is unusable, but not an error
    markRegUnknown(dstReg);
    return;
  }
  if ((insn.code & 0x07) !== BPF_ALU64) {
    if (op === BPF_SUB) {
      markRegUnknown(dstReg);
      return;
    }
    env.reject(EACCES, `R${dst} 32-bit pointer arithmetic prohibited`);
  }
  if (ptrReg.type & PTR_MAYBE_NULL) {
    env.reject(
      EACCES,
      `R${dst} pointer arithmetic on ${regTypeName(ptrReg.type)} prohibited, null-check it first`,
    );
  }
  switch (baseType(ptrReg.type)) {
    case PTR_TO_CTX:
    case PTR_TO_MAP_VALUE:
    case PTR_TO_MAP_KEY:
    case PTR_TO_STACK:
    case PTR_TO_PACKET_META:
    case PTR_TO_PACKET:
    case PTR_TO_TP_BUFFER:
    case PTR_TO_BTF_ID:
    case PTR_TO_MEM:
    case PTR_TO_BUF:
    case PTR_TO_FUNC:
    case CONST_PTR_TO_DYNPTR:
      break;
    case PTR_TO_FLOW_KEYS:
      if (known) break;
      if (!(known && sminVal === 0n && op === BPF_ADD)) {
        env.reject(EACCES, `R${dst} pointer arithmetic on ${regTypeName(ptrReg.type)} prohibited`);
      }
      break;
    case CONST_PTR_TO_MAP:
      if (known && sminVal === 0n && op === BPF_ADD) break;
      env.reject(EACCES, `R${dst} pointer arithmetic on ${regTypeName(ptrReg.type)} prohibited`);
      break;
    default:
      env.reject(EACCES, `R${dst} pointer arithmetic on ${regTypeName(ptrReg.type)} prohibited`);
  }

  const ptr = copyReg(ptrReg);
  if (dstReg !== ptrReg) Object.assign(dstReg, ptr);
  checkRegSaneOffset(env, offReg, ptr.type);
  checkRegSaneOffset(env, ptr, ptr.type);
  // pointers carry no 32-bit bounds
  markUnbounded32(dstReg);

  switch (op) {
    case BPF_ADD: {
      if (known && fitsS32(BigInt(ptr.off) + sminVal)) {
        dstReg.smin = sminPtr;
        dstReg.smax = smaxPtr;
        dstReg.umin = uminPtr;
        dstReg.umax = umaxPtr;
        dstReg.varOff = ptr.varOff;
        dstReg.off = ptr.off + Number(sminVal);
        break;
      }
      const smin = sminPtr + sminVal;
      const smax = smaxPtr + smaxVal;
      if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
        dstReg.smin = S64_MIN;
        dstReg.smax = S64_MAX;
      } else {
        dstReg.smin = smin;
        dstReg.smax = smax;
      }
      const umin = uminPtr + uminVal;
      const umax = umaxPtr + umaxVal;
      if (umin > U64_MAX || umax > U64_MAX) {
        dstReg.umin = 0n;
        dstReg.umax = U64_MAX;
      } else {
        dstReg.umin = umin;
        dstReg.umax = umax;
      }
      dstReg.varOff = tnumAdd(ptr.varOff, offReg.varOff);
      dstReg.off = ptr.off;
      if (isPacketPointer(ptr.type)) {
        dstReg.id = env.nextId();
        dstReg.range = 0;
      }
      break;
    }
    case BPF_SUB: {
      if (dstReg !== ptrReg && ptrReg !== env.reg(dst)) {
        env.reject(EACCES, `R${dst} tried to subtract pointer from scalar`);
      }
      if (ptr.type === PTR_TO_STACK)
        env.reject(EACCES, `R${dst} subtraction from stack pointer prohibited`);
      if (known && fitsS32(BigInt(ptr.off) - sminVal)) {
        dstReg.smin = sminPtr;
        dstReg.smax = smaxPtr;
        dstReg.umin = uminPtr;
        dstReg.umax = umaxPtr;
        dstReg.varOff = ptr.varOff;
        dstReg.id = ptr.id;
        dstReg.off = ptr.off - Number(sminVal);
        break;
      }
      const smin = sminPtr - smaxVal;
      const smax = smaxPtr - sminVal;
      if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
        dstReg.smin = S64_MIN;
        dstReg.smax = S64_MAX;
      } else {
        dstReg.smin = smin;
        dstReg.smax = smax;
      }
      if (uminPtr < umaxVal) {
        dstReg.umin = 0n;
        dstReg.umax = U64_MAX;
      } else {
        dstReg.umin = uminPtr - umaxVal;
        dstReg.umax = umaxPtr - uminVal;
      }
      dstReg.varOff = tnumSub(ptr.varOff, offReg.varOff);
      dstReg.off = ptr.off;
      if (isPacketPointer(ptr.type)) {
        dstReg.id = env.nextId();
        if (sminVal < 0n) dstReg.range = 0;
      }
      break;
    }
    case BPF_AND:
    case BPF_OR:
    case BPF_XOR:
      env.reject(EACCES, `R${dst} bitwise operator ${aluString(op)} on pointer prohibited`);
      break;
    default:
      env.reject(EACCES, `R${dst} pointer arithmetic with ${aluString(op)} operator prohibited`);
  }
  checkRegSaneOffset(env, dstReg, ptr.type);
  syncInPlace(dstReg);
}

/** `adjust_reg_min_max_vals`: decides between pointer and scalar arithmetic. */
function adjustRegMinMaxVals(env: VerifierEnv, insn: Insn): void {
  const op = insn.code & 0xf0;
  const is64 = (insn.code & 0x07) === BPF_ALU64;
  const dstReg = env.reg(insn.dst);
  let srcReg: RegState;
  if ((insn.code & 0x08) === BPF_X) {
    srcReg = env.reg(insn.src);
    if (isPointer(srcReg)) {
      if (isPointer(dstReg)) {
        // privileged programs may subtract pointers; the result is an unknown scalar
        if (op === BPF_SUB) {
          markRegUnknown(dstReg);
          return;
        }
        env.reject(EACCES, `R${insn.dst} pointer ${aluString(op)} pointer prohibited`);
      }
      // scalar += pointer: the pointer's rules, the scalar as the offset
      markChainPrecision(env, insn.dst);
      adjustPtrMinMaxVals(env, insn, srcReg, copyReg(dstReg));
      return;
    }
    if (isPointer(dstReg)) {
      markChainPrecision(env, insn.src);
      adjustPtrMinMaxVals(env, insn, dstReg, srcReg);
      return;
    }
    // a precise result needs a precise operand
    if (dstReg.precise) markChainPrecision(env, insn.src);
  } else {
    srcReg = notInitReg();
    markRegKnown(srcReg, BigInt(insn.imm | 0));
    if (isPointer(dstReg)) {
      adjustPtrMinMaxVals(env, insn, dstReg, srcReg);
      return;
    }
  }
  const result = scalarAlu(op as ScalarAluOp, is64, dstReg, srcReg, {});
  Object.assign(dstReg, result);
  dstReg.type = SCALAR_VALUE;
  // a computed value is no longer a copy of anything
  dstReg.id = 0;
}

export function checkAluOp(env: VerifierEnv, insn: Insn): void {
  const op = insn.code & 0xf0;
  const isX = (insn.code & 0x08) === BPF_X;
  const is64 = (insn.code & 0x07) === BPF_ALU64;

  if (op === BPF_END || op === BPF_NEG) {
    if (op === BPF_NEG) {
      if (isX || insn.src !== 0 || insn.off !== 0 || insn.imm !== 0)
        env.reject(EINVAL, "BPF_NEG uses reserved fields");
    } else if (
      insn.src !== 0 ||
      insn.off !== 0 ||
      ![16, 32, 64].includes(insn.imm) ||
      (is64 && isX)
    ) {
      env.reject(EINVAL, "BPF_END uses reserved fields");
    }
    env.checkRegArg(insn.dst, SRC_OP);
    if (isPointer(env.reg(insn.dst))) {
      // privileged: allowed, and the result is an unknown scalar
      env.checkRegArg(insn.dst, DST_OP);
      return;
    }
    env.checkRegArg(insn.dst, DST_OP_NO_MARK);
    const dstReg = env.reg(insn.dst);
    const result = scalarAlu(op as ScalarAluOp, is64, dstReg, dstReg, {
      endImm: insn.imm as 16 | 32 | 64,
      endToLe: !isX,
    });
    Object.assign(dstReg, result);
    dstReg.id = 0;
    return;
  }

  if (op === BPF_MOV) {
    if (isX) {
      const allowed = is64 ? [0, 8, 16, 32] : [0, 8, 16];
      if (!allowed.includes(insn.off) || insn.imm !== 0)
        env.reject(EINVAL, "BPF_MOV uses reserved fields");
      env.checkRegArg(insn.src, SRC_OP);
    } else if (insn.src !== 0 || insn.off !== 0) {
      env.reject(EINVAL, "BPF_MOV uses reserved fields");
    }
    env.checkRegArg(insn.dst, DST_OP_NO_MARK);
    const dstReg = env.reg(insn.dst);
    if (!isX) {
      markRegNotInit(dstReg);
      Object.assign(dstReg, movImm(insn.imm, is64));
      dstReg.type = SCALAR_VALUE;
      return;
    }
    const srcReg = env.reg(insn.src);
    if (is64 && insn.off === 0) {
      // r1 = r2: a copy, sharing the id so later checks on one apply to both
      if (srcReg.type === SCALAR_VALUE && srcReg.id === 0 && !tnumIsConst(srcReg.varOff))
        srcReg.id = env.nextId();
      Object.assign(dstReg, copyReg(srcReg));
      return;
    }
    if (srcReg.type !== SCALAR_VALUE) {
      // privileged: sign extension or a 32-bit copy of a pointer gives an unknown scalar
      markRegUnknown(dstReg);
      if (!is64) Object.assign(dstReg, movReg(dstReg, false, 0));
      return;
    }
    const offset = insn.off as 0 | 8 | 16 | 32;
    const keepsId =
      offset === 0 ? srcReg.umax <= 0xffff_ffffn : movsxIsNoop(srcReg, offset as 8 | 16 | 32);
    if (keepsId && srcReg.id === 0 && !tnumIsConst(srcReg.varOff)) srcReg.id = env.nextId();
    const bounds = movReg(srcReg, is64, offset);
    Object.assign(dstReg, copyReg(srcReg), bounds);
    if (!keepsId) dstReg.id = 0;
    return;
  }

  if (op > BPF_END) env.reject(EINVAL, `invalid BPF_ALU opcode ${(op >> 4).toString(16)}`);

  if (isX) {
    if (
      insn.imm !== 0 ||
      (insn.off !== 0 && insn.off !== 1) ||
      (insn.off === 1 && op !== BPF_MOD && op !== BPF_DIV)
    ) {
      env.reject(EINVAL, "BPF_ALU uses reserved fields");
    }
    env.checkRegArg(insn.src, SRC_OP);
  } else if (
    insn.src !== 0 ||
    (insn.off !== 0 && insn.off !== 1) ||
    (insn.off === 1 && op !== BPF_MOD && op !== BPF_DIV)
  ) {
    env.reject(EINVAL, "BPF_ALU uses reserved fields");
  }
  env.checkRegArg(insn.dst, SRC_OP);
  if ((op === BPF_MOD || op === BPF_DIV) && !isX && insn.imm === 0)
    env.reject(EINVAL, "div by zero");
  if ((op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) && !isX) {
    const size = is64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) env.reject(EINVAL, `invalid shift ${insn.imm}`);
  }
  env.checkRegArg(insn.dst, DST_OP_NO_MARK);
  adjustRegMinMaxVals(env, insn);
}
