// Special-field discovery, as btf_parse_fields in kernel/bpf/btf.c does it
// (Linux 6.18): walk a struct's members or a DATASEC's variables, through
// arrays and nested structs (not unions, not typedefs), match special structs
// by name and kptrs by type tag, then check the result as one allocation.

import type { Btf } from "../btf.js";
import type { BtfType } from "../types.js";
import { FieldError } from "./errors.js";
import { describeField, describeOwner, readContainsTag, resolveContains } from "./graph.js";
import {
  ALL_FIELD_KINDS,
  FIELD_KINDS,
  GRAPH_ROOT_KINDS,
  MAX_FIELDS,
  MAX_NESTING,
  NAMED_FIELD_KINDS,
  POINTER_TAGS,
  type SpecialFieldKind,
} from "./kinds.js";
import type { FieldRecord, GraphRootContains, SpecialField } from "./record.js";

interface Found {
  kind: SpecialFieldKind;
  offset: number;
  path: string;
  /** graph roots: the tag, checked against the held struct only after discovery */
  root?: { tagOwner: BtfType; structId: number; structName: string; nodeName: string };
  pointeeId?: number;
  /** the struct's size when it is one of the kind's legacy sizes */
  size?: number;
}

/** State of one walk; `where` names the top-level type in messages. */
interface Walk {
  readonly btf: Btf;
  readonly allowed: ReadonlySet<SpecialFieldKind>;
  readonly top: BtfType;
}

const ALL: ReadonlySet<SpecialFieldKind> = new Set(ALL_FIELD_KINDS);

/**
 * The special fields of `typeId`, a struct or a DATASEC, looking only for the
 * `allowed` kinds (default: all). `size` is the allocation's size (the map's
 * value size; default the type's own). Throws FieldError with the errno the
 * kernel's btf_parse_fields returns for the same type; where the kernel would
 * return no record at all, the result has no fields.
 */
export function findSpecialFields(
  btf: Btf,
  typeId: number,
  allowed: ReadonlySet<SpecialFieldKind> = ALL,
  size?: number,
): FieldRecord {
  const top = btf.type(typeId);
  if (top.kind !== "struct" && top.kind !== "datasec") {
    throw new FieldError(
      "EINVAL",
      `type id ${typeId} is ${btf.typeName(typeId) || top.kind}; special fields live in a struct or a data section`,
      { typeId },
    );
  }
  const walk: Walk = { btf, allowed, top };
  const found =
    top.kind === "struct" ? findInStruct(walk, top, MAX_FIELDS, 0, "") : findInDatasec(walk, top);
  return buildRecord(walk, found, size ?? top.size);
}

function findInStruct(
  walk: Walk,
  s: BtfType & { kind: "struct" },
  capacity: number,
  level: number,
  prefix: string,
): Found[] {
  // Linux 6.18 keeps the one-per-struct count per struct: two locks in two
  // nested structs are both found (and the kernel WARNs), two as direct
  // members are -E2BIG.
  const seen = new Set<SpecialFieldKind>();
  const out: Found[] = [];
  s.members.forEach((m, idx) => {
    if (m.bitOffset % 8 !== 0) {
      throw new FieldError(
        "EINVAL",
        `${describeField(walk.top, prefix + m.name)} is not byte aligned`,
        { typeId: walk.top.id, member: prefix + m.name },
      );
    }
    const path = prefix + (m.name || `#${idx}`);
    const more = findOne(
      walk,
      s,
      idx,
      walk.btf.type(m.type),
      m.bitOffset / 8,
      0,
      seen,
      capacity - out.length,
      level,
      path,
    );
    out.push(...more);
  });
  return out;
}

function findInDatasec(walk: Walk, d: BtfType & { kind: "datasec" }): Found[] {
  const seen = new Set<SpecialFieldKind>();
  const out: Found[] = [];
  for (const v of d.vars) {
    const variable = walk.btf.type(v.type);
    if (variable.kind !== "var") continue;
    const more = findOne(
      walk,
      variable,
      -1,
      walk.btf.type(variable.type),
      v.offset,
      v.size,
      seen,
      MAX_FIELDS - out.length,
      0,
      variable.name,
    );
    out.push(...more);
  }
  return out;
}

