import { type MutableBounds, markKnown, markUnknown, unknownScalar } from "./bounds.js";
import { NOT_INIT, PTR_TO_STACK, SCALAR_VALUE } from "./reg-types.js";

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

export function notInitReg(): RegState {
  return {
    ...unknownScalar(),
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
  return { ...reg };
}

/** `__mark_reg_unknown`: an unbounded scalar; pointer-only fields cleared. */
export function markRegUnknown(reg: RegState): void {
  Object.assign(reg, notInitReg());
  reg.type = SCALAR_VALUE;
  markUnknown(reg);
}

/** `__mark_reg_known`: a scalar with this exact value. */
export function markRegKnown(reg: RegState, value: bigint): void {
  Object.assign(reg, notInitReg());
  reg.type = SCALAR_VALUE;
  markKnown(reg, value);
}

/** `__mark_reg_not_init` */
export function markRegNotInit(reg: RegState): void {
  Object.assign(reg, notInitReg());
}

/** A pointer of the given type with a zero offset: the `mark_reg_known_zero` + type pattern. */
export function markRegPointer(reg: RegState, type: number, fields: Partial<RegState> = {}): void {
  Object.assign(reg, notInitReg());
  markKnown(reg, 0n);
  reg.type = type;
  Object.assign(reg, fields);
}

export function framePointer(frameno: number): RegState {
  const reg = notInitReg();
  markRegPointer(reg, PTR_TO_STACK, { frameno });
  return reg;
}
