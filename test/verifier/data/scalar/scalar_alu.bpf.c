/* Scalar ALU transfer functions: each program loads unknown values from the
 * socket filter context and runs them through one family of ALU operations,
 * 64- and 32-bit, with register and immediate operands. The kernel's level-2
 * log (scalar_alu.PROG.log) is the expected output for test/verifier. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOBBERS "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"

SEC("socket")
int add_sub(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u16 *)(r1 +4);"
		"r8 = *(u8 *)(r1 +8);"
		"r9 = *(u32 *)(r1 +12);"
		"r6 += r7;"
		"r6 += -5;"
		"r7 -= r8;"
		"r8 -= 300;"
		"w9 += 0x7fffffff;"
		"w7 -= w8;"
		"r2 = *(u8 *)(r1 +0);"
		"r2 += 0x7fffffff;"
		"r2 += 0x7fffffff;"
		"r3 = *(u8 *)(r1 +0);"
		"r3 -= 100;"
		"w3 -= 1;"
		"r4 = *(u32 *)(r1 +16);"
		"r4 <<= 32;"
		"r4 += r9;"
		"r5 = *(u16 *)(r1 +20);"
		"w5 += -1;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int mul_neg(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u8 *)(r1 +0);"
		"r7 = *(u16 *)(r1 +4);"
		"r8 = *(u32 *)(r1 +8);"
		"r9 = r6;"
		"r9 *= r7;"
		"r2 = r7;"
		"r2 *= r8;"
		"r3 = r6;"
		"r3 *= -3;"
		"w4 = w7;"
		"w4 *= w7;"
		"w5 = w8;"
		"w5 *= 2;"
		"r6 = -r6;"
		"w7 = -w7;"
		"r8 = -r8;"
		"r9 = *(u8 *)(r1 +0);"
		"r9 |= 4;"
		"r9 *= 6;"
		"r2 = *(u8 *)(r1 +0);"
		"r2 &= 2;"
		"r2 |= 1;"
		"r3 = *(u8 *)(r1 +4);"
		"r3 &= 6;"
		"r3 |= 1;"
		"r2 *= r3;"
		"r4 = *(u8 *)(r1 +0);"
		"r4 &= 0x1c;"
		"r5 = *(u16 *)(r1 +4);"
		"r5 &= 0x303;"
		"r4 *= r5;"
		"w5 *= w4;"
		"r6 = *(u8 *)(r1 +0);"
		"r6 &= 3;"
		"r6 |= 12;"
		"r7 = 3;"
		"r7 *= r6;"
		"r6 *= 3;"
		"r6 = *(u8 *)(r1 +0);"
		"r6 &= 3;"
		"r6 |= 12;"
		"r8 = *(u32 *)(r1 +4);"
		"r8 <<= 63;"
		"r6 |= r8;"
		"r8 = *(u32 *)(r1 +8);"
		"r8 &= 0x80000000;"
		"r6 |= r8;"
		"r7 = 3;"
		"r7 *= r6;"
		"r6 *= 3;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int bitwise(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u16 *)(r1 +4);"
		"r8 = *(u8 *)(r1 +8);"
		"r6 &= 0xf0f0;"
		"r7 |= 0x8001;"
		"r8 ^= 0x55;"
		"r9 = r6;"
		"r9 &= r7;"
		"r2 = r7;"
		"r2 |= r8;"
		"r3 = r8;"
		"r3 ^= r6;"
		"w4 = w6;"
		"w4 |= 0x80000000;"
		"w5 = w7;"
		"w5 ^= -1;"
		"r0 = *(u32 *)(r1 +12);"
		"r0 |= -16;"
		"r0 &= -4;"
		"r3 = *(u32 *)(r1 +16);"
		"r3 ^= -1;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int shifts(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u16 *)(r1 +0);"
		"r7 = *(u32 *)(r1 +4);"
		"r8 = *(u8 *)(r1 +8);"
		"r9 = r6;"
		"r9 <<= 40;"
		"r2 = r9;"
		"r2 s>>= 20;"
		"r3 = r9;"
		"r3 >>= 60;"
		"r4 = r7;"
		"r4 <<= 32;"
		"r4 s>>= 32;"
		"w5 = w8;"
		"w5 <<= 24;"
		"w5 s>>= 28;"
		"w0 = w6;"
		"w0 >>= 3;"
		"r6 <<= r8;"
		"r7 >>= 31;"
		"w8 <<= 31;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int moves_and_swaps(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u16 *)(r1 +4);"
		"r8 = *(u8 *)(r1 +8);"
		"r9 = (s8)r8;"
		"r2 = (s16)r7;"
		"r3 = (s32)r6;"
		"w4 = (s8)w8;"
		"w5 = (s16)w7;"
		"r0 = r7;"
		"r0 &= 0x7f;"
		"r0 = (s8)r0;"
		"r9 = r7;"
		"r9 = be16 r9;"
		"r2 = r8;"
		"r2 = be32 r2;"
		"r3 = r6;"
		"r3 = be64 r3;"
		"r4 = r6;"
		"r4 = le16 r4;"
		"r5 = r6;"
		"r5 = le32 r5;"
		"r5 = le64 r5;"
		"r0 = r6;"
		"r0 = bswap16 r0;"
		"r0 = r8;"
		"r0 = bswap64 r0;"
		"w9 = -1;"
		"r2 = -1;"
		"w3 = 0x12345678;"
		"r4 = -32768;"
		"r5 = 32767;"
		"r6 = -32769;"
		"w7 = 65535;"
		"w8 = 65536;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int div_mod(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u8 *)(r1 +0);"
		"r7 = r6;"
		"r7 /= 3;"
		"r8 = r6;"
		"r8 %%= 3;"
		"w9 = w6;"
		"w9 /= 5;"
		"w2 = w6;"
		"w2 %%= 5;"
		"r3 = r6;"
		"r3 s/= 2;"
		"r4 = r6;"
		"r4 s%%= 2;"
		"r0 = 0;"
		::: CLOBBERS);
	return 0;
}

SEC("socket")
int mixed(struct __sk_buff *skb)
{
	asm volatile(
		"r6 = *(u32 *)(r1 +0);"
		"r7 = *(u32 *)(r1 +4);"
		"if r6 > 100 goto +2;"
		"r6 += 1;"
		"r0 = 0;"
		"if w7 s< 10 goto +1;"
		"r7 += 1;"
		"r0 = 0;"
		"r8 = r6;"
		"r8 *= r7;"
		"r2 = r7;"
		"r2 |= 3;"
		"w2 ^= 7;"
		"r3 = r6;"
		"r3 <<= 5;"
		"r3 s>>= 2;"
		"r3 >>= 1;"
		"w4 = w7;"
		"w4 <<= 3;"
		"w4 s>>= 1;"
		"w4 >>= 1;"
		"r5 = r7;"
		"r5 -= r6;"
		"w5 += 7;"
		"r9 = (s8)r7;"
		"w9 = (s16)w6;"
		"w9 = -w9;"
		"r9 = bswap32 r9;"
		"r9 = le16 r9;"
		"w1 = w7;"
		"w1 *= 3;"
		"w1 /= 3;"
		::: CLOBBERS);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
