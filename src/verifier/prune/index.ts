/**
 * State pruning, precision tracking and liveness, as Linux 6.18's verifier
 * does them: set up once the program's structure is checked, then consulted
 * by the walk at every pruning point.
 */
import type { VerifierEnv } from "../env.js";
import { attachPruneContext, type PruneContext, type PruneMarks } from "./context.js";
import { ExploredStates } from "./explored.js";
import { computePostorder } from "./flow.js";
import { computeLiveRegisters, logLiveRegisters, StackLiveness } from "./liveness.js";
import { computeScc, SccVisits } from "./scc.js";

export type { PruneContext, PruneMarks } from "./context.js";
export { pruneContext } from "./context.js";
export { ExploredStates, type PruneStats } from "./explored.js";
export {
  markChainPrecision,
  markStackSlotPrecision,
  pushJmpHistory,
  recordStackAccess,
} from "./precision.js";
export { markStackRead, markStackWrite } from "./stack-marks.js";

/**
 * The analyses that run before the walk (`compute_postorder`,
 * `compute_scc`, `compute_live_registers`, whose table level 2 logs) and the
 * empty checkpoint lists.
 */
export function setUpPruning(
  env: VerifierEnv,
  marks: PruneMarks,
  subprogStarts: readonly number[],
  formatInsn: (idx: number) => string,
): { ctx: PruneContext; explored: ExploredStates } {
  const insns = env.insns;
  const postorder = computePostorder(insns, subprogStarts);
  const scc = computeScc(insns);
  const liveRegsBefore = computeLiveRegisters(insns, postorder, env.progType);
  if (env.log.level2) logLiveRegisters(env.log, insns, liveRegsBefore, scc, formatInsn);
  const ctx: PruneContext = {
    marks,
    liveRegsBefore,
    scc,
    stackLiveness: new StackLiveness({
      insns,
      subprogStarts,
      postorder,
      prunePoints: marks.prunePoints,
      callsCallback: marks.callsCallback,
      log: env.log,
    }),
    sccVisits: new SccVisits(scc),
    curHistEntry: undefined,
    formatInsn,
  };
  attachPruneContext(env, ctx);
  return { ctx, explored: new ExploredStates(env, ctx) };
}
