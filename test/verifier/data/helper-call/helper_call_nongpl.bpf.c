// SPDX-License-Identifier: MIT
/* A program under a license the kernel does not count as GPL-compatible. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep") int bad_gpl_only(void *ctx)
{
	char buf[8];

	bpf_probe_read_kernel(buf, sizeof(buf), ctx);
	return buf[0];
}

SEC("kprobe/do_nanosleep") int ok_not_gpl_only(void *ctx)
{
	return bpf_get_prandom_u32() & 1;
}

char _license[] SEC("license") = "MIT";
