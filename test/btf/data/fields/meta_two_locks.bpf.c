/* Two bpf_spin_locks in one struct: BPF_BTF_LOAD fails with E2BIG. */
#include "common.h"

struct holder {
	struct bpf_spin_lock a;
	struct bpf_spin_lock b;
	struct bpf_list_head head __contains(foo, node);
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
