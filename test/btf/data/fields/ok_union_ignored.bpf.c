/*
 * Special fields are looked for in structs only: inside a union member a
 * bpf_spin_lock and a bpf_refcount sharing bytes are ordinary data, and a
 * union of them is no special type either. Accepted.
 */
#include "common.h"

struct holder {
	struct bpf_list_node node;
	union {
		struct bpf_spin_lock lock;
		struct bpf_refcount ref;
	};
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct holder);
	return 0;
}
