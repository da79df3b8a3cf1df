/**
 * Precision tracking: `mark_chain_precision` and the jump history it walks.
 *
 * Scalars are compared loosely when states are matched for pruning, unless
 * their exact value mattered somewhere (a decided branch, a pointer offset, a
 * helper's size argument, a return value). When that happens the verifier
 * walks the path backwards from the current instruction (`backtrack_insn`),
 * following the registers and stack slots the value came from, and marks them
 * precise in every checkpoint on the way, so later states are compared on
 * their ranges there.
 */
import type { Insn } from "../../isa/insn.js";
import {
  BPF_ABS,
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_CMPXCHG,
  BPF_END,
  BPF_EXIT,
  BPF_FETCH,
  BPF_IMM,
  BPF_IND,
  BPF_JMP,
  BPF_JMP32,
  BPF_LD,
  BPF_LDX,
  BPF_MOV,
  BPF_NEG,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_ST,
  BPF_STX,
  BPF_X,
} from "../../isa/opcodes.js";
import { callsSyncCallback } from "../cfg.js";
import type { VerifierEnv } from "../env.js";
import { formatFuncState } from "../log.js";
import { SCALAR_VALUE } from "../reg-types.js";
import { EFAULT } from "../result.js";
import {
  BPF_REG_FP,
  BPF_REG_SIZE,
  type FuncState,
  type HistoryEntry,
  INSN_F_DST_REG_STACK,
  INSN_F_SRC_REG_STACK,
  INSN_F_STACK_ACCESS,
  type LinkedReg,
  STACK_SPILL,
  type VerifierState,
} from "../state.js";
import { pruneContext } from "./context.js";
import { frameInsnIdx } from "./scc.js";

const MAX_CALL_FRAMES = 8;
/** r1-r5 */
const REGMASK_ARGS = 0b111110;
/** `LINKED_REGS_MAX` */
const LINKED_REGS_MAX = 6;

/**
 * `struct backtrack_state`: per frame, the registers and stack slots whose
 * values are still being traced back.
 */
export class Backtrack {
  frame = 0;
  readonly regs = new Array<number>(MAX_CALL_FRAMES).fill(0);
  readonly stack = new Array<bigint>(MAX_CALL_FRAMES).fill(0n);

  reset(): void {
    this.frame = 0;
    this.regs.fill(0);
    this.stack.fill(0n);
  }

  empty(): boolean {
    for (let i = 0; i <= this.frame; i++)
      if (this.regs[i] !== 0 || this.stack[i] !== 0n) return false;
    return true;
  }

  setFrameReg(frame: number, reg: number): void {
    this.regs[frame]! |= 1 << reg;
  }

  clearFrameReg(frame: number, reg: number): void {
    this.regs[frame]! &= ~(1 << reg);
  }

  isFrameRegSet(frame: number, reg: number): boolean {
    return (this.regs[frame]! & (1 << reg)) !== 0;
  }

  setFrameSlot(frame: number, slot: number): void {
    this.stack[frame]! |= 1n << BigInt(slot);
  }

  clearFrameSlot(frame: number, slot: number): void {
    this.stack[frame]! &= ~(1n << BigInt(slot));
  }

  isFrameSlotSet(frame: number, slot: number): boolean {
    return (this.stack[frame]! & (1n << BigInt(slot))) !== 0n;
  }

  setReg(reg: number): void {
    this.setFrameReg(this.frame, reg);
  }

  clearReg(reg: number): void {
    this.clearFrameReg(this.frame, reg);
  }

  isRegSet(reg: number): boolean {
    return this.isFrameRegSet(this.frame, reg);
  }

  get regMask(): number {
    return this.regs[this.frame]!;
  }

  get stackMask(): bigint {
    return this.stack[this.frame]!;
  }
}

/** `fmt_reg_mask`: `r1,r6` */
export function formatRegMask(mask: number): string {
  const out: string[] = [];
  for (let i = 0; i < 32; i++) if (mask & (1 << i)) out.push(`r${i}`);
  return out.join(",");
}

