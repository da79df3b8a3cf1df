/**
 * `bpf_spin_lock` / `bpf_spin_unlock` (`process_spin_lock`): the lock is the
 * `struct bpf_spin_lock` of a map value (a global data section included) or
 * of an allocated object, at a constant offset; one lock at a time, and
 * unlocking must name the same allocation. Unlocking ends the life of every
 * non-owning reference.
 */
import type { VerifierEnv } from "../env.js";
import { invalidateNonOwningRefs } from "../graph/ownership.js";
import { mapRecord, regRecord } from "../graph/records.js";
import type { RegState } from "../reg-state.js";
import { PTR_TO_MAP_VALUE } from "../reg-types.js";
import { EINVAL } from "../result.js";
import type { VerifierState } from "../state.js";
import { tnumIsConst } from "../tnum.js";

/** Where the map's value keeps its bpf_spin_lock; undefined when it has none. */
export function mapSpinLockOffset(env: VerifierEnv, mapIndex: number): number | undefined {
  const record = mapRecord(env, mapIndex);
  if (record === undefined || !record.kinds.has("spin_lock")) return undefined;
  return record.spinLockOffset;
}

/** `reg_may_point_to_spin_lock`: the register's id names a lock, so a null check keeps it. */
export function regMayPointToSpinLock(env: VerifierEnv, reg: RegState): boolean {
  const record = regRecord(env, reg);
  return (
    record !== undefined && (record.kinds.has("spin_lock") || record.kinds.has("res_spin_lock"))
  );
}

/**
 * The allocation a lock or a list head belongs to, the kernel's lock `ptr`:
 * the map for a map value (each lookup then has its own `id`), the program
 * BTF for allocated objects (told apart by `id` alone).
 */
export function allocationOf(reg: RegState): string {
  return reg.type === PTR_TO_MAP_VALUE ? `map:${reg.mapIndex}` : "btf";
}

/** `find_lock_state`: whether the lock of this allocation and id is held. */
export function holdsLock(state: VerifierState, ptr: string, id: number): boolean {
  return state.refs.some((r) => r.kind === "lock" && r.lockPtr === ptr && r.id === id);
}

/** `process_spin_lock` for the pointer in `regno`. */
export function processSpinLock(env: VerifierEnv, regno: number, isLock: boolean): void {
  const reg = env.reg(regno);
  if (!tnumIsConst(reg.varOff)) {
    env.reject(
      EINVAL,
      `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`,
    );
  }
  const isMap = reg.type === PTR_TO_MAP_VALUE;
  if (isMap && env.maps[reg.mapIndex]!.valueTypeId === undefined) {
    env.reject(
      EINVAL,
      `map '${env.names.mapName(reg.mapIndex)}' has to have BTF in order to use bpf_spin_lock`,
    );
  }
  const record = regRecord(env, reg);
  if (record === undefined || !record.kinds.has("spin_lock")) {
    const owner = isMap ? `map '${env.names.mapName(reg.mapIndex)}'` : "local 'kptr'";
    env.reject(EINVAL, `${owner} has no valid bpf_spin_lock`);
  }
  const off = BigInt.asIntN(64, reg.varOff.value) + BigInt(reg.off);
  if (off !== BigInt(record.spinLockOffset)) {
    env.reject(
      EINVAL,
      `off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${record.spinLockOffset}`,
    );
  }
  const state = env.state;
  const ptr = allocationOf(reg);
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
  const previous = state.refs.filter((r) => r.kind === "lock").at(-1);
  state.activeLock =
    previous === undefined ? undefined : { ptr: previous.lockPtr ?? "", id: previous.id };
  invalidateNonOwningRefs(env);
}
