/**
 * The checkpoints the walk keeps per instruction (`explored_states`) and
 * `is_state_visited`: at a pruning point the current state is compared with
 * the checkpoints saved there; when one covers it the path is done ("safe"),
 * otherwise a new checkpoint may be saved. Branch counts tell which
 * checkpoints are fully explored (only those may prune), and the same lists
 * detect a loop that comes back to an identical state.
 */
import { iterActiveDepthsDiffer, iterAtR1 } from "../calls/iter.js";
import { isIterNextKfuncCall } from "../cfg/insn-kinds.js";
import type { VerifierEnv } from "../env.js";
import { formatFuncState } from "../log.js";
import { markRegNotInit } from "../reg-state.js";
import { EINVAL } from "../result.js";
import { BPF_REG_FP, copyState, STACK_INVALID, type VerifierState } from "../state.js";
import type { PruneContext } from "./context.js";
import { statesEqual, statesMaybeLooping } from "./equal.js";
import {
  markAllScalarsImprecise,
  markAllScalarsPrecise,
  propagatePrecision,
  pushJmpHistory,
} from "./precision.js";
import { frameInsnIdx } from "./scc.js";

/** `struct bpf_verifier_state_list` */
interface StateListEntry {
  readonly state: VerifierState;
  hitCnt: number;
  missCnt: number;
  inFreeList: boolean;
  bucket: StateListEntry[] | undefined;
}

/**
 * Where ids for unlinked current scalars start during a comparison
 * (`idmap->tmp_id_gen`): above every id a program can allocate.
 */
const TMP_ID_BASE = 0x4000_0000;

/** `MAX_BACKEDGE_ITERS` */
const MAX_BACKEDGE_ITERS = 64;

/** The statistics line's numbers. */
export interface PruneStats {
  readonly totalStates: number;
  readonly peakStates: number;
  readonly maxStatesPerInsn: number;
}

/** `same_callsites` */
function sameCallsites(a: VerifierState, b: VerifierState): boolean {
  if (a.curframe !== b.curframe) return false;
  for (let fr = a.curframe; fr >= 0; fr--)
    if (a.frames[fr]!.callsite !== b.frames[fr]!.callsite) return false;
  return true;
}

/** The checkpoint lists of each verification run, for `find_prev_entry` from the call checks. */
const exploredByEnv = new WeakMap<VerifierEnv, ExploredStates>();

/**
 * `find_prev_entry` of the run's checkpoint lists (undefined without
 * pruning): the checkpoint at `insnIdx` on the current path (still open)
 * with the same call sites whose active iterators are at another depth.
 */
export function loopEntryFinder(
  env: VerifierEnv,
): ((from: VerifierState, insnIdx: number) => VerifierState | undefined) | undefined {
  const explored = exploredByEnv.get(env);
  return explored === undefined
    ? undefined
    : (from, insnIdx) => explored.findPrevEntry(from, insnIdx);
}

export class ExploredStates {
  private readonly buckets: (StateListEntry[] | undefined)[];
  private readonly entries = new Map<VerifierState, StateListEntry>();
  private exploredSize = 0;
  private freeListSize = 0;
  totalStates = 0;
  peakStates = 0;
  maxStatesPerInsn = 0;
  /** `jmps_processed` / `insn_processed` and their values at the last checkpoint */
  jmpsProcessed = 0;
  private prevJmpsProcessed = 0;
  private prevInsnProcessed = 0;

  constructor(
    private readonly env: VerifierEnv,
    private readonly ctx: PruneContext,
  ) {
    this.buckets = new Array(env.insns.length);
    exploredByEnv.set(env, this);
  }

  /** `find_prev_entry`: the bucket is looked up by `cur`'s call site, most recent checkpoint first. */
  findPrevEntry(cur: VerifierState, insnIdx: number): VerifierState | undefined {
    const callsite = cur.frames[cur.curframe]!.callsite;
    const bucket = this.buckets[((insnIdx ^ callsite) >>> 0) % this.buckets.length] ?? [];
    for (const sl of bucket) {
      const st = sl.state;
      if (
        st.insnIdx === insnIdx &&
        st.branches &&
        sameCallsites(st, cur) &&
        iterActiveDepthsDiffer(st, cur)
      )
        return st;
    }
    return undefined;
  }

  get stats(): PruneStats {
    return {
      totalStates: this.totalStates,
      peakStates: this.peakStates,
      maxStatesPerInsn: this.maxStatesPerInsn,
    };
  }

  /**
   * `free_states` between passes of the walk: the checkpoints go, the
   * counters stay (the kernel does not lower them either, so a later
   * pass's peak builds on the earlier passes').
   */
  freeStates(): void {
    this.buckets.fill(undefined);
    this.entries.clear();
  }

