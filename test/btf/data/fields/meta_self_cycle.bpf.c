/* A struct that is a node and holds a list of its own type: BPF_BTF_LOAD fails with ELOOP. */
#include "common.h"

struct self {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(self, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct self);
	return 0;
}
