/**
 * Loops as the verifier sees them: the strongly connected components of the
 * control-flow graph (`compute_scc`), and per call chain into a loop the
 * visit that records which state entered it and which states were pruned
 * against a state of the loop still being explored (backedges). Until every
 * path from the entry state is done, the loop's checkpoints may lack precision
 * marks from paths not yet explored, so they are compared on ranges only.
 */
import type { Insn } from "../../isa/insn.js";
import type { VerifierState } from "../state.js";
import { insnSuccessors } from "./flow.js";

/**
 * `compute_scc` (Tarjan's algorithm, iterative as the kernel runs it): the
 * SCC id of each instruction, 0 for instructions in no loop.
 */
export function computeScc(insns: readonly Insn[]): Uint32Array {
  const count = insns.length;
  const NOT_ON_STACK = 0xffffffff;
  const scc = new Uint32Array(count);
  const stack: number[] = [];
  const pre = new Uint32Array(count);
  const low = new Uint32Array(count);
  let nextPreorder = 1;
  let nextScc = 1;
  for (let i = 0; i < count; i++) {
    if (pre[i]) continue;
    stack.length = 0;
    const dfs = [i];
    dfsLoop: while (dfs.length > 0) {
      const w = dfs[dfs.length - 1]!;
      if (pre[w] === 0) {
        low[w] = nextPreorder;
        pre[w] = nextPreorder;
        nextPreorder++;
        stack.push(w);
      }
      const succ = insnSuccessors(insns, w).filter((s) => s < count);
      for (const s of succ) {
        if (pre[s]) {
          low[w] = Math.min(low[w]!, low[s]!);
        } else {
          dfs.push(s);
          continue dfsLoop;
        }
      }
      if (low[w]! < pre[w]!) {
        dfs.pop();
        continue;
      }
      let assign = stack[stack.length - 1] !== w || succ.includes(w);
      let t: number;
      do {
        t = stack.pop()!;
        low[t] = NOT_ON_STACK;
        if (assign) scc[t] = nextScc;
      } while (t !== w);
      if (assign) nextScc++;
      assign = false;
      dfs.pop();
    }
  }
  return scc;
}

/** A state pruned against a loop state that was not yet fully explored (`struct bpf_scc_backedge`). */
export interface Backedge {
  readonly state: VerifierState;
  /** the state it was found equal to */
  readonly equalState: VerifierState;
  /** where */
  readonly insnIdx: number;
}

interface SccVisit {
  entryState: VerifierState | undefined;
  backedges: Backedge[];
}

/** The instruction frame `frame` of a state is at (`frame_insn_idx`). */
export function frameInsnIdx(st: VerifierState, frame: number): number {
  return frame === st.curframe ? st.insnIdx : st.frames[frame + 1]!.callsite;
}

/** `struct bpf_scc_visit` per call chain (`bpf_scc_callchain`). */
export class SccVisits {
  private readonly visits = new Map<string, SccVisit>();
  /** states held as backedges: they count toward peak_states */
  backedgeCount = 0;

  constructor(private readonly scc: Uint32Array) {}

  /** `compute_scc_callchain`: the call sites down to the first frame inside a loop, and that loop's id. */
  callchain(st: VerifierState): { key: string; text: string } | undefined {
    const callsites: number[] = [];
    for (let i = 0; i <= st.curframe; i++) {
      const insnIdx = frameInsnIdx(st, i);
      const id = this.scc[insnIdx] ?? 0;
      if (id) {
        let text = "(";
        for (const c of callsites) {
          if (c === 0) break;
          text += `${c},`;
        }
        text += `${id})`;
        return { key: `${callsites.join(",")}/${id}`, text };
      }
      if (i < st.curframe) callsites.push(insnIdx);
      else return undefined;
    }
    return undefined;
  }

  /** `maybe_enter_scc`: the first state on the current path inside this loop; returns the log line. */
  enter(st: VerifierState): string | undefined {
    const chain = this.callchain(st);
    if (chain === undefined) return undefined;
    let visit = this.visits.get(chain.key);
    if (visit === undefined) {
      visit = { entryState: undefined, backedges: [] };
      this.visits.set(chain.key, visit);
    }
    if (visit.entryState !== undefined) return undefined;
    visit.entryState = st;
    return `SCC enter ${chain.text}`;
  }

  /**
   * `maybe_exit_scc`: when the entry state is done, the loop's backedges are
   * handed back to be propagated, and forgotten.
   */
  exit(st: VerifierState): { text: string; backedges: Backedge[] } | undefined {
    const chain = this.callchain(st);
    if (chain === undefined) return undefined;
    const visit = this.visits.get(chain.key);
    if (visit === undefined || visit.entryState !== st) return undefined;
    visit.entryState = undefined;
    const backedges = visit.backedges;
    visit.backedges = [];
    this.backedgeCount -= backedges.length;
    return { text: `SCC exit ${chain.text}`, backedges };
  }

  /** `add_scc_backedge`; returns the log line. */
  addBackedge(equalState: VerifierState, backedge: Backedge): string | undefined {
    const chain = this.callchain(equalState);
    if (chain === undefined) return undefined;
    const visit = this.visits.get(chain.key);
    if (visit === undefined) return undefined;
    visit.backedges.unshift(backedge);
    this.backedgeCount++;
    return `SCC backedge ${chain.text}`;
  }

  /** `incomplete_read_marks`: the state is in a loop some of whose paths are still open. */
  incompleteMarks(st: VerifierState): boolean {
    const chain = this.callchain(st);
    if (chain === undefined) return false;
    const visit = this.visits.get(chain.key);
    return visit !== undefined && visit.backedges.length > 0;
  }
}
