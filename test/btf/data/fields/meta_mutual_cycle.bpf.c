/* Two structs that hold lists of each other: BPF_BTF_LOAD fails with ELOOP. */
#include "common.h"

struct b;
struct a {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(b, node);
};
struct b {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(a, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct a);
	KEEP(struct b);
	return 0;
}
