// SPDX-License-Identifier: GPL-2.0
/*
 * Helper calls the kernel accepts or refuses depending on the program type.
 * Programs named PREFIX_ok_* must pass, PREFIX_no_ID_* must fail with
 * "program of this type cannot use helper", PREFIX_bad_ID with "invalid
 * func"; the prefix names the program type (see helper-protos.test.ts).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* a call of helper ID with r1 = ctx and the other argument registers zero */
#define RAW_CALL(prefix, kind, sec, id)                                         \
	SEC(sec) __attribute__((naked)) int prefix##_##kind##_##id(void)        \
	{                                                                       \
		asm volatile("r2 = 0; r3 = 0; r4 = 0; r5 = 0;"                  \
			     "call " #id ";"                                    \
			     "r0 = 0;"                                          \
			     "exit;" ::: "memory");                             \
	}

RAW_CALL(tc, no, "tc", 4)                    /* probe_read: tracing only */
RAW_CALL(tc, no, "tc", 44)                   /* xdp_adjust_head */
RAW_CALL(tc, no, "tc", 27)                   /* get_stackid */
RAW_CALL(xdp, no, "xdp", 26)                 /* skb_load_bytes */
RAW_CALL(xdp, no, "xdp", 9)                  /* skb_store_bytes */
RAW_CALL(xdp, no, "xdp", 13)                 /* clone_redirect */
RAW_CALL(kp, no, "kprobe/do_nanosleep", 26)  /* skb_load_bytes */
RAW_CALL(kp, no, "kprobe/do_nanosleep", 51)  /* redirect_map */
RAW_CALL(kp, no, "kprobe/do_nanosleep", 23)  /* redirect */
RAW_CALL(sock, no, "socket", 9)              /* skb_store_bytes */
RAW_CALL(sock, no, "socket", 23)             /* redirect */
RAW_CALL(cgskb, no, "cgroup_skb/ingress", 9) /* skb_store_bytes */
RAW_CALL(tp, no, "tracepoint/syscalls/sys_enter_nanosleep", 44)
RAW_CALL(rawtp, no, "raw_tracepoint/sys_enter", 9)
RAW_CALL(pe, no, "perf_event", 26)
RAW_CALL(tc, bad, "tc", 212)                 /* one past the last helper */
RAW_CALL(xdp, bad, "xdp", 9999)

/* calls that go through */
RAW_CALL(tc, ok, "tc", 5)                    /* ktime_get_ns */
RAW_CALL(xdp, ok, "xdp", 7)                  /* get_prandom_u32 */
RAW_CALL(sock, ok, "socket", 8)              /* get_smp_processor_id */
RAW_CALL(kp, ok, "kprobe/do_nanosleep", 14)  /* get_current_pid_tgid */
RAW_CALL(tc, ok, "tc", 14)                   /* get_current_pid_tgid, in base now */
RAW_CALL(tc, ok, "tc", 19)                   /* skb_vlan_pop(ctx) */
RAW_CALL(tc, ok, "tc", 34)                   /* get_hash_recalc(ctx) */
RAW_CALL(xdp, ok, "xdp", 188)                /* xdp_get_buff_len(ctx) */
RAW_CALL(cgskb, ok, "cgroup_skb/ingress", 79) /* skb_cgroup_id(ctx) */
RAW_CALL(tp, ok, "tracepoint/syscalls/sys_enter_nanosleep", 35) /* get_current_task */
RAW_CALL(rawtp, ok, "raw_tracepoint/sys_enter", 80) /* get_current_cgroup_id */

SEC("tc") int tc_ok_26_load_bytes(struct __sk_buff *skb)
{
	char buf[14];

	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
		return 0;
	return buf[12];
}

SEC("kprobe/do_nanosleep") int kp_ok_16_comm(void *ctx)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	return comm[0];
}

SEC("kprobe/do_nanosleep") int kp_ok_113_probe_read_kernel(void *ctx)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	return v;
}

SEC("xdp") int xdp_ok_6_printk(struct xdp_md *ctx)
{
	static const char fmt[] = "x %d";

	bpf_trace_printk(fmt, sizeof(fmt), ctx->ingress_ifindex);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
