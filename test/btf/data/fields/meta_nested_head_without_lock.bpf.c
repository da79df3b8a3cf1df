/*
 * List heads in an array of structs, the lock outside them: the inner struct
 * has a list head as a direct member and no lock of its own, so BPF_BTF_LOAD
 * fails with EINVAL even though the map value as a whole has a lock.
 */
#include "common.h"

struct bucket {
	struct bpf_list_head head __contains(foo, node);
};

struct value {
	struct bpf_spin_lock lock;
	struct bucket buckets[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct value);
} values SEC(".maps");

SEC("tc")
int prog(struct __sk_buff *skb)
{
	int key = 0;
	struct value *v = bpf_map_lookup_elem(&values, &key);
	struct foo *f;

	if (!v)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_list_push_front(&v->buckets[1].head, &f->node);
	bpf_spin_unlock(&v->lock);
	return 0;
}
