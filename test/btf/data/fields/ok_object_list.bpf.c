/* A list inside an object that is itself on a list: accepted. */
#include "common.h"

struct outer {
	struct bpf_list_node node;
	struct bpf_spin_lock lock;
	struct bpf_list_head inner __contains(foo, node);
};

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(outer, node);

SEC("tc")
int prog(struct __sk_buff *skb)
{
	struct outer *o = bpf_obj_new(struct outer);
	struct foo *f;

	if (!o)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f) {
		bpf_obj_drop(o);
		return 0;
	}
	bpf_spin_lock(&o->lock);
	bpf_list_push_front(&o->inner, &f->node);
	bpf_spin_unlock(&o->lock);
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &o->node);
	bpf_spin_unlock(&glock);
	return 0;
}
