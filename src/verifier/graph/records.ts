/**
 * The special-field records the verifier consults (`reg_btf_record`): a map
 * value's record (`map->record`, built at BPF_MAP_CREATE) and an allocated
 * object's record (`btf_find_struct_meta`, built at BPF_BTF_LOAD). Computed
 * once per object and kept beside it.
 */
import { Btf, type BtfType } from "../../btf/btf.js";
import {
  FieldError,
  type FieldRecord,
  mapValueFields,
  parseStructMetas,
  type SpecialFieldKind,
  type StructMetas,
} from "../../btf/fields.js";
import type { MapSpec, ObjectSpec } from "../../object/spec.js";
import type { VerifierEnv } from "../env.js";
import type { RegState } from "../reg-state.js";
import { baseType, MEM_ALLOC, PTR_TO_BTF_ID, PTR_TO_MAP_VALUE } from "../reg-types.js";

interface GraphContext {
  /** the program BTF with the global data sections laid out, as libbpf loads it */
  readonly btf: Btf | undefined;
  /** undefined when BPF_BTF_LOAD would refuse the BTF (libbpf then loads without it) */
  readonly metas: StructMetas | undefined;
  readonly mapRecords: Map<MapSpec, FieldRecord | undefined>;
}

const contexts = new WeakMap<ObjectSpec, GraphContext>();

/**
 * clang leaves the variables of a DATASEC at offset 0 and the section's size
 * at 0; libbpf fills both in from the ELF symbols before loading. clang lays
 * the variables out in the order it lists them, each at its natural
 * alignment, which is what this reproduces when the offsets are missing.
 */
function layOutDatasec(btf: Btf, t: BtfType & { kind: "datasec" }, sectionSize: number): BtfType {
  if (t.size !== 0 || t.vars.some((v) => v.offset !== 0) || t.vars.length === 0) return t;
  let cursor = 0;
  const vars = t.vars.map((v) => {
    let align = 1;
    try {
      align = btf.alignof(v.type);
    } catch {
      align = 1;
    }
    const offset = Math.ceil(cursor / align) * align;
    cursor = offset + v.size;
    return { type: v.type, offset, size: v.size };
  });
  if (cursor > sectionSize) return t;
  return { ...t, size: sectionSize, vars };
}

function withDataSections(btf: Btf, maps: readonly MapSpec[]): Btf {
  const sizes = new Map<string, number>();
  for (const map of maps) if (map.section !== undefined) sizes.set(map.section, map.valueSize);
  let changed = false;
  const types = btf.types.map((t) => {
    if (t.kind !== "datasec") return t;
    const size = sizes.get(t.name);
    if (size === undefined) return t;
    const laid = layOutDatasec(btf, t, size);
    if (laid !== t) changed = true;
    return laid;
  });
  return changed ? new Btf(types, btf.stringAt) : btf;
}

function graphContext(spec: ObjectSpec): GraphContext {
  let ctx = contexts.get(spec);
  if (ctx !== undefined) return ctx;
  const btf = spec.btf === undefined ? undefined : withDataSections(spec.btf, spec.maps);
  let metas: StructMetas | undefined;
  if (btf !== undefined) {
    try {
      metas = parseStructMetas(btf);
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      metas = undefined;
    }
  }
  ctx = { btf, metas, mapRecords: new Map() };
  contexts.set(spec, ctx);
  return ctx;
}

/** The program BTF as the kernel sees it (data sections laid out); undefined without BTF. */
export function programBtf(env: VerifierEnv): Btf | undefined {
  return graphContext(env.spec).btf;
}

/** Whether the kernel accepted the program BTF (its struct metas are valid). */
export function hasProgramBtf(env: VerifierEnv): boolean {
  const ctx = graphContext(env.spec);
  return ctx.btf !== undefined && ctx.metas !== undefined;
}

/** `map->record`: the special fields of a map's value; undefined when it has none or they are invalid. */
export function mapRecordOf(spec: ObjectSpec, map: MapSpec): FieldRecord | undefined {
  const ctx = graphContext(spec);
  if (ctx.mapRecords.has(map)) return ctx.mapRecords.get(map);
  let record: FieldRecord | undefined;
  if (ctx.btf !== undefined && map.valueTypeId !== undefined && map.valueTypeId !== 0) {
    try {
      record = mapValueFields(
        ctx.btf,
        map.valueTypeId,
        map.type,
        map.flags,
        map.valueSize,
        ctx.metas ?? new Map(),
      ).record;
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      record = undefined;
    }
  }
  ctx.mapRecords.set(map, record);
  return record;
}

export function mapRecord(env: VerifierEnv, mapIndex: number): FieldRecord | undefined {
  const map = env.maps[mapIndex];
  return map === undefined ? undefined : mapRecordOf(env.spec, map);
}

/** `btf_find_struct_meta`: the record of an allocatable struct of program BTF. */
export function structRecord(env: VerifierEnv, btfId: number): FieldRecord | undefined {
  return graphContext(env.spec).metas?.get(btfId);
}

/** `reg_btf_record` */
export function regRecord(env: VerifierEnv, reg: RegState): FieldRecord | undefined {
  if (reg.type === PTR_TO_MAP_VALUE) return mapRecord(env, reg.mapIndex);
  if (baseType(reg.type) === PTR_TO_BTF_ID && reg.type & MEM_ALLOC)
    return structRecord(env, reg.btfId);
  return undefined;
}

/** `btf_field_type_name` */
export function fieldTypeName(kind: SpecialFieldKind): string {
  switch (kind) {
    case "spin_lock":
      return "bpf_spin_lock";
    case "res_spin_lock":
      return "bpf_res_spin_lock";
    case "timer":
      return "bpf_timer";
    case "wq":
      return "bpf_wq";
    case "task_work":
      return "bpf_task_work";
    case "kptr_unref":
    case "kptr_ref":
      return "kptr";
    case "kptr_percpu":
      return "percpu_kptr";
    case "uptr":
      return "uptr";
    case "list_head":
      return "bpf_list_head";
    case "list_node":
      return "bpf_list_node";
    case "rb_root":
      return "bpf_rb_root";
    case "rb_node":
      return "bpf_rb_node";
    case "refcount":
      return "bpf_refcount";
  }
}

/** The special fields of a map's value by struct name, for `check_map_prog_compatibility`. */
export function mapValueFieldNames(spec: ObjectSpec, map: MapSpec): Set<string> {
  const record = mapRecordOf(spec, map);
  const names = new Set<string>();
  for (const kind of record?.kinds ?? []) names.add(fieldTypeName(kind));
  return names;
}