/** `fmt_stack_mask`: `-8,-24` */
export function formatStackMask(mask: bigint): string {
  const out: string[] = [];
  for (let i = 0; mask >> BigInt(i) !== 0n; i++)
    if ((mask >> BigInt(i)) & 1n) out.push(`${-(i + 1) * 8}`);
  return out.join(",");
}

function backtrackBug(env: VerifierEnv, line: string): never {
  env.reject(EFAULT, line);
}

/**
 * `push_jmp_history`: records the instruction being verified in the current
 * path's history, merging with the entry already recorded for it.
 */
export function pushJmpHistory(
  env: VerifierEnv,
  state: VerifierState,
  flags: number,
  linkedRegs: readonly LinkedReg[] = [],
  stack?: { frame: number; slot: number },
): void {
  const ctx = pruneContext(env);
  if (ctx === undefined) return;
  const cur = ctx.curHistEntry;
  if (cur !== undefined) {
    cur.flags |= flags;
    if (linkedRegs.length > 0) cur.linkedRegs = linkedRegs;
    if (stack !== undefined) {
      cur.stackFrame = stack.frame;
      cur.stackSlot = stack.slot;
    }
    return;
  }
  const entry: HistoryEntry = {
    idx: env.insnIdx,
    prevIdx: env.prevInsnIdx,
    flags,
    stackFrame: stack?.frame ?? 0,
    stackSlot: stack?.slot ?? 0,
    linkedRegs,
  };
  state.history.push(entry);
  ctx.curHistEntry = entry;
}

/** Records a spill to or fill from a stack slot (`insn_stack_access_flags`). */
export function recordStackAccess(env: VerifierEnv, frameno: number, slot: number): void {
  pushJmpHistory(env, env.state, INSN_F_STACK_ACCESS, [], { frame: frameno, slot });
}

/** `collect_linked_regs`: scalars (registers and spills) of every frame sharing `id`. */
export function collectLinkedRegs(
  state: VerifierState,
  id: number,
  out: LinkedReg[],
  liveRegsBefore?: Uint16Array,
): void {
  for (let i = state.curframe; i >= 0; i--) {
    const frame = state.frames[i]!;
    // registers no later instruction reads are left out (6.18 consults `live_regs_before`)
    const live = liveRegsBefore?.[frameInsnIdx(state, i)] ?? 0xffff;
    for (let j = 0; j < BPF_REG_FP; j++) {
      if (!(live & (1 << j))) continue;
      const reg = frame.regs[j]!;
      if (reg.type !== SCALAR_VALUE || reg.id !== id || out.length >= LINKED_REGS_MAX) continue;
      out.push({ frameno: i, index: j, isReg: true });
    }
    frame.stack.forEach((slot, j) => {
      if (slot.slotType[BPF_REG_SIZE - 1] !== STACK_SPILL) return;
      const reg = slot.spilled;
      if (reg.type !== SCALAR_VALUE || reg.id !== id || out.length >= LINKED_REGS_MAX) return;
      out.push({ frameno: i, index: j, isReg: false });
    });
  }
}

/** `bt_sync_linked_regs`: if one of the linked scalars is traced, all are. */
function syncLinkedRegs(bt: Backtrack, hist: HistoryEntry | undefined): void {
  if (hist === undefined || hist.linkedRegs.length === 0) return;
  const somePrecise = hist.linkedRegs.some((e) =>
    e.isReg ? bt.isFrameRegSet(e.frameno, e.index) : bt.isFrameSlotSet(e.frameno, e.index),
  );
  if (!somePrecise) return;
  for (const e of hist.linkedRegs) {
    if (e.isReg) bt.setFrameReg(e.frameno, e.index);
    else bt.setFrameSlot(e.frameno, e.index);
  }
}

/** Backtracking cannot follow this instruction: every scalar becomes precise instead (`-ENOTSUPP`). */
class NotSupported {}
const NOT_SUPPORTED = new NotSupported();

function isAtomicFetch(insn: Insn): boolean {
  return (
    (insn.code & 0x07) === BPF_STX &&
    (insn.code & 0xe0) === BPF_ATOMIC &&
    (insn.imm & BPF_FETCH) !== 0
  );
}

