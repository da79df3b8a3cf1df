/* Two bpf_spin_locks in one global data section: BPF_MAP_CREATE of .data.A fails with E2BIG. */
#include "common.h"

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_spin_lock glock2;
private(A) struct bpf_list_head ghead __contains(foo, node);

SEC("tc")
int prog(struct __sk_buff *skb)
{
	struct foo *f = bpf_obj_new(struct foo);

	if (!f)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &f->node);
	bpf_spin_unlock(&glock);
	return 0;
}
