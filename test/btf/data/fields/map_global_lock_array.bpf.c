/* An array of bpf_spin_locks as a global: BPF_MAP_CREATE of .data.A fails with EINVAL. */
#include "common.h"

private(A) struct bpf_spin_lock glocks[2];
private(A) struct bpf_list_head ghead __contains(foo, node);

SEC("tc")
int prog(struct __sk_buff *skb)
{
	struct foo *f = bpf_obj_new(struct foo);

	if (!f)
		return 0;
	bpf_spin_lock(&glocks[0]);
	bpf_list_push_front(&ghead, &f->node);
	bpf_spin_unlock(&glocks[0]);
	return 0;
}