  /** `explored_state`: the list for an instruction, hashed with the current function's call site. */
  private bucketFor(insnIdx: number): StateListEntry[] {
    const cur = this.env.state;
    const callsite = cur.frames[cur.curframe]!.callsite;
    const h = ((insnIdx ^ callsite) >>> 0) % this.buckets.length;
    let bucket = this.buckets[h];
    if (bucket === undefined) {
      bucket = [];
      this.buckets[h] = bucket;
    }
    return bucket;
  }

  private updatePeak(): void {
    const cur = this.exploredSize + this.freeListSize + this.ctx.sccVisits.backedgeCount;
    if (cur > this.peakStates) this.peakStates = cur;
  }

  /** `maybe_free_verifier_state`: an evicted checkpoint goes once nothing below it is open. */
  private maybeFree(sl: StateListEntry): void {
    if (!sl.inFreeList || sl.state.branches !== 0 || this.ctx.sccVisits.incompleteMarks(sl.state))
      return;
    this.entries.delete(sl.state);
    this.freeListSize--;
  }

  /** `clean_verifier_state`: forget registers and stack slots no later instruction reads. */
  private cleanState(st: VerifierState): void {
    const liveness = this.ctx.stackLiveness;
    liveness.queryInit(st);
    st.cleaned = true;
    for (let i = 0; i <= st.curframe; i++) {
      const frame = st.frames[i]!;
      const live = this.ctx.liveRegsBefore[frameInsnIdx(st, i)]!;
      for (let r = 0; r < BPF_REG_FP; r++) if (!(live & (1 << r))) markRegNotInit(frame.regs[r]!);
      frame.stack.forEach((slot, spi) => {
        if (liveness.stackSlotAlive(frame.frameno, spi)) return;
        markRegNotInit(slot.spilled);
        slot.slotType.fill(STACK_INVALID);
      });
    }
  }

  /** `clean_live_states`: the finished checkpoints at this instruction and call chain. */
  private cleanLiveStates(
    bucket: readonly StateListEntry[],
    insnIdx: number,
    cur: VerifierState,
  ): void {
    for (const sl of bucket) {
      const st = sl.state;
      if (st.branches || st.insnIdx !== insnIdx || !sameCallsites(st, cur) || st.cleaned) continue;
      if (this.ctx.sccVisits.incompleteMarks(st)) continue;
      this.cleanState(st);
    }
  }

  private evict(sl: StateListEntry): void {
    const bucket = sl.bucket!;
    bucket.splice(bucket.indexOf(sl), 1);
    sl.bucket = undefined;
    sl.inFreeList = true;
    this.freeListSize++;
    this.exploredSize--;
    this.maybeFree(sl);
  }

  private infiniteLoop(
    insnIdx: number,
    cur: VerifierState,
    old: VerifierState,
    printSourceLine: (idx: number) => void,
  ): void {
    const env = this.env;
    printSourceLine(insnIdx);
    env.verbose(`infinite loop detected at insn ${insnIdx}`);
    env.verbose(
      `cur state:${formatFuncState(cur.frames[cur.curframe]!, env.names, undefined, cur.refs)}`,
    );
    env.reject(
      EINVAL,
      `old state:${formatFuncState(old.frames[cur.curframe]!, env.names, undefined, old.refs)}`,
    );
  }

