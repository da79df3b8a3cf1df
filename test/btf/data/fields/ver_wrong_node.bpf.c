/*
 * Pushes a node of another struct onto a head whose contains: tag names
 * struct foo: the verifier quotes the node offset the record resolved.
 */
#include "common.h"

struct bar {
	int data;
	struct bpf_list_node link;
};

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(foo, node);

SEC("tc")
int prog(struct __sk_buff *skb)
{
	struct bar *b = bpf_obj_new(struct bar);

	KEEP(struct foo);
	if (!b)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&ghead, &b->link);
	bpf_spin_unlock(&glock);
	return 0;
}
