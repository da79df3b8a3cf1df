/* A struct that holds a referenced kptr to its own type: BPF_BTF_LOAD fails with ELOOP. */
#include "common.h"

struct self {
	struct bpf_list_node node;
	struct self __kptr *next;
};

SEC("tc")
int prog(struct __sk_buff *skb)
{
	KEEP(struct foo);
	KEEP(struct self);
	return 0;
}
