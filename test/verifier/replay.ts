/**
 * Replays a kernel verifier log (log level 2) of a scalar-only program
 * through the scalar domain and reports every register state the kernel
 * printed that the domain does not reproduce.
 *
 * Understood instructions: ctx loads (`rD = *(u32 *)(r1 +off)`: an unknown
 * value truncated to the load size), scalar ALU/ALU64 with register or
 * immediate sources, moves (incl. movsx), byte swaps, conditional jumps
 * (the jump line shows the fall-through state, `from A to B:` the taken
 * one), `goto`, `exit`. Ids and precision marks are stripped from the
 * kernel's text before comparing: they belong to the register-state layer.
 * Programs must not branch on a register that has copies sharing its id
 * (the kernel would refine the copies too).
 */

import {
  BPF_ADD,
  BPF_AND,
  BPF_ARSH,
  BPF_DIV,
  BPF_END,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JLE,
  BPF_JLT,
  BPF_JNE,
  BPF_JSET,
  BPF_JSGE,
  BPF_JSGT,
  BPF_JSLE,
  BPF_JSLT,
  BPF_LSH,
  BPF_MOD,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RSH,
  BPF_SUB,
  BPF_XOR,
} from "../../src/isa/opcodes.js";
import {
  coerceToSize,
  knownScalar,
  type ScalarBounds,
  unknownScalar,
} from "../../src/verifier/bounds.js";
import { movImm, movReg, type ScalarAluOp, scalarAlu } from "../../src/verifier/scalar/alu.js";
import { branchTaken, type CondJumpOp, refineOnBranch } from "../../src/verifier/scalar/branch.js";
import { formatScalar } from "../../src/verifier/scalar/format.js";

const ALU_OPS: Record<string, ScalarAluOp> = {
  "+=": BPF_ADD,
  "-=": BPF_SUB,
  "*=": BPF_MUL,
  "/=": BPF_DIV,
  "%=": BPF_MOD,
  "s/=": BPF_DIV,
  "s%=": BPF_MOD,
  "|=": BPF_OR,
  "&=": BPF_AND,
  "<<=": BPF_LSH,
  ">>=": BPF_RSH,
  "s>>=": BPF_ARSH,
  "^=": BPF_XOR,
};

const JMP_OPS: Record<string, CondJumpOp> = {
  "==": BPF_JEQ,
  "!=": BPF_JNE,
  ">": BPF_JGT,
  ">=": BPF_JGE,
  "<": BPF_JLT,
  "<=": BPF_JLE,
  "s>": BPF_JSGT,
  "s>=": BPF_JSGE,
  "s<": BPF_JSLT,
  "s<=": BPF_JSLE,
  "&": BPF_JSET,
};

const LOAD_SIZES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

export interface Mismatch {
  readonly line: string;
  readonly reg: string;
  readonly kernel: string;
  readonly ours: string;
}

export interface ReplayResult {
  readonly checked: number;
  readonly mismatches: Mismatch[];
}

/** The kernel's text for a scalar register without ids and precision marks. */
export function stripIds(text: string): string {
  return text
    .replace(/^P/, "")
    .replace(/id=\d+([+-]\d+)?,?/, "")
    .replace(/,\)$/, ")");
}

function parseImm(text: string): bigint {
  // ALU immediates print in decimal, jump immediates as %#x of the u32.
  if (/^-?0x/.test(text)) {
    const neg = text.startsWith("-");
    const v = BigInt(neg ? text.slice(1) : text);
    return neg ? -v : BigInt.asIntN(32, v);
  }
  return BigInt(text);
}

function parseStates(text: string): Map<string, string> {
  const out = new Map<string, string>();
  // " R1=ctx() R6=scalar(smin=0,...) R10=fp0"
  const re = /(R\d+)=((?:[^ ()]|\([^()]*(?:\([^()]*\)[^()]*)*\))+)/g;
  for (const m of text.matchAll(re)) out.set(m[1] as string, m[2] as string);
  return out;
}

