/**
 * The verifier log in the kernel's format (kernel/bpf/log.c): register and
 * stack state, instruction lines with the changed registers aligned after
 * them, source lines, and the truncation that keeps only the failing path at
 * level 1.
 */
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX } from "./bounds.js";
import type { RegState } from "./reg-state.js";
import {
  baseType,
  CONST_PTR_TO_MAP,
  isPacketPointer,
  NON_OWN_REF,
  NOT_INIT,
  PTR_TO_ARENA,
  PTR_TO_BTF_ID,
  PTR_TO_MAP_KEY,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TO_STACK,
  regTypeName,
  SCALAR_VALUE,
} from "./reg-types.js";
import {
  BPF_REG_SIZE,
  type FuncState,
  STACK_ITER,
  STACK_SPILL,
  type VerifierState,
} from "./state.js";
import type { Tnum } from "./tnum.js";

export const LOG_LEVEL1 = 1;
export const LOG_LEVEL2 = 2;
export const LOG_STATS = 4;

const U64_MAX = (1n << 64n) - 1n;
const UNUM_MAX_DECIMAL = 0xffffn;
const SNUM_MAX_DECIMAL = 0x7fffn;
const SNUM_MIN_DECIMAL = -0x8000n;

/** What printing a register needs to know about the program around it. */
export interface LogNames {
  mapName(index: number): string;
  mapKeySize(index: number): number;
  mapValueSize(index: number): number;
  btfTypeName(id: number): string;
}

/** The kernel's `%#llx`, which (unlike C's) writes 0 as `0x0`. */
function hex(n: bigint): string {
  return `0x${n.toString(16)}`;
}

/** `verbose_unum`: small numbers in decimal, the rest in hex. */
export function unum(n: bigint): string {
  return n <= UNUM_MAX_DECIMAL ? n.toString() : hex(n);
}

/** `verbose_snum`: small numbers in decimal, the rest as the 64-bit pattern in hex. */
export function snum(n: bigint): string {
  return n >= SNUM_MIN_DECIMAL && n <= SNUM_MAX_DECIMAL ? n.toString() : hex(BigInt.asUintN(64, n));
}

/** `tnum_strn` */
export function tnumString(t: Tnum): string {
  if (t.mask === 0n) return unum(t.value);
  return `(${hex(t.value)}; ${hex(t.mask)})`;
}

function isSnumDecimal(n: bigint): boolean {
  return n >= SNUM_MIN_DECIMAL && n <= SNUM_MAX_DECIMAL;
}

/**
 * `print_scalar_ranges`: each bound that is not at its default, merging
 * equal ones (`smin=umin=0`) but never a negative with a positive.
 */
export function scalarRanges(reg: RegState): string[] {
  const s32min = BigInt(reg.s32Min);
  const s32max = BigInt(reg.s32Max);
  const items = [
    { name: "smin", val: BigInt.asUintN(64, reg.smin), omit: reg.smin === S64_MIN },
    { name: "smax", val: BigInt.asUintN(64, reg.smax), omit: reg.smax === S64_MAX },
    { name: "umin", val: reg.umin, omit: reg.umin === 0n },
    { name: "umax", val: reg.umax, omit: reg.umax === U64_MAX },
    {
      name: "smin32",
      val: BigInt.asUintN(64, isSnumDecimal(s32min) ? s32min : BigInt.asUintN(32, s32min)),
      omit: reg.s32Min === S32_MIN,
    },
    {
      name: "smax32",
      val: BigInt.asUintN(64, isSnumDecimal(s32max) ? s32max : BigInt.asUintN(32, s32max)),
      omit: reg.s32Max === S32_MAX,
    },
    { name: "umin32", val: BigInt(reg.u32Min), omit: reg.u32Min === 0 },
    { name: "umax32", val: BigInt(reg.u32Max), omit: reg.u32Max === U32_MAX },
  ];
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const m1 = items[i]!;
    if (m1.omit) continue;
    const neg1 = m1.name[0] === "s" && BigInt.asIntN(64, m1.val) < 0n;
    let text = `${m1.name}=`;
    for (let j = i + 2; j < items.length; j += 2) {
      const m2 = items[j]!;
      if (m2.omit || m2.val !== m1.val) continue;
      const neg2 = m2.name[0] === "s" && BigInt.asIntN(64, m2.val) < 0n;
      if (neg1 !== neg2) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    text += m1.name[0] === "s" ? snum(BigInt.asIntN(64, m1.val)) : unum(m1.val);
    out.push(text);
  }
  return out;
}

