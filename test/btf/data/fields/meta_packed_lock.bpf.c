/* A bpf_spin_lock at an unaligned offset is not a special field; a struct whose only special member is that lock gets no record: BPF_BTF_LOAD fails with EFAULT. */
#include "common.h"

struct holder {
	char c;
	struct bpf_spin_lock lock;
} __attribute__((packed));

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct holder);
	return 0;
}
