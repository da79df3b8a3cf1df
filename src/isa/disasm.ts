/**
 * The kernel verifier's instruction syntax, as kernel/bpf/disasm.c
 * `print_bpf_insn` prints it (Linux 6.18), quirks included: ALU immediates in
 * signed decimal, jump immediates as `0x%x` of the unsigned bits, offsets
 * with an explicit sign, `r` registers for byte swaps even in class ALU, and
 * `(null)` where the kernel's name tables have a hole (e.g. ALU op 0xe0).
 */
import { HELPER_NAMES } from "./helpers.js";
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
  BPF_MAY_GOTO,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_NEG,
  BPF_NOSPEC,
  BPF_OR,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STORE_REL,
  BPF_STX,
  BPF_TO_BE,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from "./opcodes.js";

export interface DisasmOptions {
  /**
   * Name of the kernel function a `call` with src BPF_PSEUDO_KFUNC_CALL
   * targets (the verifier looks `imm` up in the BTF selected by `off`).
   * Undefined prints the kernel's fallback, `kernel-function`.
   */
  kfuncName?(imm: number, insn: Insn): string | undefined;
  /**
   * Text for the value of the lddw at `index` (e.g. `map[id:3]`), replacing
   * the kernel's default `0x%llx` of the 64-bit immediate.
   */
  ldImm64?(insns: readonly Insn[], index: number): string | undefined;
  /**
   * The kernel prints map pointers of lddw (src BPF_PSEUDO_MAP_FD or
   * BPF_PSEUDO_MAP_VALUE) as 0 unless pointer leaks are allowed, which they
   * are for a privileged loader. Default true.
   */
  allowPtrLeaks?: boolean;
}

const NULL = "(null)";

const CODE_PREFIX: readonly string[] = Array.from(
  { length: 256 },
  (_, code) => `(${code.toString(16).padStart(2, "0")}) `,
);
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, code) =>
  code.toString(16).padStart(2, "0"),
);

// Indexed by op >> 4; holes print as the kernel's printf prints a NULL string.
/** `bpf_alu_string`: the operator of each ALU op, as the kernel's log and messages print it. */
export const ALU_STRING: readonly string[] = [
  "+=",
  "-=",
  "*=",
  "/=",
  "|=",
  "&=",
  "<<=",
  ">>=",
  "neg",
  "%=",
  "^=",
  "=",
  "s>>=",
  "endian",
  NULL,
  NULL,
];
const ATOMIC_ALU_STRING: Readonly<Record<number, string>> = {
  [BPF_ADD]: "add",
  [BPF_AND]: "and",
  [BPF_OR]: "or",
  [BPF_XOR]: "xor",
};
const JMP_STRING: readonly string[] = [
  "jmp",
  "==",
  ">",
  ">=",
  "&",
  "!=",
  "s>",
  "s>=",
  "call",
  "exit",
  "<",
  "<=",
  "s<",
  "s<=",
  NULL,
  NULL,
];
// Indexed by size >> 3: W, H, B, DW.
const LDST_STRING: readonly string[] = ["u32", "u16", "u8", "u64"];
const LDSX_STRING: readonly string[] = ["s32", "s16", "s8", NULL];

function signed(n: number): string {
  return n < 0 ? `${n}` : `+${n}`;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16);
}

function isSdivSmod(insn: Insn): boolean {
  const op = insn.code & 0xf0;
  return (op === BPF_DIV || op === BPF_MOD) && insn.off === 1;
}

function movsxPrefix(insn: Insn): string {
  if ((insn.code & 0xf0) !== BPF_MOV) return "";
  switch (insn.off) {
    case 8:
      return "(s8)";
    case 16:
      return "(s16)";
    case 32:
      return "(s32)";
    default:
      return "";
  }
}

function aluOpString(insn: Insn): string {
  const op = insn.code & 0xf0;
  if (isSdivSmod(insn)) return op === BPF_DIV ? "s/=" : "s%=";
  return ALU_STRING[op >> 4]!;
}