  /**
   * `is_state_visited`: true when a checkpoint covers the current state (the
   * path is pruned); otherwise the current state may become a checkpoint.
   */
  isStateVisited(
    insnIdx: number,
    insnProcessed: number,
    printSourceLine: (idx: number) => void,
  ): boolean {
    const env = this.env;
    const ctx = this.ctx;
    const cur = env.state;
    const forceNew = ctx.marks.forceCheckpoints.has(insnIdx) || cur.history.length > 40;
    let addNew = forceNew;
    if (
      this.jmpsProcessed - this.prevJmpsProcessed >= 2 &&
      insnProcessed - this.prevInsnProcessed >= 8
    )
      addNew = true;
    const bucket = this.bucketFor(insnIdx);
    this.cleanLiveStates(bucket, insnIdx, cur);
    let statesCnt = 0;
    for (const sl of [...bucket]) {
      statesCnt++;
      const old = sl.state;
      if (old.insnIdx !== insnIdx) continue;
      let loop = false;
      let hit = false;
      if (old.branches) {
        if (isIterNextKfuncCall(env.insns[insnIdx]!)) {
          // an iterator loop converged: an active iterator came back to an equal state
          if (
            statesEqual(old, cur, "range-within", TMP_ID_BASE, ctx.liveRegsBefore) &&
            iterAtR1(cur)?.state === "active"
          ) {
            loop = true;
            hit = true;
          }
        } else if (ctx.marks.callsCallback.has(insnIdx)) {
          // the callback ran once more into a state already seen: it converged
          hit = statesEqual(old, cur, "range-within", TMP_ID_BASE, ctx.liveRegsBefore);
        } else if (
          statesMaybeLooping(old, cur) &&
          statesEqual(old, cur, "exact", TMP_ID_BASE, ctx.liveRegsBefore) &&
          !iterActiveDepthsDiffer(old, cur) &&
          old.frames.every((f, i) => f.callbackDepth === cur.frames[i]?.callbackDepth)
        ) {
          this.infiniteLoop(insnIdx, cur, old, printSourceLine);
        }
        if (!hit) {
          // inside a loop, a checkpoint every iteration would rarely help later
          if (
            !forceNew &&
            this.jmpsProcessed - this.prevJmpsProcessed < 20 &&
            insnProcessed - this.prevInsnProcessed < 100
          ) {
            addNew = false;
          }
        }
      } else {
        loop = ctx.sccVisits.incompleteMarks(old);
        hit = statesEqual(
          old,
          cur,
          loop ? "range-within" : "not-exact",
          TMP_ID_BASE,
          ctx.liveRegsBefore,
        );
      }
      if (hit) {
        sl.hitCnt++;
        if (ctx.marks.jmpPoints.has(env.insnIdx)) pushJmpHistory(env, cur, 0);
        propagatePrecision(env, old, cur, insnIdx);
        if (loop) {
          const backedge = copyState(cur);
          backedge.insnIdx = insnIdx;
          const line = ctx.sccVisits.addBackedge(old, {
            state: backedge,
            equalState: old,
            insnIdx,
          });
          if (line !== undefined) {
            if (env.log.level2) env.log.write(`${line}\n`);
            this.updatePeak();
          }
        }
        return true;
      }
      if (addNew) sl.missCnt++;
      const n = ctx.marks.forceCheckpoints.has(insnIdx) && old.branches > 0 ? 64 : 3;
      if (sl.missCnt > sl.hitCnt * n + n) this.evict(sl);
    }
    if (statesCnt > this.maxStatesPerInsn) this.maxStatesPerInsn = statesCnt;
    if (!addNew) return false;

    this.totalStates++;
    this.exploredSize++;
    this.updatePeak();
    this.prevJmpsProcessed = this.jmpsProcessed;
    this.prevInsnProcessed = insnProcessed;
    markAllScalarsImprecise(cur);
    const checkpoint = copyState(cur);
    checkpoint.insnIdx = insnIdx;
    const line = ctx.sccVisits.enter(checkpoint);
    if (line !== undefined && env.log.level2) env.log.write(`${line}\n`);
    cur.parent = checkpoint;
    cur.firstInsnIdx = insnIdx;
    cur.history = [];
    ctx.curHistEntry = undefined;
    const entry: StateListEntry = {
      state: checkpoint,
      hitCnt: 0,
      missCnt: 0,
      inFreeList: false,
      bucket,
    };
    bucket.unshift(entry);
    this.entries.set(checkpoint, entry);
    return false;
  }

  /** `push_stack`'s share: one more path continues from the current checkpoint. */
  branchPushed(state: VerifierState): void {
    if (state.parent !== undefined) state.parent.branches++;
  }

  /**
   * `update_branch_counts`: a path ended (exit or pruned). Checkpoints whose
   * last open path this was are now proven safe, and may leave their loops.
   */
  pathEnded(st: VerifierState): void {
    let sl: StateListEntry | undefined;
    let cur: VerifierState | undefined = st;
    while (cur !== undefined) {
      cur.branches--;
      if (cur.branches > 0) break;
      this.exitScc(cur);
      const parent: VerifierState | undefined = cur.parent;
      const parentSl = parent === undefined ? undefined : this.entries.get(parent);
      if (sl !== undefined) this.maybeFree(sl);
      cur = parent;
      sl = parentSl;
    }
  }

  /** `maybe_exit_scc` + `propagate_backedges` */
  private exitScc(st: VerifierState): void {
    const exit = this.ctx.sccVisits.exit(st);
    if (exit === undefined) return;
    const env = this.env;
    if (env.log.level2) env.log.write(`${exit.text}\n`);
    let i = 0;
    let changed: boolean;
    do {
      if (i++ > MAX_BACKEDGE_ITERS) {
        if (env.log.level2) env.log.write("propagate_backedges: too many iterations\n");
        for (const b of exit.backedges) markAllScalarsPrecise(env, b.state);
        break;
      }
      changed = false;
      for (const b of exit.backedges)
        changed = propagatePrecision(env, b.equalState, b.state, b.insnIdx) || changed;
    } while (changed);
  }
}
