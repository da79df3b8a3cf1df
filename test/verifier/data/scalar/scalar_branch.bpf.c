/* Scalar conditional jumps: each program compares unknown context values
 * with constants and with each other, 64- and 32-bit, so both sides of each
 * jump show what the verifier learns; some comparisons are decided by the
 * known bits or ranges alone. Expected output: scalar_branch.PROG.log. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOBBERS "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"

SEC("socket")
int unsigned_cmp(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u32 *)(r1 +4);"
		"r8 = *(u32 *)(r1 +8);"
		"r9 = *(u32 *)(r1 +12);"
		"if r6 > 1000 goto +1;"
		"r0 = 0;"
		"if r7 >= 0x10 goto +1;"
		"r0 = 0;"
		"if r8 < 7 goto +1;"
		"r0 = 0;"
		"if r9 <= 0xffff goto +1;"
		"r0 = 0;"
		"if r6 < r7 goto +1;"
		"r0 = 0;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int signed_cmp(struct __sk_buff *skb)
{
	asm volatile(
		"r9 = r1;"
		"call 5;"
		"r1 = r9;"
		"r8 = r0;"
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u32 *)(r1 +4);"
		"r6 = (s32)r6;"
		"r7 = (s16)r7;"
		"if r6 s> 5 goto +1;"
		"r0 = 0;"
		"if r7 s>= -10 goto +1;"
		"r0 = 0;"
		"if r8 s< 0 goto +1;"
		"r0 = 0;"
		"if r6 s<= r7 goto +1;"
		"r0 = 0;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int eq_ne_set(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u32 *)(r1 +4);"
		"r8 = *(u32 *)(r1 +8);"
		"r9 = *(u8 *)(r1 +12);"
		"if r6 == 42 goto +1;"
		"r0 = 0;"
		"if r9 != 0 goto +1;"
		"r0 = 0;"
		"if r9 != 255 goto +1;"
		"r0 = 0;"
		"if r7 & 8 goto +1;"
		"r0 = 0;"
		"if r8 & 0x30 goto +1;"
		"r0 = 0;"
		"r2 = *(u32 *)(r1 +16);"
		"r2 &= 0xf0;"
		"if r2 == 5 goto +1;"
		"r0 = 0;"
		"if r2 & 0xf goto +1;"
		"r0 = 0;"
		"if r2 != 0x100 goto +1;"
		"r0 = 0;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int jmp32(struct __sk_buff *skb)
{
	asm volatile(
		"r9 = r1;"
		"call 5;"
		"r6 = r0;"
		"call 5;"
		"r1 = r9;"
		"r9 = r0;"
		"r7 = *(u32 *)(r1 +8);"
		"r8 = *(u32 *)(r1 +12);"
		"if w6 > 100 goto +1;"
		"r0 = 0;"
		"if w7 s< 0 goto +1;"
		"r0 = 0;"
		"if w8 == 0x1234 goto +1;"
		"r0 = 0;"
		"if w9 s>= -5 goto +1;"
		"r0 = 0;"
		"r2 = *(u32 *)(r1 +20);"
		"r2 <<= 32;"
		"r2 |= 0x10;"
		"if w2 == 0x10 goto +1;"
		"r0 = 0;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
