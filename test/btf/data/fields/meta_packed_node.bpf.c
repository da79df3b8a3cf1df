/*
 * A contains: tag naming a bpf_list_node at an offset that is not a multiple
 * of 8: BPF_BTF_LOAD fails with EINVAL. (The node's own struct keeps a
 * record through its bpf_refcount; the misaligned node is simply not one of
 * its special fields.)
 */
#include "common.h"

struct pnode {
	struct bpf_refcount ref;
	struct bpf_list_node node;
} __attribute__((packed));

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(pnode, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct pnode);
	KEEP(struct holder);
	return 0;
}
