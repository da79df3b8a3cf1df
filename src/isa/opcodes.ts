/**
 * Opcode fields of the BPF instruction set (RFC 9669, and the kernel's
 * include/uapi/linux/bpf.h for what the RFC leaves to implementations).
 * The names are the kernel's, so a search for `BPF_MEMSX` finds the same
 * concept here as in the kernel.
 *
 * An opcode byte is `op | source | class` for arithmetic and jumps and
 * `mode | size | class` for loads and stores.
 */

// Instruction classes: the low 3 bits of the opcode.
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

// Access sizes of loads and stores (bits 3-4).
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_DW = 0x18;

// Modes of loads and stores (bits 5-7).
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80;
export const BPF_ATOMIC = 0xc0;
/** Old name of BPF_ATOMIC, when the only atomic operation was add. */
export const BPF_XADD = 0xc0;
/** Kernel-internal speculation barrier (`BPF_ST | 0xc0`), never valid in a loaded program. */
export const BPF_NOSPEC = 0xc0;

// Operand source (bit 3) of arithmetic and jumps.
export const BPF_K = 0x00;
export const BPF_X = 0x08;
/** For BPF_END in class BPF_ALU: the source bit selects the byte order. */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

// Arithmetic operations (bits 4-7).
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
/** Unsigned division; signed when `off` is 1. */
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
/** Unsigned modulo; signed when `off` is 1. */
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
/** Move; with BPF_X and `off` 8, 16 or 32, a sign-extending move (movsx). */
export const BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0;
/** Byte swap: `imm` is the width (16, 32, 64). */
export const BPF_END = 0xd0;

// Jump operations (bits 4-7).
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;
/** Conditional pseudo jump of the kernel (`may_goto` when src is BPF_MAY_GOTO). */
export const BPF_JCOND = 0xe0;
export const BPF_MAY_GOTO = 0;

// Atomic operations, in the `imm` of BPF_STX | BPF_ATOMIC.
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;
export const BPF_LOAD_ACQ = 0x100;
export const BPF_STORE_REL = 0x110;

// `src` of the first slot of a 64-bit immediate load (lddw).
export const BPF_PSEUDO_MAP_FD = 1;
export const BPF_PSEUDO_MAP_VALUE = 2;
export const BPF_PSEUDO_BTF_ID = 3;
export const BPF_PSEUDO_FUNC = 4;
export const BPF_PSEUDO_MAP_IDX = 5;
export const BPF_PSEUDO_MAP_IDX_VALUE = 6;

// `src` of BPF_JMP | BPF_CALL.
export const BPF_HELPER_CALL = 0;
export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;

/** `off` of `BPF_ALU64 | BPF_MOV | BPF_X` marking an address space cast (arena pointers). */
export const BPF_ADDR_SPACE_CAST = 1;

/** Opcode of the first slot of a 64-bit immediate load. */
export const BPF_LDDW = BPF_LD | BPF_IMM | BPF_DW;

export const BPF_REG_FP = 10;
/** Number of registers a program may name: r0..r10. */
export const MAX_BPF_REG = 11;

/** The class of an opcode (BPF_LD .. BPF_ALU64). */
export function insnClass(code: number): number {
  return code & 0x07;
}

/** The operation of an arithmetic or jump opcode (BPF_ADD .., BPF_JA ..). */
export function insnOp(code: number): number {
  return code & 0xf0;
}

/** The operand source of an arithmetic or jump opcode (BPF_K or BPF_X). */
export function insnSrc(code: number): number {
  return code & 0x08;
}

/** The access size of a load or store opcode (BPF_W, BPF_H, BPF_B, BPF_DW). */
export function insnSize(code: number): number {
  return code & 0x18;
}

/** The mode of a load or store opcode (BPF_IMM .. BPF_ATOMIC). */
export function insnMode(code: number): number {
  return code & 0xe0;
}

/** Bytes accessed by a load or store of the given size field. */
export function sizeBytes(size: number): 1 | 2 | 4 | 8 {
  switch (size & 0x18) {
    case BPF_B:
      return 1;
    case BPF_H:
      return 2;
    case BPF_W:
      return 4;
    default:
      return 8;
  }
}

/** True for classes whose opcode has the op/source layout (ALU, ALU64, JMP, JMP32). */
export function isAluOrJmpClass(cls: number): boolean {
  return cls >= BPF_ALU;
}
