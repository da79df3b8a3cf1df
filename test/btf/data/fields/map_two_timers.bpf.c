/* Two bpf_timers in a map value: BPF_MAP_CREATE fails with E2BIG. */
#include "common.h"

struct value {
	struct bpf_timer a;
	struct bpf_timer b;
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
	return 0;
}
