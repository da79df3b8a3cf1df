// SPDX-License-Identifier: MIT
/*
 * oracle: ask the running kernel's verifier about one program of a BPF object.
 *
 *   oracle [--verbose] OBJ PROG_NAME [LOG_LEVEL]
 *   oracle --list OBJ
 *
 * --list prints the names of OBJ's programs, one a line, as libbpf sees them
 * (entry points only, not the static subprograms they call), and exits 0.
 *
 * Opens OBJ with libbpf, turns autoload off for every program but PROG_NAME,
 * loads the object with a verifier log at LOG_LEVEL (default 1) and prints one
 * JSON object on stdout:
 *
 *   {"verdict":"accept"|"reject","errno":N,"stage":"verifier"|"kernel"|"libbpf",
 *    "log":"<verifier log>","libbpf_log":"<libbpf's messages>"}
 *
 * "stage" says who decided:
 *   verifier  the program reached BPF_PROG_LOAD and the verifier ran: "log"
 *             holds its log (on accept too: the statistics line);
 *   kernel    BPF_PROG_LOAD refused the program before the verifier wrote
 *             anything (privileges, lockdown, an attach target it refuses);
 *   libbpf    libbpf gave up before asking for this program (a kfunc missing
 *             from the kernel's BTF, a map the kernel refused, ...).
 * libbpf_log holds libbpf's warnings, which say why in the last two cases.
 * errno is 0 on accept. A program the verifier accepted is reported as
 * accepted even when libbpf fails afterwards, e.g. while filling a program
 * array slot with a program that was not loaded because only PROG_NAME is.
 *
 * Exit status: 0 when a verdict was printed (accept or reject), 2 on usage
 * errors or when the object cannot be opened or has no such program, 3 when
 * the kernel's bpf() is not usable (no privileges, BPF disabled).
 *
 * Nothing stays loaded: the object is closed before exiting and pin paths are
 * cleared, so maps declared with LIBBPF_PIN_BY_NAME are not pinned either.
 * libbpf's own messages go to stderr only with --verbose.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define EXIT_VERDICT 0
#define EXIT_USAGE 2
#define EXIT_NO_KERNEL 3

/* The verifier refuses a log buffer of 1 GiB or more (log_size > UINT_MAX >> 2). */
#define LOG_SIZE_INITIAL (16u << 20)
#define LOG_SIZE_MAX (512u << 20)

static bool verbose;

/* Everything libbpf says, kept for the JSON output. */
static char *libbpf_log;
static size_t libbpf_log_len, libbpf_log_cap;

static void libbpf_log_append(const char *text, size_t len)
{
	if (libbpf_log_len + len + 1 > libbpf_log_cap) {
		size_t cap = libbpf_log_cap ? libbpf_log_cap : 4096;
		char *grown;

		while (libbpf_log_len + len + 1 > cap)
			cap *= 2;
		grown = realloc(libbpf_log, cap);
		if (!grown)
			return;
		libbpf_log = grown;
		libbpf_log_cap = cap;
	}
	memcpy(libbpf_log + libbpf_log_len, text, len);
	libbpf_log_len += len;
	libbpf_log[libbpf_log_len] = '\0';
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[8192];
	va_list copy;
	int n;

	va_copy(copy, args);
	n = vsnprintf(line, sizeof(line), fmt, copy);
	va_end(copy);
	if (n > 0) {
		size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;

		/* Debug messages are many and say nothing about the verdict. */
		if (level != LIBBPF_DEBUG)
			libbpf_log_append(line, len);
		if (verbose)
			fputs(line, stderr);
	}
	return 0;
}

/* Writes s as a JSON string literal; bytes that are not valid UTF-8 become U+FFFD. */
static void json_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		unsigned char c = p[i];
		size_t n, k;

		if (c < 0x80) {
			switch (c) {
			case '"': fputs("\\\"", out); break;
			case '\\': fputs("\\\\", out); break;
			case '\n': fputs("\\n", out); break;
			case '\t': fputs("\\t", out); break;
			case '\r': fputs("\\r", out); break;
			default:
				if (c < 0x20 || c == 0x7f)
					fprintf(out, "\\u%04x", c);
				else
					fputc(c, out);
			}
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		else
			n = 0;
		for (k = 1; n && k < n; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				n = 0;
		/* overlong 3/4-byte forms, surrogates and code points past U+10FFFF */
		if (n == 3 && ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0)))
			n = 0;
		if (n == 4 && ((c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90)))
			n = 0;
		if (n) {
			fwrite(p + i, 1, n, out);
			i += n;
		} else {
			fputs("\\ufffd", out);
			i++;
		}
	}
	fputc('"', out);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: oracle [--verbose] OBJ PROG_NAME [LOG_LEVEL]\n"
		"       oracle --list OBJ\n"
		"  Loads program PROG_NAME of the BPF object OBJ into the running kernel,\n"
		"  prints the verifier's verdict and log as JSON, and unloads it again.\n"
		"  LOG_LEVEL: verifier log level (1 = errors and path, 2 = every insn,\n"
		"  4 = statistics; may be combined), default 1.\n"
		"  --list prints the object's program names instead.\n");
}

static int list_programs(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int err = libbpf_get_error(obj);
	char errbuf[256];

	if (err) {
		libbpf_strerror(err, errbuf, sizeof(errbuf));
		fprintf(stderr, "oracle: cannot open %s: %s\n", path, errbuf);
		if (!verbose && libbpf_log_len)
			fputs(libbpf_log, stderr);
		return EXIT_USAGE;
	}
	bpf_object__for_each_program(prog, obj)
		printf("%s\n", bpf_program__name(prog));
	bpf_object__close(obj);
	return 0;
}

