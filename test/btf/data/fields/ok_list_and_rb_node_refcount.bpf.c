/* A bpf_list_node and a bpf_rb_node with a bpf_refcount: accepted. */
#include "common.h"

struct holder {
	struct bpf_list_node lnode;
	struct bpf_rb_node rnode;
	struct bpf_refcount ref;
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
