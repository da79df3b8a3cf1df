/* An array of bpf_spin_locks in a map value: BPF_MAP_CREATE fails with EINVAL. */
#include "common.h"

struct value {
	struct bpf_spin_lock locks[2];
	int counter;
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

	KEEP(struct foo);
	if (!v)
		return 0;
	bpf_spin_lock(&v->locks[0]);
	v->counter++;
	bpf_spin_unlock(&v->locks[0]);
	return 0;
}
