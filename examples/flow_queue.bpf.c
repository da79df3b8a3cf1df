// SPDX-License-Identifier: GPL-2.0
/*
 * Per-flow packet queues built from local objects and a BPF linked list.
 *
 * `enqueue` (tc) records each IPv4 packet (length, TTL, arrival order) in an
 * object allocated with bpf_obj_new and appends it to the list of its flow
 * (keyed by source address). The list lives in a hash map value next to the
 * bpf_spin_lock that protects it. `drain_oldest` (syscall) takes the flow's
 * key from its context, pops up to `max_records` of the oldest records, sums
 * their lengths into the context and frees them.
 *
 * The verifier proves that every record has exactly one owner at all times:
 * the program until it is pushed, the list afterwards, the program again
 * after a pop, until bpf_obj_drop.
 */
#include <tsbpf/objects.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>

#define MAX_QUEUED 64

struct record {
	struct bpf_list_node node;
	__u32 len;
	__u32 ttl;
	__u64 seq;
};

struct flow {
	struct bpf_spin_lock lock;
	__u32 queued;
	struct bpf_list_head records __contains(record, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct flow);
} flows SEC(".maps");

__u64 next_seq = 0;
__u64 dropped = 0;

SEC("tc")
int enqueue(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct flow fresh = {}, *f;
	struct record *r;
	__u32 key;
	int full;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0; /* TC_ACT_OK */
	key = ip->saddr;

	f = bpf_map_lookup_elem(&flows, &key);
	if (!f) {
		bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&flows, &key);
		if (!f)
			return 0;
	}

	r = bpf_obj_new(struct record);
	if (!r)
		return 0;
	r->len = skb->len;
	r->ttl = ip->ttl;
	r->seq = __sync_fetch_and_add(&next_seq, 1);

	bpf_spin_lock(&f->lock);
	full = f->queued >= MAX_QUEUED;
	if (!full) {
		bpf_list_push_back(&f->records, &r->node);
		f->queued++;
	}
	bpf_spin_unlock(&f->lock);
	if (full) {
		__sync_fetch_and_add(&dropped, 1);
#ifndef FLOW_QUEUE_LEAK_WHEN_FULL
		bpf_obj_drop(r);
#endif
	}
	return 0;
}

#ifndef FLOW_QUEUE_LEAK_WHEN_FULL
/* The drain request, passed as the syscall program's context. */
struct drain_args {
	__u32 saddr;
	__u32 max_records;
	__u32 drained;
	__u32 bytes;
};

SEC("syscall")
int drain_oldest(struct drain_args *args)
{
	__u32 key = args->saddr;
	struct bpf_list_node *n;
	struct flow *f;
	int i;

	args->drained = 0;
	args->bytes = 0;
	f = bpf_map_lookup_elem(&flows, &key);
	if (!f)
		return -1;
	for (i = 0; i < MAX_QUEUED; i++) {
		struct record *r;

		if (i >= args->max_records)
			break;
		bpf_spin_lock(&f->lock);
		n = bpf_list_pop_front(&f->records);
		if (n)
			f->queued--;
		bpf_spin_unlock(&f->lock);
		if (!n)
			break;
		r = container_of(n, struct record, node);
		args->drained++;
		args->bytes += r->len;
		bpf_obj_drop(r);
	}
	return 0;
}
#endif

char LICENSE[] SEC("license") = "GPL";
