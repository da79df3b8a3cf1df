/* A bpf_list_node and a bpf_rb_node without a bpf_refcount: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct holder {
	struct bpf_list_node lnode;
	struct bpf_rb_node rnode;
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
