/* A pointer member with a type tag other than kptr, kptr_untrusted, percpu_kptr or uptr: BPF_MAP_CREATE fails with EINVAL. */
#include "common.h"

struct value {
	struct foo __attribute__((btf_type_tag("owned"))) *p;
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
