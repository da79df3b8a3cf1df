/*
 * Pushes to a list head nested in a global struct without taking its lock:
 * the verifier names the lock's offset in .data.D, which is where the
 * special-field record puts it ("bpf_spin_lock at off=8 must be held").
 */
#include "common.h"

struct head_nested_inner {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, node);
};

struct head_nested {
	int dummy;
	struct head_nested_inner inner;
};

private(D) struct head_nested ghead_nested;

SEC("tc")
int prog(struct __sk_buff *skb)
{
	struct foo *f = bpf_obj_new(struct foo);

	if (!f)
		return 0;
	bpf_list_push_front(&ghead_nested.inner.head, &f->node);
	return 0;
}
