/*
 * Open-coded numeric iterators: loops written with this file's own
 * `num_for` / `num_repeat` macros (the shape clang sees from the usual
 * bpf_for / bpf_repeat), and the misuses the verifier refuses. Programs
 * ending in _reject break the rule in their comment (the kernel's error
 * line); the others must load, and their comment says what a test run
 * returns (64-byte packet, mark 0).
 */
#include "../../../fixtures/verifier_common.h"
#include <stdbool.h>

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/*
 * One step of a counted loop: the next number, checked against the range
 * again so the verifier learns its bounds (it only knows the element is
 * some int).
 */
static __always_inline bool num_step(struct bpf_iter_num *it, int *out, int lo, int hi)
{
	int *v = bpf_iter_num_next(it);

	if (!v)
		return false;
	*out = *v;
	return *out >= lo && *out < hi;
}

/*
 * `for (var = lo; var < hi; var++)` on an iterator that is destroyed when
 * the loop's scope ends, however it is left. Naming bpf_iter_num_destroy
 * once makes clang emit its BTF (a call from `cleanup` alone does not).
 */
#define num_for(var, lo, hi)                                                              \
	for (struct bpf_iter_num __nit __attribute__((cleanup(bpf_iter_num_destroy))),     \
	     *__nonce __attribute__((unused)) =                                            \
		     (bpf_iter_num_new(&__nit, (lo), (hi)), (void)bpf_iter_num_destroy, NULL); \
	     num_step(&__nit, &(var), (lo), (hi));)

/* `n` rounds of a loop without a counter. */
#define num_repeat(n)                                                                     \
	for (struct bpf_iter_num __nit __attribute__((cleanup(bpf_iter_num_destroy))),     \
	     *__nonce __attribute__((unused)) =                                            \
		     (bpf_iter_num_new(&__nit, 0, (n)), (void)bpf_iter_num_destroy, NULL);     \
	     bpf_iter_num_next(&__nit);)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int[16]);
} table SEC(".maps");

/* 0 + 1 + ... + 9: returns 45 */
SEC("tc")
int sum_to_ten(struct __sk_buff *skb)
{
	int i, sum = 0;

	num_for(i, 0, 10)
		sum += i;
	return sum;
}

/* Fills a map value's array through the loop counter and adds it up: returns 240 */
SEC("tc")
int fill_array(struct __sk_buff *skb)
{
	int key = 0, i, sum = 0;
	int *arr = bpf_map_lookup_elem(&table, &key);

	if (!arr)
		return 0;
	num_for(i, 0, 16)
		arr[i] = i * 2;
	num_for(i, 0, 16)
		sum += arr[i];
	return sum;
}

/* Two nested loops: returns 5 * 4 = 20 */
SEC("tc")
int nested(struct __sk_buff *skb)
{
	int i, j, n = 0;

	num_for(i, 0, 5)
		num_for(j, 0, 4)
			n++;
	return n;
}

/* A loop without a counter: returns 7 */
SEC("tc")
int repeat_seven(struct __sk_buff *skb)
{
	int n = 0;

	num_repeat(7)
		n++;
	return n;
}

/* Leaving the loop early destroys the iterator all the same: returns 13 */
SEC("tc")
int break_early(struct __sk_buff *skb)
{
	int i, found = -1;

	num_for(i, 0, 100) {
		if (i == 13) {
			found = i;
			break;
		}
	}
	return found;
}

/* An empty range: next() is NULL at once; returns 1 */
SEC("tc")
int empty_range(struct __sk_buff *skb)
{
	int i, n = 1;

	num_for(i, 5, 5)
		n += 10;
	return n;
}

/* start > end: new() fails with -EINVAL and the iterator is empty; returns -22 */
SEC("tc")
int reversed_range(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int err, n = 0;

	err = bpf_iter_num_new(&it, 10, 0);
	while (bpf_iter_num_next(&it))
		n++;
	bpf_iter_num_destroy(&it);
	return err + n;
}

/* A bound the program only knows at run time: counts the packet's bytes, returns 64 */
SEC("tc")
int count_len(struct __sk_buff *skb)
{
	int i, n = 0;

	num_for(i, 0, skb->len)
		n++;
	return n;
}

/* The element pointer may be read like any read-only memory: returns 3 */
SEC("tc")
int read_element(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, last = 0;

	bpf_iter_num_new(&it, 1, 4);
	while ((v = bpf_iter_num_next(&it)))
		last = *v;
	bpf_iter_num_destroy(&it);
	return last;
}

/* An iterator in a static subprogram's frame: returns 6 */
static __attribute__((noinline)) int triangle(int n)
{
	int i, sum = 0;

	num_for(i, 0, n)
		sum += i;
	return sum;
}

SEC("tc")
int in_subprog(struct __sk_buff *skb)
{
	return triangle(4) + (skb->len > 1000);
}

/* Two iterators alive at once, the inner one ending before the outer: returns 9 */
SEC("tc")
int two_at_once(struct __sk_buff *skb)
{
	struct bpf_iter_num a, b;
	int n = 0;

	bpf_iter_num_new(&a, 0, 3);
	bpf_iter_num_new(&b, 0, 3);
	while (bpf_iter_num_next(&a)) {
		n += 3;
	}
	bpf_iter_num_destroy(&b);
	bpf_iter_num_destroy(&a);
	return n;
}

