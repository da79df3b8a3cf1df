import { IsaError } from "./errors.js";
import type { Insn } from "./insn.js";
import { BPF_LDDW } from "./opcodes.js";

/** True for the first slot of a 64-bit immediate load (`BPF_LD | BPF_IMM | BPF_DW`). */
export function isLddw(insn: Insn): boolean {
  return insn.code === BPF_LDDW;
}

/** The 64-bit immediate (unsigned) of the lddw whose first slot is `insns[index]`. */
export function lddwImm64(insns: readonly Insn[], index: number): bigint {
  const first = insns[index];
  const second = insns[index + 1];
  if (first === undefined || second === undefined) {
    throw new IsaError(
      `instruction ${index}: a 64-bit immediate load needs two slots, the program has ${insns.length}`,
      index,
    );
  }
  return (BigInt(second.imm >>> 0) << 32n) | BigInt(first.imm >>> 0);
}

/** The two slots of `lddw dst, imm64` (`src` is a BPF_PSEUDO_* kind, 0 for a plain constant). */
export function makeLddw(dst: number, imm64: bigint, src = 0): [Insn, Insn] {
  const bits = BigInt.asUintN(64, imm64);
  return [
    { code: BPF_LDDW, dst, src, off: 0, imm: Number(BigInt.asIntN(32, bits)) },
    { code: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, bits >> 32n)) },
  ];
}