/**
 * `backtrack_insn`: what the traced set was before instruction `idx`, given
 * what it is after. `subseqIdx` is the instruction the path went to next.
 */
function backtrackInsn(
  env: VerifierEnv,
  idx: number,
  subseqIdx: number,
  hist: HistoryEntry | undefined,
  bt: Backtrack,
): NotSupported | undefined {
  const insn = env.insns[idx]!;
  const cls = insn.code & 0x07;
  const op = insn.code & 0xf0;
  const mode = insn.code & 0xe0;
  const dreg = insn.dst;
  const sreg = insn.src;
  if (insn.code === 0) return undefined;
  if (env.log.level2) {
    env.log.write(
      `mark_precise: frame${bt.frame}: regs=${formatRegMask(bt.regMask)} stack=${formatStackMask(bt.stackMask)} before ${idx}: ${pruneContext(env)?.formatInsn(idx) ?? ""}\n`,
    );
  }
  syncLinkedRegs(bt, hist);

  if (cls === BPF_ALU || cls === BPF_ALU64) {
    if (!bt.isRegSet(dreg)) return undefined;
    if (op === BPF_END || op === BPF_NEG) return undefined;
    if (op === BPF_MOV) {
      bt.clearReg(dreg);
      if ((insn.code & 0x08) === BPF_X && sreg !== BPF_REG_FP) bt.setReg(sreg);
    } else if ((insn.code & 0x08) === BPF_X && sreg !== BPF_REG_FP) {
      bt.setReg(sreg);
    }
  } else if (cls === BPF_LDX || isAtomicFetch(insn)) {
    let loadReg = dreg;
    if (isAtomicFetch(insn)) loadReg = insn.imm === BPF_CMPXCHG ? 0 : sreg;
    if (!bt.isRegSet(loadReg)) return undefined;
    bt.clearReg(loadReg);
    // only a fill from the stack carries a scalar's precision further back
    if (hist === undefined || !(hist.flags & INSN_F_STACK_ACCESS)) return undefined;
    bt.setFrameSlot(hist.stackFrame, hist.stackSlot);
  } else if (cls === BPF_STX || cls === BPF_ST) {
    if (bt.isRegSet(dreg)) return NOT_SUPPORTED;
    if (hist === undefined || !(hist.flags & INSN_F_STACK_ACCESS)) return undefined;
    if (!bt.isFrameSlotSet(hist.stackFrame, hist.stackSlot)) return undefined;
    bt.clearFrameSlot(hist.stackFrame, hist.stackSlot);
    if (cls === BPF_STX) bt.setReg(sreg);
  } else if (cls === BPF_JMP || cls === BPF_JMP32) {
    if (op === BPF_CALL && insn.src === BPF_PSEUDO_CALL) {
      const subprogno = env.subprogs.findIndex((s) => s.start === idx + insn.imm + 1);
      if (subprogno < 0) backtrackBug(env, "verifier backtracking bug");
      if (env.subprogs[subprogno]!.linkage === "global") {
        // the callee was verified on its own: r0 comes from nowhere we can follow
        if (bt.regMask & REGMASK_ARGS) backtrackBug(env, `BUG regs ${bt.regMask.toString(16)}`);
        bt.clearReg(0);
        return undefined;
      }
      // entering the callee backwards: its r1-r5 came from the caller's
      if (bt.regMask & ~REGMASK_ARGS) backtrackBug(env, `BUG regs ${bt.regMask.toString(16)}`);
      if (bt.stackMask !== 0n) backtrackBug(env, `BUG stack slots ${bt.stackMask.toString(16)}`);
      for (let i = 1; i <= 5; i++) {
        if (bt.isRegSet(i)) {
          bt.clearReg(i);
          bt.setFrameReg(bt.frame - 1, i);
        }
      }
      if (bt.frame === 0) backtrackBug(env, "BUG subprog exit from frame 0");
      bt.frame--;
      return undefined;
    }
    if (op === BPF_CALL && callsSyncCallback(insn) && idx !== subseqIdx - 1) {
      // from the callback back to the helper that called it
      if (bt.regMask & ~REGMASK_ARGS) backtrackBug(env, `BUG regs ${bt.regMask.toString(16)}`);
      if (bt.stackMask !== 0n) backtrackBug(env, `BUG stack slots ${bt.stackMask.toString(16)}`);
      for (let i = 1; i <= 5; i++) bt.clearReg(i);
      if (bt.frame === 0) backtrackBug(env, "BUG subprog exit from frame 0");
      bt.frame--;
      return undefined;
    }
    if (op === BPF_CALL) {
      if (insn.src === BPF_PSEUDO_KFUNC_CALL && insn.imm === 0) return NOT_SUPPORTED;
      bt.clearReg(0);
      if (bt.regMask & REGMASK_ARGS) backtrackBug(env, `BUG regs ${bt.regMask.toString(16)}`);
    } else if (op === BPF_EXIT) {
      const prev = env.insns[subseqIdx - 1];
      const fromSubprogCall =
        subseqIdx - 1 >= 0 &&
        prev !== undefined &&
        (prev.code & 0xf7) === (BPF_JMP | BPF_CALL) &&
        prev.src === BPF_PSEUDO_CALL;
      const r0Precise = fromSubprogCall && bt.isRegSet(0);
      if (fromSubprogCall && bt.regMask & REGMASK_ARGS)
        backtrackBug(env, `BUG regs ${bt.regMask.toString(16)}`);
      bt.clearReg(0);
      if (bt.frame === MAX_CALL_FRAMES - 1)
        backtrackBug(env, `BUG subprog enter from frame ${bt.frame}`);
      bt.frame++;
      if (r0Precise) bt.setReg(0);
      return undefined;
    } else if ((insn.code & 0x08) === BPF_X) {
      if (!bt.isRegSet(dreg) && !bt.isRegSet(sreg)) return undefined;
      // both operands decided the branch; a stack pointer carries no scalar
      if (hist === undefined || !(hist.flags & INSN_F_SRC_REG_STACK)) bt.setReg(sreg);
      if (hist === undefined || !(hist.flags & INSN_F_DST_REG_STACK)) bt.setReg(dreg);
    }
  } else if (cls === BPF_LD) {
    if (mode === BPF_IMM) {
      bt.clearReg(dreg);
      return undefined;
    }
    if (mode === BPF_IND || mode === BPF_ABS) {
      if (bt.isRegSet(dreg)) return NOT_SUPPORTED;
      if (subseqIdx !== idx + 1) {
        if (bt.frame === MAX_CALL_FRAMES - 1)
          backtrackBug(env, `BUG subprog enter from frame ${bt.frame}`);
        bt.frame++;
      }
      return undefined;
    }
  }
  syncLinkedRegs(bt, hist);
  return undefined;
}

