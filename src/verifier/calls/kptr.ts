/**
 * kptrs: pointer fields of a map value (or allocated object) that own or
 * borrow an object (`struct foo __kptr *`, `__kptr_untrusted`,
 * `__percpu_kptr`). A referenced kptr changes hands only through
 * `bpf_kptr_xchg` (the program's reference moves into the map, the old
 * value comes back as a new reference); a load reads it as an RCU-protected
 * pointer in a non-sleepable program and as an untrusted one otherwise.
 *
 * tsbpf has no vmlinux BTF: every pointee is a program type, i.e. a local
 * object (`MEM_ALLOC`), which is what a kptr to a type the kernel does not
 * know is.
 */
import { fieldAt, type SpecialField, type SpecialFieldKind } from "../../btf/fields.js";
import type { Insn } from "../../isa/insn.js";
import { BPF_LDX, BPF_MEM, BPF_ST, BPF_STX } from "../../isa/opcodes.js";
import type { VerifierEnv } from "../env.js";
import { fieldTypeName, mapRecord, regRecord, structRecord } from "../graph/records.js";
import { checkPtrOffReg } from "../mem.js";
import { markRegPointer, markRegUnknown, type RegState } from "../reg-state.js";
import {
  baseType,
  MEM_ALLOC,
  MEM_PERCPU,
  MEM_RCU,
  NON_OWN_REF,
  PTR_MAYBE_NULL,
  PTR_TO_BTF_ID,
  PTR_TO_MAP_VALUE,
  PTR_UNTRUSTED,
  regTypeName,
  typeFlag,
} from "../reg-types.js";
import { EACCES, EFAULT, EINVAL } from "../result.js";
import { allRegs } from "../state.js";
import { tnumIsConst } from "../tnum.js";
import { registerIsNull } from "./args.js";

const KPTR_FIELDS: ReadonlySet<SpecialFieldKind> = new Set([
  "kptr_unref",
  "kptr_ref",
  "kptr_percpu",
]);
const POINTER_FIELDS: ReadonlySet<SpecialFieldKind> = new Set([
  "kptr_unref",
  "kptr_ref",
  "kptr_percpu",
  "uptr",
]);

/** Programs that may sleep: the `.s` section variants, and syscall programs. */
function inSleepable(env: VerifierEnv): boolean {
  return env.progType === "syscall" || /^[a-z_]+\.s(\/|$)/.test(env.program.section);
}

/** `in_rcu_cs`: inside bpf_rcu_read_lock, under a spin lock, or anywhere in a non-sleepable program. */
export function inRcuCs(env: VerifierEnv): boolean {
  return env.state.activeRcuLock !== 0 || env.state.activeLock !== undefined || !inSleepable(env);
}

function typeName(env: VerifierEnv, id: number): string {
  return id === 0 ? "" : (env.btf?.types[id]?.name ?? "");
}

/**
 * `process_kptr_func`: bpf_kptr_xchg's destination points exactly at a
 * referenced (or per-CPU) kptr field of a map value or allocated object.
 */
export function processKptrFunc(env: VerifierEnv, regno: number): SpecialField {
  const reg = env.reg(regno);
  if (reg.type === PTR_TO_MAP_VALUE) {
    const map = env.maps[reg.mapIndex]!;
    if (map.valueTypeId === undefined || map.valueTypeId === 0 || env.btf === undefined) {
      env.reject(EINVAL, `map '${map.name}' has to have BTF in order to use bpf_kptr_xchg`);
    }
  }
  const record = regRecord(env, reg);
  if (!tnumIsConst(reg.varOff)) {
    env.reject(
      EINVAL,
      `R${regno} doesn't have constant offset. kptr has to be at the constant offset`,
    );
  }
  if (record === undefined || !record.fields.some((f) => KPTR_FIELDS.has(f.kind))) {
    env.reject(EINVAL, `R${regno} has no valid kptr`);
  }
  const off = reg.off + Number(BigInt.asIntN(64, reg.varOff.value));
  const field = fieldAt(record, off, KPTR_FIELDS);
  if (field === undefined || field.offset !== off)
    env.reject(EACCES, `off=${off} doesn't point to kptr`);
  if (field.kind !== "kptr_ref" && field.kind !== "kptr_percpu") {
    env.reject(EACCES, `off=${off} kptr isn't referenced kptr`);
  }
  return field;
}

/**
 * `map_kptr_match_type`: a pointer stored into (or exchanged with) a kptr
 * field points to exactly the field's type, at offset 0.
 */
