/* contains: names a node field the struct does not have: BPF_BTF_LOAD fails with ENOENT. */
#include "common.h"

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, link);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
