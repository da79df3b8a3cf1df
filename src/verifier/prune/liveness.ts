/**
 * Liveness as Linux 6.18 computes it, so that checkpoints forget what no
 * later instruction can read and states differing only there are equal.
 *
 * Registers: a static data-flow analysis over each function before the walk
 * (`compute_live_registers`).
 *
 * Stack slots (kernel/bpf/liveness.c): during the walk every instruction
 * reports which slots it may read and which it surely writes, per call chain
 * (the call sites that led into the function) and per frame. When a path
 * ends, the marks are propagated backwards to a fixed point (`live_before`),
 * and a finished checkpoint keeps only the slots live at its instruction.
 */
import type { Insn } from "../../isa/insn.js";
import {
  BPF_ABS,
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
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
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_MOV,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_ST,
  BPF_STX,
  BPF_X,
} from "../../isa/opcodes.js";
import { kfuncName } from "../../object/kfuncs.js";
import type { ProgramType } from "../../object/spec.js";
import { ARG_DONTCARE, helperProto } from "../calls/helper-protos.js";
import { kfuncProto } from "../calls/kfunc-protos.js";
import { isHelperCall, isLdimm64 } from "../cfg.js";
import type { VerifierLog } from "../log.js";
import type { VerifierState } from "../state.js";
import { insnSuccessors, type Postorder } from "./flow.js";

const ALL_CALLER_SAVED = 0b111111;
const BPF_LOAD_ACQ = 0x100;
const BPF_STORE_REL = 0x110;

/** `compute_insn_live_regs`: the registers an instruction reads (use) and writes (def). */
function insnUseDef(insn: Insn, progType: ProgramType): { use: number; def: number } {
  const cls = insn.code & 0x07;
  const op = insn.code & 0xf0;
  const mode = insn.code & 0xe0;
  const src = 1 << insn.src;
  const dst = 1 << insn.dst;
  switch (cls) {
    case BPF_LD:
      if (mode === BPF_IMM && (insn.code & 0x18) === BPF_DW) return { use: 0, def: dst };
      if (mode === BPF_ABS || mode === BPF_IND) return { use: 0xffff, def: 0 };
      return { use: 0xffff, def: 0 };
    case BPF_LDX:
      if (mode === BPF_MEM || mode === BPF_MEMSX) return { use: src, def: dst };
      return { use: 0xffff, def: 0 };
    case BPF_ST:
      if (mode === BPF_MEM) return { use: dst, def: 0 };
      return { use: 0xffff, def: 0 };
    case BPF_STX:
      if (mode === BPF_MEM) return { use: dst | src, def: 0 };
      if (mode === BPF_ATOMIC) {
        if (insn.imm === BPF_CMPXCHG) return { use: 1 | dst | src, def: 1 };
        if (insn.imm === BPF_LOAD_ACQ) return { use: src, def: dst };
        if (insn.imm === BPF_STORE_REL) return { use: dst | src, def: 0 };
        return { use: dst | src, def: insn.imm & BPF_FETCH ? src : 0 };
      }
      return { use: 0xffff, def: 0 };
    case BPF_ALU:
    case BPF_ALU64:
      if (op === BPF_END) return { use: dst, def: dst };
      if (op === BPF_MOV) return { use: (insn.code & 0x08) === BPF_K ? 0 : src, def: dst };
      return { use: (insn.code & 0x08) === BPF_K ? dst : dst | src, def: dst };
    case BPF_JMP:
    case BPF_JMP32:
      switch (op) {
        case BPF_JA:
          return { use: (insn.code & 0x08) === BPF_X ? dst : 0, def: 0 };
        case BPF_JCOND:
          return { use: 0, def: 0 };
        case BPF_EXIT:
          return { use: 1, def: 0 };
        case BPF_CALL: {
          let use = ALL_CALLER_SAVED & ~1;
          if (isHelperCall(insn)) {
            // `get_call_summary`: a helper reads as many registers as it has parameters
            const proto = helperProto(insn.imm, progType);
            if (typeof proto === "object") {
              use = 0;
              for (let i = 0; i < 5; i++) {
                if ((proto.args[i] ?? ARG_DONTCARE) === ARG_DONTCARE) break;
                use |= 1 << (i + 1);
              }
            }
          } else if (insn.src === BPF_PSEUDO_KFUNC_CALL) {
            // a kfunc reads as many registers as its BTF prototype has parameters
            const name = kfuncName(insn.imm);
            const proto = name === undefined ? undefined : kfuncProto(name);
            if (proto !== undefined) use = ((1 << proto.args.length) - 1) << 1;
          }
          return { use, def: ALL_CALLER_SAVED };
        }
        default:
          return { use: (insn.code & 0x08) === BPF_K ? dst : dst | src, def: 0 };
      }
    default:
      return { use: 0xffff, def: 0 };
  }
}