export function mapKptrMatchType(
  env: VerifierEnv,
  field: SpecialField,
  reg: RegState,
  regno: number,
): void {
  const target = typeName(env, field.pointeeId ?? 0);
  let permitted = PTR_MAYBE_NULL | MEM_ALLOC;
  if (field.kind === "kptr_percpu") permitted |= MEM_PERCPU;
  const bad = (regName: string): never => {
    let line = `invalid kptr access, R${regno} type=${regTypeName(reg.type)}${regName} expected=${regTypeName(PTR_TO_BTF_ID)}${target}`;
    if (field.kind === "kptr_unref")
      line += ` or ${regTypeName(PTR_TO_BTF_ID | PTR_UNTRUSTED)}${target}`;
    // map_kptr_match_type's -EINVAL; both of its callers answer -EACCES
    env.reject(EACCES, line);
  };
  if (baseType(reg.type) !== PTR_TO_BTF_ID || typeFlag(reg.type) & ~permitted) bad("");
  const regName = typeName(env, reg.btfId);
  checkPtrOffReg(env, reg, regno, true);
  // a referenced kptr needs the very type; no walking into a struct's first member
  if (reg.off !== 0 || reg.btfId !== field.pointeeId) bad(regName);
}

/**
 * The source of bpf_kptr_xchg (`check_reg_type`'s PTR_TO_BTF_ID cases for
 * the helper): a local object of the field's type, or NULL.
 */
export function checkKptrXchgSource(
  env: VerifierEnv,
  field: SpecialField | undefined,
  regno: number,
): void {
  const reg = env.reg(regno);
  if (field === undefined) return;
  if (reg.type & MEM_ALLOC && reg.type & PTR_MAYBE_NULL) {
    // the kernel's type switch has no case for a local object that may be NULL
    env.reject(EFAULT, "verifier bug: invalid PTR_TO_BTF_ID register for type match");
  }
  if (reg.type & PTR_MAYBE_NULL) {
    env.reject(EACCES, `Possibly NULL pointer passed to helper arg${regno}`);
  }
  mapKptrMatchType(env, field, reg, regno);
}

/**
 * bpf_kptr_xchg's release of its source: the reference moves into the map.
 * Copies of a per-CPU object stay usable inside an RCU section, as an RCU
 * pointer; every other copy is invalidated. False when not acquired.
 */
export function releaseKptrXchgSource(env: VerifierEnv, refObjId: number): boolean {
  const refs = env.state.refs;
  const at = refs.findIndex((r) => r.kind === "ptr" && r.id === refObjId);
  if (at < 0) return false;
  env.state.refs = refs.filter((_, i) => i !== at);
  const inRcu = inRcuCs(env);
  for (const reg of allRegs(env.state)) {
    if (reg.refObjId !== refObjId) continue;
    if (inRcu && reg.type & MEM_ALLOC && reg.type & MEM_PERCPU) {
      reg.refObjId = 0;
      reg.type = (reg.type & ~MEM_ALLOC) | MEM_RCU;
    } else {
      // `mark_reg_invalid`: a privileged program's stale pointer is a plain number
      markRegUnknown(reg);
    }
  }
  return true;
}

/** bpf_kptr_xchg's r0: the field's old value, owned now, typed as the field's pointee. */
export function setKptrXchgReturn(r0: RegState, field: SpecialField, retFlag: number): void {
  let type = PTR_TO_BTF_ID | retFlag | MEM_ALLOC;
  if (field.kind === "kptr_percpu") type |= MEM_PERCPU;
  markRegPointer(r0, type, { btfId: field.pointeeId ?? 0 });
}

/**
 * `check_map_access`'s rule for pointer fields: loaded and stored directly,
 * whole (8 bytes), at the field's own constant offset.
 */
export function checkMapKptrFieldAccess(
  env: VerifierEnv,
  reg: RegState,
  off: number,
  size: number,
  direct: boolean,
): void {
  const record = mapRecord(env, reg.mapIndex);
  if (record === undefined) return;
  const lo = reg.smin + BigInt(off);
  const hi = reg.umax + BigInt(off + size);
  for (const field of record.fields) {
    const start = BigInt(field.offset);
    if (!POINTER_FIELDS.has(field.kind) || !(lo < start + BigInt(field.size) && start < hi))
      continue;
    const name = fieldTypeName(field.kind);
    if (!direct) env.reject(EACCES, `${name} cannot be accessed indirectly by helper`);
    if (!tnumIsConst(reg.varOff)) env.reject(EACCES, `${name} access cannot have variable offset`);
    const at = BigInt(off) + reg.varOff.value;
    if (start !== at)
      env.reject(EACCES, `${name} access misaligned expected=${field.offset} off=${at}`);
    if (size !== 8) env.reject(EACCES, `${name} access size must be BPF_DW`);
  }
}

