import type { Insn } from "../isa/insn.js";
import { BPF_LDDW, BPF_PSEUDO_FUNC } from "../isa/opcodes.js";
import { RuntimeFault } from "./errors.js";
import type { Memory, Region } from "./memory.js";

/**
 * A program decoded once into parallel typed arrays, so the interpreter's
 * loop reads small integers and never allocates. Index `length` holds a
 * sentinel that faults: running off the end of the program.
 */
export interface DecodedProgram {
  readonly name: string;
  /** instruction slots, as the kernel counts them */
  readonly length: number;
  /** the opcode byte, with the variants the kernel selects by `off` folded in (see SDIV_OP) */
  readonly op: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  /**
   * dst and src as indices into the register file's 32-bit halves, in one
   * load: low byte 2 * dst, high byte 2 * src.
   */
  readonly halves: Uint16Array;
  readonly off: Int16Array;
  readonly imm: Int32Array;
  /** low and high halves of the 64-bit operand: sign-extended `imm`, or the whole `lddw` value */
  readonly immLo: Uint32Array;
  readonly immHi: Uint32Array;
  /** the same operand as a 64-bit integer, for BigInt arithmetic */
  readonly imm64: BigInt64Array;
  /**
   * A no-access region standing for the program's code: a function pointer
   * (`BPF_PSEUDO_FUNC`, the target of `callx`) is `text.start + 8 * index`.
   */
  readonly text: Region;
  /** the instructions as given, for diagnostics */
  readonly insns: readonly Insn[];
}

/**
 * Opcode bytes the ISA leaves unused (operation 0xe0 and 0xf0 in the ALU
 * classes) that the decoder gives to signed division and modulo, which the
 * ISA encodes as `BPF_DIV`/`BPF_MOD` with `off` 1.
 */
export const SDIV_OP = 0xe0;
export const SMOD_OP = 0xf0;
/** Sentinel opcode after the last instruction (JMP class, operation 0xf0: unused by the ISA). */
export const END_OP = 0xf5;
/** Opcode given to jumps whose target lies outside the program. */
export const BAD_JUMP_OP = 0xfd;

/** Resolves the 64-bit value of an `lddw` whose `src` is a pseudo source (maps, BTF ids). */
export type LddwResolver = (src: number, imm: number, nextImm: number, index: number) => bigint;

export function decodeProgram(
  name: string,
  insns: readonly Insn[],
  memory: Memory,
  resolveLddw?: LddwResolver,
): DecodedProgram {
  const n = insns.length;
  const op = new Uint8Array(n + 1);
  const dst = new Uint8Array(n + 1);
  const src = new Uint8Array(n + 1);
  const halves = new Uint16Array(n + 1);
  const off = new Int16Array(n + 1);
  const imm = new Int32Array(n + 1);
  const immLo = new Uint32Array(n + 1);
  const immHi = new Uint32Array(n + 1);
  const imm64 = new BigInt64Array(n + 1);
  const text = memory.allocRegion(Math.max(n, 1) * 8, "program", name, 0);
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    let code = insn.code & 0xff;
    const cls = code & 7;
    const aluOp = code & 0xf0;
    if ((cls === 4 || cls === 7) && insn.off === 1 && (aluOp === 0x30 || aluOp === 0x90)) {
      code = (aluOp === 0x30 ? SDIV_OP : SMOD_OP) | (code & 0x0f);
    }
    if (insn.dst > 10 || insn.src > 10 || insn.dst < 0 || insn.src < 0) {
      // r11..r15 do not exist; indexing the register file with them would read past it
      throw new RuntimeFault(
        `invalid register in ${insn.dst > 10 ? `dst r${insn.dst}` : `src r${insn.src}`}`,
        i,
      );
    }
    if ((code === 0xd4 || code === 0xdc || code === 0xd7) && ![16, 32, 64].includes(insn.imm)) {
      throw new RuntimeFault(`byte swap width ${insn.imm} is not 16, 32 or 64`, i);
    }
    op[i] = code;
    dst[i] = insn.dst;
    src[i] = insn.src;
    halves[i] = (insn.dst << 1) | (insn.src << 9);
    off[i] = insn.off;
    imm[i] = insn.imm;
    let value = BigInt(insn.imm | 0);
    if (code === BPF_LDDW) {
      const next = insns[i + 1];
      if (next === undefined) {
        throw new RuntimeFault("lddw is the last instruction: its second half is missing", i);
      }
      if (insn.src === 0) {
        value = BigInt.asIntN(64, (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0));
      } else if (insn.src === BPF_PSEUDO_FUNC) {
        const target = i + insn.imm + 1;
        if (target < 0 || target >= n) {
          throw new RuntimeFault(`function pointer to insn ${target} is outside the program`, i);
        }
        value = BigInt(text.start + target * 8);
      } else if (resolveLddw !== undefined) {
        value = BigInt.asIntN(64, resolveLddw(insn.src, insn.imm, next.imm, i));
      } else {
        throw new RuntimeFault(`lddw with pseudo source ${insn.src} needs a loaded object`, i);
      }
    }
    imm64[i] = value;
    immLo[i] = Number(value & 0xffffffffn);
    immHi[i] = Number((value >> 32n) & 0xffffffffn);
    if ((cls === 5 || cls === 6) && isJumpWithTarget(code)) {
      const delta = cls === 6 && (code & 0xf0) === 0 ? insn.imm : insn.off;
      const target = i + delta + 1;
      if (target < 0 || target >= n) op[i] = BAD_JUMP_OP;
    }
  }
  op[n] = END_OP;
  return { name, length: n, op, dst, src, halves, off, imm, immLo, immHi, imm64, text, insns };
}

function isJumpWithTarget(code: number): boolean {
  const jmpOp = code & 0xf0;
  return jmpOp !== 0x80 && jmpOp !== 0x90 && jmpOp <= 0xe0;
}
