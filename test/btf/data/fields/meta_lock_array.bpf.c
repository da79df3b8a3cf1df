/* An array of bpf_spin_locks: BPF_BTF_LOAD fails with EINVAL (only kptrs and graph roots repeat). */
#include "common.h"

struct holder {
	struct bpf_spin_lock locks[2];
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