/** btf_find_field_one: one member or variable, arrays flattened. */
function findOne(
  walk: Walk,
  owner: BtfType,
  componentIdx: number,
  type: BtfType,
  offset: number,
  expectedSize: number,
  seen: Set<SpecialFieldKind>,
  capacity: number,
  level: number,
  path: string,
): Found[] {
  const { btf } = walk;
  const where = { typeId: walk.top.id, member: path };
  let nelems = 1;
  let elem = type;
  let depth = 0;
  for (; depth < MAX_NESTING && elem.kind === "array"; depth++) {
    nelems *= elem.nelems;
    elem = btf.type(elem.elemType);
  }
  if (depth === MAX_NESTING) {
    throw new FieldError(
      "E2BIG",
      `${describeField(walk.top, path)} nests arrays ${MAX_NESTING} deep`,
      where,
    );
  }
  if (nelems === 0) return [];

  const kind = fieldKindByName(walk, elem, seen, path);
  if (kind === undefined && elem.kind === "struct") {
    if (expectedSize !== 0 && expectedSize !== elem.size * nelems) return [];
    if (level + 1 >= MAX_NESTING) {
      throw new FieldError(
        "E2BIG",
        `${describeField(walk.top, path)} nests structs ${MAX_NESTING} deep`,
        where,
      );
    }
    const inner = findInStruct(
      walk,
      elem,
      capacity,
      level + 1,
      `${path}${nelems > 1 ? "[0]" : ""}.`,
    );
    const shifted = inner.map((f) => ({ ...f, offset: f.offset + offset }));
    return nelems > 1 ? repeat(walk, shifted, nelems, elem.size, capacity, path) : shifted;
  }
  if (kind === undefined) return [];
  const info = FIELD_KINDS[kind];
  const legacySize =
    elem.kind === "struct" && info.legacySizes?.includes(elem.size) ? elem.size : undefined;
  const fieldSize = legacySize ?? info.size;
  if (expectedSize !== 0 && expectedSize !== fieldSize * nelems) return [];
  // A misaligned special struct is ordinary data to the kernel, not an error.
  if (offset % info.align !== 0) return [];

  let field: Found | undefined;
  if (kind === "kptr_ref") {
    field = findPointer(walk, elem, offset, path);
  } else if (elem.kind === "struct" && elem.size === fieldSize) {
    field =
      legacySize === undefined ? { kind, offset, path } : { kind, offset, path, size: legacySize };
    if (GRAPH_ROOT_KINDS.has(kind)) {
      const tag = readContainsTag(btf, owner, componentIdx, info.structName!, {
        ...where,
        at: describeField(walk.top, field.path),
      });
      field.root = { tagOwner: owner, ...tag };
    }
  }
  if (field === undefined) return [];
  if (nelems > 1) field.path = `${path}[0]`;
  if (capacity <= 0) throw tooMany(walk, path);
  return nelems > 1 ? repeat(walk, [field], nelems, fieldSize, capacity, path) : [field];
}

/**
 * btf_get_field_type: the kind a member's (array element) type stands for,
 * by name; any non-struct could be a kptr. The one-per-struct kinds are
 * counted as soon as the name matches, before the size is checked.
 */
function fieldKindByName(
  walk: Walk,
  t: BtfType,
  seen: Set<SpecialFieldKind>,
  path: string,
): SpecialFieldKind | undefined {
  for (const kind of NAMED_FIELD_KINDS) {
    if (!walk.allowed.has(kind) || FIELD_KINDS[kind].structName !== t.name) continue;
    if (FIELD_KINDS[kind].unique) {
      if (seen.has(kind)) {
        throw new FieldError(
          "E2BIG",
          `${describeField(walk.top, path)} is a second struct ${t.name} in one ${walk.top.kind === "datasec" ? "data section" : "struct"}; the kernel allows one per allocation`,
          { typeId: walk.top.id, member: path },
        );
      }
      seen.add(kind);
    }
    return kind;
  }
  const anyPointer = ["kptr_unref", "kptr_ref", "kptr_percpu", "uptr"].some((k) =>
    walk.allowed.has(k as SpecialFieldKind),
  );
  // Kind only provisional: findPointer decides from the type tag.
  return anyPointer && t.kind !== "struct" ? "kptr_ref" : undefined;
}

/**
 * btf_find_kptr: a pointer (volatile allowed) whose pointee starts with one
 * type tag naming a pointer kind, pointing at a struct. Untagged pointers and
 * plain data are not fields; an unknown tag, two tags or a non-struct
 * pointee are -EINVAL.
 */
function findPointer(walk: Walk, t: BtfType, offset: number, path: string): Found | undefined {
  const { btf } = walk;
  const where = { typeId: walk.top.id, member: path };
  const ptr = t.kind === "volatile" ? btf.type(t.type) : t;
  if (ptr.kind !== "ptr") return undefined;
  const tag = btf.type(ptr.type);
  if (tag.kind !== "type_tag" || tag.attribute) return undefined;
  const at = `${describeField(walk.top, path)}`;
  if (btf.type(tag.type).kind === "type_tag") {
    throw new FieldError(
      "EINVAL",
      `${at} is a pointer with more than one type tag; a kptr takes exactly one`,
      where,
    );
  }
  const kind = POINTER_TAGS.get(tag.name);
  if (kind === undefined) {
    throw new FieldError(
      "EINVAL",
      `${at} is a pointer with type tag "${tag.name}"; a pointer in this type may only be tagged kptr, kptr_untrusted, percpu_kptr or uptr`,
      where,
    );
  }
  if (!walk.allowed.has(kind)) return undefined;
  const pointee = btf.resolve(tag.type);
  if (pointee.kind !== "struct") {
    throw new FieldError(
      "EINVAL",
      `${at} is a pointer tagged ${tag.name} to ${btf.typeName(tag.type)}; it must point to a struct`,
      where,
    );
  }
  return { kind, offset, path, pointeeId: pointee.id };
}