/* A one-instruction program: does bpf() work for us at all? */
static int probe_kernel(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns, 2, NULL);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

enum stage { STAGE_VERIFIER, STAGE_KERNEL, STAGE_LIBBPF };

static const char *const stage_names[] = { "verifier", "kernel", "libbpf" };

struct attempt {
	int err;          /* 0 on accept, else a positive errno */
	enum stage stage;
	char *log;       /* the verifier log (NUL-terminated) */
	size_t log_size; /* size of the buffer given to the kernel */
};

/* Returns EXIT_VERDICT with *a filled in, or EXIT_USAGE after printing why. */
static int load_once(const char *path, const char *prog_name, __u32 log_level, struct attempt *a)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *target = NULL;
	struct bpf_map *map;
	char failed_msg[512], errbuf[256];
	bool kernel_refused;
	int err;

	libbpf_log_len = 0;
	if (libbpf_log)
		libbpf_log[0] = '\0';

	obj = bpf_object__open_file(path, NULL);
	err = libbpf_get_error(obj);
	if (err) {
		libbpf_strerror(err, errbuf, sizeof(errbuf));
		fprintf(stderr, "oracle: cannot open %s: %s\n", path, errbuf);
		if (!verbose && libbpf_log_len)
			fputs(libbpf_log, stderr);
		return EXIT_USAGE;
	}

	bpf_object__for_each_program(prog, obj) {
		if (strcmp(bpf_program__name(prog), prog_name) == 0)
			target = prog;
		else
			bpf_program__set_autoload(prog, false);
	}
	if (!target) {
		fprintf(stderr, "oracle: %s has no program named '%s'; it has:", path, prog_name);
		bpf_object__for_each_program(prog, obj)
			fprintf(stderr, " %s", bpf_program__name(prog));
		fputc('\n', stderr);
		bpf_object__close(obj);
		return EXIT_USAGE;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);

	bpf_program__set_autoload(target, true);
	a->log[0] = '\0';
	bpf_program__set_log_buf(target, a->log, a->log_size);
	bpf_program__set_log_level(target, log_level);

	err = bpf_object__load(obj);
	a->err = err < 0 ? -err : 0;
	/*
	 * libbpf warns "prog 'NAME': BPF program load failed" exactly when
	 * BPF_PROG_LOAD refused the program. With a log level set, the verifier
	 * always writes something (the statistics line at least), so an empty
	 * log means it never ran.
	 */
	snprintf(failed_msg, sizeof(failed_msg), "prog '%s': BPF program load failed", prog_name);
	kernel_refused = libbpf_log && strstr(libbpf_log, failed_msg);
	if (kernel_refused) {
		a->stage = a->log[0] ? STAGE_VERIFIER : STAGE_KERNEL;
	} else if (err == 0 || (log_level && a->log[0])) {
		a->stage = STAGE_VERIFIER;
		a->err = 0;
	} else {
		a->stage = STAGE_LIBBPF;
	}
	bpf_object__close(obj);
	return EXIT_VERDICT;
}

int main(int argc, char **argv)
{
	const char *path, *prog_name;
	struct attempt a = { 0 };
	unsigned long level = 1;
	int argi = 1, status, err;

	if (argi < argc && strcmp(argv[argi], "--verbose") == 0) {
		verbose = true;
		argi++;
	}
	if (argi < argc && strcmp(argv[argi], "--list") == 0) {
		if (argc - argi != 2) {
			usage();
			return EXIT_USAGE;
		}
		libbpf_set_print(libbpf_print);
		return list_programs(argv[argi + 1]);
	}
	if (argc - argi < 2 || argc - argi > 3) {
		usage();
		return EXIT_USAGE;
	}
	path = argv[argi];
	prog_name = argv[argi + 1];
	if (argc - argi == 3) {
		char *end;

		errno = 0;
		level = strtoul(argv[argi + 2], &end, 0);
		if (errno || *end || end == argv[argi + 2] || level > 7) {
			fprintf(stderr, "oracle: LOG_LEVEL must be a number from 0 to 7, got '%s'\n",
				argv[argi + 2]);
			return EXIT_USAGE;
		}
	}
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "oracle: cannot read %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}

	libbpf_set_print(libbpf_print);

	err = probe_kernel();
	if (err) {
		fprintf(stderr, "oracle: the kernel refuses bpf(): %s%s\n", strerror(-err),
			err == -EPERM ? " (run as root or with CAP_BPF)" : "");
		return EXIT_NO_KERNEL;
	}

	/* A log that does not fit makes the load fail with ENOSPC: retry with more room. */
	for (a.log_size = LOG_SIZE_INITIAL;;
	     a.log_size = a.log_size * 4 > LOG_SIZE_MAX ? LOG_SIZE_MAX : a.log_size * 4) {
		free(a.log);
		a.log = malloc(a.log_size);
		if (!a.log) {
			fprintf(stderr, "oracle: out of memory for a %zu byte log\n", a.log_size);
			return EXIT_USAGE;
		}
		status = load_once(path, prog_name, (__u32)level, &a);
		if (status != EXIT_VERDICT)
			return status;
		if (a.err != ENOSPC || strlen(a.log) + 1 < a.log_size || a.log_size >= LOG_SIZE_MAX)
			break;
	}

	printf("{\"verdict\":\"%s\",\"errno\":%d,\"stage\":\"%s\",\"log\":", a.err ? "reject" : "accept",
	       a.err, stage_names[a.stage]);
	json_string(stdout, a.log, strlen(a.log));
	fputs(",\"libbpf_log\":", stdout);
	json_string(stdout, libbpf_log ? libbpf_log : "", libbpf_log_len);
	fputs("}\n", stdout);
	free(a.log);
	free(libbpf_log);
	return EXIT_VERDICT;
}
