/**
 * What a pointer that may be NULL becomes once a check has shown it is not
 * (`mark_ptr_not_null_reg`): a lookup in a map of maps yields the inner map,
 * a lookup in a socket map a socket; a map value keeps its id when the value
 * holds a bpf_spin_lock, because that id names the lock.
 */
import type { VerifierEnv } from "../env.js";
import type { RegState } from "../reg-state.js";
import {
  baseType,
  CONST_PTR_TO_MAP,
  PTR_MAYBE_NULL,
  PTR_TO_MAP_VALUE,
  PTR_TO_SOCKET,
  PTR_TO_XDP_SOCK,
} from "../reg-types.js";
import { BPF_MAP_TYPE_SOCKHASH, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_XSKMAP } from "./map-compat.js";
import { mapSpinLockOffset, regMayPointToSpinLock } from "./spin-lock.js";

/** `mark_ptr_not_null_reg` plus the id rule of `mark_ptr_or_null_reg`, for a register found not NULL. */
export function markPtrNotNull(env: VerifierEnv, reg: RegState): void {
  if (baseType(reg.type) !== PTR_TO_MAP_VALUE) {
    reg.type &= ~PTR_MAYBE_NULL;
    // an allocated object's id names the lock inside it
    if (!regMayPointToSpinLock(env, reg)) reg.id = 0;
    return;
  }
  const map = env.maps[reg.mapIndex]!;
  const inner = env.innerMapOf(reg.mapIndex);
  if (inner >= 0) {
    reg.type = CONST_PTR_TO_MAP;
    reg.mapIndex = inner;
  } else if (map.type === BPF_MAP_TYPE_XSKMAP) {
    reg.type = PTR_TO_XDP_SOCK;
  } else if (map.type === BPF_MAP_TYPE_SOCKMAP || map.type === BPF_MAP_TYPE_SOCKHASH) {
    reg.type = PTR_TO_SOCKET;
  } else {
    reg.type = PTR_TO_MAP_VALUE;
  }
  if (!(reg.type === PTR_TO_MAP_VALUE && mapSpinLockOffset(env, reg.mapIndex) !== undefined))
    reg.id = 0;
}
