/**
 * Assembler for the syntax of the BPF conformance suite (the uBPF assembler's
 * dialect): `mov32 %r0, 1`, `ldxdw %r1, [%r10-8]`, `jeq %r1, 0x3, +2`,
 * `lock fetch add [%r10-8], %r1`, labels (`name:`) as jump and `call local`
 * targets, and `#` comments. As in that dialect, the label `exit` means the
 * first `exit` instruction unless a label of that name is defined.
 *
 * Immediates: decimal within int32 (int64/uint64 for lddw), or hex as a bit
 * pattern of at most 32 (64) bits, either with an optional sign. Offsets are
 * int16.
 */
import { AsmError } from "./errors.js";
import type { Insn } from "./insn.js";
import { makeLddw } from "./lddw.js";
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
  BPF_CMPXCHG,
  BPF_DIV,
  BPF_DW,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_H,
  BPF_IND,
  BPF_JA,
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
  BPF_LDX,
  BPF_LSH,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOD,
  BPF_MOV,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TO_BE,
  BPF_TO_LE,
  BPF_W,
  BPF_X,
  BPF_XCHG,
  BPF_XOR,
} from "./opcodes.js";

export interface AsmOptions {
  /** Line number of the text's first line, for error messages (default 1). */
  firstLine?: number;
}

interface MutableInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

interface PendingTarget {
  index: number;
  label: string;
  line: number;
  field: "off" | "imm";
}

const ALU_OPS: Readonly<Record<string, number>> = {
  add: BPF_ADD,
  sub: BPF_SUB,
  mul: BPF_MUL,
  div: BPF_DIV,
  sdiv: BPF_DIV,
  or: BPF_OR,
  and: BPF_AND,
  lsh: BPF_LSH,
  rsh: BPF_RSH,
  mod: BPF_MOD,
  smod: BPF_MOD,
  xor: BPF_XOR,
  mov: BPF_MOV,
  arsh: BPF_ARSH,
};

const JMP_OPS: Readonly<Record<string, number>> = {
  jeq: BPF_JEQ,
  jgt: BPF_JGT,
  jge: BPF_JGE,
  jset: BPF_JSET,
  jne: BPF_JNE,
  jsgt: BPF_JSGT,
  jsge: BPF_JSGE,
  jlt: BPF_JLT,
  jle: BPF_JLE,
  jslt: BPF_JSLT,
  jsle: BPF_JSLE,
};

const ATOMIC_OPS: Readonly<Record<string, number>> = {
  add: BPF_ADD,
  and: BPF_AND,
  or: BPF_OR,
  xor: BPF_XOR,
  xchg: BPF_XCHG,
  cmpxchg: BPF_CMPXCHG,
};

const SIZES: Readonly<Record<string, number>> = { b: BPF_B, h: BPF_H, w: BPF_W, dw: BPF_DW };

const ALU_RE = /^(add|sub|mul|div|sdiv|or|and|lsh|rsh|mod|smod|xor|mov|arsh)(32|64)?$/;
const MOVSX_RE = /^movsx(8|16|32)(32|64)$/;
const NEG_RE = /^neg(32|64)?$/;
const ENDIAN_RE = /^(be|le)(16|32|64)$/;
const BSWAP_RE = /^b?swap(16|32|64)$/;
const LDX_RE = /^ldx(s?)(b|h|w|dw)$/;
const ST_RE = /^st(b|h|w|dw)$/;
const STX_RE = /^stx(b|h|w|dw)$/;
const LDABS_RE = /^ld(abs|ind)(b|h|w|dw)$/;
const JCC_RE = /^(jeq|jgt|jge|jset|jne|jsgt|jsge|jlt|jle|jslt|jsle)(32)?$/;
const LABEL_RE = /^([A-Za-z_.$][\w.$]*):\s*(.*)$/;
const NAME_RE = /^[A-Za-z_.$][\w.$]*$/;
const NUMBER_RE = /^([+-]?)\s*(0[xX][0-9a-fA-F]+|[0-9]+)$/;
const MEM_RE = /^\[\s*([^\s+\-\]]+)\s*(?:([+-])\s*([^\s\]]+))?\s*\]$/;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

