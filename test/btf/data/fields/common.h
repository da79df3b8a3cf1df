/* Shared by the special-field test programs: each *.bpf.c is one case. */
#include <tsbpf/objects.h>

struct foo {
	struct bpf_list_node node;
	int data;
};

/*
 * Allocates and frees one object of `type`: clang emits BTF only for types
 * the code uses, and a struct that only a contains: tag names would
 * otherwise be missing from the object.
 */
#define KEEP(type)                              \
	do {                                    \
		type *__keep = bpf_obj_new(type); \
		if (__keep)                     \
			bpf_obj_drop(__keep);   \
	} while (0)

char _license[] SEC("license") = "GPL";