/**
 * `compute_live_registers`: for each instruction, the registers some later
 * instruction may read before writing them.
 */
export function computeLiveRegisters(
  insns: readonly Insn[],
  postorder: Postorder,
  progType: ProgramType,
): Uint16Array {
  const use = new Uint16Array(insns.length);
  const def = new Uint16Array(insns.length);
  insns.forEach((insn, i) => {
    const ud = insnUseDef(insn, progType);
    use[i] = ud.use;
    def[i] = ud.def;
  });
  const liveIn = new Uint16Array(insns.length);
  const liveOut = new Uint16Array(insns.length);
  const succs = postorder.order.map((i) => insnSuccessors(insns, i));
  let changed = true;
  while (changed) {
    changed = false;
    postorder.order.forEach((idx, k) => {
      let out = 0;
      for (const s of succs[k]!) out |= liveIn[s] ?? 0;
      const inn = (out & ~def[idx]!) | use[idx]!;
      if (out !== liveOut[idx] || inn !== liveIn[idx]) {
        liveIn[idx] = inn;
        liveOut[idx] = out;
        changed = true;
      }
    });
  }
  return liveIn;
}

/** The level 2 listing of `compute_live_registers`, with each instruction's loop id. */
export function logLiveRegisters(
  log: VerifierLog,
  insns: readonly Insn[],
  live: Uint16Array,
  scc: Uint32Array,
  formatInsn: (idx: number) => string,
): void {
  log.write("Live regs before insn:\n");
  for (let i = 0; i < insns.length; i++) {
    let line = scc[i] ? `${String(scc[i]).padStart(3)} ` : "    ";
    line += `${String(i).padStart(3)}: `;
    for (let j = 0; j < 10; j++) line += live[i]! & (1 << j) ? String(j) : ".";
    log.write(`${line} ${formatInsn(i)}\n`);
    if (isLdimm64(insns[i]!)) i++;
  }
}

const MAX_CALL_FRAMES = 8;
const ALL_SLOTS = (1n << 64n) - 1n;

/** `struct callchain`: the call sites into the function and where each frame's function starts. */
interface Callchain {
  /** callsites[i] for i < curframe; callsites[curframe] is the function's start */
  readonly callsites: readonly number[];
  readonly spStarts: readonly number[];
  readonly curframe: number;
}

/** `struct per_frame_masks`, one array per field, indexed by instruction within the function. */
interface FrameMasks {
  readonly mayRead: BigUint64Array;
  readonly mustWrite: BigUint64Array;
  readonly mustWriteAcc: BigUint64Array;
  readonly liveBefore: BigUint64Array;
}

/** `struct func_instance`: the marks of one function reached through one call chain. */
interface FuncInstance {
  readonly callchain: Callchain;
  readonly key: string;
  readonly insnCnt: number;
  updated: boolean;
  mustWriteDropped: boolean;
  readonly frames: (FrameMasks | undefined)[];
  readonly mustWriteSet: Uint8Array;
}

/** What the stack analysis needs to know about the program. */
export interface StackLivenessProgram {
  readonly insns: readonly Insn[];
  readonly subprogStarts: readonly number[];
  readonly postorder: Postorder;
  readonly prunePoints: ReadonlySet<number>;
  readonly callsCallback: ReadonlySet<number>;
  readonly log: VerifierLog;
}