class Assembler {
  readonly insns: MutableInsn[] = [];
  readonly labels = new Map<string, { index: number; line: number }>();
  readonly pending: PendingTarget[] = [];
  firstExit: number | undefined;
  line = 0;

  error(message: string): never {
    throw new AsmError(message, this.line);
  }

  emit(code: number, dst = 0, src = 0, off = 0, imm = 0): MutableInsn {
    const insn = { code, dst, src, off, imm };
    this.insns.push(insn);
    return insn;
  }

  register(text: string): number {
    const m = /^%r(\d+)$/.exec(text);
    if (m === null || Number(m[1]) > 10) {
      this.error(`Invalid register: ${text} (registers are %r0 to %r10)`);
    }
    return Number(m[1]);
  }

  /** A signed integer literal within [min, max] (hex may also be an unsigned bit pattern up to hexMax). */
  integer(text: string, what: string, min: number, max: number, hexMax: number): number {
    const m = NUMBER_RE.exec(text);
    if (m === null) this.error(`Invalid ${what}: ${text}`);
    const negative = m[1] === "-";
    const magnitude = Number(m[2]);
    const isHex = /^0x/i.test(m[2]!);
    const value = negative ? -magnitude : magnitude;
    const inRange = value >= min && (value <= max || (isHex && !negative && value <= hexMax));
    if (!Number.isSafeInteger(magnitude) || !inRange) {
      this.error(`Invalid ${what}: ${text} is out of range`);
    }
    return value;
  }

  imm32(text: string): number {
    return this.integer(text, "immediate", INT32_MIN, INT32_MAX, 0xffffffff) | 0;
  }

  offset(text: string): number {
    return this.integer(text, "offset", -0x8000, 0x7fff, 0x7fff);
  }

  imm64(text: string): bigint {
    const m = NUMBER_RE.exec(text);
    if (m === null) this.error(`Invalid immediate: ${text}`);
    const magnitude = BigInt(m[2]!);
    const value = m[1] === "-" ? -magnitude : magnitude;
    if (value < -(1n << 63n) || value >= 1n << 64n) {
      this.error(`Invalid immediate: ${text} does not fit in 64 bits`);
    }
    return value;
  }

  memory(text: string): { reg: number; off: number } {
    const m = MEM_RE.exec(text);
    if (m === null) this.error(`Invalid memory operand: ${text} (expected [%rN+offset])`);
    const reg = this.register(m[1]!);
    const off = m[2] === undefined ? 0 : this.offset(`${m[2]}${m[3]}`);
    return { reg, off };
  }

  /** Sets `field` of the instruction just emitted from a `+N`/`-N` literal or a label. */
  target(text: string, insn: MutableInsn, field: "off" | "imm"): void {
    if (text.startsWith("+") || text.startsWith("-")) {
      insn[field] = field === "off" ? this.offset(text) : this.imm32(text);
      return;
    }
    if (!NAME_RE.test(text)) this.error(`Invalid jump target: ${text}`);
    this.pending.push({ index: this.insns.length - 1, label: text, line: this.line, field });
  }

  operands(text: string, mnemonic: string, count: number): string[] {
    const ops = text === "" ? [] : text.split(",").map((s) => s.trim());
    if (ops.length !== count || ops.some((s) => s === "")) {
      this.error(
        `Invalid number of operands for ${mnemonic}: expected ${count}, got ${text === "" ? 0 : ops.length}`,
      );
    }
    return ops;
  }

