/* A struct that is both node and root holding a struct that is also a root (no cycle): BPF_BTF_LOAD fails with ELOOP. */
#include "common.h"

struct inner {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, node);
};
struct outer {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(inner, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct inner);
	KEEP(struct outer);
	return 0;
}
