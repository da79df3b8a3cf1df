/* A root-only struct holding a node-and-root struct that holds node-only objects: accepted. */
#include "common.h"

struct middle {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, node);
};
struct top {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(middle, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct middle);
	KEEP(struct top);
	return 0;
}
