// Special fields of BPF types: locks, timers, list and tree heads and nodes,
// refcounts and kptrs, found and checked the way Linux 6.18 does it.
//
// Where the kernel applies each check, and what a libbpf user then sees:
//
// - BPF_BTF_LOAD (`parseStructMetas`): every struct with a special struct or
//   a kptr as a direct member is parsed; any error refuses the whole BTF with
//   that errno and no message in the BTF log. libbpf then drops the BTF and
//   carries on, so the program fails in the verifier with
//   "bpf_obj_new/bpf_percpu_obj_new requires prog BTF" (or, for map values
//   with locks, "map 'x' has to have BTF in order to use bpf_spin_lock").
// - BPF_MAP_CREATE (`mapValueFields`): the value type (a struct, or a global
//   data section's DATASEC) is parsed; field errors are swallowed (the map
//   acts as if it had no special fields), only map type and flag mismatches
//   fail the call. libbpf retries such a map without BTF.
// - The verifier then looks fields up in these records (`fieldAt`).

export { findSpecialFields } from "./fields/discover.js";
export { ERRNO, type ErrnoName, type FieldCheckStage, FieldError } from "./fields/errors.js";
export {
  ALL_FIELD_KINDS,
  ALLOCATED_OBJECT_FIELDS,
  FIELD_KINDS,
  type FieldKindInfo,
  GRAPH_NODE_KINDS,
  GRAPH_ROOT_KINDS,
  KPTR_KINDS,
  MAP_VALUE_FIELDS,
  MAX_FIELDS,
  type SpecialFieldKind,
} from "./fields/kinds.js";
export { checkMapCanHold, type MapValueFields, mapValueFields } from "./fields/map-value.js";
export { graphNodeOwnershipCheck, parseStructMetas, type StructMetas } from "./fields/metas.js";
export {
  type FieldRecord,
  fieldAt,
  type GraphRootContains,
  hasField,
  type SpecialField,
} from "./fields/record.js";
