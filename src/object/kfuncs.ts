/**
 * tsbpf's kfunc table. The kernel identifies a kfunc by its BTF id in vmlinux,
 * which differs from build to build; tsbpf has no vmlinux, so it assigns its
 * own stable ids here. The loader resolves `.ksyms` externs through this
 * table, the disassembler prints `call name#id`, and the verifier and runtime
 * look their behaviour up by id.
 *
 * The 2022 design's list kfuncs (`bpf_list_push_front(head, node)`) and
 * today's `_impl` spellings are separate entries: their prototypes differ.
 */
const KFUNC_NAMES = [
  "bpf_obj_new_impl",
  "bpf_obj_drop_impl",
  "bpf_percpu_obj_new_impl",
  "bpf_percpu_obj_drop_impl",
  "bpf_refcount_acquire_impl",
  "bpf_list_push_front_impl",
  "bpf_list_push_back_impl",
  "bpf_list_push_front",
  "bpf_list_push_back",
  "bpf_list_pop_front",
  "bpf_list_pop_back",
  "bpf_list_front",
  "bpf_list_back",
  "bpf_rbtree_add_impl",
  "bpf_rbtree_add",
  "bpf_rbtree_remove",
  "bpf_rbtree_first",
  "bpf_rbtree_root",
  "bpf_rbtree_left",
  "bpf_rbtree_right",
  "bpf_iter_num_new",
  "bpf_iter_num_next",
  "bpf_iter_num_destroy",
  "bpf_cast_to_kern_ctx",
  "bpf_rdonly_cast",
  "bpf_rcu_read_lock",
  "bpf_rcu_read_unlock",
] as const;

export type KfuncName = (typeof KFUNC_NAMES)[number];

/** First id handed out; far from 0 so a kfunc id is never mistaken for a helper id. */
const FIRST_KFUNC_ID = 1000;

const idByName = new Map<string, number>(KFUNC_NAMES.map((name, i) => [name, FIRST_KFUNC_ID + i]));

/** The tsbpf id of a kfunc, or undefined when tsbpf does not know it. */
export function kfuncId(name: string): number | undefined {
  return idByName.get(name);
}

/** The name of a kfunc id, or undefined for an id tsbpf never handed out. */
export function kfuncName(id: number): KfuncName | undefined {
  return KFUNC_NAMES[id - FIRST_KFUNC_ID];
}

export function knownKfuncs(): readonly KfuncName[] {
  return KFUNC_NAMES;
}
