/* A bpf_spin_lock and a bpf_res_spin_lock in one value (through nested structs): BPF_MAP_CREATE fails with EINVAL. */
#include "common.h"

struct bpf_res_spin_lock {
	__u32 val;
};
struct with_lock {
	struct bpf_spin_lock lock;
};
struct with_res_lock {
	struct bpf_res_spin_lock lock;
};
struct value {
	struct with_lock a;
	struct with_res_lock b;
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
