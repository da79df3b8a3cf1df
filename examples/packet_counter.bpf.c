// SPDX-License-Identifier: GPL-2.0
/*
 * An XDP program that counts packets and bytes per IP protocol in a hash map
 * and drops packets to a configurable UDP port. Build:
 *   clang-19 -O2 -g -target bpf -mcpu=v3 -c packet_counter.bpf.c -o packet_counter.bpf.o
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct proto_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct proto_stats);
} stats_by_proto SEC(".maps");

/* set by the loader before the program runs */
const volatile __u16 blocked_udp_port = 9;

__u64 dropped = 0;

static __noinline void count(__u32 proto, __u64 len)
{
	struct proto_stats *s = bpf_map_lookup_elem(&stats_by_proto, &proto);

	if (s) {
		__sync_fetch_and_add(&s->packets, 1);
		__sync_fetch_and_add(&s->bytes, len);
	} else {
		struct proto_stats fresh = { .packets = 1, .bytes = len };

		bpf_map_update_elem(&stats_by_proto, &proto, &fresh, BPF_NOEXIST);
	}
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	count(ip->protocol, data_end - data);

	if (ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (udp->dest == bpf_htons(blocked_udp_port)) {
		__sync_fetch_and_add(&dropped, 1);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