  statement(mnemonic: string, rest: string): void {
    let m = ALU_RE.exec(mnemonic);
    if (m) {
      const [dst, source] = this.operands(rest, mnemonic, 2) as [string, string];
      const cls = m[2] === "32" ? BPF_ALU : BPF_ALU64;
      const off = m[1] === "sdiv" || m[1] === "smod" ? 1 : 0;
      const op = ALU_OPS[m[1]!]!;
      if (source.startsWith("%")) {
        this.emit(cls | op | BPF_X, this.register(dst), this.register(source), off);
      } else {
        this.emit(cls | op | BPF_K, this.register(dst), 0, off, this.imm32(source));
      }
      return;
    }
    m = MOVSX_RE.exec(mnemonic);
    if (m) {
      if (m[1] === "32" && m[2] === "32") this.error(`Invalid mnemonic: ${mnemonic}`);
      const [dst, src] = this.operands(rest, mnemonic, 2) as [string, string];
      const cls = m[2] === "32" ? BPF_ALU : BPF_ALU64;
      this.emit(cls | BPF_MOV | BPF_X, this.register(dst), this.register(src), Number(m[1]));
      return;
    }
    m = NEG_RE.exec(mnemonic);
    if (m) {
      const [dst] = this.operands(rest, mnemonic, 1) as [string];
      this.emit((m[1] === "32" ? BPF_ALU : BPF_ALU64) | BPF_NEG, this.register(dst));
      return;
    }
    m = ENDIAN_RE.exec(mnemonic);
    if (m) {
      const [dst] = this.operands(rest, mnemonic, 1) as [string];
      const order = m[1] === "be" ? BPF_TO_BE : BPF_TO_LE;
      this.emit(BPF_ALU | BPF_END | order, this.register(dst), 0, 0, Number(m[2]));
      return;
    }
    m = BSWAP_RE.exec(mnemonic);
    if (m) {
      const [dst] = this.operands(rest, mnemonic, 1) as [string];
      this.emit(BPF_ALU64 | BPF_END | BPF_TO_LE, this.register(dst), 0, 0, Number(m[1]));
      return;
    }
    m = LDX_RE.exec(mnemonic);
    if (m) {
      if (m[1] === "s" && m[2] === "dw") this.error(`Invalid mnemonic: ${mnemonic}`);
      const [dst, mem] = this.operands(rest, mnemonic, 2) as [string, string];
      const reg = this.register(dst);
      const { reg: src, off } = this.memory(mem);
      const mode = m[1] === "s" ? BPF_MEMSX : BPF_MEM;
      this.emit(BPF_LDX | mode | SIZES[m[2]!]!, reg, src, off);
      return;
    }
    m = ST_RE.exec(mnemonic);
    if (m) {
      const [mem, value] = this.operands(rest, mnemonic, 2) as [string, string];
      const { reg, off } = this.memory(mem);
      this.emit(BPF_ST | BPF_MEM | SIZES[m[1]!]!, reg, 0, off, this.imm32(value));
      return;
    }
    m = STX_RE.exec(mnemonic);
    if (m) {
      const [mem, src] = this.operands(rest, mnemonic, 2) as [string, string];
      const { reg, off } = this.memory(mem);
      this.emit(BPF_STX | BPF_MEM | SIZES[m[1]!]!, reg, this.register(src), off);
      return;
    }
    if (mnemonic === "lddw") {
      const [dst, value] = this.operands(rest, mnemonic, 2) as [string, string];
      const [first, second] = makeLddw(this.register(dst), this.imm64(value));
      this.insns.push({ ...first }, { ...second });
      return;
    }
    m = LDABS_RE.exec(mnemonic);
    if (m) {
      const size = SIZES[m[2]!]!;
      if (m[1] === "abs") {
        const [value] = this.operands(rest, mnemonic, 1) as [string];
        this.emit(BPF_LD | BPF_ABS | size, 0, 0, 0, this.imm32(value));
      } else {
        const [src, value] = this.operands(rest, mnemonic, 2) as [string, string];
        this.emit(BPF_LD | BPF_IND | size, 0, this.register(src), 0, this.imm32(value));
      }
      return;
    }
    if (mnemonic === "ja") {
      const [target] = this.operands(rest, mnemonic, 1) as [string];
      this.target(target, this.emit(BPF_JMP | BPF_JA), "off");
      return;
    }
    if (mnemonic === "ja32" || mnemonic === "gotol") {
      const [target] = this.operands(rest, mnemonic, 1) as [string];
      this.target(target, this.emit(BPF_JMP32 | BPF_JA), "imm");
      return;
    }
    m = JCC_RE.exec(mnemonic);
    if (m) {
      const [dst, source, target] = this.operands(rest, mnemonic, 3) as [string, string, string];
      const cls = m[2] === "32" ? BPF_JMP32 : BPF_JMP;
      const op = JMP_OPS[m[1]!]!;
      const insn = source.startsWith("%")
        ? this.emit(cls | op | BPF_X, this.register(dst), this.register(source))
        : this.emit(cls | op | BPF_K, this.register(dst), 0, 0, this.imm32(source));
      this.target(target, insn, "off");
      return;
    }
    if (mnemonic === "exit") {
      this.operands(rest, mnemonic, 0);
      this.firstExit ??= this.insns.length;
      this.emit(BPF_JMP | BPF_EXIT);
      return;
    }
    if (mnemonic === "call" || mnemonic === "callx") {
      this.call(mnemonic, rest);
      return;
    }
    if (mnemonic === "lock") {
      this.lock(rest);
      return;
    }
    this.error(`Invalid mnemonic: ${mnemonic}`);
  }

