// What BPF_MAP_CREATE does with a map's value type (map_check_btf in
// kernel/bpf/syscall.c, Linux 6.18).

import type { Btf } from "../btf.js";
import { findSpecialFields } from "./discover.js";
import { FieldError } from "./errors.js";
import { describeField, describeOwner } from "./graph.js";
import { ALL_FIELD_KINDS, FIELD_KINDS, MAP_VALUE_FIELDS, type SpecialFieldKind } from "./kinds.js";
import { graphNodeOwnershipCheck, type StructMetas } from "./metas.js";
import type { FieldRecord } from "./record.js";

// `enum bpf_map_type` values and map flags (include/uapi/linux/bpf.h).
const HASH = 1;
const ARRAY = 2;
const PERCPU_HASH = 5;
const PERCPU_ARRAY = 6;
const LRU_HASH = 9;
const LRU_PERCPU_HASH = 10;
const CGROUP_STORAGE = 19;
const SK_STORAGE = 24;
const INODE_STORAGE = 28;
const TASK_STORAGE = 29;
const CGRP_STORAGE = 32;
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_WRONLY_PROG = 1 << 8;

const MAP_NAMES: Readonly<Record<number, string>> = {
  [HASH]: "hash",
  [ARRAY]: "array",
  [PERCPU_HASH]: "percpu_hash",
  [PERCPU_ARRAY]: "percpu_array",
  [LRU_HASH]: "lru_hash",
  [LRU_PERCPU_HASH]: "lru_percpu_hash",
  [CGROUP_STORAGE]: "cgroup_storage",
  [SK_STORAGE]: "sk_storage",
  [INODE_STORAGE]: "inode_storage",
  [TASK_STORAGE]: "task_storage",
  [CGRP_STORAGE]: "cgrp_storage",
};

const LOCK_MAPS = [
  HASH,
  ARRAY,
  CGROUP_STORAGE,
  SK_STORAGE,
  INODE_STORAGE,
  TASK_STORAGE,
  CGRP_STORAGE,
];
const TIMER_MAPS = [HASH, LRU_HASH, ARRAY];
const KPTR_MAPS = [
  HASH,
  PERCPU_HASH,
  LRU_HASH,
  LRU_PERCPU_HASH,
  ARRAY,
  PERCPU_ARRAY,
  SK_STORAGE,
  INODE_STORAGE,
  TASK_STORAGE,
  CGRP_STORAGE,
];

/** Map types that may hold each kind (the switch in map_check_btf). */
const MAP_TYPES_FOR: Readonly<Record<SpecialFieldKind, readonly number[]>> = {
  spin_lock: LOCK_MAPS,
  res_spin_lock: LOCK_MAPS,
  timer: TIMER_MAPS,
  wq: TIMER_MAPS,
  task_work: TIMER_MAPS,
  kptr_unref: KPTR_MAPS,
  kptr_ref: KPTR_MAPS,
  kptr_percpu: KPTR_MAPS,
  refcount: KPTR_MAPS,
  uptr: [TASK_STORAGE],
  list_head: [HASH, LRU_HASH, ARRAY],
  rb_root: [HASH, LRU_HASH, ARRAY],
  // never in a map value record
  list_node: [],
  rb_node: [],
};

export interface MapValueFields {
  /**
   * The value's special fields; undefined when it has none or when the
   * kernel could not make sense of them (then `ignored` says why).
   */
  readonly record: FieldRecord | undefined;
  /**
   * A field error the kernel keeps to itself: map_check_btf stores it as the
   * map's record and creates the map anyway, which then behaves as if its
   * value had no special fields. The program fails later, in the verifier,
   * when it uses the field (e.g. "map 'x' has no valid bpf_spin_lock",
   * "bpf_list_head not found at offset=0").
   */
  readonly ignored: FieldError | undefined;
}

/**
 * The special fields BPF_MAP_CREATE finds in a map's value type (a struct,
 * or the DATASEC of a global data map). Throws FieldError for what fails the
 * map's creation: a valid record in a map type that cannot hold one of its
 * kinds (-EOPNOTSUPP), in a map the program may only read or only write
 * (-EACCES), or holding a struct without a record (-EFAULT). Errors in the
 * fields themselves do not fail it: see `ignored`.
 */
export function mapValueFields(
  btf: Btf,
  valueTypeId: number,
  mapType: number,
  mapFlags: number,
  valueSize: number,
  metas: StructMetas,
): MapValueFields {
  let record: FieldRecord;
  try {
    record = findSpecialFields(btf, valueTypeId, MAP_VALUE_FIELDS, valueSize);
  } catch (e) {
    if (e instanceof FieldError) return { record: undefined, ignored: e };
    throw e;
  }
  if (record.fields.length === 0) return { record: undefined, ignored: undefined };
  checkMapCanHold(btf, record, mapType, mapFlags);
  graphNodeOwnershipCheck(btf, record, metas);
  return { record, ignored: undefined };
}

/** The map type and flag checks map_check_btf applies to a valid record. */
export function checkMapCanHold(
  btf: Btf,
  record: FieldRecord,
  mapType: number,
  mapFlags: number,
): void {
  const value = describeOwner(btf.type(record.typeId));
  if (mapFlags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) {
    throw new FieldError(
      "EACCES",
      `${value} has special fields (${record.fields[0]!.path}), so the map cannot be read-only or write-only for programs`,
      { typeId: record.typeId },
    );
  }
  for (const kind of ALL_FIELD_KINDS) {
    if (!record.kinds.has(kind) || MAP_TYPES_FOR[kind].includes(mapType)) continue;
    const field = record.fields.find((f) => f.kind === kind)!;
    const allowed = MAP_TYPES_FOR[kind].map((t) => MAP_NAMES[t] ?? String(t)).join(", ");
    throw new FieldError(
      "EOPNOTSUPP",
      `${describeField(btf.type(record.typeId), field.path)} is a ${FIELD_KINDS[kind].structName ?? kind}, which a ${MAP_NAMES[mapType] ?? `type ${mapType}`} map cannot hold (only ${allowed})`,
      { typeId: record.typeId, member: field.path },
    );
  }
}
