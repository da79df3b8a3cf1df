/* A contains: tag with an empty node field name: BPF_BTF_LOAD fails with EINVAL. */
#include "common.h"

struct holder {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __attribute__((btf_decl_tag("contains:foo:")));
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