function callchainText(c: Callchain): string {
  return `(${c.callsites.slice(0, c.curframe + 1).join(",")})`;
}

/** `bpf_fmt_stack_mask` */
function stackMaskText(mask: bigint): string {
  const out: string[] = [];
  for (let i = 0; mask >> BigInt(i) !== 0n; i++)
    if ((mask >> BigInt(i)) & 1n) out.push(`${-(i + 1) * 8}`);
  return out.join(",");
}

/** kernel/bpf/liveness.c */
export class StackLiveness {
  private readonly instances = new Map<string, FuncInstance>();
  /** `cur_instance`: the function instance of the current state, while it is known */
  private curInstance: FuncInstance | undefined;
  private writeMasks = new Array<bigint>(MAX_CALL_FRAMES).fill(0n);
  private writeInsnIdx = 0;
  private query:
    | { instances: FuncInstance[]; curframe: number; insnIdx: number; callsites: number[] }
    | undefined;

  constructor(private readonly prog: StackLivenessProgram) {}

  private subprogOf(start: number): number {
    let found = 0;
    this.prog.subprogStarts.forEach((s, i) => {
      if (s <= start) found = i;
    });
    return found;
  }

  /** `compute_callchain` for frame `frameno` of a state. */
  private callchainOf(
    st: VerifierState,
    frameno: number,
    subprogStart: (i: number) => number,
  ): Callchain {
    const callsites: number[] = [];
    const spStarts: number[] = [];
    for (let i = 0; i <= frameno; i++) {
      spStarts.push(subprogStart(st.frames[i]!.subprogno));
      if (i < st.curframe) callsites.push(st.frames[i + 1]!.callsite);
    }
    callsites.length = frameno + 1;
    callsites[frameno] = spStarts[frameno]!;
    return { callsites, spStarts, curframe: frameno };
  }

  private lookup(c: Callchain): FuncInstance {
    const key = c.callsites.join(",");
    let inst = this.instances.get(key);
    if (inst !== undefined) return inst;
    const start = c.spStarts[c.curframe]!;
    const sub = this.subprogOf(start);
    const end = this.prog.subprogStarts[sub + 1] ?? this.prog.insns.length;
    const insnCnt = end - this.prog.subprogStarts[sub]!;
    inst = {
      callchain: c,
      key,
      insnCnt,
      updated: false,
      mustWriteDropped: false,
      frames: new Array(MAX_CALL_FRAMES).fill(undefined),
      mustWriteSet: new Uint8Array(insnCnt),
    };
    this.instances.set(key, inst);
    return inst;
  }

  private instanceOf(st: VerifierState, frameno: number): FuncInstance {
    return this.lookup(this.callchainOf(st, frameno, (i) => this.prog.subprogStarts[i] ?? 0));
  }

  private relIdx(inst: FuncInstance, insnIdx: number): number {
    return insnIdx - inst.callchain.spStarts[inst.callchain.curframe]!;
  }

  private frameMasks(inst: FuncInstance, frame: number): FrameMasks {
    let masks = inst.frames[frame];
    if (masks === undefined) {
      const n = inst.insnCnt;
      masks = {
        mayRead: new BigUint64Array(n),
        mustWrite: new BigUint64Array(n),
        mustWriteAcc: new BigUint64Array(n),
        liveBefore: new BigUint64Array(n),
      };
      inst.frames[frame] = masks;
    }
    return masks;
  }

  /** `bpf_reset_live_stack_callchain`: the current state entered or left a function. */
  resetCallchain(): void {
    this.curInstance = undefined;
  }

  private ensureCurInstance(cur: VerifierState): FuncInstance {
    this.curInstance ??= this.instanceOf(cur, cur.curframe);
    return this.curInstance;
  }

  private markRead(inst: FuncInstance, frame: number, insnIdx: number, mask: bigint): void {
    const masks = this.frameMasks(inst, frame);
    const i = this.relIdx(inst, insnIdx);
    if (i < 0 || i >= inst.insnCnt) return;
    const old = masks.mayRead[i]!;
    const next = old | mask;
    if (next !== old && (next | masks.liveBefore[i]!) !== masks.liveBefore[i]!) inst.updated = true;
    masks.mayRead[i] = next;
  }

