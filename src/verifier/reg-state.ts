import {
  type MutableBounds,
  markKnown,
  markUnknown,
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  U32_MAX,
  U64_MAX,
} from "./bounds.js";
import { NOT_INIT, PTR_TO_STACK, SCALAR_VALUE } from "./reg-types.js";
import { TNUM_UNKNOWN } from "./tnum.js";

/**
 * One register as the verifier tracks it: the kernel's `struct
 * bpf_reg_state`. The scalar bounds (`varOff`, `smin`...) also describe the
 * variable part of a pointer's offset; `off` is its fixed part.
 */
export interface RegState extends MutableBounds {
  /** base type | flags, see reg-types.ts */
  type: number;
  /** fixed offset of a pointer */
  off: number;
  /** packet pointers: bytes known to be readable past the pointer */
  range: number;
  /** map pointers and map values: index into the program's maps, -1 otherwise */
  mapIndex: number;
  /** BTF-typed pointers and allocated objects: the type id in the program's BTF */
  btfId: number;
  /** PTR_TO_MEM: size of the memory */
  memSize: number;
  /** identity shared by copies: null checks and packet ranges propagate through it */
  id: number;
  /** the acquired reference this register holds, 0 for none */
  refObjId: number;
  /** PTR_TO_STACK: which frame's stack */
  frameno: number;
  /** PTR_TO_FUNC: which subprogram */
  subprogno: number;
  /** the scalar's exact value matters (precision tracking) */
  precise: boolean;
}

// Registers are created and copied on every instruction. They are built
// property by property: object spread of a large object plus extra
// properties falls off V8's fast path (tens of microseconds per copy).

export function notInitReg(): RegState {
  // the bounds of `unknownScalar()`, written out: this runs for every new register and stack slot
  return {
    varOff: TNUM_UNKNOWN,
    smin: S64_MIN,
    smax: S64_MAX,
    umin: 0n,
    umax: U64_MAX,
    s32Min: S32_MIN,
    s32Max: S32_MAX,
    u32Min: 0,
    u32Max: U32_MAX,
    type: NOT_INIT,
    off: 0,
    range: 0,
    mapIndex: -1,
    btfId: 0,
    memSize: 0,
    id: 0,
    refObjId: 0,
    frameno: 0,
    subprogno: 0,
    precise: false,
  };
}

export function copyReg(reg: RegState): RegState {
  return {
    varOff: reg.varOff,
    smin: reg.smin,
    smax: reg.smax,
    umin: reg.umin,
    umax: reg.umax,
    s32Min: reg.s32Min,
    s32Max: reg.s32Max,
    u32Min: reg.u32Min,
    u32Max: reg.u32Max,
    type: reg.type,
    off: reg.off,
    range: reg.range,
    mapIndex: reg.mapIndex,
    btfId: reg.btfId,
    memSize: reg.memSize,
    id: reg.id,
    refObjId: reg.refObjId,
    frameno: reg.frameno,
    subprogno: reg.subprogno,
    precise: reg.precise,
  };
}

/** Overwrites `dst` with `src`, keeping the object (other code holds references to it). */
export function assignReg(dst: RegState, src: RegState): void {
  dst.varOff = src.varOff;
  dst.smin = src.smin;
  dst.smax = src.smax;
  dst.umin = src.umin;
  dst.umax = src.umax;
  dst.s32Min = src.s32Min;
  dst.s32Max = src.s32Max;
  dst.u32Min = src.u32Min;
  dst.u32Max = src.u32Max;
  dst.type = src.type;
  dst.off = src.off;
  dst.range = src.range;
  dst.mapIndex = src.mapIndex;
  dst.btfId = src.btfId;
  dst.memSize = src.memSize;
  dst.id = src.id;
  dst.refObjId = src.refObjId;
  dst.frameno = src.frameno;
  dst.subprogno = src.subprogno;
  dst.precise = src.precise;
}

const NOT_INIT_REG: RegState = Object.freeze(notInitReg());

/** `__mark_reg_unknown`: an unbounded scalar; pointer-only fields cleared. */
export function markRegUnknown(reg: RegState): void {
  assignReg(reg, NOT_INIT_REG);
  reg.type = SCALAR_VALUE;
  markUnknown(reg);
}

/** `__mark_reg_known`: a scalar with this exact value. */
export function markRegKnown(reg: RegState, value: bigint): void {
  assignReg(reg, NOT_INIT_REG);
  reg.type = SCALAR_VALUE;
  markKnown(reg, value);
}

/** `__mark_reg_not_init` */
export function markRegNotInit(reg: RegState): void {
  assignReg(reg, NOT_INIT_REG);
}

/** A pointer of the given type with a zero offset: the `mark_reg_known_zero` + type pattern. */
export function markRegPointer(reg: RegState, type: number, fields: Partial<RegState> = {}): void {
  assignReg(reg, NOT_INIT_REG);
  markKnown(reg, 0n);
  reg.type = type;
  Object.assign(reg, fields);
}

export function framePointer(frameno: number): RegState {
  const reg = notInitReg();
  markRegPointer(reg, PTR_TO_STACK, { frameno });
  return reg;
}
