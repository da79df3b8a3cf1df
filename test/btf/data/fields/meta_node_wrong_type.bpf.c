/* contains: names a field that is not a bpf_list_node: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, data);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
