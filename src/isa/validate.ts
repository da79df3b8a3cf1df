/**
 * Well-formedness of instructions per RFC 9669: a known opcode, registers
 * r0..r10, and every field the instruction does not use set to zero (the RFC
 * reserves them; the kernel rejects them with "... uses reserved fields").
 * Kernel extensions that clang emits are accepted: sign-extending moves and
 * loads, signed division, `gotol`, `may_goto`, kfunc calls, arena address
 * space casts, load-acquire and store-release.
 */
import { IsaError } from "./errors.js";
import type { Insn } from "./insn.js";
import {
  BPF_ABS,
  BPF_ADD,
  BPF_ADDR_SPACE_CAST,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JCOND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_LOAD_ACQ,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_NEG,
  BPF_OR,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_ST,
  BPF_STORE_REL,
  BPF_STX,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
  MAX_BPF_REG,
} from "./opcodes.js";

function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, "0")}`;
}

function fail(index: number, insn: Insn, what: string): never {
  throw new IsaError(`instruction ${index} (opcode ${hex(insn.code)}): ${what}`, index);
}

function unused(index: number, insn: Insn, field: "dst" | "src" | "off" | "imm"): void {
  if (insn[field] !== 0) {
    fail(index, insn, `unused field ${field} must be 0, is ${insn[field]}`);
  }
}

function register(index: number, insn: Insn, field: "dst" | "src"): void {
  if (insn[field] >= MAX_BPF_REG) fail(index, insn, `invalid ${field} register r${insn[field]}`);
}

function checkAlu(index: number, insn: Insn, cls: number): void {
  const code = insn.code;
  const op = code & 0xf0;
  const x = (code & BPF_X) === BPF_X;
  register(index, insn, "dst");
  if (op === BPF_END) {
    if (cls === BPF_ALU64 && x) fail(index, insn, "byte swap of class ALU64 must use source K");
    unused(index, insn, "src");
    unused(index, insn, "off");
    if (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) {
      fail(index, insn, `byte swap width must be 16, 32 or 64, is ${insn.imm}`);
    }
    return;
  }
  if (op === BPF_NEG) {
    if (x) fail(index, insn, "neg must use source K");
    unused(index, insn, "src");
    unused(index, insn, "off");
    unused(index, insn, "imm");
    return;
  }
  if (op > BPF_END) fail(index, insn, `unknown ALU operation ${hex(op)}`);
  if (x) {
    register(index, insn, "src");
    if (code === (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off === BPF_ADDR_SPACE_CAST) {
      // Arena cast: imm names the two address spaces; the kernel only converts between 0 and 1.
      if (insn.imm !== 1 && insn.imm !== 0x10000) {
        fail(index, insn, "addr_space_cast can only convert between address space 1 and 0");
      }
      return;
    }
    unused(index, insn, "imm");
  } else {
    unused(index, insn, "src");
  }
  if (insn.off === 0) return;
  if ((op === BPF_DIV || op === BPF_MOD) && insn.off === 1) return;
  if (
    op === BPF_MOV &&
    x &&
    (insn.off === 8 || insn.off === 16 || (insn.off === 32 && cls === BPF_ALU64))
  ) {
    return;
  }
  fail(index, insn, `unused field off must be 0, is ${insn.off}`);
}

function checkJmp(index: number, insn: Insn, cls: number): void {
  const code = insn.code;
  const op = code & 0xf0;
  const x = (code & BPF_X) === BPF_X;
  if (op === BPF_JA) {
    if (x) fail(index, insn, "ja must use source K");
    unused(index, insn, "dst");
    unused(index, insn, "src");
    unused(index, insn, cls === BPF_JMP ? "imm" : "off");
    return;
  }
  if (op === BPF_CALL) {
    if (cls !== BPF_JMP) fail(index, insn, "call is only defined in class JMP");
    if (x) {
      // callx: the target address is in dst (LLVM's encoding)
      register(index, insn, "dst");
      unused(index, insn, "src");
      unused(index, insn, "off");
      unused(index, insn, "imm");
      return;
    }
    unused(index, insn, "dst");
    if (insn.src > BPF_PSEUDO_KFUNC_CALL) fail(index, insn, `unknown call kind src=${insn.src}`);
    // A kfunc call selects the BTF of the module that defines it with off.
    if (insn.src !== BPF_PSEUDO_KFUNC_CALL) unused(index, insn, "off");
    return;
  }
  if (op === BPF_EXIT) {
    if (cls !== BPF_JMP || x) fail(index, insn, "exit is only defined as opcode 0x95");
    unused(index, insn, "dst");
    unused(index, insn, "src");
    unused(index, insn, "off");
    unused(index, insn, "imm");
    return;
  }
  if (op === BPF_JCOND) {
    if (cls !== BPF_JMP || x) fail(index, insn, `unknown jump operation ${hex(op)}`);
    unused(index, insn, "dst");
    unused(index, insn, "src");
    unused(index, insn, "imm");
    return;
  }
  if (op > BPF_JCOND) fail(index, insn, `unknown jump operation ${hex(op)}`);
  register(index, insn, "dst");
  if (x) {
    register(index, insn, "src");
    unused(index, insn, "imm");
  } else {
    unused(index, insn, "src");
  }
}

const ATOMIC_OPS: ReadonlySet<number> = new Set([
  BPF_ADD,
  BPF_AND,
  BPF_OR,
  BPF_XOR,
  BPF_ADD | BPF_FETCH,
  BPF_AND | BPF_FETCH,
  BPF_OR | BPF_FETCH,
  BPF_XOR | BPF_FETCH,
  BPF_XCHG,
  BPF_CMPXCHG,
]);

function checkStx(index: number, insn: Insn): void {
  const code = insn.code;
  const mode = code & 0xe0;
  const size = code & 0x18;
  register(index, insn, "dst");
  register(index, insn, "src");
  if (mode === BPF_MEM) {
    unused(index, insn, "imm");
    return;
  }
  if (mode !== BPF_ATOMIC) fail(index, insn, `unknown store mode ${hex(mode)}`);
  if (insn.imm === BPF_LOAD_ACQ || insn.imm === BPF_STORE_REL) return;
  if (!ATOMIC_OPS.has(insn.imm)) fail(index, insn, `unknown atomic operation ${hex(insn.imm)}`);
  if (size !== BPF_W && size !== BPF_DW) {
    fail(index, insn, "atomic operations need a 32- or 64-bit access");
  }
}

function checkLd(insns: readonly Insn[], index: number, insn: Insn): number {
  const code = insn.code;
  const mode = code & 0xe0;
  if (mode === BPF_IMM) {
    if ((code & 0x18) !== BPF_DW) fail(index, insn, "64-bit immediate load must have size DW");
    register(index, insn, "dst");
    unused(index, insn, "off");
    if (insn.src > BPF_PSEUDO_MAP_IDX_VALUE) fail(index, insn, `unknown lddw kind src=${insn.src}`);
    const next = insns[index + 1];
    if (next === undefined) fail(index, insn, "64-bit immediate load is missing its second slot");
    if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
      throw new IsaError(
        `instruction ${index + 1}: second slot of a 64-bit immediate load must have only imm set`,
        index + 1,
      );
    }
    return 2;
  }
  if (mode === BPF_ABS || mode === BPF_IND) {
    // Legacy packet access: r6 is the implicit context, the result goes to r0.
    if ((code & 0x18) === BPF_DW) fail(index, insn, "legacy packet load cannot have size DW");
    unused(index, insn, "dst");
    unused(index, insn, "off");
    if (mode === BPF_ABS) unused(index, insn, "src");
    else register(index, insn, "src");
    return 1;
  }
  return fail(index, insn, `unknown load mode ${hex(mode)}`);
}

/** Throws an IsaError naming the first malformed instruction; lddw's second slot is checked with its first. */
export function validateInsns(insns: readonly Insn[]): void {
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    const cls = insn.code & 0x07;
    switch (cls) {
      case BPF_ALU:
      case BPF_ALU64:
        checkAlu(i, insn, cls);
        break;
      case BPF_JMP:
      case BPF_JMP32:
        checkJmp(i, insn, cls);
        break;
      case BPF_LDX: {
        const mode = insn.code & 0xe0;
        if (mode !== BPF_MEM && mode !== BPF_MEMSX) fail(i, insn, `unknown load mode ${hex(mode)}`);
        if (mode === BPF_MEMSX && (insn.code & 0x18) === BPF_DW) {
          fail(i, insn, "sign-extending load cannot have size DW");
        }
        register(i, insn, "dst");
        register(i, insn, "src");
        unused(i, insn, "imm");
        break;
      }
      case BPF_ST:
        if ((insn.code & 0xe0) !== BPF_MEM)
          fail(i, insn, `unknown store mode ${hex(insn.code & 0xe0)}`);
        register(i, insn, "dst");
        unused(i, insn, "src");
        break;
      case BPF_STX:
        checkStx(i, insn);
        break;
      case BPF_LD:
        i += checkLd(insns, i, insn) - 1;
        break;
    }
  }
}