  /** `bpf_mark_stack_read`: instruction `insnIdx` may read these slots of frame `frame`. */
  markStackRead(cur: VerifierState, frame: number, insnIdx: number, mask: bigint): void {
    this.markRead(this.ensureCurInstance(cur), frame, insnIdx, mask);
  }

  /** `bpf_reset_stack_write_marks`: an instruction starts; its writes are collected until commit. */
  resetStackWriteMarks(cur: VerifierState, insnIdx: number): void {
    this.ensureCurInstance(cur);
    this.writeInsnIdx = insnIdx;
    this.writeMasks.fill(0n);
  }

  /** `bpf_mark_stack_write`: the instruction surely writes these slots of frame `frame`. */
  markStackWrite(frame: number, mask: bigint): void {
    this.writeMasks[frame]! |= mask;
  }

  private commit(inst: FuncInstance | undefined): void {
    if (inst === undefined) return;
    const idx = this.relIdx(inst, this.writeInsnIdx);
    if (idx < 0 || idx >= inst.insnCnt) return;
    for (let frame = 0; frame <= inst.callchain.curframe; frame++) {
      let mask = this.writeMasks[frame]!;
      if (mask === 0n && !inst.mustWriteSet[idx]) continue;
      const masks = this.frameMasks(inst, frame);
      const old = masks.mustWrite[idx]!;
      // the first visit sets what the instruction writes; later visits keep what all of them write
      if (inst.mustWriteSet[idx]) mask &= old;
      if (old !== mask) {
        masks.mustWrite[idx] = mask;
        inst.updated = true;
      }
      if (old & ~mask) inst.mustWriteDropped = true;
    }
    inst.mustWriteSet[idx] = 1;
    this.writeInsnIdx = 0;
  }

  /** `bpf_commit_stack_write_marks` */
  commitStackWriteMarks(): void {
    this.commit(this.curInstance);
  }

  private logMaskChange(
    inst: FuncInstance,
    what: string,
    frame: number,
    insnIdx: number,
    old: bigint,
    now: bigint,
  ): void {
    const changed = old ^ now;
    if (changed === 0n) return;
    let line = `${callchainText(inst.callchain)} frame ${frame} insn ${insnIdx} `;
    const ones = now & changed;
    const zeros = ~now & changed & ALL_SLOTS;
    if (ones) line += `+${what} ${stackMaskText(ones)} `;
    if (zeros) line += `-${what} ${stackMaskText(zeros)}`;
    this.prog.log.write(`${line}\n`);
  }

  private updateInsn(inst: FuncInstance, frame: number, insnIdx: number): boolean {
    const succ = insnSuccessors(this.prog.insns, insnIdx);
    if (succ.length === 0) return false;
    const masks = inst.frames[frame]!;
    const i = this.relIdx(inst, insnIdx);
    let after = 0n;
    let acc = ALL_SLOTS;
    for (const s of succ) {
      const si = this.relIdx(inst, s);
      after |= masks.liveBefore[si] ?? 0n;
      acc &= masks.mustWriteAcc[si] ?? 0n;
    }
    acc |= masks.mustWrite[i]!;
    const before = (after & ~masks.mustWrite[i]!) | masks.mayRead[i]!;
    const changed = before !== masks.liveBefore[i] || acc !== masks.mustWriteAcc[i];
    const start = inst.callchain.spStarts[inst.callchain.curframe]!;
    if (
      this.prog.log.level2 &&
      (masks.mayRead[i] !== 0n ||
        masks.mustWrite[i] !== 0n ||
        insnIdx === start ||
        this.prog.prunePoints.has(insnIdx))
    ) {
      this.logMaskChange(inst, "live", frame, insnIdx, masks.liveBefore[i]!, before);
      this.logMaskChange(inst, "written", frame, insnIdx, masks.mustWriteAcc[i]!, acc);
    }
    masks.liveBefore[i] = before;
    masks.mustWriteAcc[i] = acc;
    return changed;
  }