/** The kptr field a constant-offset map value access is at, if any. */
export function mapKptrFieldAt(
  env: VerifierEnv,
  reg: RegState,
  off: number,
): SpecialField | undefined {
  if (!tnumIsConst(reg.varOff)) return undefined;
  const at = off + Number(BigInt.asIntN(64, reg.varOff.value));
  const field = fieldAt(mapRecord(env, reg.mapIndex), at, POINTER_FIELDS);
  return field?.offset === at ? field : undefined;
}

/** `btf_ld_kptr_type`: what a load of the field yields. */
function kptrLoadFlags(env: VerifierEnv, field: SpecialField): number {
  let flags = PTR_MAYBE_NULL;
  const rcuSafe = field.kind === "kptr_percpu" || field.kind === "kptr_ref";
  if (rcuSafe && inRcuCs(env)) {
    flags |= MEM_RCU;
    if (field.kind === "kptr_percpu") flags |= MEM_PERCPU;
    else flags |= MEM_ALLOC;
    const record = structRecord(env, field.pointeeId ?? 0);
    if (record?.fields.some((f) => f.kind === "list_node" || f.kind === "rb_node"))
      flags |= NON_OWN_REF;
  } else {
    flags |= PTR_UNTRUSTED;
  }
  return flags;
}

/**
 * `check_map_kptr_access`: a load gives a maybe-NULL pointer to the field's
 * type; a referenced kptr is never stored to by an instruction (only
 * bpf_kptr_xchg moves it), an unreferenced one takes a matching pointer or 0.
 */
export function checkMapKptrAccess(
  env: VerifierEnv,
  insn: Insn,
  valueRegno: number,
  field: SpecialField,
): void {
  const cls = insn.code & 0x07;
  if ((insn.code & 0xe0) !== BPF_MEM) {
    env.reject(EACCES, "kptr in map can only be accessed using BPF_MEM instruction mode");
  }
  const referenced = field.kind === "kptr_ref" || field.kind === "kptr_percpu";
  if (cls !== BPF_LDX && referenced) env.reject(EACCES, "store to referenced kptr disallowed");
  if (cls !== BPF_LDX && field.kind === "uptr") env.reject(EACCES, "store to uptr disallowed");
  if (cls === BPF_LDX) {
    if (field.kind === "uptr") {
      env.reject(EACCES, "uptr loads are not verified by tsbpf yet");
    }
    const dst = env.reg(valueRegno);
    const flags = kptrLoadFlags(env, field);
    markRegPointer(dst, PTR_TO_BTF_ID | flags, { btfId: field.pointeeId ?? 0 });
    dst.id = env.nextId();
  } else if (cls === BPF_STX) {
    const val = env.reg(valueRegno);
    if (!registerIsNull(val)) mapKptrMatchType(env, field, val, valueRegno);
  } else if (cls === BPF_ST) {
    if (insn.imm !== 0) {
      env.reject(EACCES, `BPF_ST imm must be 0 when storing to kptr at off=${field.offset}`);
    }
  } else {
    env.reject(EACCES, "kptr in map can only be accessed using BPF_LDX/BPF_STX/BPF_ST");
  }
}

/**
 * `check_ptr_to_btf_access` for a pointer to a program type that is not an
 * owned or RCU-protected local object (an untrusted or per-CPU kptr load):
 * per-CPU memory is reached only through bpf_this_cpu_ptr, and such an
 * object is read-only. Pointers to kernel types (btfId 0: tsbpf has no
 * vmlinux BTF) are left to the caller.
 */
export function checkProgramBtfPtrAccess(
  env: VerifierEnv,
  regno: number,
  off: number,
  t: "read" | "write",
): void {
  const reg = env.reg(regno);
  if (reg.btfId === 0) return;
  const tname = typeName(env, reg.btfId);
  if (reg.type & MEM_PERCPU)
    env.reject(EACCES, `R${regno} is ptr_${tname} access percpu memory: off=${off}`);
  if (t === "write" && !(reg.type & MEM_ALLOC)) env.reject(EACCES, "only read is supported");
}
