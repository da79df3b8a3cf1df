/**
 * One 8-byte BPF instruction slot, as the kernel sees it. A `lddw` occupies two
 * slots (the second has code 0 and carries the high 32 bits in `imm`), so
 * instruction indices match the kernel's everywhere: in logs, in jump offsets,
 * in line info.
 */
export interface Insn {
  /** opcode byte: class (low 3 bits), source/size/mode and operation */
  readonly code: number;
  /** destination register, 0..15 as encoded (only 0..10 are valid) */
  readonly dst: number;
  /** source register, or the pseudo kind for calls and lddw */
  readonly src: number;
  /** signed 16-bit offset */
  readonly off: number;
  /** signed 32-bit immediate */
  readonly imm: number;
}
