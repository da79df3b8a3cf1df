/* An array of bpf_list_nodes: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct holder {
	struct bpf_list_node nodes[2];
	int data;
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
