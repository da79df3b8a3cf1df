/**
 * Loads and stores that touch special fields: the bytes of a lock, a list
 * head or a node belong to the kernel's functions, never to the program
 * (`check_map_access` for map values, `btf_struct_access` for allocated
 * objects), and an allocated object is read and written by its BTF layout
 * (`check_ptr_to_btf_access`).
 */
import type { VerifierEnv } from "../env.js";
import { tnumString } from "../log.js";
import type { RegState } from "../reg-state.js";
import { MEM_PERCPU } from "../reg-types.js";
import { EACCES } from "../result.js";
import { tnumIsConst } from "../tnum.js";
import { fieldTypeName, mapRecord, structRecord } from "./records.js";

const POINTER_FIELDS = new Set(["kptr_unref", "kptr_ref", "kptr_percpu", "uptr"]);

/**
 * `check_map_access`'s field rule: no part of a lock, timer, list head or
 * tree root in a map value may be loaded or stored. (kptr fields have their
 * own access rules, with the kptr support.)
 */
export function checkMapValueSpecialFields(
  env: VerifierEnv,
  reg: RegState,
  off: number,
  size: number,
): void {
  const record = mapRecord(env, reg.mapIndex);
  if (record === undefined) return;
  const lo = reg.smin + BigInt(off);
  const hi = reg.umax + BigInt(off + size);
  for (const field of record.fields) {
    const start = BigInt(field.offset);
    if (!(lo < start + BigInt(field.size) && start < hi)) continue;
    if (POINTER_FIELDS.has(field.kind)) continue;
    env.reject(EACCES, `${fieldTypeName(field.kind)} cannot be accessed directly by load/store`);
  }
}

/**
 * `check_ptr_to_btf_access` for an allocated object (owning or non-owning):
 * a constant, non-negative offset inside the struct, outside its special
 * fields. Loads give unknown scalars: a local object never yields a pointer.
 */
export function checkAllocObjAccess(
  env: VerifierEnv,
  regno: number,
  off: number,
  size: number,
): void {
  const reg = env.reg(regno);
  const btf = env.btf;
  const struct = btf?.types[reg.btfId];
  const tname = struct?.name ?? "";
  if (off < 0) env.reject(EACCES, `R${regno} is ptr_${tname} invalid negative access: off=${off}`);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
    env.reject(
      EACCES,
      `R${regno} is ptr_${tname} invalid variable offset: off=${off}, var_off=${tnumString(reg.varOff)}`,
    );
  }
  if (reg.type & MEM_PERCPU)
    env.reject(EACCES, `R${regno} is ptr_${tname} access percpu memory: off=${off}`);
  const record = structRecord(env, reg.btfId);
  for (const field of record?.fields ?? []) {
    if (off >= field.offset + field.size || off + size <= field.offset) continue;
    env.reject(EACCES, `direct access to ${fieldTypeName(field.kind)} is disallowed`);
  }
  const structSize = struct !== undefined && "size" in struct ? struct.size : 0;
  if (off + size > structSize) {
    env.reject(EACCES, `access beyond struct ${tname} at off ${off} size ${size}`);
  }
}
