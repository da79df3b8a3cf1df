/*
 * A contains: tag naming a member whose type is a typedef of bpf_list_node:
 * the kernel does not look through typedefs here, so BPF_BTF_LOAD fails with
 * EINVAL.
 */
#include "common.h"

typedef struct bpf_list_node node_t;

struct tfoo {
	node_t node;
	int data;
};

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(tfoo, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct tfoo);
	KEEP(struct holder);
	return 0;
}
