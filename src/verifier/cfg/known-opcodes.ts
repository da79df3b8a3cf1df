/**
 * `bpf_opcode_in_insntable` of Linux 6.18: the opcodes a program may contain
 * at all. Everything else is refused before the walk with `unknown opcode %02x`,
 * reachable or not. Which fields an opcode may set is the walk's question.
 */
import {
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_ALU64,
  BPF_AND,
  BPF_ARSH,
  BPF_ATOMIC,
  BPF_B,
  BPF_CALL,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_H,
  BPF_IND,
  BPF_JA,
  BPF_JCOND,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JMP,
  BPF_JMP32,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_K,
  BPF_LD,
  BPF_LDDW,
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XOR,
} from "../../isa/opcodes.js";

const ALU_OPS = [
  BPF_ADD,
  BPF_SUB,
  BPF_AND,
  BPF_OR,
  BPF_LSH,
  BPF_RSH,
  BPF_XOR,
  BPF_MUL,
  BPF_MOV,
  BPF_ARSH,
  BPF_DIV,
  BPF_MOD,
];
const CONDITIONAL_JUMPS = [
  BPF_JEQ,
  BPF_JNE,
  BPF_JGT,
  BPF_JLT,
  BPF_JGE,
  BPF_JLE,
  BPF_JSGT,
  BPF_JSLT,
  BPF_JSGE,
  BPF_JSLE,
  BPF_JSET,
];
const SIZES = [BPF_B, BPF_H, BPF_W, BPF_DW];

function buildTable(): ReadonlySet<number> {
  const codes: number[] = [];
  for (const cls of [BPF_ALU, BPF_ALU64]) {
    for (const op of ALU_OPS) codes.push(cls | op | BPF_K, cls | op | BPF_X);
    codes.push(cls | BPF_NEG, cls | BPF_END | BPF_TO_LE);
  }
  // Only the 32-bit class has a big-endian swap; ALU64 | END is the unconditional bswap.
  codes.push(BPF_ALU | BPF_END | BPF_TO_BE);
  for (const cls of [BPF_JMP, BPF_JMP32]) {
    for (const op of CONDITIONAL_JUMPS) codes.push(cls | op | BPF_K, cls | op | BPF_X);
    codes.push(cls | BPF_JA);
  }
  codes.push(BPF_JMP | BPF_CALL, BPF_JMP | BPF_EXIT, BPF_JMP | BPF_JCOND);
  for (const size of SIZES) {
    codes.push(BPF_STX | BPF_MEM | size, BPF_STX | BPF_ATOMIC | size, BPF_ST | BPF_MEM | size);
    codes.push(BPF_LDX | BPF_MEM | size);
    if (size !== BPF_DW) {
      codes.push(BPF_LDX | BPF_MEMSX | size, BPF_LD | BPF_ABS | size, BPF_LD | BPF_IND | size);
    }
  }
  codes.push(BPF_LDDW);
  return new Set(codes);
}

const KNOWN_OPCODES = buildTable();

/** `bpf_opcode_in_insntable`: whether Linux 6.18 knows `code` as an opcode. */
export function isKnownOpcode(code: number): boolean {
  return KNOWN_OPCODES.has(code);
}
