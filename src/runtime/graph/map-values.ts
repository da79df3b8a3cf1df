import type { FieldRecord } from "../../btf/fields.js";
import type { MapSpec } from "../../object/spec.js";
import type { ValueFieldOps } from "../maps/map.js";
import { hostFault, type ObjectGraph } from "./graph.js";

/**
 * The special-field handling of one map's values, or undefined when its
 * value type has no special fields: copies leave the fields' bytes alone
 * (copy_map_value), frees drain the lists and trees and drop the kptrs
 * (bpf_obj_free_fields).
 */
export function mapValueFieldOps(graph: ObjectGraph, spec: MapSpec): ValueFieldOps | undefined {
  const record = graph.layouts.mapRecord(spec);
  if (record === undefined) return undefined;
  return {
    copy: (dst, value) => copySkippingFields(graph, record, dst, value),
    free: (addr) => graph.freeFields(record, addr, hostFault),
  };
}

/** Writes `value` at `dst` except over the record's fields. */
export function copySkippingFields(
  graph: ObjectGraph,
  record: FieldRecord,
  dst: number,
  value: Uint8Array,
): void {
  const bytes = graph.memory.bytes;
  let from = 0;
  for (const f of record.fields) {
    if (f.offset > from)
      bytes.set(value.subarray(from, Math.min(f.offset, value.length)), dst + from);
    from = Math.max(from, f.offset + f.size);
  }
  if (from < value.length) bytes.set(value.subarray(from), dst + from);
}

/** A copy of a value as user space reads it: the special fields' bytes are zero. */
export function zeroFields(record: FieldRecord, value: Uint8Array): Uint8Array {
  for (const f of record.fields) value.fill(0, f.offset, Math.min(f.offset + f.size, value.length));
  return value;
}