function formatAlu(insn: Insn, prefix: string, cls: number): string {
  const code = insn.code;
  const op = code & 0xf0;
  if (op === BPF_END) {
    if (cls === BPF_ALU64) return `${prefix}r${insn.dst} = bswap${insn.imm} r${insn.dst}`;
    const order = (code & BPF_TO_BE) === BPF_TO_BE ? "be" : "le";
    return `${prefix}r${insn.dst} = ${order}${insn.imm} r${insn.dst}`;
  }
  const r = cls === BPF_ALU ? "w" : "r";
  if (op === BPF_NEG) return `${prefix}${r}${insn.dst} = -${r}${insn.dst}`;
  if (code === (BPF_ALU64 | BPF_MOV | BPF_X) && insn.off === BPF_ADDR_SPACE_CAST) {
    return `${prefix}r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
  }
  if ((code & BPF_X) === BPF_X) {
    return `${prefix}${r}${insn.dst} ${aluOpString(insn)} ${movsxPrefix(insn)}${r}${insn.src}`;
  }
  return `${prefix}${r}${insn.dst} ${aluOpString(insn)} ${insn.imm}`;
}

function formatStx(insn: Insn, prefix: string): string {
  const code = insn.code;
  const mode = code & 0xe0;
  const size = LDST_STRING[(code & 0x18) >> 3]!;
  const mem = `(r${insn.dst} ${signed(insn.off)})`;
  if (mode === BPF_MEM) return `${prefix}*(${size} *)${mem} = r${insn.src}`;
  if (mode === BPF_ATOMIC) {
    const imm = insn.imm;
    const bits = (code & 0x18) === BPF_DW ? "64" : "";
    if (imm === BPF_ADD || imm === BPF_AND || imm === BPF_OR || imm === BPF_XOR) {
      return `${prefix}lock *(${size} *)${mem} ${ALU_STRING[imm >> 4]} r${insn.src}`;
    }
    if (
      imm === (BPF_ADD | BPF_FETCH) ||
      imm === (BPF_AND | BPF_FETCH) ||
      imm === (BPF_OR | BPF_FETCH) ||
      imm === (BPF_XOR | BPF_FETCH)
    ) {
      const name = ATOMIC_ALU_STRING[imm & 0xf0];
      return `${prefix}r${insn.src} = atomic${bits}_fetch_${name}((${size} *)${mem}, r${insn.src})`;
    }
    if (imm === BPF_CMPXCHG) {
      return `${prefix}r0 = atomic${bits}_cmpxchg((${size} *)${mem}, r0, r${insn.src})`;
    }
    if (imm === BPF_XCHG) {
      return `${prefix}r${insn.src} = atomic${bits}_xchg((${size} *)${mem}, r${insn.src})`;
    }
    if (imm === BPF_LOAD_ACQ) {
      return `${prefix}r${insn.dst} = load_acquire((${size} *)(r${insn.src} ${signed(insn.off)}))`;
    }
    if (imm === BPF_STORE_REL) {
      return `${prefix}store_release((${size} *)${mem}, r${insn.src})`;
    }
  }
  return `BUG_${HEX2[code]}`;
}

function formatLdImm64(
  insns: readonly Insn[],
  index: number,
  prefix: string,
  options: DisasmOptions | undefined,
): string {
  const insn = insns[index]!;
  const custom = options?.ldImm64?.(insns, index);
  if (custom !== undefined) return `${prefix}r${insn.dst} = ${custom}`;
  const isPtr = insn.src === BPF_PSEUDO_MAP_FD || insn.src === BPF_PSEUDO_MAP_VALUE;
  if (isPtr && options?.allowPtrLeaks === false) return `${prefix}r${insn.dst} = 0x0`;
  // A truncated lddw (no second slot) shows its low half; the verifier rejects it anyway.
  const high = insns[index + 1]?.imm ?? 0;
  const lowHex = hex32(insn.imm);
  const text = high === 0 ? lowHex : hex32(high) + lowHex.padStart(8, "0");
  return `${prefix}r${insn.dst} = 0x${text}`;
}

function formatLd(
  insns: readonly Insn[],
  index: number,
  prefix: string,
  options: DisasmOptions | undefined,
): string {
  const insn = insns[index]!;
  const code = insn.code;
  const mode = code & 0xe0;
  const size = LDST_STRING[(code & 0x18) >> 3]!;
  if (mode === BPF_ABS) return `${prefix}r0 = *(${size} *)skb[${insn.imm}]`;
  if (mode === BPF_IND) return `${prefix}r0 = *(${size} *)skb[r${insn.src} + ${insn.imm}]`;
  if (mode === BPF_IMM && (code & 0x18) === BPF_DW) {
    return formatLdImm64(insns, index, prefix, options);
  }
  return `BUG_ld_${HEX2[code]}`;
}

function formatCall(insn: Insn, prefix: string, options: DisasmOptions | undefined): string {
  if (insn.src === BPF_PSEUDO_CALL) return `${prefix}call pc${signed(insn.imm)}`;
  let name: string | undefined;
  if (insn.src === 0) {
    name = insn.imm >= 0 ? HELPER_NAMES[insn.imm] : undefined;
  } else if (insn.src === BPF_PSEUDO_KFUNC_CALL) {
    name = options?.kfuncName?.(insn.imm, insn) ?? "kernel-function";
  }
  return `${prefix}call ${name ?? "unknown"}#${insn.imm}`;
}

function formatJmp(
  insn: Insn,
  prefix: string,
  cls: number,
  options: DisasmOptions | undefined,
): string {
  const code = insn.code;
  const op = code & 0xf0;
  if (op === BPF_CALL) return formatCall(insn, prefix, options);
  if (code === (BPF_JMP | BPF_JA)) return `${prefix}goto pc${signed(insn.off)}`;
  if (code === (BPF_JMP | BPF_JCOND) && insn.src === BPF_MAY_GOTO) {
    return `${prefix}may_goto pc${signed(insn.off)}`;
  }
  if (code === (BPF_JMP32 | BPF_JA)) return `${prefix}gotol pc${signed(insn.imm)}`;
  if (code === (BPF_JMP | BPF_EXIT)) return `${prefix}exit`;
  const r = cls === BPF_JMP32 ? "w" : "r";
  const cmp = JMP_STRING[op >> 4];
  if ((code & BPF_X) === BPF_X) {
    return `${prefix}if ${r}${insn.dst} ${cmp} ${r}${insn.src} goto pc${signed(insn.off)}`;
  }
  return `${prefix}if ${r}${insn.dst} ${cmp} 0x${hex32(insn.imm)} goto pc${signed(insn.off)}`;
}

/**
 * One instruction as the verifier log prints it, without the leading `N: `:
 * `(b7) r0 = 0`. For an lddw, `index` is its first slot.
 */
export function formatInsn(insns: readonly Insn[], index: number, options?: DisasmOptions): string {
  const insn = insns[index];
  if (insn === undefined) return `(invalid instruction index ${index})`;
  const code = insn.code & 0xff;
  const prefix = CODE_PREFIX[code]!;
  const cls = code & 0x07;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64:
      return formatAlu(insn, prefix, cls);
    case BPF_STX:
      return formatStx(insn, prefix);
    case BPF_ST: {
      const mode = code & 0xe0;
      if (mode === BPF_MEM) {
        const size = LDST_STRING[(code & 0x18) >> 3];
        return `${prefix}*(${size} *)(r${insn.dst} ${signed(insn.off)}) = ${insn.imm}`;
      }
      if (mode === BPF_NOSPEC) return `${prefix}nospec`;
      return `BUG_st_${HEX2[code]}`;
    }
    case BPF_LDX: {
      const mode = code & 0xe0;
      if (mode !== BPF_MEM && mode !== BPF_MEMSX) return `BUG_ldx_${HEX2[code]}`;
      const size = (mode === BPF_MEM ? LDST_STRING : LDSX_STRING)[(code & 0x18) >> 3];
      return `${prefix}r${insn.dst} = *(${size} *)(r${insn.src} ${signed(insn.off)})`;
    }
    case BPF_LD:
      return formatLd(insns, index, prefix, options);
    default:
      return formatJmp(insn, prefix, cls, options);
  }
}

/**
 * The program as the verifier log lists it: `N: (code) text` per instruction,
 * with an lddw taking two indices (the line after it is numbered N+2).
 */
export function disassemble(insns: readonly Insn[], options?: DisasmOptions): string[] {
  const lines: string[] = [];
  for (let i = 0; i < insns.length; i++) {
    lines.push(`${i}: ${formatInsn(insns, i, options)}`);
    if ((insns[i]!.code & 0xff) === (BPF_LD | BPF_IMM | BPF_DW)) i++;
  }
  return lines;
}
