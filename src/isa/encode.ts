import { INSN_SIZE } from "./decode.js";
import { IsaError } from "./errors.js";
import type { Insn } from "./insn.js";

function checkField(value: number, min: number, max: number, field: string, index: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new IsaError(
      `instruction ${index}: ${field} ${value} does not fit its field (${min}..${max})`,
      index,
    );
  }
}

/**
 * Encodes instructions as little-endian 8-byte slots. `off` and `imm` may be
 * given signed or as their unsigned bit pattern; anything wider than the
 * field is an IsaError naming the instruction.
 */
export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    checkField(insn.code, 0, 0xff, "code", i);
    checkField(insn.dst, 0, 15, "dst register", i);
    checkField(insn.src, 0, 15, "src register", i);
    checkField(insn.off, -0x8000, 0xffff, "offset", i);
    checkField(insn.imm, -0x80000000, 0xffffffff, "immediate", i);
    const at = i * INSN_SIZE;
    view.setUint8(at, insn.code);
    view.setUint8(at + 1, (insn.src << 4) | insn.dst);
    view.setUint16(at + 2, insn.off & 0xffff, true);
    view.setUint32(at + 4, insn.imm >>> 0, true);
  }
  return bytes;
}
