/* A list head in a per-CPU array value: BPF_MAP_CREATE fails with EOPNOTSUPP. */
#include "common.h"

struct value {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct value);
} values SEC(".maps");

SEC("tc")
int prog(struct __sk_buff *skb)
{
	int key = 0;
	struct value *v = bpf_map_lookup_elem(&values, &key);

	KEEP(struct foo);
	if (!v)
		return 0;
	{
		struct foo *f = bpf_obj_new(struct foo);

		if (!f)
			return 0;
		bpf_spin_lock(&v->lock);
		bpf_list_push_front(&v->head, &f->node);
		bpf_spin_unlock(&v->lock);
	}
	return 0;
}
