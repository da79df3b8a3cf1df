/* Eleven special fields in one struct: accepted. */
#include "common.h"

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head heads[10] __contains(foo, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
