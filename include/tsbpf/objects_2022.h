/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tsbpf/objects_2022.h: local objects and linked lists as the first design
 * of the interface (bpf-next, November 2022, released in Linux 6.2) spelled
 * them. Kept so programs written against that interface still build:
 *
 *  - the list pushes are plain two-argument kfuncs that return nothing:
 *        void bpf_list_push_front(struct bpf_list_head *, struct bpf_list_node *)
 *  - `struct bpf_list_node` is 16 bytes (two list pointers, no owner);
 *  - there are no trees, no refcounts, no per-CPU objects, no peeking.
 *
 * Linux 6.4 and later export only the `_impl` pushes and a 24-byte node, so
 * the kernel itself no longer loads such programs; tsbpf accepts them. For
 * the current spelling include <tsbpf/objects.h> instead (never both).
 */
#ifndef TSBPF_OBJECTS_2022_H
#define TSBPF_OBJECTS_2022_H

#ifdef TSBPF_OBJECTS_H
#error "include either <tsbpf/objects.h> or <tsbpf/objects_2022.h>, not both"
#endif

#include <linux/types.h>
#include <linux/version.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * The 2022 layouts. Any uapi <linux/bpf.h> from 6.2 on defines these structs
 * itself (6.2/6.3 with these sizes, 6.4+ with a bigger node), which would
 * clash; the 2022 interface is only buildable against headers that predate it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "<tsbpf/objects_2022.h> needs uapi headers older than Linux 6.2 (they must not define struct bpf_list_node)"
#endif

struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

#ifndef __ksym
#define __ksym __attribute__((section(".ksyms")))
#endif

#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))

/* A `.data.<name>` section: one map value, so a lock and a head declared in it share an allocation. */
#define private(name) SEC(".data." #name) __hidden __attribute__((aligned(8)))

#ifndef container_of
#define container_of(ptr, type, member)                                                   \
	({                                                                                \
		void *__tsbpf_mptr = (void *)(ptr);                                       \
		((type *)(__tsbpf_mptr - __builtin_offsetof(type, member)));              \
	})
#endif

/* Allocation did not change between the designs. */
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;

#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)

/* The pushes cannot fail here: pushing a node that has an owner is a verifier error instead. */
extern void bpf_list_push_front(struct bpf_list_head *head, struct bpf_list_node *node) __ksym;
extern void bpf_list_push_back(struct bpf_list_head *head, struct bpf_list_node *node) __ksym;

extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;

#endif /* TSBPF_OBJECTS_2022_H */
