// The special field kinds of `enum btf_field_type` (include/linux/bpf.h): the
// struct names the kernel recognises them by, their sizes and alignments, and
// which sets of them each kernel caller looks for.

export type SpecialFieldKind =
  | "spin_lock"
  | "res_spin_lock"
  | "timer"
  | "wq"
  | "task_work"
  | "list_head"
  | "list_node"
  | "rb_root"
  | "rb_node"
  | "refcount"
  | "kptr_unref"
  | "kptr_ref"
  | "kptr_percpu"
  | "uptr";

export interface FieldKindInfo {
  /** the kernel's BPF_* bit, which also orders map_check_btf's per-kind checks */
  readonly bit: number;
  /** the struct the kernel matches by name; undefined for pointer kinds */
  readonly structName: string | undefined;
  readonly size: number;
  readonly align: number;
  /** at most one per struct or data section (a second one is -E2BIG) */
  readonly unique: boolean;
  /** may be repeated by an array, of itself or of a struct holding it */
  readonly repeatable: boolean;
  /** other sizes the struct had in earlier kernels that tsbpf still accepts */
  readonly legacySizes?: readonly number[];
}

// Sizes and alignments of the kernel's uapi structs (Linux 6.18, x86-64).
export const FIELD_KINDS: Readonly<Record<SpecialFieldKind, FieldKindInfo>> = {
  spin_lock: {
    bit: 1 << 0,
    structName: "bpf_spin_lock",
    size: 4,
    align: 4,
    unique: true,
    repeatable: false,
  },
  timer: {
    bit: 1 << 1,
    structName: "bpf_timer",
    size: 16,
    align: 8,
    unique: true,
    repeatable: false,
  },
  kptr_unref: {
    bit: 1 << 2,
    structName: undefined,
    size: 8,
    align: 8,
    unique: false,
    repeatable: true,
  },
  kptr_ref: {
    bit: 1 << 3,
    structName: undefined,
    size: 8,
    align: 8,
    unique: false,
    repeatable: true,
  },
  kptr_percpu: {
    bit: 1 << 4,
    structName: undefined,
    size: 8,
    align: 8,
    unique: false,
    repeatable: true,
  },
  list_head: {
    bit: 1 << 5,
    structName: "bpf_list_head",
    size: 16,
    align: 8,
    unique: false,
    repeatable: true,
  },
  list_node: {
    bit: 1 << 6,
    structName: "bpf_list_node",
    size: 24,
    align: 8,
    unique: false,
    repeatable: false,
    // the 2022 design (Linux 6.2, 6.3): two list pointers, no owner word
    legacySizes: [16],
  },
  rb_root: {
    bit: 1 << 7,
    structName: "bpf_rb_root",
    size: 16,
    align: 8,
    unique: false,
    repeatable: true,
  },
  rb_node: {
    bit: 1 << 8,
    structName: "bpf_rb_node",
    size: 32,
    align: 8,
    unique: false,
    repeatable: false,
  },
  refcount: {
    bit: 1 << 9,
    structName: "bpf_refcount",
    size: 4,
    align: 4,
    unique: true,
    repeatable: false,
  },
  wq: { bit: 1 << 10, structName: "bpf_wq", size: 16, align: 8, unique: true, repeatable: false },
  uptr: { bit: 1 << 11, structName: undefined, size: 8, align: 8, unique: false, repeatable: true },
  res_spin_lock: {
    bit: 1 << 12,
    structName: "bpf_res_spin_lock",
    size: 4,
    align: 4,
    unique: true,
    repeatable: false,
  },
  task_work: {
    bit: 1 << 13,
    structName: "bpf_task_work",
    size: 8,
    align: 8,
    unique: true,
    repeatable: false,
  },
};

/** Kinds in the kernel's bit order. */
export const ALL_FIELD_KINDS: readonly SpecialFieldKind[] = (
  Object.keys(FIELD_KINDS) as SpecialFieldKind[]
).sort((a, b) => FIELD_KINDS[a].bit - FIELD_KINDS[b].bit);

/** Kinds matched by struct name, in the order btf_get_field_type tries them. */
export const NAMED_FIELD_KINDS: readonly SpecialFieldKind[] = ALL_FIELD_KINDS.filter(
  (k) => FIELD_KINDS[k].structName !== undefined,
);

/** The pointer type tags (`__kptr`, `__kptr_untrusted`, `__percpu_kptr`, `__uptr`). */
export const POINTER_TAGS: ReadonlyMap<string, SpecialFieldKind> = new Map([
  ["kptr_untrusted", "kptr_unref"],
  ["kptr", "kptr_ref"],
  ["percpu_kptr", "kptr_percpu"],
  ["uptr", "uptr"],
]);

export const KPTR_KINDS: ReadonlySet<SpecialFieldKind> = new Set([
  "kptr_unref",
  "kptr_ref",
  "kptr_percpu",
]);
export const GRAPH_ROOT_KINDS: ReadonlySet<SpecialFieldKind> = new Set(["list_head", "rb_root"]);
export const GRAPH_NODE_KINDS: ReadonlySet<SpecialFieldKind> = new Set(["list_node", "rb_node"]);

/**
 * What map_check_btf (kernel/bpf/syscall.c) looks for in a map's value type
 * at BPF_MAP_CREATE: no graph nodes, since a map value is never on a list.
 */
export const MAP_VALUE_FIELDS: ReadonlySet<SpecialFieldKind> = new Set([
  "spin_lock",
  "res_spin_lock",
  "timer",
  "kptr_unref",
  "kptr_ref",
  "kptr_percpu",
  "list_head",
  "rb_root",
  "refcount",
  "wq",
  "uptr",
  "task_work",
]);

/**
 * What btf_parse_struct_metas (kernel/bpf/btf.c) looks for at BPF_BTF_LOAD
 * in every struct of program BTF that bpf_obj_new could allocate.
 */
export const ALLOCATED_OBJECT_FIELDS: ReadonlySet<SpecialFieldKind> = new Set([
  "spin_lock",
  "res_spin_lock",
  "list_head",
  "list_node",
  "rb_root",
  "rb_node",
  "refcount",
  "kptr_unref",
  "kptr_ref",
  "kptr_percpu",
]);

/** The kernel's BTF_FIELDS_MAX: a record holds at most this many fields. */
export const MAX_FIELDS = 11;
/** The kernel's MAX_RESOLVE_DEPTH, which bounds array and struct nesting here. */
export const MAX_NESTING = 32;
