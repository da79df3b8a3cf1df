/* Every special field kind a hash map value may hold: accepted. */
#include "common.h"

/* Debian's uapi headers predate bpf_wq (Linux 6.10). */
struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct value {
	struct bpf_timer timer;
	struct bpf_wq wq;
	struct foo __kptr *owned;
	struct foo __attribute__((btf_type_tag("kptr_untrusted"))) *borrowed;
	struct foo __attribute__((btf_type_tag("percpu_kptr"))) *percpu;
	struct foo __kptr *many[2];
	struct bpf_refcount ref;
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
