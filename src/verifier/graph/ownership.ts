/**
 * Single ownership of allocated objects: an owning reference (ref_obj_id set)
 * becomes non-owning (NON_OWN_REF) for every copy once a list or tree takes
 * the object, and non-owning references die when the lock is released.
 */
import type { GraphRootContains } from "../../btf/fields.js";
import type { VerifierEnv } from "../env.js";
import { markRegPointer, markRegUnknown, type RegState } from "../reg-state.js";
import {
  baseType,
  MEM_ALLOC,
  MEM_RCU,
  NON_OWN_REF,
  PTR_TO_BTF_ID,
  PTR_TRUSTED,
  typeFlag,
} from "../reg-types.js";
import { EFAULT } from "../result.js";
import { allRegs } from "../state.js";
import { structRecord } from "./records.js";

/** `type_is_ptr_alloc_obj` */
export function isAllocObjPointer(type: number): boolean {
  return baseType(type) === PTR_TO_BTF_ID && (type & MEM_ALLOC) !== 0;
}

const BPF_REG_TRUSTED_MODIFIERS = MEM_ALLOC | PTR_TRUSTED | NON_OWN_REF;

/** `is_trusted_reg`: referenced, or carrying only the trusted type flags. */
export function isTrustedReg(reg: RegState): boolean {
  if (reg.refObjId !== 0) return true;
  const flags = typeFlag(reg.type);
  return (flags & BPF_REG_TRUSTED_MODIFIERS) !== 0 && (flags & ~BPF_REG_TRUSTED_MODIFIERS) === 0;
}

/** `type_is_non_owning_ref` */
export function isNonOwningRef(type: number): boolean {
  return isAllocObjPointer(type) && (type & NON_OWN_REF) !== 0;
}

/** `ref_set_non_owning`: a pointer the program may use, but not free, while the lock is held. */
export function refSetNonOwning(env: VerifierEnv, reg: RegState): void {
  if (env.state.activeLock === undefined) {
    env.reject(EFAULT, "verifier internal error: ref_set_non_owning w/o active lock");
  }
  if (reg.type & NON_OWN_REF)
    env.reject(EFAULT, "verifier internal error: NON_OWN_REF already set");
  reg.type |= NON_OWN_REF;
  // a refcounted object may be freed by its other owner: only RCU keeps it alive
  if ((structRecord(env, reg.btfId)?.refcountOffset ?? -1) >= 0) reg.type |= MEM_RCU;
}

/** `ref_convert_owning_non_owning`: every copy of the pushed pointer stops owning the object. */
export function convertOwningToNonOwning(env: VerifierEnv, refObjId: number): void {
  if (refObjId === 0) {
    env.reject(
      EFAULT,
      "verifier internal error: ref_obj_id is zero for owning -> non-owning conversion",
    );
  }
  if (!env.state.refs.some((r) => r.kind === "ptr" && r.id === refObjId)) {
    env.reject(EFAULT, "verifier internal error: ref state missing for ref_obj_id");
  }
  for (const reg of allRegs(env.state)) {
    if (reg.refObjId !== refObjId) continue;
    // cleared first, so that releasing the reference leaves these registers alone
    reg.refObjId = 0;
    refSetNonOwning(env, reg);
  }
}

/** `invalidate_non_owning_refs`: at unlock, non-owning references become unusable scalars. */
export function invalidateNonOwningRefs(env: VerifierEnv): void {
  for (const reg of allRegs(env.state)) {
    if (isNonOwningRef(reg.type)) markRegUnknown(reg);
  }
}

/** `mark_reg_graph_node`: a pointer to the node inside an object a list or tree holds. */
export function markRegGraphNode(reg: RegState, contains: GraphRootContains): void {
  markRegPointer(reg, PTR_TO_BTF_ID | MEM_ALLOC, {
    btfId: contains.structId,
    off: contains.nodeOffset,
  });
}
