/*
 * Global lists: a lock and heads in .data.A, an array of heads and a head
 * nested in a struct in .data.C, a struct holding both lock and head in
 * .data.D. Accepted.
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

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(foo, node);
private(C) struct bpf_spin_lock glock_c;
private(C) struct bpf_list_head ghead_array[2] __contains(foo, node);
private(C) struct bpf_list_head ghead_array_one[1] __contains(foo, node);
private(D) struct head_nested ghead_nested;

static int push(struct bpf_list_head *head, struct bpf_spin_lock *lock)
{
	struct foo *f = bpf_obj_new(struct foo);

	if (!f)
		return 0;
	bpf_spin_lock(lock);
	bpf_list_push_back(head, &f->node);
	bpf_spin_unlock(lock);
	return 0;
}

SEC("tc")
int prog(struct __sk_buff *skb)
{
	push(&ghead, &glock);
	push(&ghead_array[1], &glock_c);
	push(&ghead_array_one[0], &glock_c);
	push(&ghead_nested.inner.head, &ghead_nested.inner.lock);
	return 0;
}
