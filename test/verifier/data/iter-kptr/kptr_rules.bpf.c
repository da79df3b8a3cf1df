/*
 * kptrs in map values: what bpf_kptr_xchg, loads and stores may do with
 * `__kptr`, `__kptr_untrusted` and `__percpu_kptr` fields, and what the
 * verifier refuses. Programs ending in _reject break the rule in their
 * comment (the kernel's error line); the others must load. Test runs
 * (64-byte packet, mark 0) return what the comment says.
 */
#include <tsbpf/objects.h>

#define __naked __attribute__((naked))
#define __imm(name) [name] "i"(name)

#define __percpu_kptr_tag __attribute__((btf_type_tag("percpu_kptr")))
#define __kptr_untrusted_tag __attribute__((btf_type_tag("kptr_untrusted")))

struct foo {
	__u64 hits;
	__u64 last;
};

struct bar {
	__u64 x;
};

struct stats {
	__u64 sum;
};

struct slot {
	struct foo __kptr *obj;
	struct stats __percpu_kptr_tag *pcpu;
	__u64 plain;
	struct foo __kptr_untrusted_tag *weak;
	struct foo __kptr *objs[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

static __always_inline struct slot *slot0(void)
{
	int key = 0;

	return bpf_map_lookup_elem(&slots, &key);
}

/* Stash, take back, read, drop: returns 7 */
SEC("tc")
int round_trip(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;
	__u64 v;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	f->last = 7;
	old = bpf_kptr_xchg(&s->obj, f);
	if (old)
		bpf_obj_drop(old);
	f = bpf_kptr_xchg(&s->obj, NULL);
	if (!f)
		return 0;
	v = f->last;
	bpf_obj_drop(f);
	return v;
}

/* A load of a referenced kptr in a non-sleepable program is an RCU pointer: readable and writable. Returns 0 (nothing stashed) */
SEC("tc")
int load_rcu(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f;

	if (!s)
		return 0;
	f = s->obj;
	if (!f)
		return 0;
	f->hits++;
	return f->hits;
}

/* Element 1 of an array of kptrs: returns 1 */
SEC("tc")
int array_element(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	old = bpf_kptr_xchg(&s->objs[1], f);
	if (old)
		bpf_obj_drop(old);
	old = bpf_kptr_xchg(&s->objs[1], NULL);
	if (old)
		bpf_obj_drop(old);
	return 1;
}

/* An unreferenced kptr takes plain stores of NULL: returns 2 */
SEC("tc")
int clear_weak(struct __sk_buff *skb)
{
	struct slot *s = slot0();

	if (!s)
		return 0;
	s->weak = NULL;
	return 2;
}

/* bpf_per_cpu_ptr on a per-CPU kptr: CPU 0's copy, never NULL after the kptr check. Returns 0 (nothing stashed) */
SEC("tc")
int per_cpu_zero(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct stats *p, *c0;

	if (!s)
		return 0;
	p = s->pcpu;
	if (!p)
		return 0;
	c0 = bpf_per_cpu_ptr(p, 0);
	if (!c0)
		return 0;
	return c0->sum;
}

/* A per-CPU object stashed in a `__percpu_kptr` field (a sleepable program): returns 0 */
SEC("syscall")
int stash_percpu(void *ctx)
{
	struct slot *s = slot0();
	struct stats *p, *old;

	if (!s)
		return 1;
	p = bpf_percpu_obj_new(struct stats);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&s->pcpu, p);
	if (old)
		bpf_percpu_obj_drop(old);
	return 0;
}

/* Stashing a per-CPU object inside an RCU section leaves the program an RCU pointer to it: returns 0 */
SEC("tc")
int stash_percpu_keep_rcu(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct stats *p, *old, *mine;

	if (!s)
		return 0;
	p = bpf_percpu_obj_new(struct stats);
	if (!p)
		return 0;
	old = bpf_kptr_xchg(&s->pcpu, p);
	if (old)
		bpf_percpu_obj_drop(old);
	mine = bpf_this_cpu_ptr(p);
	return mine->sum;
}

/* The programs the verifier refuses; left out of the build test runs load. */
#ifndef TSBPF_ACCEPTED_ONLY

/* The object from bpf_obj_new may be NULL: "Possibly NULL pointer passed to helper arg2" (or the kernel's word for it) */
SEC("tc")
int xchg_unchecked_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	old = bpf_kptr_xchg(&s->obj, f);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

/* A struct bar in a struct foo field: "invalid kptr access, R2 type=ptr_bar expected=ptr_foo" */
SEC("tc")
int xchg_wrong_type_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct bar *b;
	struct foo *old;

