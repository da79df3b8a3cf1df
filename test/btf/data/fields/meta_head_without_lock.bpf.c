/* A list head in a struct with no bpf_spin_lock: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct holder {
	int data;
	struct bpf_list_head head __contains(foo, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
