/**
 * What state pruning needs to keep for one verification run beside the
 * verifier's own environment: the control-flow marks from `check_cfg`, the
 * static register liveness, the strongly connected components (loops), the
 * stack liveness analysis and the instruction being recorded in the jump
 * history. Checks that record stack accesses or ask for precision find it
 * from the environment with `pruneContext`.
 */
import type { VerifierEnv } from "../env.js";
import type { HistoryEntry } from "../state.js";
import type { StackLiveness } from "./liveness.js";
import type { SccVisits } from "./scc.js";

export interface PruneMarks {
  /** `prune_point`: is_state_visited runs here */
  readonly prunePoints: ReadonlySet<number>;
  /** `jmp_point`: reached other than by falling through; the jump history records the arrival */
  readonly jmpPoints: ReadonlySet<number>;
  /** `force_checkpoint`: a checkpoint is saved here however recent the last one is */
  readonly forceCheckpoints: ReadonlySet<number>;
  /** `calls_callback`: a helper call that runs a callback */
  readonly callsCallback: ReadonlySet<number>;
}

export interface PruneContext {
  readonly marks: PruneMarks;
  /** `live_regs_before` per instruction: bit i set when ri may be read later */
  readonly liveRegsBefore: Uint16Array;
  /** the loop (SCC id) each instruction belongs to, 0 for none */
  readonly scc: Uint32Array;
  readonly stackLiveness: StackLiveness;
  readonly sccVisits: SccVisits;
  /** the history entry recorded for the instruction being verified (`cur_hist_ent`) */
  curHistEntry: HistoryEntry | undefined;
  /** an instruction as the log prints it: `(07) r1 += 1` */
  formatInsn(idx: number): string;
}

const contexts = new WeakMap<VerifierEnv, PruneContext>();

export function attachPruneContext(env: VerifierEnv, ctx: PruneContext): void {
  contexts.set(env, ctx);
}

/** The pruning context of a verification run; undefined when pruning is not set up (unit tests of single checks). */
export function pruneContext(env: VerifierEnv): PruneContext | undefined {
  return contexts.get(env);
}
