/*
 * State pruning, precision tracking, loops and the complexity limits.
 * Programs ending in _reject must be refused with the kernel's message;
 * the others must load with the kernel's statistics (processed
 * instructions, total_states, peak_states, max_states_per_insn).
 * No helper calls, so only the walk, pruning and precision decide the counts.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __naked __attribute__((naked))
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"

char LICENSE[] SEC("license") = "GPL";

/* A constant-bound loop: every iteration is walked; the counter is precise. */
SEC("socket")
int const_bound_loop(struct __sk_buff *skb)
{
	__u32 sum = 0, len = skb->len;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 20; i++)
		sum += len ^ i;
	return sum;
}

/* A loop bounded by data: at most 15 iterations, each with its own bound. */
SEC("socket")
int data_bound_loop(struct __sk_buff *skb)
{
	__u32 n = skb->len & 15, sum = 0;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < n; i++)
		sum += i * skb->mark;
	return sum;
}

/* Nested constant loops. */
SEC("socket")
int nested_loops(struct __sk_buff *skb)
{
	__u32 sum = 0, len = skb->len;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 4; i++) {
#pragma clang loop unroll(disable)
		for (int j = 0; j < 5; j++)
			sum += (len >> i) ^ j;
	}
	return sum;
}

/* Sixteen independent branches: without pruning 65536 paths, with it a few hundred instructions. */
SEC("socket")
int many_branches(struct __sk_buff *skb)
{
	__u32 x = skb->len, r = skb->mark;

#define STEP(bit) \
	if (x & (1u << bit)) \
		r += bit * 3; \
	else \
		r ^= bit;
	STEP(0) STEP(1) STEP(2) STEP(3) STEP(4) STEP(5) STEP(6) STEP(7)
	STEP(8) STEP(9) STEP(10) STEP(11) STEP(12) STEP(13) STEP(14) STEP(15)
	return r;
}

/* A stack spill and fill whose value later decides a branch: precision follows it through the stack. */
SEC("socket")
__naked void spill_fill_precision(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 0);"
		"r7 = *(u32 *)(r1 + 8);"
		"r2 = 3;"
		"if r6 > 100 goto l0_%=;"
		"r2 = 5;"
		"l0_%=: *(u64 *)(r10 - 8) = r2;"
		"r3 = 0;"
		"if r7 > 7 goto l1_%=;"
		"r3 = 1;"
		"l1_%=: r4 = *(u64 *)(r10 - 8);"
		"r0 = 0;"
		"if r4 == 3 goto l2_%=;"
		"r0 = r3;"
		"l2_%=: exit;"
		::: __clobber_all);
}

/* A pointer offset that came through a register copy: the copy's source becomes precise. */
SEC("socket")
__naked void stack_offset_precision(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 0);"
		"r2 = 0;"
		"*(u64 *)(r10 - 8) = r2;"
		"*(u64 *)(r10 - 16) = r2;"
		"r3 = -8;"
		"if r6 > 10 goto l0_%=;"
		"r3 = -16;"
		"l0_%=: r4 = r3;"
		"r5 = r10;"
		"r5 += r4;"
		"r0 = *(u64 *)(r5 + 0);"
		"exit;"
		::: __clobber_all);
}

/* A subprogram writing the caller's stack on one path only: stack liveness across frames. */
static __attribute__((noinline)) int store_if_odd(__u32 *out, __u32 v)
{
	if (v & 1)
		*out = v;
	return v & 1;
}

SEC("socket")
int caller_stack_liveness(struct __sk_buff *skb)
{
	__u32 x = 0, y = 0;
	int a, b;

	a = store_if_odd(&x, skb->len);
	b = store_if_odd(&y, skb->mark);
	return a + b + x + y;
}

/* A loop that comes back to exactly the state it left: infinite loop detected at insn 2. */
SEC("socket")
__naked void infinite_loop_reject(void)
{
	asm volatile(
		"r0 = 0;"
		"r6 = *(u32 *)(r1 + 0);"
		"l0_%=: r1 = r0;"
		"r1 += 1;"
		"r2 = r1;"
		"r3 = r2;"
		"r4 = r3;"
		"r5 = r4;"
		"if r6 > 10 goto l1_%=;"
		"goto l0_%=;"
		"l1_%=: if r6 > 20 goto l0_%=;"
		"exit;"
		::: __clobber_all);
}

/* A counter without a usable bound: the walk runs into the 1,000,000 instruction limit. */
SEC("socket")
__naked void instruction_limit_reject(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 0);"
		"r0 = 0;"
		"r7 = 0;"
		"l0_%=: r7 += 1;"
		"r0 += r7;"
		"if r7 != r6 goto l0_%=;"
		"exit;"
		::: __clobber_all);
}

/* Each iteration leaves a branch to explore later: more than 8192 queued jumps. */
SEC("socket")
__naked void jump_sequence_reject(void)
{
	asm volatile(
		"r6 = *(u32 *)(r1 + 0);"
		"r0 = 0;"
		"r7 = 0;"
		"l0_%=: r7 += 1;"
		"if r7 > r6 goto l1_%=;"
		"goto l0_%=;"
		"l1_%=: exit;"
		::: __clobber_all);
}
