/* A list head whose contains: names a bpf_rb_node: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct tnode {
	struct bpf_rb_node node;
	int data;
};
struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(tnode, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct tnode);
	KEEP(struct holder);
	return 0;
}