  call(mnemonic: string, rest: string): void {
    const words = rest === "" ? [] : rest.split(/\s+/);
    const [kind, target] = words.length === 1 ? ["", words[0]!] : [words[0]!, words[1]];
    if (words.length < 1 || words.length > 2 || target === undefined) {
      this.error(`Invalid number of operands for ${mnemonic}: expected a target, got "${rest}"`);
    }
    if (mnemonic === "callx" || target.startsWith("%")) {
      if (kind !== "" && kind !== "helper") this.error(`Invalid call mode: ${kind}`);
      // LLVM's callx encoding: the register holding the target is in dst.
      this.emit(BPF_JMP | BPF_CALL | BPF_X, this.register(target));
    } else if (kind === "" || kind === "helper") {
      this.emit(BPF_JMP | BPF_CALL, 0, 0, 0, this.imm32(target));
    } else if (kind === "local") {
      this.target(target, this.emit(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL), "imm");
    } else if (kind === "runtime") {
      this.emit(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, this.imm32(target));
    } else {
      this.error(`Invalid call mode: ${kind} (expected helper, local or runtime)`);
    }
  }

  lock(rest: string): void {
    const m = /^(?:(fetch)\s+)?([a-z0-9]+)\s+(.*)$/.exec(rest);
    const ops = m === null ? [] : m[3]!.split(",").map((s) => s.trim());
    if (m === null || ops.length !== 2 || ops.some((s) => s === "")) {
      this.error("Invalid number of operands for lock: expected lock [fetch] op [%rN+off], %rM");
    }
    const name = m[2]!.endsWith("32") ? m[2]!.slice(0, -2) : m[2]!;
    const op = ATOMIC_OPS[name];
    if (op === undefined) this.error(`Invalid atomic operation: ${m[2]}`);
    const size = m[2]!.endsWith("32") ? BPF_W : BPF_DW;
    const { reg, off } = this.memory(ops[0]!);
    const imm = m[1] === "fetch" ? op | BPF_FETCH : op;
    this.emit(BPF_STX | BPF_ATOMIC | size, reg, this.register(ops[1]!), off, imm);
  }

  resolve(): void {
    for (const p of this.pending) {
      this.line = p.line;
      const target =
        this.labels.get(p.label)?.index ?? (p.label === "exit" ? this.firstExit : undefined);
      if (target === undefined) this.error(`Invalid label: ${p.label}`);
      const delta = target - (p.index + 1);
      if (p.field === "off" && (delta < -0x8000 || delta > 0x7fff)) {
        this.error(`jump to ${p.label} is ${delta} instructions away, beyond the 16-bit offset`);
      }
      this.insns[p.index]![p.field] = delta;
    }
  }
}

/** Assembles conformance-suite assembly into instruction slots (an lddw takes two). */
export function assemble(text: string, options?: AsmOptions): Insn[] {
  const asm = new Assembler();
  const firstLine = options?.firstLine ?? 1;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    asm.line = firstLine + i;
    const hash = lines[i]!.indexOf("#");
    let statement = (hash < 0 ? lines[i]! : lines[i]!.slice(0, hash)).trim();
    for (let label = LABEL_RE.exec(statement); label; label = LABEL_RE.exec(statement)) {
      const name = label[1]!;
      const previous = asm.labels.get(name);
      if (previous !== undefined) {
        asm.error(`Duplicate label: ${name} (first defined at line ${previous.line})`);
      }
      asm.labels.set(name, { index: asm.insns.length, line: asm.line });
      statement = label[2]!;
    }
    if (statement === "") continue;
    const space = statement.search(/\s/);
    const mnemonic = space < 0 ? statement : statement.slice(0, space);
    const rest = space < 0 ? "" : statement.slice(space + 1).trim();
    asm.statement(mnemonic, rest);
  }
  asm.resolve();
  return asm.insns;
}
