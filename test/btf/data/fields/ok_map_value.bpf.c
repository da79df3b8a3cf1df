/* A lock and a list head in a hash map value: accepted. */
#include "common.h"

struct map_value {
	int key;
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(foo, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct map_value);
} lists SEC(".maps");

SEC("tc")
int prog(struct __sk_buff *skb)
{
	int key = 0;
	struct map_value *v = bpf_map_lookup_elem(&lists, &key);
	struct foo *f;

	if (!v)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_list_push_front(&v->head, &f->node);
	bpf_spin_unlock(&v->lock);
	return 0;
}
