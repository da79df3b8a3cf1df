// Where the special fields are in the memory the runtime manages: allocated
// objects (by their local BTF type id), map values (by the map's value type)
// and global data sections (by their DATASEC). The kfuncs that link objects
// need it to find a head's contents type and node offset, and freeing needs
// it to drain what an allocation holds.

import { Btf } from "../../btf/btf.js";
import {
  ALLOCATED_OBJECT_FIELDS,
  type FieldRecord,
  findSpecialFields,
  MAP_VALUE_FIELDS,
} from "../../btf/fields.js";
import type { BtfType } from "../../btf/types.js";
import type { MapSpec } from "../../object/spec.js";

/** Sizes of the node structs: Linux 6.4+ (with an owner pointer), and the 2022 list node. */
export const LIST_NODE_SIZE = 24;
export const LIST_NODE_2022_SIZE = 16;
export const RB_NODE_SIZE = 32;

/** What a list head or tree root holds, as the runtime needs it. */
export interface HeldType {
  readonly typeId: number;
  readonly typeName: string;
  /** offset of the node member inside the held struct */
  readonly nodeOffset: number;
  /** the node member's size: 24 (list, with owner), 16 (2022 list node, no owner), 32 (tree) */
  readonly nodeSize: number;
}

/**
 * Field records of one object's BTF, computed on first use. Types whose
 * fields the kernel would refuse get no record: the verifier rejects every
 * program that could reach them, and the runtime then treats them as plain
 * bytes.
 */
export class FieldLayouts {
  private readonly objects = new Map<number, FieldRecord | undefined>();
  private readonly maps = new Map<MapSpec, FieldRecord | undefined>();
  private readonly held = new Map<FieldRecord["fields"][number], HeldType>();
  private datasecBtf: Btf | undefined;

  constructor(private readonly btf: Btf | undefined) {}

  /** The record of an object bpf_obj_new allocated as local type `typeId`. */
  objectRecord(typeId: number): FieldRecord | undefined {
    if (this.btf === undefined || typeId === 0) return undefined;
    if (!this.objects.has(typeId)) {
      this.objects.set(typeId, this.find(this.btf, typeId, ALLOCATED_OBJECT_FIELDS));
    }
    return this.objects.get(typeId);
  }

  /** The record of a map's value (a struct, or a global data section's DATASEC). */
  mapRecord(spec: MapSpec): FieldRecord | undefined {
    if (this.btf === undefined || spec.valueTypeId === undefined || spec.valueTypeId === 0) {
      return undefined;
    }
    if (!this.maps.has(spec)) {
      const t = this.btf.types[spec.valueTypeId];
      let record: FieldRecord | undefined;
      if (t?.kind === "datasec") {
        record = this.find(
          this.placedDatasecs(),
          spec.valueTypeId,
          MAP_VALUE_FIELDS,
          spec.valueSize,
        );
      } else if (t !== undefined) {
        record = this.find(this.btf, spec.valueTypeId, MAP_VALUE_FIELDS, spec.valueSize);
      }
      this.maps.set(spec, record);
    }
    return this.maps.get(spec);
  }

  /** The held type of a list head or tree root field, with its node's size. */
  heldBy(field: FieldRecord["fields"][number]): HeldType | undefined {
    if (field.contains === undefined || this.btf === undefined) return undefined;
    let held = this.held.get(field);
    if (held === undefined) {
      const c = field.contains;
      const t = this.btf.type(c.structId);
      const member = t.kind === "struct" ? t.members.find((m) => m.name === c.nodeName) : undefined;
      const nodeSize =
        member !== undefined
          ? this.btf.sizeof(member.type)
          : field.kind === "rb_root"
            ? RB_NODE_SIZE
            : LIST_NODE_SIZE;
      held = {
        typeId: c.structId,
        typeName: c.structName,
        nodeOffset: c.nodeOffset,
        nodeSize,
      };
      this.held.set(field, held);
    }
    return held;
  }

  private find(
    btf: Btf,
    typeId: number,
    kinds: Parameters<typeof findSpecialFields>[2],
    size?: number,
  ): FieldRecord | undefined {
    try {
      const record = findSpecialFields(btf, typeId, kinds, size);
      return record.fields.length > 0 ? record : undefined;
    } catch {
      return undefined;
    }
  }

  /** The BTF with every DATASEC's variables placed (see `placeDatasecVars`). */
  private placedDatasecs(): Btf {
    if (this.datasecBtf === undefined) {
      const btf = this.btf!;
      const types = btf.types.map((t) => (t.kind === "datasec" ? placeDatasecVars(btf, t) : t));
      this.datasecBtf = new Btf(types, btf.stringAt);
    }
    return this.datasecBtf;
  }
}

/**
 * A DATASEC with its variables at their offsets in the section. clang leaves
 * the offsets of global (non-static) variables 0 in objects (libbpf fills
 * them in from the symbol table at load time). When more than one variable
 * claims offset 0, the zeros are replaced by laying the variables out in the
 * order the DATASEC lists them, each at its natural alignment, which is the
 * order clang places them in the section; offsets clang did fill in are kept.
 */
export function placeDatasecVars(btf: Btf, t: BtfType & { kind: "datasec" }): BtfType {
  if (t.vars.filter((v) => v.offset === 0).length < 2) return t;
  let cursor = 0;
  const vars = t.vars.map((v) => {
    const variable = btf.types[v.type];
    let align = 1;
    try {
      if (variable?.kind === "var") align = Math.max(1, btf.alignof(variable.type));
    } catch {
      align = 1;
    }
    const offset = v.offset !== 0 ? v.offset : Math.ceil(cursor / align) * align;
    cursor = offset + v.size;
    return { ...v, offset };
  });
  return { ...t, vars };
}