/** btf_repeat_fields: an array repeats what one element holds. */
function repeat(
  walk: Walk,
  fields: Found[],
  nelems: number,
  elemSize: number,
  capacity: number,
  path: string,
): Found[] {
  const where = { typeId: walk.top.id, member: path };
  for (const f of fields) {
    if (!FIELD_KINDS[f.kind].repeatable) {
      throw new FieldError(
        "EINVAL",
        `${describeField(walk.top, path)} is an array of ${nelems} holding a ${FIELD_KINDS[f.kind].structName ?? f.kind}; only kptrs, list heads and tree roots may be repeated`,
        where,
      );
    }
  }
  if (fields.length * nelems > capacity) throw tooMany(walk, path);
  const out: Found[] = [];
  for (let i = 0; i < nelems; i++) {
    for (const f of fields) {
      out.push({
        ...f,
        offset: f.offset + i * elemSize,
        path: f.path.replace(`${path}[0]`, `${path}[${i}]`),
      });
    }
  }
  return out;
}

function tooMany(walk: Walk, path: string): FieldError {
  return new FieldError(
    "E2BIG",
    `${describeField(walk.top, path)} brings the number of special fields past the kernel's limit of ${MAX_FIELDS}`,
    { typeId: walk.top.id, member: path },
  );
}

/** btf_parse_fields after discovery: bounds, overlaps, graph roots, allocation rules. */
function buildRecord(walk: Walk, found: Found[], size: number): FieldRecord {
  const { btf, top } = walk;
  const offsets = {
    spin_lock: -1,
    res_spin_lock: -1,
    timer: -1,
    wq: -1,
    refcount: -1,
    task_work: -1,
  };
  const fields: SpecialField[] = [];
  let nextOffset = 0;
  for (const f of found) {
    const fieldSize = f.size ?? FIELD_KINDS[f.kind].size;
    const where = { typeId: top.id, member: f.path };
    if (f.offset + fieldSize > size) {
      throw new FieldError(
        "EFAULT",
        `${describeField(top, f.path)} ends past the value's ${size} bytes`,
        where,
      );
    }
    // Checked in discovery order, as the kernel does, so fields found out of
    // offset order count as overlapping too.
    if (f.offset < nextOffset) {
      throw new FieldError(
        "EEXIST",
        `${describeField(top, f.path)} at offset ${f.offset} overlaps the special field before it (which ends at ${nextOffset})`,
        where,
      );
    }
    nextOffset = f.offset + fieldSize;
    let contains: GraphRootContains | undefined;
    if (f.root !== undefined) {
      const nodeKind = f.kind === "list_head" ? "list_node" : "rb_node";
      contains = resolveContains(
        btf,
        f.root,
        FIELD_KINDS[nodeKind].structName!,
        FIELD_KINDS[nodeKind].align,
        {
          ...where,
          at: describeField(top, f.path),
          rootStruct: FIELD_KINDS[f.kind].structName!,
        },
      );
    }
    if (f.kind in offsets) offsets[f.kind as keyof typeof offsets] = f.offset;
    fields.push({
      kind: f.kind,
      offset: f.offset,
      size: fieldSize,
      path: f.path,
      ...(contains === undefined ? {} : { contains }),
      ...(f.pointeeId === undefined ? {} : { pointeeId: f.pointeeId }),
    });
  }
  const kinds = new Set(fields.map((f) => f.kind));
  const name = describeOwner(top);
  if (offsets.spin_lock >= 0 && offsets.res_spin_lock >= 0) {
    throw new FieldError(
      "EINVAL",
      `${name} has both a bpf_spin_lock and a bpf_res_spin_lock; use one`,
      { typeId: top.id },
    );
  }
  const root = fields.find((f) => GRAPH_ROOT_KINDS.has(f.kind));
  if (root !== undefined && offsets.spin_lock < 0 && offsets.res_spin_lock < 0) {
    throw new FieldError(
      "EINVAL",
      `${describeField(top, root.path)}: ${FIELD_KINDS[root.kind].structName} needs a bpf_spin_lock in the same ${top.kind === "datasec" ? "data section" : "struct"}`,
      { typeId: top.id, member: root.path },
    );
  }
  if (offsets.refcount < 0 && kinds.has("list_node") && kinds.has("rb_node")) {
    throw new FieldError(
      "EINVAL",
      `${name} has both a bpf_list_node and a bpf_rb_node; an object on two collections at once needs a bpf_refcount`,
      { typeId: top.id },
    );
  }
  fields.sort((a, b) => a.offset - b.offset);
  return {
    typeId: top.id,
    fields,
    kinds,
    spinLockOffset: offsets.spin_lock,
    resSpinLockOffset: offsets.res_spin_lock,
    timerOffset: offsets.timer,
    wqOffset: offsets.wq,
    refcountOffset: offsets.refcount,
    taskWorkOffset: offsets.task_work,
  };
}
