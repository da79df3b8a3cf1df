// The checks BPF_BTF_LOAD applies to program BTF (btf_parse_struct_metas and
// btf_check_and_fixup_fields in kernel/bpf/btf.c, Linux 6.18): every struct
// that bpf_obj_new could allocate with special fields gets a record, and the
// whole BTF is refused when one of them is invalid.

import type { Btf } from "../btf.js";
import { findSpecialFields } from "./discover.js";
import { FieldError } from "./errors.js";
import { describeOwner } from "./graph.js";
import {
  ALLOCATED_OBJECT_FIELDS,
  GRAPH_NODE_KINDS,
  GRAPH_ROOT_KINDS,
  KPTR_KINDS,
  POINTER_TAGS,
} from "./kinds.js";
import type { FieldRecord } from "./record.js";

/** The struct names whose presence as a direct member makes a struct allocatable with fields. */
const ALLOCATED_OBJECT_STRUCTS = [
  "bpf_spin_lock",
  "bpf_list_head",
  "bpf_list_node",
  "bpf_rb_root",
  "bpf_rb_node",
  "bpf_refcount",
];

/** Records of the program-BTF structs with special fields, by type id (`btf->struct_meta_tab`). */
export type StructMetas = ReadonlyMap<number, FieldRecord>;

/**
 * The struct metas of program BTF, as BPF_BTF_LOAD computes them: a struct
 * (not a union) gets a record when one of its members is directly (no
 * typedef, no array) the first struct of the BTF named bpf_spin_lock,
 * bpf_list_head, bpf_list_node, bpf_rb_root, bpf_rb_node or bpf_refcount, or
 * a kptr-tagged pointer. Throws the FieldError for which the kernel refuses
 * the BTF: the struct's own field errors, -EFAULT when such a struct ends up
 * with no field at all (e.g. its only lock is misaligned), and -ELOOP from
 * the ownership check.
 */
export function parseStructMetas(btf: Btf): StructMetas {
  const markers = new Set<number>();
  for (const name of ALLOCATED_OBJECT_STRUCTS) {
    const t = btf.findByName(name, "struct");
    if (t !== undefined) markers.add(t.id);
  }
  for (const t of btf.types) if (isKptrType(btf, t.id)) markers.add(t.id);

  const metas = new Map<number, FieldRecord>();
  if (markers.size === 0) return metas;
  for (const t of btf.types) {
    if (t.kind !== "struct" || !t.members.some((m) => markers.has(m.type))) continue;
    const record = findSpecialFields(btf, t.id, ALLOCATED_OBJECT_FIELDS);
    if (record.fields.length === 0) {
      throw new FieldError(
        "EFAULT",
        `${describeOwner(t)} has a special member the kernel does not count as a field (misaligned or wrongly sized), so it gets no record`,
        { typeId: t.id },
      );
    }
    metas.set(t.id, record);
  }
  for (const record of metas.values()) graphNodeOwnershipCheck(btf, record, metas);
  return metas;
}

/** btf_find_kptr on a type itself, as the struct-meta scan uses it: errors only mean "no". */
function isKptrType(btf: Btf, id: number): boolean {
  let t = btf.type(id);
  if (t.kind === "volatile") t = btf.type(t.type);
  if (t.kind !== "ptr") return false;
  const tag = btf.type(t.type);
  if (tag.kind !== "type_tag" || tag.attribute) return false;
  if (btf.type(tag.type).kind === "type_tag") return false;
  const kind = POINTER_TAGS.get(tag.name);
  if (kind === undefined || !KPTR_KINDS.has(kind)) return false;
  return btf.resolve(tag.type).kind === "struct";
}

/**
 * The ownership rule of btf_check_and_fixup_fields (Linux 6.18): a type that
 * is both a graph node and a graph root may only hold types that are not
 * roots themselves. That rules out cycles (a type holding itself, directly
 * or through another) and any chain longer than root → node-and-root →
 * node. Throws -ELOOP; -EFAULT when a held struct has no record (its node
 * is not a field). Records without a node, map values among them, pass.
 */
export function graphNodeOwnershipCheck(btf: Btf, record: FieldRecord, metas: StructMetas): void {
  const owner = btf.type(record.typeId);
  for (const field of record.fields) {
    if (!GRAPH_ROOT_KINDS.has(field.kind) || field.contains === undefined) continue;
    const held = metas.get(field.contains.structId);
    if (held === undefined) {
      throw new FieldError(
        "EFAULT",
        `${describeOwner(owner)}: "${field.path}" holds struct ${field.contains.structName}, which has no special-field record`,
        { typeId: record.typeId, member: field.path },
      );
    }
    if (![...record.kinds].some((k) => GRAPH_NODE_KINDS.has(k))) continue;
    const heldRoot = held.fields.find((f) => GRAPH_ROOT_KINDS.has(f.kind));
    if (heldRoot !== undefined) {
      throw new FieldError(
        "ELOOP",
        `${describeOwner(owner)} is a list/tree node and, through "${field.path}", holds struct ${field.contains.structName}, which itself holds objects ("${heldRoot.path}"); a node type may only hold types that hold nothing`,
        { typeId: record.typeId, member: field.path },
      );
    }
  }
}
