/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tsbpf/objects.h: local objects, linked lists and red-black trees for BPF
 * programs, spelled the way Linux 6.4 and later export them (the `_impl`
 * kfuncs that take a hidden `meta` and `off` argument).
 *
 * Use together with libbpf's <bpf/bpf_helpers.h>:
 *
 *     #include <tsbpf/objects.h>
 *
 *     struct foo { struct bpf_list_node node; int data; };
 *     private(A) struct bpf_spin_lock glock;
 *     private(A) struct bpf_list_head ghead __contains(foo, node);
 *
 *     struct foo *f = bpf_obj_new(struct foo);
 *     if (!f) return 0;
 *     bpf_spin_lock(&glock);
 *     bpf_list_push_front(&ghead, &f->node);
 *     bpf_spin_unlock(&glock);
 *
 * Programs written for the first version of this interface (the 2022 design,
 * where the list kfuncs took two arguments and returned nothing) include
 * <tsbpf/objects_2022.h> instead. The two headers declare the same names with
 * different types, so a translation unit includes exactly one of them.
 */
#ifndef TSBPF_OBJECTS_H
#define TSBPF_OBJECTS_H

#ifdef TSBPF_OBJECTS_2022_H
#error "include either <tsbpf/objects.h> or <tsbpf/objects_2022.h>, not both"
#endif

/*
 * A program built on a generated vmlinux.h (which defines __VMLINUX_H__)
 * already has every kernel type, the graph types included, at the running
 * kernel's sizes; the uapi headers would clash with it.
 */
#ifdef __VMLINUX_H__
#define TSBPF_UAPI_HAS_GRAPH_TYPES 1
#else
#include <stdbool.h>
#include <linux/types.h>
#include <linux/version.h>
#include <linux/bpf.h>
#endif
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * The graph types. The verifier recognises them by struct name and size, so
 * a wrong size silently turns a list node into an ordinary field. Their uapi
 * definitions appeared in Linux 6.2 (list head and node, 16 bytes each) and
 * took their current sizes in 6.4, when nodes gained an owner pointer
 * (`bpf_list_node` 24 bytes, `bpf_rb_node` 32) and `bpf_refcount` was added.
 * Distributions commonly ship older uapi headers than the kernel they run
 * (Debian 12: 6.1, which has none of these), so they are defined here unless
 * <linux/bpf.h> is recent enough. Define TSBPF_UAPI_HAS_GRAPH_TYPES before
 * including this header to force the uapi definitions.
 */
#if !defined(TSBPF_UAPI_HAS_GRAPH_TYPES) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define TSBPF_UAPI_HAS_GRAPH_TYPES 1
#endif

#ifndef TSBPF_UAPI_HAS_GRAPH_TYPES
struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

struct bpf_rb_root {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_rb_node {
	__u64 __opaque[4];
} __attribute__((aligned(8)));

struct bpf_refcount {
	__u32 __opaque[1];
} __attribute__((aligned(4)));
#endif

_Static_assert(sizeof(struct bpf_spin_lock) == 4, "struct bpf_spin_lock must be 4 bytes");
_Static_assert(sizeof(struct bpf_list_head) == 16, "struct bpf_list_head must be 16 bytes");
_Static_assert(sizeof(struct bpf_list_node) == 24,
	       "struct bpf_list_node must be 24 bytes (Linux 6.4+); old uapi headers have 16");
_Static_assert(sizeof(struct bpf_rb_root) == 16, "struct bpf_rb_root must be 16 bytes");
_Static_assert(sizeof(struct bpf_rb_node) == 32, "struct bpf_rb_node must be 32 bytes");
_Static_assert(sizeof(struct bpf_refcount) == 4, "struct bpf_refcount must be 4 bytes");

#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

/*
 * `contains:<struct>:<node field>` on a list head or tree root tells the
 * verifier which objects it holds. Put it after the member or global variable.
 */
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))

/*
 * Global data in its own section `.data.<name>`: libbpf makes each such
 * section a one-value array map, so a lock and a list head declared with the
 * same name share one allocation, which the verifier requires. Hidden so the
 * section is not exposed to user space through a skeleton.
 */
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

#ifndef container_of
#define container_of(ptr, type, member)                                                   \
	({                                                                                \
		void *__tsbpf_mptr = (void *)(ptr);                                       \
		((type *)(__tsbpf_mptr - __builtin_offsetof(type, member)));              \
	})
#endif

/* ---- allocation ----------------------------------------------------------- */

/*
 * Allocates a zeroed object of the program-BTF struct whose local type id is
 * `local_type_id`; NULL when out of memory. The result is an owning
 * reference: push it, stash it or drop it before the program exits.
 */
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;

/* Frees an owning reference, first dropping everything its lists and trees hold. */
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;

/* Per-CPU flavour (Linux 6.6+): weak so older kernels load programs that never reach it. */
extern void *bpf_percpu_obj_new_impl(__u64 local_type_id, void *meta) __ksym __weak;
extern void bpf_percpu_obj_drop_impl(void *kptr, void *meta) __ksym __weak;

/* Takes another owning reference to an object whose struct has a `bpf_refcount`. */
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;

/*
 * The type id is a CO-RE "local type id" relocation: the loader, not the
 * compiler, fills in the id of `type` in the program's own BTF.
 */
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_percpu_obj_new(type) ((type *)bpf_percpu_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_percpu_obj_drop(kptr) bpf_percpu_obj_drop_impl(kptr, NULL)
#define bpf_refcount_acquire(kptr) bpf_refcount_acquire_impl(kptr, NULL)

/* ---- linked lists ---------------------------------------------------------- */

/*
 * Links `node` at the front (back) of `head`; the caller holds the lock that
 * shares an allocation with `head`. Returns 0, or -EINVAL when the node
 * already belongs to a list or tree (the object is then dropped). Either way
 * the caller's reference becomes non-owning. `meta` and `off` are filled in by
 * the verifier: pass NULL and 0.
 */
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node,
				    void *meta, __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node,
				   void *meta, __u64 off) __ksym;

#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, NULL, 0)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)

/* Unlinks and returns the first (last) node as an owning reference; NULL when empty. */
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;

/* Peeks at the first (last) node without unlinking it (Linux 6.16+): non-owning, may be NULL. */
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym __weak;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym __weak;

/* ---- red-black trees -------------------------------------------------------- */

/*
 * Inserts `node` ordered by `less`, which must be a static function of the
 * program. Return value and ownership as for the list pushes.
 */
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       bool (*less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
			       void *meta, __u64 off) __ksym;

#define bpf_rbtree_add(root, node, less) bpf_rbtree_add_impl(root, node, less, NULL, 0)

/* Removes a node found through this tree; returns it as an owning reference, or NULL. */
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;

/* Leftmost node (non-owning), NULL when empty. */
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;

/* Tree walking (Linux 6.16+). */
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym __weak;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym __weak;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym __weak;

#endif /* TSBPF_OBJECTS_H */