export function replayLog(log: string): ReplayResult {
  let regs = new Map<string, ScalarBounds>();
  const takenStates = new Map<number, Map<string, ScalarBounds>>();
  const mismatches: Mismatch[] = [];
  let checked = 0;

  const compare = (line: string, states: Map<string, string>, cur: Map<string, ScalarBounds>) => {
    for (const [reg, kernel] of states) {
      if (!kernel.startsWith("scalar") && !/^P?-?(0x[0-9a-f]+|\d+)$/.test(kernel)) continue;
      const b = cur.get(reg);
      const ours = b ? formatScalar(b) : "<unknown to replay>";
      checked++;
      if (stripIds(kernel) !== ours) mismatches.push({ line, reg, kernel: stripIds(kernel), ours });
    }
  };

  const get = (r: string): ScalarBounds => {
    const b = regs.get(`R${r.slice(1)}`);
    if (!b) throw new Error(`replay: ${r} used before it is known`);
    return b;
  };
  const set = (r: string, b: ScalarBounds) => regs.set(`R${r.slice(1)}`, b);

  for (const line of log.split("\n")) {
    const from = /^from (\d+) to (\d+): (.*)$/.exec(line);
    if (from) {
      const saved = takenStates.get(Number(from[1]));
      if (saved) regs = new Map(saved);
      compare(line, parseStates(from[3] as string), regs);
      continue;
    }
    const m = /^(\d+): \([0-9a-f]{2}\) (.*?)(?:\s+; (.*))?$/.exec(line);
    if (!m) continue;
    const idx = Number(m[1]);
    const insn = (m[2] as string).trim();
    const states = m[3] !== undefined ? parseStates(m[3]) : new Map<string, string>();
    let x: RegExpExecArray = [] as unknown as RegExpExecArray;
    const on = (re: RegExp): boolean => {
      const found = re.exec(insn);
      if (found) x = found;
      return found !== null;
    };

    if (on(/^([rw]\d+) = \*\((u8|u16|u32|u64) \*\)\(r1 [+-]\d+\)$/)) {
      const size = LOAD_SIZES[x[2] as string] as number;
      set(x[1] as string, size === 8 ? unknownScalar() : coerceToSize(unknownScalar(), size));
    } else if (on(/^([rw])(\d+) = -\1(\d+)$/)) {
      const r = `${x[1]}${x[2]}`;
      set(r, scalarAlu(BPF_NEG, x[1] === "r", get(r), get(r)));
    } else if (on(/^([rw])(\d+) = (be|le|bswap)(16|32|64) \1\2$/)) {
      const r = `${x[1]}${x[2]}`;
      const imm = Number(x[4]) as 16 | 32 | 64;
      const is64 = x[3] === "bswap";
      set(r, scalarAlu(BPF_END, is64, get(r), get(r), { endImm: imm, endToLe: x[3] !== "be" }));
    } else if (on(/^([rw])(\d+) = \(s(8|16|32)\)([rw])(\d+)$/)) {
      set(`${x[1]}${x[2]}`, movReg(get(`r${x[5]}`), x[1] === "r", Number(x[3]) as 8 | 16 | 32));
    } else if (on(/^([rw])(\d+) = ([rw])(\d+)$/)) {
      // A copy of a pointer (r9 = r1 with r1 the context) is not a scalar.
      const src = regs.get(`R${x[4]}`);
      if (src) set(`${x[1]}${x[2]}`, movReg(src, x[1] === "r", 0));
      else regs.delete(`R${x[2]}`);
    } else if (on(/^([rw])(\d+) = (-?(?:0x[0-9a-f]+|\d+))$/)) {
      set(`${x[1]}${x[2]}`, movImm(Number(parseImm(x[3] as string)), x[1] === "r"));
    } else if (
      on(/^([rw])(\d+) (s?[-+*/%|&^]=|<<=|s?>>=) (?:([rw])(\d+)|(-?(?:0x[0-9a-f]+|\d+)))$/)
    ) {
      const op = ALU_OPS[x[3] as string];
      if (op === undefined) throw new Error(`replay: unknown ALU op in ${line}`);
      const is64 = x[1] === "r";
      const src = x[5] !== undefined ? get(`r${x[5]}`) : knownScalar(parseImm(x[6] as string));
      set(`${x[1]}${x[2]}`, scalarAlu(op, is64, get(`r${x[2]}`), src));
    } else if (
      on(
        /^if ([rw])(\d+) (s?[<>]=?|==|!=|&) (?:([rw])(\d+)|(-?(?:0x[0-9a-f]+|\d+))) goto pc[+-]\d+$/,
      )
    ) {
      const op = JMP_OPS[x[3] as string] as CondJumpOp;
      const is32 = x[1] === "w";
      const dstName = `R${x[2]}`;
      const srcName = x[5] !== undefined ? `R${x[5]}` : null;
      const dst = get(`r${x[2]}`);
      const src = srcName ? get(`r${x[5]}`) : knownScalar(parseImm(x[6] as string));
      const same = srcName === dstName;
      const pred = branchTaken(op, is32, dst, src, same);
      if (pred === -1) {
        const [td, ts] = refineOnBranch(op, is32, dst, src, true, same);
        const [fd, fs] = refineOnBranch(op, is32, dst, src, false, same);
        const taken = new Map(regs);
        taken.set(dstName, td);
        if (srcName) taken.set(srcName, ts);
        takenStates.set(idx, taken);
        regs.set(dstName, fd);
        if (srcName) regs.set(srcName, fs);
      } else if (pred === 1) {
        // The fall-through is dead; the kernel continues at the target only.
        takenStates.set(idx, new Map(regs));
      }
    } else if (/^call bpf_\w+#\d+$/.test(insn)) {
      // Helpers used by the fixtures return an unknown scalar; R1-R5 die.
      for (let r = 1; r <= 5; r++) regs.delete(`R${r}`);
      regs.set("R0", unknownScalar());
    } else if (/^(exit|goto pc[+-]\d+)$/.test(insn)) {
      // nothing scalar to do
    } else {
      throw new Error(`replay: cannot replay "${line}"`);
    }
    compare(line, states, regs);
  }
  return { checked, mismatches };
}
