/* A bpf_res_spin_lock in a hash map value, nested one level: accepted. */
#include "common.h"

struct bpf_res_spin_lock {
	__u32 val;
};
struct with_res_lock {
	int x;
	struct bpf_res_spin_lock lock;
};
struct value {
	int y;
	struct with_res_lock inner;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
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
	return 0;
}
