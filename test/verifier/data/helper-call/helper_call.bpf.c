// SPDX-License-Identifier: GPL-2.0
/*
 * Helper calls checked against their prototypes: one rule per program.
 * Programs named ok_* are accepted by the kernel, bad_* are refused; the
 * expected error lines are recorded from the running kernel (record.sh).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lock_val {
	struct bpf_spin_lock lock;
	int counter;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct lock_val);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, __u64);
} frozen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} inner1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { &inner1 },
};

const char fmt[] = "v=%d\n";

/* ---- map helpers: key and value pointers ---- */

SEC("tc") int ok_lookup(struct __sk_buff *skb)
{
	__u32 key = skb->len;
	__u64 *v = bpf_map_lookup_elem(&hmap, &key);

	return v ? *v : 0;
}

SEC("tc") int ok_update_delete(struct __sk_buff *skb)
{
	__u32 key = skb->mark;
	__u64 val = skb->len;

	bpf_map_update_elem(&hmap, &key, &val, BPF_ANY);
	return bpf_map_delete_elem(&hmap, &key);
}

/* the key may be uninitialised stack: privileged programs may pass it */
SEC("tc") __attribute__((naked)) int ok_lookup_uninit_key(void)
{
	asm volatile("r2 = r10; r2 += -8;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

/* a map value as the key of another lookup */
SEC("tc") int ok_key_from_map_value(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u32 *idx = bpf_map_lookup_elem(&small, &k);
	__u64 *v;

	if (!idx)
		return 0;
	v = bpf_map_lookup_elem(&hmap, idx);
	return v ? *v : 1;
}

/* a key in the packet, after the bounds check */
SEC("tc") int ok_key_in_packet(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u64 *v;

	if (data + 4 > end)
		return 0;
	v = bpf_map_lookup_elem(&hmap, data);
	return v ? 1 : 0;
}

SEC("tc") __attribute__((naked)) int bad_map_arg_scalar(void)
{
	asm volatile("r2 = r10; r2 += -8;"
		     "r1 = 0;"
		     "call 1;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("tc") __attribute__((naked)) int bad_key_is_ctx(void)
{
	asm volatile("r2 = r1;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_key_past_stack(void)
{
	asm volatile("r2 = r10; r2 += -2;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_key_missing(void)
{
	asm volatile("r1 = %[hmap] ll;"
		     "call 1;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

/* a 4-byte map value where the 8-byte value of hmap is expected */
SEC("tc") __attribute__((naked)) int bad_value_too_small(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[small] ll;"
		     "call 1;"
		     "if r0 == 0 goto 1f;"
		     "r3 = r0;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[hmap] ll;"
		     "r4 = 0;"
		     "call 2;"
		     "1: r0 = 0; exit;" :: [hmap]"i"(&hmap), [small]"i"(&small) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_key_in_packet_unchecked(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 76);"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_update_readonly_map(void)
{
	asm volatile("r6 = 0; *(u64 *)(r10 - 8) = r6; *(u64 *)(r10 - 16) = r6;"
		     "r2 = r10; r2 += -8;"
		     "r3 = r10; r3 += -16;"
		     "r1 = %[frozen] ll;"
		     "r4 = 0;"
		     "call 2;"
		     "r0 = 0; exit;" :: [frozen]"i"(&frozen) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_lookup_ringbuf(void)
{
	asm volatile("r2 = r10; r2 += -8;"
		     "r1 = %[rb] ll;"
		     "call 1;"
		     "r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

/* ---- memory and size pairs ---- */

SEC("kprobe/do_nanosleep") int ok_probe_read(void *ctx)
{
	char buf[16];

	bpf_probe_read_kernel(buf, sizeof(buf), ctx);
	return buf[3];
}

SEC("kprobe/do_nanosleep") int ok_comm(void *ctx)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	return comm[0];
}

/* a bounded variable size */
SEC("kprobe/do_nanosleep") __attribute__((naked)) int ok_variable_size(void)
{
	asm volatile("r6 = r1;"
		     "call 7;"
		     "r2 = r0; r2 &= 15;"
		     "r1 = r10; r1 += -16;"
		     "r3 = r6;"
		     "call 113;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_size_negative(void)
{
	asm volatile("r6 = r1;"
		     "call 7;"
		     "r2 = r0; r2 <<= 32; r2 s>>= 32;"
		     "r1 = r10; r1 += -16;"
		     "r3 = r6;"
		     "call 113;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_size_zero(void)
{
	asm volatile("r1 = r10; r1 += -16;"
		     "r2 = 0;"
		     "call 16;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_size_unbounded(void)
{
	asm volatile("r6 = r1;"
		     "call 5;"
		     "r2 = r0;"
		     "r1 = r10; r1 += -16;"
		     "r3 = r6;"
		     "call 113;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_size_past_stack(void)
{
	asm volatile("r3 = r1;"
		     "r1 = r10; r1 += -8;"
		     "r2 = 16;"
		     "call 113;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_size_var_too_big(void)
{
	asm volatile("r6 = r1;"
		     "call 7;"
		     "r2 = r0; r2 &= 31;"
		     "r1 = r10; r1 += -16;"
		     "r3 = r6;"
		     "call 113;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_mem_is_ctx(void)
{
	asm volatile("r2 = 8;"
		     "call 16;"
		     "r0 = 0; exit;" ::: "memory");
}

/* the map value of the read-only map cannot be written by a helper */
SEC("kprobe/do_nanosleep") __attribute__((naked)) int bad_write_into_frozen(void)
{
	asm volatile("r6 = r1;"
		     "r7 = 0; *(u32 *)(r10 - 4) = r7;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[frozen] ll;"
		     "call 1;"
		     "if r0 == 0 goto 1f;"
		     "r1 = r0;"
		     "r2 = 8;"
		     "call 16;"
		     "1: r0 = 0; exit;" :: [frozen]"i"(&frozen) : "memory");
}

/* a read-only string from .rodata */
SEC("kprobe/do_nanosleep") int ok_trace_printk(void *ctx)
{
	bpf_trace_printk(fmt, sizeof(fmt), 1);
	return 0;
}

/* csum_diff takes NULL with a zero size */
SEC("tc") __attribute__((naked)) int ok_csum_diff_null(void)
{
	asm volatile("r1 = 0; r2 = 0;"
		     "r6 = 0; *(u64 *)(r10 - 8) = r6;"
		     "r3 = r10; r3 += -8;"
		     "r4 = 8; r5 = 0;"
		     "call 28;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("tc") __attribute__((naked)) int bad_csum_diff_null_sized(void)
{
	asm volatile("r1 = 0; r2 = 4;"
		     "r6 = 0; *(u64 *)(r10 - 8) = r6;"
		     "r3 = r10; r3 += -8;"
		     "r4 = 8; r5 = 0;"
		     "call 28;"
		     "r0 = 0; exit;" ::: "memory");
}

/* skb_store_bytes may not read the packet directly */
SEC("tc") __attribute__((naked)) int bad_packet_not_allowed(void)
{
	asm volatile("r6 = r1;"
		     "r3 = *(u32 *)(r6 + 76);"
		     "r2 = *(u32 *)(r6 + 80);"
		     "r4 = r3; r4 += 8;"
		     "if r4 > r2 goto 1f;"
		     "r1 = r6; r2 = 0; r4 = 8; r5 = 0;"
		     "call 9;"
		     "1: r0 = 0; exit;" ::: "memory");
}

/* ---- context arguments ---- */

SEC("tc") int ok_skb_load_bytes(struct __sk_buff *skb)
{
	char buf[14];

	if (bpf_skb_load_bytes(skb, 0, buf, sizeof(buf)))
		return 0;
	return buf[12];
}

SEC("tc") __attribute__((naked)) int bad_ctx_is_stack(void)
{
	asm volatile("r1 = r10; r1 += -16;"
		     "r2 = 0;"
		     "r3 = r10; r3 += -16;"
		     "r4 = 8;"
		     "call 26;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("tc") __attribute__((naked)) int bad_ctx_modified(void)
{
	asm volatile("r1 += 4;"
		     "r2 = 0;"
		     "r3 = r10; r3 += -16;"
		     "r4 = 8;"
		     "call 26;"
		     "r0 = 0; exit;" ::: "memory");
}

/* ARG_ANYTHING takes pointers from a privileged program */
SEC("tc") __attribute__((naked)) int ok_anything_pointer(void)
{
	asm volatile("r1 = r10; r2 = 0;"
		     "call 23;"
		     "exit;" ::: "memory");
}

SEC("tc") int ok_perf_event_output(struct __sk_buff *skb)
{
	__u64 v = skb->len;

	bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
	return 0;
}

SEC("tc") __attribute__((naked)) int bad_perf_output_hash(void)
{
	asm volatile("r6 = 0; *(u64 *)(r10 - 8) = r6;"
		     "r2 = %[hmap] ll;"
		     "r3 = 0;"
		     "r4 = r10; r4 += -8;"
		     "r5 = 8;"
		     "call 25;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

/* ---- unknown and forbidden helpers ---- */

SEC("tc") __attribute__((naked)) int bad_unknown_helper(void)
{
	asm volatile("call 9999; r0 = 0; exit;" ::: "memory");
}

SEC("xdp") __attribute__((naked)) int bad_helper_for_type(void)
{
	asm volatile("r2 = 0; r3 = r10; r3 += -8; r4 = 8;"
		     "call 26;"
		     "r0 = 0; exit;" ::: "memory");
}

/* ---- what a call leaves in the registers ---- */

SEC("tc") __attribute__((naked)) int bad_arg_reg_after_call(void)
{
	asm volatile("call 7;"
		     "r0 = r1;"
		     "exit;" ::: "memory");
}

SEC("tc") __attribute__((naked)) int ok_callee_saved_kept(void)
{
	asm volatile("r6 = r1;"
		     "call 7;"
		     "r0 = *(u32 *)(r6 + 0);"
		     "exit;" ::: "memory");
}

SEC("tc") __attribute__((naked)) int bad_lookup_result_unchecked(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "r0 = *(u64 *)(r0 + 0);"
		     "exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_lookup_value_oob(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "if r0 == 0 goto 1f;"
		     "r0 = *(u64 *)(r0 + 4);"
		     "1: exit;" :: [hmap]"i"(&hmap) : "memory");
}

/* ---- ring buffer references ---- */

SEC("tc") int ok_ringbuf_submit(struct __sk_buff *skb)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	*e = skb->len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tc") int ok_ringbuf_discard(struct __sk_buff *skb)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);

	if (!e)
		return 0;
	bpf_ringbuf_discard(e, 0);
	return 1;
}

SEC("tc") int ok_ringbuf_output(struct __sk_buff *skb)
{
	__u64 v = skb->len;

	return bpf_ringbuf_output(&rb, &v, sizeof(v), 0);
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_leak(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r1 = 7; *(u64 *)(r0 + 0) = r1;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_unchecked_submit(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8; r3 = 0;"
		     "call 131;"
		     "r1 = r0; r2 = 0;"
		     "call 132;"
		     "r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_double_submit(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r6 = r0;"
		     "r1 = r6; r2 = 0;"
		     "call 132;"
		     "r1 = r6; r2 = 0;"
		     "call 132;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_submit_offset(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 16; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r1 = r0; r1 += 8; r2 = 0;"
		     "call 132;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_submit_map_value(void)
{
	asm volatile("r6 = 0; *(u32 *)(r10 - 4) = r6;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "if r0 == 0 goto 1f;"
		     "r1 = r0; r2 = 0;"
		     "call 132;"
		     "1: r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_size_unknown(void)
{
	asm volatile("r6 = *(u32 *)(r1 + 0);"
		     "r1 = %[rb] ll;"
		     "r2 = r6; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r1 = r0; r2 = 0;"
		     "call 133;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_ringbuf_write_past_end(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r1 = 7; *(u64 *)(r0 + 4) = r1;"
		     "r1 = r0; r2 = 0;"
		     "call 133;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_void_result_read(void)
{
	asm volatile("r1 = %[rb] ll;"
		     "r2 = 8; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r1 = r0; r2 = 0;"
		     "call 132;"
		     "exit;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb) : "memory");
}

/* ---- tail calls ---- */

SEC("tc") int ok_tail_call(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &progs, 1);
	return 0;
}

SEC("tc") __attribute__((naked)) int bad_tail_call_hash(void)
{
	asm volatile("r2 = %[hmap] ll;"
		     "r3 = 0;"
		     "call 12;"
		     "r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_tail_call_with_ref(void)
{
	asm volatile("r6 = r1;"
		     "r1 = %[rb] ll;"
		     "r2 = 8; r3 = 0;"
		     "call 131;"
		     "if r0 == 0 goto 1f;"
		     "r7 = r0;"
		     "r1 = r6;"
		     "r2 = %[progs] ll;"
		     "r3 = 0;"
		     "call 12;"
		     "r1 = r7; r2 = 0;"
		     "call 133;"
		     "1: r0 = 0; exit;" :: [rb]"i"(&rb), [progs]"i"(&progs) : "memory");
}

/* ---- spin locks ---- */

SEC("tc") int ok_spin_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct lock_val *v = bpf_map_lookup_elem(&locked, &k);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->counter++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

#define LOOKUP_LOCKED(reg_)                                                    \
	"r1 = 0; *(u32 *)(r10 - 4) = r1;"                                       \
	"r2 = r10; r2 += -4;"                                                   \
	"r1 = %[locked] ll;"                                                    \
	"call 1;"                                                               \
	"if r0 == 0 goto 9f;"                                                   \
	reg_ " = r0;"

SEC("tc") __attribute__((naked)) int bad_lock_twice(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     "r1 = r6; call 93;"
		     "r1 = r6; call 93;"
		     "r1 = r6; call 94;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_unlock_unlocked(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     "r1 = r6; call 94;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_unlock_other(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     LOOKUP_LOCKED("r7")
		     "r1 = r6; call 93;"
		     "r1 = r7; call 94;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_call_under_lock(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     "r1 = r6; call 93;"
		     "call 7;"
		     "r1 = r6; call 94;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_exit_under_lock(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     "r1 = r6; call 93;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_lock_wrong_offset(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     "r1 = r6; r1 += 4; call 93;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_lock_no_lock_in_map(void)
{
	asm volatile("r1 = 0; *(u32 *)(r10 - 4) = r1;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[hmap] ll;"
		     "call 1;"
		     "if r0 == 0 goto 9f;"
		     "r1 = r0; call 93;"
		     "9: r0 = 0; exit;" :: [hmap]"i"(&hmap) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_lock_stack(void)
{
	asm volatile("r1 = r10; r1 += -8; call 93;"
		     "r0 = 0; exit;" ::: "memory");
}

SEC("tc") __attribute__((naked)) int ok_lock_unlock_copy(void)
{
	asm volatile(LOOKUP_LOCKED("r6")
		     "r7 = r6;"
		     "r1 = r6; call 93;"
		     "r1 = r7; call 94;"
		     "9: r0 = 0; exit;" :: [locked]"i"(&locked) : "memory");
}

/* ---- map in map ---- */

SEC("tc") int ok_map_in_map(struct __sk_buff *skb)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	__u64 *v;

	if (!in)
		return 0;
	v = bpf_map_lookup_elem(in, &k);
	return v ? *v : 0;
}

SEC("tc") __attribute__((naked)) int bad_map_in_map_value_oob(void)
{
	asm volatile("r1 = 0; *(u32 *)(r10 - 4) = r1;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[outer] ll;"
		     "call 1;"
		     "if r0 == 0 goto 9f;"
		     "r1 = r0;"
		     "r2 = r10; r2 += -4;"
		     "call 1;"
		     "if r0 == 0 goto 9f;"
		     "r0 = *(u32 *)(r0 + 8);"
		     "9: r0 = 0; exit;" :: [outer]"i"(&outer) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_map_in_map_unchecked(void)
{
	asm volatile("r1 = 0; *(u32 *)(r10 - 4) = r1;"
		     "r2 = r10; r2 += -4;"
		     "r1 = %[outer] ll;"
		     "call 1;"
		     "r1 = r0;"
		     "r2 = r10; r2 += -4;"
		     "call 1;"
		     "r0 = 0; exit;" :: [outer]"i"(&outer) : "memory");
}

SEC("tc") __attribute__((naked)) int bad_update_outer_map(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1;"
		     "r2 = r10; r2 += -8;"
		     "r3 = r10; r3 += -16;"
		     "r1 = %[outer] ll;"
		     "r4 = 0;"
		     "call 2;"
		     "r0 = 0; exit;" :: [outer]"i"(&outer) : "memory");
}

/* ---- bpf_loop callbacks ---- */

static int count_cb(__u32 index, void *ctx)
{
	__u64 *sum = ctx;

	*sum += index;
	return 0;
}

SEC("tc") int ok_loop(struct __sk_buff *skb)
{
	__u64 sum = 0;

	bpf_loop(4, count_cb, &sum, 0);
	return sum;
}

SEC("tc") __attribute__((naked)) int bad_loop_not_func(void)
{
	asm volatile("r1 = 4; r2 = 0; r3 = 0; r4 = 0;"
		     "call 181;"
		     "r0 = 0; exit;" ::: "memory");
}

static __attribute__((noinline, used)) int bad_ret_cb(__u32 index, void *ctx)
{
	return 2;
}

SEC("tc") int bad_loop_callback_ret(struct __sk_buff *skb)
{
	bpf_loop(4, bad_ret_cb, 0, 0);
	return 0;
}

static __attribute__((noinline, used)) int deref_cb(__u32 index, void *ctx)
{
	return *(int *)ctx;
}

SEC("tc") int bad_loop_callback_null_ctx(struct __sk_buff *skb)
{
	bpf_loop(4, deref_cb, 0, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
