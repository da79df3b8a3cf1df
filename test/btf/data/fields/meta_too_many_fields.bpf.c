/* Twelve special fields in one struct (the kernel keeps at most 11): BPF_BTF_LOAD fails with E2BIG. */
#include "common.h"

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head heads[11] __contains(foo, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
