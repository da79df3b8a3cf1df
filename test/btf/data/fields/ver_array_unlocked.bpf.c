/*
 * Pushes to the second head of a global array of list heads without taking
 * the section's lock: "bpf_spin_lock at off=32 must be held".
 */
#include "common.h"

private(C) struct bpf_spin_lock glock_c;
private(C) struct bpf_list_head ghead_array[2] __contains(foo, node);

SEC("tc")
int prog(struct __sk_buff *skb)
{
	struct foo *f = bpf_obj_new(struct foo);

	if (!f)
		return 0;
	bpf_list_push_front(&ghead_array[1], &f->node);
	return 0;
}
