/**
 * `bpf_spin_lock` / `bpf_spin_unlock` (`process_spin_lock`): the lock must
 * be the `struct bpf_spin_lock` of a map value, at a constant offset; one
 * lock at a time, and unlocking must name the same map value.
 */
import type { Btf } from "../../btf/btf.js";
import type { VerifierEnv } from "../env.js";
import { EINVAL } from "../result.js";
import { tnumIsConst } from "../tnum.js";

const SPIN_LOCK_STRUCT = "bpf_spin_lock";

/** Byte offset of the `struct bpf_spin_lock` inside BTF type `typeId`, searching nested structs. */
function spinLockOffsetIn(btf: Btf, typeId: number, depth: number): number | undefined {
  if (depth > 8) return undefined;
  const t = btf.resolve(typeId);
  if (t.kind === "struct" && t.name === SPIN_LOCK_STRUCT) return 0;
  if (t.kind === "struct" || t.kind === "union") {
    for (const m of t.members) {
      const inner = spinLockOffsetIn(btf, m.type, depth + 1);
      if (inner !== undefined) return m.bitOffset / 8 + inner;
    }
    return undefined;
  }
  if (t.kind === "datasec") {
    for (const v of t.vars) {
      const variable = btf.types[v.type];
      if (variable?.kind !== "var") continue;
      const inner = spinLockOffsetIn(btf, variable.type, depth + 1);
      if (inner !== undefined) return v.offset + inner;
    }
  }
  return undefined;
}

/** Where the map's value keeps its bpf_spin_lock, from the map's BTF; undefined when it has none. */
export function mapSpinLockOffset(env: VerifierEnv, mapIndex: number): number | undefined {
  const map = env.maps[mapIndex];
  if (map?.valueTypeId === undefined || env.btf === undefined) return undefined;
  return spinLockOffsetIn(env.btf, map.valueTypeId, 0);
}

/** The identity a lock is known by: which map (or allocation) and which lookup of it. */
function lockIdentity(mapIndex: number): string {
  return `map:${mapIndex}`;
}

/** `process_spin_lock` for a map value pointer in `regno`. */
export function processSpinLock(env: VerifierEnv, regno: number, isLock: boolean): void {
  const reg = env.reg(regno);
  if (!tnumIsConst(reg.varOff)) {
    env.reject(
      EINVAL,
      `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`,
    );
  }
  const name = env.names.mapName(reg.mapIndex);
  const map = env.maps[reg.mapIndex]!;
  if (map.valueTypeId === undefined) {
    env.reject(EINVAL, `map '${name}' has to have BTF in order to use bpf_spin_lock`);
  }
  const lockOff = mapSpinLockOffset(env, reg.mapIndex);
  if (lockOff === undefined) env.reject(EINVAL, `map '${name}' has no valid bpf_spin_lock`);
  const off = BigInt.asIntN(64, reg.varOff.value) + BigInt(reg.off);
  if (off !== BigInt(lockOff)) {
    env.reject(EINVAL, `off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${lockOff}`);
  }
  const state = env.state;
  const ptr = lockIdentity(reg.mapIndex);
  if (isLock) {
    if (state.activeLock !== undefined)
      env.reject(EINVAL, "Locking two bpf_spin_locks are not allowed");
    state.activeLock = { ptr, id: reg.id };
    state.refs = [...state.refs, { id: reg.id, insnIdx: env.insnIdx, kind: "lock", lockPtr: ptr }];
    return;
  }
  if (state.activeLock === undefined) env.reject(EINVAL, "bpf_spin_unlock without taking a lock");
  const at = state.refs.findIndex((r) => r.kind === "lock" && r.lockPtr === ptr && r.id === reg.id);
  if (at < 0) env.reject(EINVAL, "bpf_spin_unlock of different lock");
  state.refs = state.refs.filter((_, i) => i !== at);
  state.activeLock = undefined;
}