  /** `update_instance`: live_before and must_write_acc to a fixed point, then up to the caller. */
  private updateInstance(inst: FuncInstance): void {
    const c = inst.callchain;
    if (inst.mustWriteDropped) {
      for (const masks of inst.frames) masks?.mustWriteAcc.fill(0n);
    }
    const sub = this.subprogOf(c.spStarts[c.curframe]!);
    const { order, starts } = this.prog.postorder;
    const from = starts[sub]!;
    const to = starts[sub + 1]!;
    let iterations = 0;
    let changed: boolean;
    do {
      iterations++;
      changed = false;
      for (let frame = 0; frame <= c.curframe; frame++) {
        if (inst.frames[frame] === undefined) continue;
        for (let k = from; k < to; k++)
          changed = this.updateInsn(inst, frame, order[k]!) || changed;
      }
    } while (changed);
    if (this.prog.log.level2)
      this.prog.log.write(
        `${callchainText(c)} live stack update done in ${iterations} iterations\n`,
      );
    if (c.curframe > 0) this.propagateToOuter(inst);
  }

  /** `propagate_to_outer_instance`: what the callee reads and surely writes becomes the call's. */
  private propagateToOuter(inst: FuncInstance): void {
    const c = inst.callchain;
    const start = c.spStarts[c.curframe]!;
    const callsites = c.callsites.slice(0, c.curframe);
    callsites[c.curframe - 1] = c.spStarts[c.curframe - 1]!;
    const outer = this.lookup({
      callsites,
      spStarts: c.spStarts.slice(0, c.curframe),
      curframe: c.curframe - 1,
    });
    const callsite = c.callsites[c.curframe - 1]!;
    this.writeInsnIdx = callsite;
    this.writeMasks.fill(0n);
    for (let frame = 0; frame < c.curframe; frame++) {
      const masks = inst.frames[frame];
      if (masks === undefined) continue;
      const i = this.relIdx(inst, start);
      this.markStackWrite(frame, masks.mustWriteAcc[i]!);
      this.markRead(outer, frame, callsite, masks.liveBefore[i]!);
    }
    this.commit(outer);
  }

  /** `bpf_update_live_stack`: a path ended; bring every frame's marks up to date. */
  updateLiveStack(cur: VerifierState): void {
    this.curInstance = undefined;
    for (let frame = cur.curframe; frame >= 0; frame--) {
      const inst = this.instanceOf(cur, frame);
      if (inst.updated) {
        this.updateInstance(inst);
        inst.updated = false;
        inst.mustWriteDropped = false;
      }
    }
  }

  /** `bpf_live_stack_query_init`: the state whose slots `stackSlotAlive` answers for. */
  queryInit(st: VerifierState): void {
    const instances: FuncInstance[] = [];
    const callsites: number[] = [];
    for (let frame = 0; frame <= st.curframe; frame++) {
      instances.push(this.instanceOf(st, frame));
      if (frame < st.curframe) callsites.push(st.frames[frame + 1]!.callsite);
    }
    this.query = { instances, curframe: st.curframe, insnIdx: st.insnIdx, callsites };
  }

  private liveBefore(inst: FuncInstance, insnIdx: number, frameno: number, spi: number): boolean {
    const masks = inst.frames[frameno];
    if (masks === undefined) return false;
    const i = this.relIdx(inst, insnIdx);
    return (((masks.liveBefore[i] ?? 0n) >> BigInt(spi)) & 1n) !== 0n;
  }

  /**
   * `bpf_stack_slot_alive`: whether the slot may be read after the queried
   * state's instruction, in its own function or after any of the calls below it.
   */
  stackSlotAlive(frameno: number, spi: number): boolean {
    const q = this.query;
    if (q === undefined) return true;
    const curInst = q.instances[q.curframe]!;
    if (this.liveBefore(curInst, q.insnIdx, frameno, spi)) return true;
    for (let i = frameno; i < q.curframe; i++) {
      const callsite = curInst.callchain.callsites[i]!;
      const inst = q.instances[i]!;
      const at = this.prog.callsCallback.has(callsite) ? callsite : callsite + 1;
      if (this.liveBefore(inst, at, frameno, spi)) return true;
    }
    return false;
  }
}