/** `mark_all_scalars_precise`: the fallback when backtracking cannot follow the path. */
export function markAllScalarsPrecise(env: VerifierEnv, start: VerifierState): void {
  const log = env.log;
  if (log.level2)
    log.write(
      `mark_precise: frame${start.curframe}: falling back to forcing all scalars precise\n`,
    );
  for (let st = start.parent; st !== undefined; st = st.parent) {
    for (let i = 0; i <= st.curframe; i++) {
      const func = st.frames[i]!;
      for (let j = 0; j < BPF_REG_FP; j++) {
        const reg = func.regs[j]!;
        if (reg.type !== SCALAR_VALUE || reg.precise) continue;
        reg.precise = true;
        if (log.level2) log.write(`force_precise: frame${i}: forcing r${j} to be precise\n`);
      }
      func.stack.forEach((slot, j) => {
        if (slot.slotType[BPF_REG_SIZE - 1] !== STACK_SPILL) return;
        const reg = slot.spilled;
        if (reg.type !== SCALAR_VALUE || reg.precise) return;
        reg.precise = true;
        if (log.level2)
          log.write(`force_precise: frame${i}: forcing fp${-(j + 1) * 8} to be precise\n`);
      });
    }
  }
}

/** `mark_all_scalars_imprecise`: a new checkpoint forgets the precision it inherited. */
export function markAllScalarsImprecise(state: VerifierState): void {
  for (let i = 0; i <= state.curframe; i++) {
    const func = state.frames[i]!;
    for (let j = 0; j < BPF_REG_FP; j++) {
      const reg = func.regs[j]!;
      if (reg.type === SCALAR_VALUE) reg.precise = false;
    }
    for (const slot of func.stack) {
      if (slot.slotType[BPF_REG_SIZE - 1] === STACK_SPILL && slot.spilled.type === SCALAR_VALUE) {
        slot.spilled.precise = false;
      }
    }
  }
}

