/**
 * Prototypes of the kfuncs tsbpf verifies, as vmlinux declares them in Linux
 * 6.18 (kernel/bpf/helpers.c): what each argument is, by the argument-name
 * conventions the verifier reads (`__k` constant, `__ign` ignored, `__alloc`
 * allocated object, `__refcounted_kptr`), the `KF_*` flags, and which
 * program types may call them.
 */
import type { KfuncName } from "../../object/kfuncs.js";
import type { ProgramType } from "../../object/spec.js";

/** `enum kfunc_ptr_arg_type`, narrowed to the arguments of these kfuncs, plus scalars. */
export type KfuncArg =
  /** a scalar argument */
  | "scalar"
  /** a scalar that must be a known constant (`__k`) */
  | "constant"
  /** skipped by the verifier (`__ign`) */
  | "ignored"
  /** KF_ARG_PTR_TO_ALLOC_BTF_ID (`__alloc`) */
  | "alloc_obj"
  /** KF_ARG_PTR_TO_REFCOUNTED_KPTR */
  | "refcounted_kptr"
  | "list_head"
  | "list_node"
  | "rb_root"
  | "rb_node"
  /** KF_ARG_PTR_TO_CALLBACK */
  | "callback"
  /** KF_ARG_PTR_TO_CTX */
  | "ctx"
  /** KF_ARG_PTR_TO_ITER: an open-coded iterator on the stack (calls/iter.ts) */
  | "iter";

/** What r0 is after the call. */
export type KfuncReturn =
  | "void"
  | "int"
  /** the allocated object the constant type id names */
  | "obj_new"
  | "percpu_obj_new"
  /** another owning reference to the argument's object */
  | "refcount_acquire"
  /** a pointer to a node of the list or tree argument */
  | "graph_node"
  /** the program type's kernel context */
  | "kern_ctx"
  /** read-only memory of `retMemSize` bytes: an iterator's current element */
  | "rdonly_mem";

export interface KfuncProto {
  readonly args: readonly KfuncArg[];
  readonly ret: KfuncReturn;
  readonly acquire?: boolean;
  readonly release?: boolean;
  readonly retNull?: boolean;
  readonly rcu?: boolean;
  /** the size of the memory a `rdonly_mem` return points to (`btf_resolve_size` of the pointee) */
  readonly retMemSize?: number;
  /** which registration set the kfunc is in: `generic_kfunc_set` or `common_kfunc_set` */
  readonly set: "generic" | "common";
}

const OBJ_NEW: KfuncProto = {
  args: ["constant", "ignored"],
  ret: "obj_new",
  acquire: true,
  retNull: true,
  set: "generic",
};
const LIST_PUSH: KfuncProto = {
  args: ["list_head", "list_node", "ignored", "scalar"],
  ret: "int",
  set: "generic",
};
// the 2022 design's push: (head, node), returning nothing
const LIST_PUSH_2022: KfuncProto = {
  args: ["list_head", "list_node"],
  ret: "void",
  set: "generic",
};
const LIST_POP: KfuncProto = {
  args: ["list_head"],
  ret: "graph_node",
  acquire: true,
  retNull: true,
  set: "generic",
};
const LIST_PEEK: KfuncProto = {
  args: ["list_head"],
  ret: "graph_node",
  retNull: true,
  set: "generic",
};

