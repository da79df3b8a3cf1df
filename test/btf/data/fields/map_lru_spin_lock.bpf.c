/* A bpf_spin_lock in an LRU hash value: BPF_MAP_CREATE fails with EOPNOTSUPP. */
#include "common.h"

struct value {
	struct bpf_spin_lock lock;
	int counter;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
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
	bpf_spin_lock(&v->lock);
	v->counter++;
	bpf_spin_unlock(&v->lock);
	return 0;
}