/** `get_prev_insn_idx`: the instruction before `i` on this path, or -1 at the path's start. */
function prevInsnIdx(st: VerifierState, i: number, hist: { end: number }): number {
  const cnt = hist.end;
  if (i === st.firstInsnIdx) {
    if (cnt === 0) return -1;
    if (cnt === 1 && st.history[0]!.idx === i) return -1;
  }
  if (cnt > 0 && st.history[cnt - 1]!.idx === i) {
    hist.end--;
    return st.history[cnt - 1]!.prevIdx;
  }
  return i - 1;
}

function printParentState(
  env: VerifierEnv,
  bt: Backtrack,
  fr: number,
  st: VerifierState,
  func: FuncState,
): void {
  env.log.write(
    `mark_precise: frame${fr}: parent state regs=${formatRegMask(bt.regs[fr]!)} stack=${formatStackMask(bt.stack[fr]!)}: ${formatFuncState(func, env.names, undefined, st.refs)}\n`,
  );
}

/**
 * `__mark_chain_precision`: traces the registers and slots set in `bt` back
 * from `start`'s latest instruction through its checkpoints, marking them
 * precise there. Returns whether any mark was newly set.
 */
export function markChainPrecisionFrom(
  env: VerifierEnv,
  start: VerifierState,
  bt: Backtrack,
  lastInsn: number,
): boolean {
  let changed = false;
  let st: VerifierState | undefined = start;
  let firstIdx = st.firstInsnIdx;
  let lastIdx = lastInsn;
  let subseqIdx = -1;
  let skipFirst = true;
  if (bt.empty()) return false;
  for (;;) {
    const hist = { end: st.history.length };
    if (env.log.level2) {
      env.log.write(
        `mark_precise: frame${bt.frame}: last_idx ${lastIdx} first_idx ${firstIdx} subseq_idx ${subseqIdx} \n`,
      );
    }
    if (lastIdx < 0) {
      // the entry of a global function verified on its own: its arguments are what they are
      if (
        st.curframe === 0 &&
        st.frames[0]!.subprogno > 0 &&
        st.frames[0]!.callsite === -1 &&
        bt.stackMask === 0n &&
        (bt.regMask & ~REGMASK_ARGS) === 0
      ) {
        for (let i = 0; i < 32; i++) {
          if (!(bt.regMask & (1 << i))) continue;
          bt.clearReg(i);
          const reg = st.frames[0]!.regs[i]!;
          if (reg.type === SCALAR_VALUE) reg.precise = true;
        }
        return changed;
      }
      backtrackBug(
        env,
        `BUG backtracking func entry subprog ${st.frames[0]!.subprogno} reg_mask ${bt.regMask.toString(16)} stack_mask ${bt.stackMask.toString(16)}`,
      );
    }
    for (let i = lastIdx; ; ) {
      if (skipFirst) {
        skipFirst = false;
      } else {
        const entry =
          hist.end > 0 && st.history[hist.end - 1]!.idx === i
            ? st.history[hist.end - 1]
            : undefined;
        if (backtrackInsn(env, i, subseqIdx, entry, bt) === NOT_SUPPORTED) {
          markAllScalarsPrecise(env, start);
          bt.reset();
          return true;
        }
      }
      if (bt.empty()) return changed;
      subseqIdx = i;
      i = prevInsnIdx(st, i, hist);
      if (i === -1) break;
      if (i >= env.insns.length) backtrackBug(env, `BUG backtracking idx ${i}`);
    }
    st = st.parent;
    if (st === undefined) break;
    for (let fr = bt.frame; fr >= 0; fr--) {
      const func = st.frames[fr]!;
      for (let i = 0; i < 32; i++) {
        if (!(bt.regs[fr]! & (1 << i))) continue;
        const reg = func.regs[i]!;
        if (reg.type !== SCALAR_VALUE || reg.precise) bt.clearFrameReg(fr, i);
        else {
          reg.precise = true;
          changed = true;
        }
      }
      for (let i = 0; i < 64; i++) {
        if (!bt.isFrameSlotSet(fr, i)) continue;
        const slot = func.stack[i];
        if (slot === undefined)
          backtrackBug(env, `BUG backtracking (stack slot ${i}, total slots ${func.stack.length})`);
        if (slot.slotType[BPF_REG_SIZE - 1] !== STACK_SPILL || slot.spilled.type !== SCALAR_VALUE) {
          bt.clearFrameSlot(fr, i);
          continue;
        }
        if (slot.spilled.precise) bt.clearFrameSlot(fr, i);
        else {
          slot.spilled.precise = true;
          changed = true;
        }
      }
      if (env.log.level2) printParentState(env, bt, fr, st, func);
    }
    if (bt.empty()) return changed;
    subseqIdx = firstIdx;
    lastIdx = st.lastInsnIdx;
    firstIdx = st.firstInsnIdx;
  }
  if (!bt.empty()) {
    markAllScalarsPrecise(env, start);
    bt.reset();
    changed = true;
  }
  return changed;
}

