// SPDX-License-Identifier: MIT
/*
 * probe: asks the running kernel's verifier, with tiny hand-made programs
 * loaded through bpf(BPF_PROG_LOAD), which context accesses and which
 * helpers a program type accepts. The answers are facts about the kernel
 * that test/verifier/ctx.test.ts and helper-protos.test.ts compare the
 * tables in src/verifier against.
 *
 *   probe ctx PROG_TYPE ATTACH_TYPE CTX_LIMIT [PROG_FLAGS]
 *     for every offset 0..CTX_LIMIT-1, size 1/2/4/8, read and write, loads
 *       read:  r2 = *(uN *)(r1 +off); r0 = 0; exit
 *       write: r2 = 0; *(uN *)(r1 +off) = r2; r0 = 0; exit
 *     and prints one line per accepted access: "r|w OFF SIZE REGTYPE", where
 *     REGTYPE is what the log at level 2 says the load put in r2 ("-" for
 *     writes).
 *
 *   probe helpers PROG_TYPE ATTACH_TYPE MAX_ID [PROG_FLAGS]
 *     for every helper id 0..MAX_ID loads "call id; r0 = 0; exit" and prints
 *     "ID VERDICT LAST_LOG_LINE" where VERDICT is unknown (invalid func),
 *     denied (program of this type cannot use helper) or known (the verifier
 *     went on to check the arguments).
 *
 * PROG_TYPE and ATTACH_TYPE are the numbers of enum bpf_prog_type and enum
 * bpf_attach_type; PROG_FLAGS is BPF_PROG_LOAD's prog_flags (16 = BPF_F_SLEEPABLE,
 * which syscall programs must carry). Needs root (or CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char log_buf[1 << 20];

static int prog_flags;

static int load(int prog_type, int attach_type, const struct bpf_insn *insns, int n, int log_level)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.expected_attach_type = attach_type;
	attr.prog_flags = prog_flags;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = n;
	attr.license = (unsigned long)"GPL";
	attr.log_buf = (unsigned long)log_buf;
	attr.log_size = sizeof(log_buf);
	attr.log_level = log_level;
	log_buf[0] = '\0';
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static const int sizes[] = { 1, 2, 4, 8 };
static const int size_codes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

/* The text after "R2=" or "R2_w=" on the line of instruction 0. */
static void print_r2_type(void)
{
	char *line = strstr(log_buf, "0: (");
	char *end, *p;

	if (!line) {
		fputs("?", stdout);
		return;
	}
	end = strchr(line, '\n');
	if (end)
		*end = '\0';
	p = strstr(line, " R2=");
	if (!p)
		p = strstr(line, " R2_w=");
	if (!p) {
		fputs("?", stdout);
		return;
	}
	p = strchr(p, '=') + 1;
	while (*p && *p != ' ' && *p != '(')
		fputc(*p++, stdout);
}

static void last_line(char *out, size_t cap)
{
	size_t len = strlen(log_buf);
	char *p, *start;

	while (len > 0 && log_buf[len - 1] == '\n')
		log_buf[--len] = '\0';
	/* skip the statistics line */
	p = strrchr(log_buf, '\n');
	if (p && strncmp(p + 1, "processed ", 10) == 0) {
		*p = '\0';
		p = strrchr(log_buf, '\n');
	}
	start = p ? p + 1 : log_buf;
	snprintf(out, cap, "%s", start);
}

static int probe_ctx(int prog_type, int attach_type, int limit)
{
	for (int off = 0; off < limit; off++) {
		for (int k = 0; k < 4; k++) {
			struct bpf_insn rd[] = {
				INSN(BPF_LDX | BPF_MEM | size_codes[k], 2, 1, off, 0),
				INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
				INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
			};
			struct bpf_insn wr[] = {
				INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0),
				INSN(BPF_STX | BPF_MEM | size_codes[k], 1, 2, off, 0),
				INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
				INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
			};
			if (load(prog_type, attach_type, rd, 3, 2) == 0) {
				printf("r %d %d ", off, sizes[k]);
				print_r2_type();
				fputc('\n', stdout);
			}
			if (load(prog_type, attach_type, wr, 4, 1) == 0)
				printf("w %d %d -\n", off, sizes[k]);
		}
	}
	return 0;
}

static int probe_helpers(int prog_type, int attach_type, int max_id)
{
	char line[512];

	for (int id = 0; id <= max_id; id++) {
		struct bpf_insn call[] = {
			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id),
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		const char *verdict;
		int err = load(prog_type, attach_type, call, 3, 1);

		last_line(line, sizeof(line));
		if (err == 0)
			verdict = "known";
		else if (strstr(log_buf, "invalid func ") || strstr(log_buf, "unknown func "))
			verdict = "unknown";
		else if (strstr(log_buf, "cannot use helper"))
			verdict = "denied";
		else
			verdict = "known";
		printf("%d %s %s\n", id, verdict, line);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: probe ctx|helpers PROG_TYPE ATTACH_TYPE LIMIT [PROG_FLAGS]\n");
		return 2;
	}
	int prog_type = atoi(argv[2]), attach_type = atoi(argv[3]), limit = atoi(argv[4]);

	if (argc == 6)
		prog_flags = atoi(argv[5]);

	if (strcmp(argv[1], "ctx") == 0)
		return probe_ctx(prog_type, attach_type, limit);
	if (strcmp(argv[1], "helpers") == 0)
		return probe_helpers(prog_type, attach_type, limit);
	fprintf(stderr, "probe: unknown mode %s\n", argv[1]);
	return 2;
}