/** `print_reg_state`: `5`, `P5`, `fp-8`, `map_value(map=m,ks=4,vs=8,off=4)`, `scalar(umax=255,...)`. */
export function formatReg(reg: RegState, frame: FuncState, names: LogNames): string {
  const t = reg.type;
  const isConst = reg.varOff.mask === 0n;
  let text = t === SCALAR_VALUE && reg.precise ? "P" : "";
  if (t === SCALAR_VALUE && isConst) return text + snum(BigInt.asIntN(64, reg.varOff.value));
  text += regTypeName(t);
  if (t === PTR_TO_ARENA) return text;
  if (t === PTR_TO_STACK) {
    if (frame.frameno !== reg.frameno) text += `[${reg.frameno}]`;
    if (isConst) return text + snum(BigInt.asIntN(64, reg.varOff.value) + BigInt(reg.off));
  }
  if (baseType(t) === PTR_TO_BTF_ID) text += names.btfTypeName(reg.btfId);
  const attrs: string[] = [];
  if (reg.id) attrs.push(`id=${reg.id}`);
  if (reg.refObjId) attrs.push(`ref_obj_id=${reg.refObjId}`);
  if (t & NON_OWN_REF) attrs.push("non_own_ref");
  const base = baseType(t);
  if (base === CONST_PTR_TO_MAP || base === PTR_TO_MAP_KEY || base === PTR_TO_MAP_VALUE) {
    const name = names.mapName(reg.mapIndex);
    if (name !== "") attrs.push(`map=${name}`);
    attrs.push(`ks=${names.mapKeySize(reg.mapIndex)},vs=${names.mapValueSize(reg.mapIndex)}`);
  }
  if (t !== SCALAR_VALUE && reg.off !== 0) attrs.push(`off=${snum(BigInt(reg.off))}`);
  // a negative range (BEYOND_PKT_END, AT_PKT_END) prints as the u64 it is cast to
  if (isPacketPointer(t)) attrs.push(`r=${unum(BigInt.asUintN(64, BigInt(reg.range)))}`);
  if (base === PTR_TO_MEM) attrs.push(`sz=${unum(BigInt(reg.memSize))}`);
  if (isConst) {
    if (reg.varOff.value !== 0n) attrs.push(`imm=${snum(BigInt.asIntN(64, reg.varOff.value))}`);
  } else {
    attrs.push(...scalarRanges(reg));
    if (!(reg.varOff.value === 0n && reg.varOff.mask === U64_MAX))
      attrs.push(`var_off=${tnumString(reg.varOff)}`);
  }
  return `${text}(${attrs.join(",")})`;
}

const SLOT_CHAR = ["?", "r", "m", "0", "d", "i"];

/** The scratch marks: which registers and stack slots changed since the last print. */
export interface Scratch {
  regs: number;
  stack: bigint;
}

/** `print_verifier_state` for one frame; all registers, or only scratched ones. */
export function formatFuncState(
  frame: FuncState,
  names: LogNames,
  scratch: Scratch | undefined,
  refs: readonly { id: number }[],
): string {
  let out = frame.frameno ? ` frame${frame.frameno}:` : "";
  frame.regs.forEach((reg, i) => {
    if (reg.type === NOT_INIT) return;
    if (scratch !== undefined && !(scratch.regs & (1 << i))) return;
    out += ` R${i}=${formatReg(reg, frame, names)}`;
  });
  frame.stack.forEach((slot, i) => {
    if (scratch !== undefined && !(scratch.stack & (1n << BigInt(i)))) return;
    if (slot.slotType.every((s) => s === 0)) return;
    const types = slot.slotType.map((s) => SLOT_CHAR[s] ?? "?");
    const fp = ` fp${(-i - 1) * BPF_REG_SIZE}`;
    if (slot.slotType[BPF_REG_SIZE - 1] === STACK_ITER) {
      // an iterator prints once, at its first slot, the one holding the reference
      const iter = slot.iter;
      if (slot.spilled.refObjId === 0 || iter === undefined) return;
      out += `${fp}=iter_${iter.kind}(ref_id=${slot.spilled.refObjId},state=${iter.state},depth=${iter.depth})`;
    } else if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL) {
      const firstSpill = slot.slotType.indexOf(STACK_SPILL);
      out += `${fp}=${types.slice(0, firstSpill).join("")}${formatReg(slot.spilled, frame, names)}`;
    } else {
      out += `${fp}=${types.join("")}`;
    }
  });
  // the kernel prints nothing when the first reference (a global data lock) has id 0
  const ids = refs.filter((r) => r.id !== 0).map((r) => r.id);
  if (refs.length > 0 && refs[0]!.id !== 0) out += ` refs=${ids.join(",")}`;
  if (frame.inCallbackFn) out += " cb";
  return out;
}

/**
 * The log buffer. `mark()`/`reset()` implement the kernel's `bpf_vlog_reset`:
 * at level 1, a path that ends safely is cut from the log when the verifier
 * goes back to a pushed branch, so what remains is the path that failed.
 */
export class VerifierLog {
  /**
   * Appended pieces, kept apart so that cutting the end (`reset`) costs the
   * pieces cut, not the whole log: a million-instruction walk writes and cuts
   * back a line per instruction.
   */
  private readonly chunks: string[] = [];
  private length = 0;

  constructor(readonly level: number) {}

  get enabled(): boolean {
    return (this.level & (LOG_LEVEL1 | LOG_LEVEL2)) !== 0;
  }

  get level2(): boolean {
    return (this.level & LOG_LEVEL2) !== 0;
  }

  get endPos(): number {
    return this.length;
  }

  /** Anything but level 0 keeps messages; only levels 1 and 2 trace instructions. */
  write(s: string): void {
    if (this.level === 0 || s === "") return;
    this.chunks.push(s);
    this.length += s.length;
  }

  reset(pos: number): void {
    while (this.length > pos) {
      const last = this.chunks.pop()!;
      this.length -= last.length;
      if (this.length < pos) {
        const kept = last.slice(0, pos - this.length);
        this.chunks.push(kept);
        this.length += kept.length;
      }
    }
  }

  toString(): string {
    if (this.chunks.length > 1) {
      const joined = this.chunks.join("");
      this.chunks.length = 0;
      this.chunks.push(joined);
    }
    return this.chunks[0] ?? "";
  }
}

/** `vlog_alignment`: where the `; R0=...` after an instruction starts. */
export function logAlignment(pos: number): number {
  const BPF_LOG_ALIGNMENT = 40;
  const BPF_LOG_MIN_ALIGNMENT = 8;
  const target = Math.max(pos + BPF_LOG_MIN_ALIGNMENT / 2, BPF_LOG_ALIGNMENT);
  return Math.ceil(target / BPF_LOG_MIN_ALIGNMENT) * BPF_LOG_MIN_ALIGNMENT - pos - 1;
}

export type { VerifierState };
