import { IsaError } from "./errors.js";
import type { Insn } from "./insn.js";

/** Size of one instruction slot in bytes. */
export const INSN_SIZE = 8;

/**
 * Decodes little-endian instruction slots. Every 8-byte slot decodes, valid or
 * not, and keeps its raw register nibbles, so `encodeInsns(decodeInsns(b))`
 * gives back `b` exactly; validity is `validateInsns`' concern.
 */
export function decodeInsns(bytes: Uint8Array, byteOffset = 0, byteLength?: number): Insn[] {
  const length = byteLength ?? bytes.length - byteOffset;
  if (
    !Number.isInteger(byteOffset) ||
    !Number.isInteger(length) ||
    byteOffset < 0 ||
    length < 0 ||
    byteOffset + length > bytes.length
  ) {
    throw new IsaError(
      `instruction bytes out of range: offset ${byteOffset}, length ${length}, buffer of ${bytes.length} bytes`,
    );
  }
  if (length % INSN_SIZE !== 0) {
    throw new IsaError(
      `instruction bytes have length ${length}, which is not a multiple of ${INSN_SIZE}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, length);
  const count = length / INSN_SIZE;
  const insns: Insn[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * INSN_SIZE;
    const regs = view.getUint8(at + 1);
    insns[i] = {
      code: view.getUint8(at),
      dst: regs & 0x0f,
      src: regs >> 4,
      off: view.getInt16(at + 2, true),
      imm: view.getInt32(at + 4, true),
    };
  }
  return insns;
}