/* The programs the verifier refuses; left out of the build test runs load. */
#ifndef TSBPF_ACCEPTED_ONLY

/* The element is only "some int": indexing with it unchecked: "R1 unbounded memory access, make sure to bounds check any such access" */
SEC("tc")
int unchecked_index_reject(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int key = 0, *v, sum = 0;
	int *arr = bpf_map_lookup_elem(&table, &key);

	if (!arr)
		return 0;
	bpf_iter_num_new(&it, 0, 16);
	while ((v = bpf_iter_num_next(&it)))
		sum += arr[*v];
	bpf_iter_num_destroy(&it);
	return sum;
}

/* A second new() on a live iterator: "expected uninitialized iter_num as arg #0" */
SEC("tc")
__naked void double_new_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* next() on stack that never held an iterator: "expected an initialized iter_num as arg #0" */
SEC("tc")
__naked void next_uninit_reject(void)
{
	asm volatile(
		"r1 = r10;"
		"r1 += -8;"
		"call %[bpf_iter_num_next];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_next)
		: __clobber_all);
}

/* next() after destroy(): "expected an initialized iter_num as arg #0" */
SEC("tc")
__naked void next_after_destroy_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r1 = r6;"
		"call %[bpf_iter_num_next];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* destroy() twice: "expected an initialized iter_num as arg #0" */
SEC("tc")
__naked void double_destroy_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* The iterator must live on the stack: "arg#0 expected pointer to an iterator on stack" */
SEC("tc")
__naked void not_on_stack_reject(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[table] ll;"
		"call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l0_%=;"
		"r1 = r0;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"l0_%=: r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_map_lookup_elem), __imm_addr(table)
		: __clobber_all);
}

/* A store over the iterator's slot destroys it: "expected an initialized iter_num as arg #0" */
SEC("tc")
__naked void overwrite_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r1 = r6;"
		"call %[bpf_iter_num_next];"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* The iterator's bytes are not data: "invalid read from stack off -8+0 size 8" */
SEC("tc")
__naked void read_slot_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r7 = *(u64 *)(r10 - 8);"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = r7;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* An iterator must sit on a slot boundary: "cannot pass in iter at an offset=-12" */
SEC("tc")
__naked void misaligned_reject(void)
{
	asm volatile(
		"r1 = r10;"
		"r1 += -12;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new)
		: __clobber_all);
}

/* The end of the stack has no room for it: "cannot pass in iter at an offset=0" */
SEC("tc")
__naked void at_frame_top_reject(void)
{
	asm volatile(
		"r1 = r10;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new)
		: __clobber_all);
}

/* Returning from inside the loop without destroy(): "Unreleased reference id=1 alloc_insn=5" */
SEC("tc")
__naked void leak_in_loop_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"l0_%=: r1 = r6;"
		"call %[bpf_iter_num_next];"
		"if r0 == 0 goto l1_%=;"
		"r1 = *(u32 *)(r0 + 0);"
		"if r1 == 5 goto l2_%=;"
		"goto l0_%=;"
		"l1_%=: r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"l2_%=: r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* The element pointer dies with the iterator: "R7 invalid mem access 'scalar'" */
SEC("tc")
__naked void element_after_destroy_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = r6;"
		"call %[bpf_iter_num_next];"
		"if r0 == 0 goto l0_%=;"
		"r7 = r0;"
		"r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = *(u32 *)(r7 + 0);"
		"exit;"
		"l0_%=: r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* The element is read-only: "R0 cannot write into rdonly_mem" */
SEC("tc")
__naked void write_element_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"r1 = r6;"
		"call %[bpf_iter_num_next];"
		"if r0 == 0 goto l0_%=;"
		"r1 = 1;"
		"*(u32 *)(r0 + 0) = r1;"
		"l0_%=: r1 = r6;"
		"call %[bpf_iter_num_destroy];"
		"r0 = 0;"
		"exit;"
		:
		: __imm(bpf_iter_num_new), __imm(bpf_iter_num_next), __imm(bpf_iter_num_destroy)
		: __clobber_all);
}

/* A loop that never asks for the next element: "infinite loop detected at insn 6" (or the insn limit) */
SEC("tc")
__naked void counter_without_next_reject(void)
{
	asm volatile(
		"r6 = r10;"
		"r6 += -8;"
		"r1 = r6;"
		"r2 = 0;"
		"r3 = 10;"
		"call %[bpf_iter_num_new];"
		"l0_%=: r1 = r6;"
		"goto l0_%=;"
		:
		: __imm(bpf_iter_num_new)
		: __clobber_all);
}

/* A loop counter the iterator does not bound grows until it matters: "R1 unbounded memory access" or similar */
SEC("tc")
int counter_outside_reject(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int key = 0, n = 0;
	int *arr = bpf_map_lookup_elem(&table, &key);

	if (!arr)
		return 0;
	bpf_iter_num_new(&it, 0, 16);
	while (bpf_iter_num_next(&it)) {
		arr[n & 15] += 1;
		n++;
	}
	bpf_iter_num_destroy(&it);
	return arr[n];
}

#endif /* TSBPF_ACCEPTED_ONLY */

char LICENSE[] SEC("license") = "GPL";
