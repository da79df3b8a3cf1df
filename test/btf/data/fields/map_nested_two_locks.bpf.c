/* Two bpf_spin_locks reached through two nested structs: the value type itself has no special member, so BPF_BTF_LOAD accepts it and BPF_MAP_CREATE fails with E2BIG. */
#include "common.h"

struct locked_a {
	struct bpf_spin_lock lock;
	int a;
};
struct locked_b {
	struct bpf_spin_lock lock;
	int b;
};
struct value {
	struct locked_a a;
	struct locked_b b;
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
	bpf_spin_lock(&v->a.lock);
	v->a.a++;
	bpf_spin_unlock(&v->a.lock);
	return 0;
}
