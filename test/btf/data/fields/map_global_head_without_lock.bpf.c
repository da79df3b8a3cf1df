/* A global list head in a section with no bpf_spin_lock: BPF_BTF_LOAD accepts it (a DATASEC is no struct), BPF_MAP_CREATE of .data.A fails with EINVAL. */
#include "common.h"

private(A) struct bpf_list_head ghead __contains(foo, node);
private(B) struct bpf_spin_lock glock;

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
