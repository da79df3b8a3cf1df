// testrun OBJ STEP...   STEP = prog[:mark[:len]]
// Loads every program of OBJ once, then runs the steps in order with
// BPF_PROG_TEST_RUN on one object (maps persist between steps) and prints
// "prog mark len retval" per step (retval as u32), or "prog ERR errno".
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0; }

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) { fprintf(stderr, "open failed\n"); return 2; }
	if (bpf_object__load(obj)) { fprintf(stderr, "load failed: %d\n", errno); return 2; }
	for (int i = 2; i < argc; i++) {
		char name[128]; unsigned mark = 0, len = 64;
		char *c = strchr(argv[i], ':');
		if (c) { *c = 0; sscanf(c + 1, "%u:%u", &mark, &len); }
		snprintf(name, sizeof name, "%s", argv[i]);
		struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
		if (!p) { printf("%s NOPROG\n", name); continue; }
		unsigned char data[1500] = {0};
		data[12] = 0x08; // ethertype IPv4, rest zero
		struct __sk_buff skb = {0};
		skb.mark = mark;
		LIBBPF_OPTS(bpf_test_run_opts, o);
		if (bpf_program__type(p) != BPF_PROG_TYPE_SYSCALL) {
			o.data_in = data; o.data_size_in = len;
			o.ctx_in = &skb; o.ctx_size_in = sizeof skb;
		}
		int err = bpf_prog_test_run_opts(bpf_program__fd(p), &o);
		if (err) printf("%s %u %u ERR %d\n", name, mark, len, errno);
		else printf("%s %u %u %u\n", name, mark, len, o.retval);
	}
	bpf_object__close(obj);
	return 0;
}
