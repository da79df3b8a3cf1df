/**
 * The list head / tree root and node arguments of the graph kfuncs
 * (`__process_kf_arg_ptr_to_graph_root`, `__process_kf_arg_ptr_to_graph_node`):
 * a field of the right kind at a constant offset, the lock of the head's
 * allocation held, and a node that is the one the head's `contains:` tag
 * names, in the struct it names.
 */
import type { SpecialField, SpecialFieldKind } from "../../btf/fields.js";
import type { VerifierEnv } from "../env.js";
import { fieldTypeName, regRecord } from "../graph/records.js";
import type { RegState } from "../reg-state.js";
import { EFAULT, EINVAL } from "../result.js";
import { tnumIsConst } from "../tnum.js";
import { allocationOf, holdsLock } from "./spin-lock.js";

/** `btf_record_find`: the field that starts exactly at `offset`, of the given kind. */
function fieldStartingAt(env: VerifierEnv, reg: RegState, offset: number, kind: SpecialFieldKind) {
  return regRecord(env, reg)?.fields.find((f) => f.offset === offset && f.kind === kind);
}

/** The constant offset a graph argument points at, or the kernel's complaint about a variable one. */
function constantOffset(env: VerifierEnv, reg: RegState, regno: number, typeName: string): number {
  if (!tnumIsConst(reg.varOff)) {
    env.reject(
      EINVAL,
      `R${regno} doesn't have constant offset. ${typeName} has to be at the constant offset`,
    );
  }
  return (reg.off + Number(BigInt.asUintN(32, reg.varOff.value))) >>> 0;
}

/**
 * `check_reg_allocation_locked`: the held lock lives in the same allocation
 * (same map and lookup, or same object) as the register's target.
 */
export function checkRegAllocationLocked(env: VerifierEnv, reg: RegState): boolean {
  if (env.state.activeLock === undefined) return false;
  if (!holdsLock(env.state, allocationOf(reg), reg.id)) {
    env.verbose("held lock and object are not in the same allocation");
    return false;
  }
  return true;
}

/** The head or root argument: returns its field, whose `contains` says what it holds. */
export function processGraphRoot(
  env: VerifierEnv,
  reg: RegState,
  regno: number,
  kind: "list_head" | "rb_root",
): SpecialField {
  const typeName = fieldTypeName(kind);
  const headOff = constantOffset(env, reg, regno, typeName);
  const field = fieldStartingAt(env, reg, headOff, kind);
  if (field === undefined) env.reject(EINVAL, `${typeName} not found at offset=${headOff}`);
  // every operation on a head needs the bpf_spin_lock of the head's allocation
  if (!checkRegAllocationLocked(env, reg)) {
    const lockOff = regRecord(env, reg)?.spinLockOffset ?? -1;
    env.reject(EINVAL, `bpf_spin_lock at off=${lockOff} must be held for ${typeName}`);
  }
  return field;
}

/**
 * The node argument, matched against the head argument before it: returns
 * the node's struct id. The struct must be the one the head holds, and the
 * node the member the head names.
 */
export function processGraphNode(
  env: VerifierEnv,
  reg: RegState,
  regno: number,
  root: SpecialField | undefined,
  kind: "list_node" | "rb_node",
): number {
  const nodeName = fieldTypeName(kind);
  const headName = fieldTypeName(kind === "list_node" ? "list_head" : "rb_root");
  const nodeOff = constantOffset(env, reg, regno, nodeName);
  if (fieldStartingAt(env, reg, nodeOff, kind) === undefined) {
    env.reject(EINVAL, `${nodeName} not found at offset=${nodeOff}`);
  }
  const contains = root?.contains;
  if (contains === undefined)
    env.reject(EFAULT, `verifier internal error: ${nodeName} argument without a ${headName}`);
  const btf = env.btf!;
  const argStruct = btf.resolve(reg.btfId);
  if (argStruct.id !== btf.resolve(contains.structId).id) {
    env.reject(
      EINVAL,
      `operation on ${headName} expects arg#1 ${nodeName} at offset=${contains.nodeOffset} in struct ${contains.structName}, but arg is at offset=${nodeOff} in struct ${argStruct.name}`,
    );
  }
  if (nodeOff !== contains.nodeOffset) {
    env.reject(
      EINVAL,
      `arg#1 offset=${nodeOff}, but expected ${nodeName} at offset=${contains.nodeOffset} in struct ${contains.structName}`,
    );
  }
  return reg.btfId;
}
