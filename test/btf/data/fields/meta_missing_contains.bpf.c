/* A list head in a struct without a contains: tag: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head;
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