	if (!s)
		return 0;
	b = bpf_obj_new(struct bar);
	if (!b)
		return 0;
	old = bpf_kptr_xchg(&s->obj, b);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

/* The destination is no kptr: "off=16 doesn't point to kptr" */
SEC("tc")
int xchg_plain_field_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	old = bpf_kptr_xchg((struct foo **)&s->plain, f);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

/* An untrusted kptr holds no reference to exchange: "off=24 kptr isn't referenced kptr" */
SEC("tc")
int xchg_untrusted_field_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	old = bpf_kptr_xchg(&s->weak, f);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

/* Which element is not known: "R1 doesn't have constant offset. kptr has to be at the constant offset" */
SEC("tc")
int xchg_variable_offset_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;
	__u32 i = skb->mark & 1;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	old = bpf_kptr_xchg(&s->objs[i], f);
	if (old)
		bpf_obj_drop(old);
	return 0;
}

/* The old value comes back owned: "Unreleased reference id=4 alloc_insn=15" */
SEC("tc")
int old_value_leak_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	bpf_kptr_xchg(&s->obj, f);
	return 0;
}

/* After the exchange the map owns the object: "R6 invalid mem access 'scalar'" */
SEC("tc")
int use_after_stash_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f, *old;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	old = bpf_kptr_xchg(&s->obj, f);
	if (old)
		bpf_obj_drop(old);
	f->hits = 1;
	return 0;
}

/* Only bpf_kptr_xchg moves a referenced kptr: "store to referenced kptr disallowed" */
SEC("tc")
int store_reference_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f;

	if (!s)
		return 0;
	f = bpf_obj_new(struct foo);
	if (!f)
		return 0;
	s->obj = f;
	return 0;
}

/* Half a kptr: "kptr access size must be BPF_DW" */
SEC("tc")
__naked void half_load_reject(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[slots] ll;"
		"call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l0_%=;"
		"r0 = *(u32 *)(r0 + 0);"
		"l0_%=: exit;"
		:
		: __imm(bpf_map_lookup_elem), [slots] "i"(&slots)
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

/* Into the middle of a kptr: "kptr access misaligned expected=0 off=4" */
SEC("tc")
__naked void misaligned_load_reject(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[slots] ll;"
		"call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l0_%=;"
		"r0 = *(u32 *)(r0 + 4);"
		"l0_%=: exit;"
		:
		: __imm(bpf_map_lookup_elem), [slots] "i"(&slots)
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

/* A non-zero constant store: "BPF_ST imm must be 0 when storing to kptr at off=24" */
SEC("tc")
__naked void store_imm_reject(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[slots] ll;"
		"call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l0_%=;"
		"*(u64 *)(r0 + 24) = 1;"
		"l0_%=: r0 = 0;"
		"exit;"
		:
		: __imm(bpf_map_lookup_elem), [slots] "i"(&slots)
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
}

/* A helper may not read a value's kptr: "kptr cannot be accessed indirectly by helper" */
SEC("tc")
int helper_reads_kptr_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	int key = 0;

	if (!s)
		return 0;
	bpf_map_update_elem(&slots, &key, s, 0);
	return 0;
}

/* Per-CPU memory is reached through bpf_this_cpu_ptr only: "R0 is ptr_stats access percpu memory: off=0" */
SEC("tc")
int percpu_direct_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct stats *p;

	if (!s)
		return 0;
	p = s->pcpu;
	if (!p)
		return 0;
	return p->sum;
}

/* A sleepable program loads kptrs untrusted, and never per-CPU: "R1 type=untrusted_ptr_stats expected=..." */
SEC("syscall")
int sleepable_percpu_reject(void *ctx)
{
	struct slot *s = slot0();
	struct stats *p, *mine;

	if (!s)
		return 0;
	p = s->pcpu;
	if (!p)
		return 0;
	mine = bpf_this_cpu_ptr(p);
	return mine->sum;
}

/* A loaded kptr is borrowed, not owned: bpf_obj_drop refuses it */
SEC("tc")
int drop_borrowed_reject(struct __sk_buff *skb)
{
	struct slot *s = slot0();
	struct foo *f;

	if (!s)
		return 0;
	f = s->obj;
	if (!f)
		return 0;
	bpf_obj_drop(f);
	return 0;
}

/* Writing through an untrusted (sleepable-program) load */
SEC("syscall")
int sleepable_write_reject(void *ctx)
{
	struct slot *s = slot0();
	struct foo *f;

	if (!s)
		return 0;
	f = s->obj;
	if (!f)
		return 0;
	f->hits = 1;
	return 0;
}

#endif /* TSBPF_ACCEPTED_ONLY */

char LICENSE[] SEC("license") = "GPL";
