// SPDX-License-Identifier: GPL-2.0
/*
 * One context access per program, written in BPF assembly so the offset and
 * size are exactly the ones named: PREFIX_r_OFF_SIZE loads, PREFIX_w_OFF_SIZE
 * stores. The prefix names the program type (see ctx.test.ts).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LOAD(prefix, sec, off, size)                                            \
	SEC(sec) __attribute__((naked)) int prefix##_r_##off##_##size(void)     \
	{                                                                       \
		asm volatile("r2 = *(u" #size " *)(r1 + " #off ");"             \
			     "r0 = 0;"                                          \
			     "exit;" ::: "memory");                             \
	}

#define STORE(prefix, sec, off, size)                                           \
	SEC(sec) __attribute__((naked)) int prefix##_w_##off##_##size(void)     \
	{                                                                       \
		asm volatile("r2 = 0;"                                          \
			     "*(u" #size " *)(r1 + " #off ") = r2;"             \
			     "r0 = 0;"                                          \
			     "exit;" ::: "memory");                             \
	}

/* sched_cls: __sk_buff */
LOAD(tc, "tc", 0, 32)          /* len */
LOAD(tc, "tc", 0, 8)           /* len is a u32 */
LOAD(tc, "tc", 2, 16)          /* narrow load, upper half */
LOAD(tc, "tc", 3, 8)           /* narrow load, last byte */
LOAD(tc, "tc", 2, 32)          /* misaligned */
LOAD(tc, "tc", 76, 32)         /* data */
LOAD(tc, "tc", 76, 16)         /* data, narrow: refused */
LOAD(tc, "tc", 80, 32)         /* data_end */
LOAD(tc, "tc", 140, 32)        /* data_meta */
LOAD(tc, "tc", 144, 64)        /* flow_keys */
LOAD(tc, "tc", 168, 64)        /* sk */
LOAD(tc, "tc", 168, 32)        /* sk, half */
LOAD(tc, "tc", 152, 64)        /* tstamp */
LOAD(tc, "tc", 180, 8)         /* tstamp_type */
LOAD(tc, "tc", 181, 8)         /* padding */
LOAD(tc, "tc", 184, 64)        /* hwtstamp */
LOAD(tc, "tc", 192, 32)        /* past the end */
LOAD(tc, "tc", 88, 32)         /* family: sk_skb only */
LOAD(tc, "tc", 48, 64)         /* cb[0..1] as a u64 */
STORE(tc, "tc", 8, 32)         /* mark */
STORE(tc, "tc", 8, 16)         /* mark, narrow store */
STORE(tc, "tc", 0, 32)         /* len is read only */
STORE(tc, "tc", 12, 32)        /* queue_mapping */
STORE(tc, "tc", 44, 32)        /* tc_index */
STORE(tc, "tc", 72, 32)        /* tc_classid */
STORE(tc, "tc", 64, 32)        /* cb[4] */
STORE(tc, "tc", 64, 64)        /* past cb[4] */
STORE(tc, "tc", 76, 32)        /* data is read only */

/* socket_filter */
LOAD(sock, "socket", 76, 32)   /* no packet pointers */
LOAD(sock, "socket", 72, 32)   /* tc_classid */
LOAD(sock, "socket", 0, 32)
STORE(sock, "socket", 8, 32)   /* mark is read only here */
STORE(sock, "socket", 52, 32)  /* cb[1] */

/* cgroup_skb */
LOAD(cgskb, "cgroup_skb/ingress", 76, 32)
LOAD(cgskb, "cgroup_skb/ingress", 140, 32)   /* data_meta */
STORE(cgskb, "cgroup_skb/ingress", 32, 32)   /* priority */
STORE(cgskb, "cgroup_skb/ingress", 44, 32)   /* tc_index */
STORE(cgskb, "cgroup_skb/ingress", 152, 64)  /* tstamp */

/* sk_skb */
LOAD(skskb, "sk_skb/stream_verdict", 88, 32)  /* family */
LOAD(skskb, "sk_skb/stream_verdict", 8, 32)   /* mark */
LOAD(skskb, "sk_skb/stream_verdict", 100, 16) /* remote_ip6: whole words only */
STORE(skskb, "sk_skb/stream_verdict", 44, 32) /* tc_index */

/* lwt */
LOAD(lwt, "lwt_in", 76, 32)
STORE(lwt, "lwt_xmit", 44, 32)   /* tc_index */

/* flow_dissector */
LOAD(flow, "flow_dissector", 144, 64)  /* flow_keys */
LOAD(flow, "flow_dissector", 0, 32)    /* len */

/* xdp: xdp_md */
LOAD(xdp, "xdp", 0, 32)        /* data */
LOAD(xdp, "xdp", 4, 32)        /* data_end */
LOAD(xdp, "xdp", 8, 32)        /* data_meta */
LOAD(xdp, "xdp", 12, 32)       /* ingress_ifindex */
LOAD(xdp, "xdp", 12, 16)       /* narrow */
LOAD(xdp, "xdp", 0, 64)
LOAD(xdp, "xdp", 20, 32)       /* egress_ifindex: devmap programs only */
LOAD(xdp, "xdp", 24, 32)       /* past the end */
STORE(xdp, "xdp", 16, 32)      /* rx_queue_index */

/* kprobe: pt_regs */
LOAD(kp, "kprobe/do_nanosleep", 0, 64)
LOAD(kp, "kprobe/do_nanosleep", 160, 64)
LOAD(kp, "kprobe/do_nanosleep", 164, 32)
LOAD(kp, "kprobe/do_nanosleep", 168, 8)
LOAD(kp, "kprobe/do_nanosleep", 4, 64)
STORE(kp, "kprobe/do_nanosleep", 0, 64)

/* tracepoint: the record after its 8-byte common header */
LOAD(tp, "tracepoint/syscalls/sys_enter_nanosleep", 0, 64)
LOAD(tp, "tracepoint/syscalls/sys_enter_nanosleep", 8, 64)
LOAD(tp, "tracepoint/syscalls/sys_enter_nanosleep", 16, 32)
LOAD(tp, "tracepoint/syscalls/sys_enter_nanosleep", 2048, 64)
LOAD(tp, "tracepoint/syscalls/sys_enter_nanosleep", 8184, 64)
LOAD(tp, "tracepoint/syscalls/sys_enter_nanosleep", 8192, 8)

/* raw_tracepoint: u64 args[12] */
LOAD(rawtp, "raw_tracepoint/sys_enter", 0, 64)
LOAD(rawtp, "raw_tracepoint/sys_enter", 88, 64)
LOAD(rawtp, "raw_tracepoint/sys_enter", 96, 64)
LOAD(rawtp, "raw_tracepoint/sys_enter", 4, 32)

/* perf_event: bpf_perf_event_data */
LOAD(pe, "perf_event", 0, 64)
LOAD(pe, "perf_event", 0, 32)           /* pt_regs fields are whole longs */
LOAD(pe, "perf_event", 168, 32)         /* sample_period, narrow */
LOAD(pe, "perf_event", 176, 64)         /* addr */
LOAD(pe, "perf_event", 184, 64)

/* syscall: any aligned offset */
LOAD(sys, "syscall", 0, 64)
LOAD(sys, "syscall", 1000, 32)
STORE(sys, "syscall", 30000, 16)
LOAD(sys, "syscall", 3, 16)

char LICENSE[] SEC("license") = "GPL";
