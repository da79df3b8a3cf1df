/**
 * Acquired references (`acquire_reference_state`, `release_reference`):
 * what a helper such as bpf_ringbuf_reserve hands out and bpf_ringbuf_submit
 * takes back. They live in the verifier state, so every path keeps its own.
 */
import type { VerifierEnv } from "../env.js";
import { markRegUnknown } from "../reg-state.js";
import { allRegs } from "../state.js";

/** A new reference acquired at `insnIdx`; its id is also the register's `id` and `refObjId`. */
export function acquireReferenceState(env: VerifierEnv, insnIdx: number): number {
  const id = env.nextId();
  env.state.refs = [...env.state.refs, { id, insnIdx, kind: "ptr" }];
  return id;
}

/**
 * Drops a reference, keeping the others in order, and invalidates every
 * register that still holds it (`mark_reg_invalid`: a privileged program's
 * stale pointer becomes an unknown scalar). False when it was never acquired.
 */
export function releaseReference(env: VerifierEnv, refObjId: number): boolean {
  const refs = env.state.refs;
  const at = refs.findIndex((r) => r.kind === "ptr" && r.id === refObjId);
  if (at < 0) return false;
  env.state.refs = refs.filter((_, i) => i !== at);
  for (const reg of allRegs(env.state)) {
    if (reg.refObjId === refObjId) markRegUnknown(reg);
  }
  return true;
}