/**
 * `mark_chain_precision`: the exact value of scalar `regno` in the current
 * frame matters here, so the values it was computed from must be compared
 * exactly when states are matched.
 */
export function markChainPrecision(env: VerifierEnv, regno: number): void {
  if (regno < 0 || pruneContext(env) === undefined) return;
  const state = env.state;
  const reg = state.frames[state.curframe]!.regs[regno]!;
  if (reg.type !== SCALAR_VALUE) return;
  const bt = new Backtrack();
  bt.frame = state.curframe;
  bt.setReg(regno);
  markChainPrecisionFrom(env, state, bt, env.insnIdx);
}

/**
 * `propagate_precision`: the precise scalars of an equivalent old state must
 * be precise on the path that was pruned against it too.
 */
export function propagatePrecision(
  env: VerifierEnv,
  old: VerifierState,
  cur: VerifierState,
  lastInsn: number,
): boolean {
  const bt = new Backtrack();
  bt.frame = cur.curframe;
  for (let fr = old.curframe; fr >= 0; fr--) {
    const func = old.frames[fr]!;
    let first = true;
    let line = "";
    for (let i = 0; i < BPF_REG_FP; i++) {
      const reg = func.regs[i]!;
      if (reg.type !== SCALAR_VALUE || !reg.precise) continue;
      line += first ? `frame ${fr}: propagating r${i}` : `,r${i}`;
      bt.setFrameReg(fr, i);
      first = false;
    }
    func.stack.forEach((slot, i) => {
      if (slot.slotType[BPF_REG_SIZE - 1] !== STACK_SPILL) return;
      const reg = slot.spilled;
      if (reg.type !== SCALAR_VALUE || !reg.precise) return;
      const off = (-i - 1) * BPF_REG_SIZE;
      line += first ? `frame ${fr}: propagating fp${off}` : `,fp${off}`;
      bt.setFrameSlot(fr, i);
      first = false;
    });
    if (!first && env.log.level2) env.log.write(`${line}\n`);
  }
  return markChainPrecisionFrom(env, cur, bt, lastInsn);
}

/**
 * Precision for a spilled scalar the current instruction relied on, such as
 * a constant map key read from the stack (`bt_set_frame_slot` followed by
 * `mark_chain_precision_batch`).
 */
export function markStackSlotPrecision(env: VerifierEnv, frameno: number, spi: number): void {
  if (pruneContext(env) === undefined) return;
  const state = env.state;
  const bt = new Backtrack();
  bt.frame = state.curframe;
  bt.setFrameSlot(frameno, spi);
  markChainPrecisionFrom(env, state, bt, env.insnIdx);
}