const PROTOS: Partial<Record<KfuncName, KfuncProto>> = {
  bpf_obj_new_impl: OBJ_NEW,
  bpf_percpu_obj_new_impl: { ...OBJ_NEW, ret: "percpu_obj_new" },
  bpf_obj_drop_impl: { args: ["alloc_obj", "ignored"], ret: "void", release: true, set: "generic" },
  bpf_percpu_obj_drop_impl: {
    args: ["alloc_obj", "ignored"],
    ret: "void",
    release: true,
    set: "generic",
  },
  bpf_refcount_acquire_impl: {
    args: ["refcounted_kptr", "ignored"],
    ret: "refcount_acquire",
    acquire: true,
    retNull: true,
    rcu: true,
    set: "generic",
  },
  bpf_list_push_front_impl: LIST_PUSH,
  bpf_list_push_back_impl: LIST_PUSH,
  bpf_list_push_front: LIST_PUSH_2022,
  bpf_list_push_back: LIST_PUSH_2022,
  bpf_list_pop_front: LIST_POP,
  bpf_list_pop_back: LIST_POP,
  bpf_list_front: LIST_PEEK,
  bpf_list_back: LIST_PEEK,
  bpf_rbtree_add_impl: {
    args: ["rb_root", "rb_node", "callback", "ignored", "scalar"],
    ret: "int",
    set: "generic",
  },
  bpf_rbtree_remove: {
    args: ["rb_root", "rb_node"],
    ret: "graph_node",
    acquire: true,
    retNull: true,
    set: "generic",
  },
  bpf_rbtree_first: { args: ["rb_root"], ret: "graph_node", retNull: true, set: "generic" },
  bpf_rbtree_root: { args: ["rb_root"], ret: "graph_node", retNull: true, set: "generic" },
  bpf_rbtree_left: {
    args: ["rb_root", "rb_node"],
    ret: "graph_node",
    retNull: true,
    set: "generic",
  },
  bpf_rbtree_right: {
    args: ["rb_root", "rb_node"],
    ret: "graph_node",
    retNull: true,
    set: "generic",
  },
  bpf_iter_num_new: { args: ["iter", "scalar", "scalar"], ret: "int", set: "common" },
  bpf_iter_num_next: {
    args: ["iter"],
    ret: "rdonly_mem",
    retMemSize: 4,
    retNull: true,
    set: "common",
  },
  bpf_iter_num_destroy: { args: ["iter"], ret: "void", set: "common" },
  bpf_cast_to_kern_ctx: { args: ["ctx"], ret: "kern_ctx", set: "common" },
  bpf_rcu_read_lock: { args: [], ret: "void", set: "common" },
  bpf_rcu_read_unlock: { args: [], ret: "void", set: "common" },
};

export function kfuncProto(name: KfuncName): KfuncProto | undefined {
  return PROTOS[name];
}

/** The program types `generic_kfunc_set` is registered for (`kfunc_init`). */
const GENERIC_SET_PROGRAM_TYPES: ReadonlySet<ProgramType> = new Set<ProgramType>([
  "tracing",
  "sched_cls",
  "xdp",
  "struct_ops",
  "syscall",
  "cgroup_skb",
]);

/** `btf_kfunc_id_set_contains`: whether a program of this type may call the kfunc. */
export function kfuncAllowedFor(proto: KfuncProto, progType: ProgramType): boolean {
  return proto.set === "common" || GENERIC_SET_PROGRAM_TYPES.has(progType);
}

const LIST_API: ReadonlySet<KfuncName> = new Set<KfuncName>([
  "bpf_list_push_front_impl",
  "bpf_list_push_back_impl",
  "bpf_list_push_front",
  "bpf_list_push_back",
  "bpf_list_pop_front",
  "bpf_list_pop_back",
  "bpf_list_front",
  "bpf_list_back",
]);

const RBTREE_API: ReadonlySet<KfuncName> = new Set<KfuncName>([
  "bpf_rbtree_add_impl",
  "bpf_rbtree_remove",
  "bpf_rbtree_first",
  "bpf_rbtree_root",
  "bpf_rbtree_left",
  "bpf_rbtree_right",
]);

const ITER_NUM_API: ReadonlySet<KfuncName> = new Set<KfuncName>([
  "bpf_iter_num_new",
  "bpf_iter_num_next",
  "bpf_iter_num_destroy",
]);

/** `is_bpf_list_api_kfunc` */
export function isListApiKfunc(name: KfuncName): boolean {
  return LIST_API.has(name);
}

/** `is_bpf_rbtree_api_kfunc` */
export function isRbtreeApiKfunc(name: KfuncName): boolean {
  return RBTREE_API.has(name);
}

/** `kfunc_spin_allowed`: the kfuncs a program may call while it holds a bpf_spin_lock. */
export function kfuncSpinAllowed(name: KfuncName): boolean {
  return (
    LIST_API.has(name) ||
    RBTREE_API.has(name) ||
    name === "bpf_refcount_acquire_impl" ||
    ITER_NUM_API.has(name)
  );
}

/** The push kfuncs: they take ownership of their node argument. */
export function isGraphInsertKfunc(name: KfuncName): boolean {
  return (
    name === "bpf_list_push_front_impl" ||
    name === "bpf_list_push_back_impl" ||
    name === "bpf_list_push_front" ||
    name === "bpf_list_push_back" ||
    name === "bpf_rbtree_add_impl"
  );
}
