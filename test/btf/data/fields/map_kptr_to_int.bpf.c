/* A kptr to something other than a struct: BPF_MAP_CREATE fails with EINVAL. */
#include "common.h"

struct value {
	int __kptr *p;
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
