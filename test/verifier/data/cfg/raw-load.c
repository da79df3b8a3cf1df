// SPDX-License-Identifier: MIT
/*
 * raw-load: hands raw instruction arrays to the running kernel's verifier
 * (BPF_PROG_LOAD, as root) and prints one JSON line per case:
 *
 *   {"name":"...","verdict":"accept"|"reject","errno":N,"log":"..."}
 *
 * Usage: raw-load CASES_FILE
 *
 * The cases file holds blocks of lines (blank lines and text after '#' are
 * ignored):
 *
 *   case NAME
 *   type N                prog type (enum bpf_prog_type), default 1 (socket_filter)
 *   loglevel N            default 1
 *   map TYPE KEY VALUE MAX_ENTRIES    one per map, in index order
 *   func INSN_OFF         one func_info record per line (static FUNC in a BTF made here)
 *   line INSN_OFF         one line_info record per line (file and line text "int")
 *   insn CODE DST SRC OFF IMM         CODE in hex (0x..), the rest decimal
 *   end
 *
 * A map reference is an lddw whose src is 1 or 2 (BPF_PSEUDO_MAP_FD,
 * BPF_PSEUDO_MAP_VALUE) and whose imm is a map index: the index is replaced
 * by the fd of the map created for it. An index past the last map is left as
 * it is and reaches the kernel as a file descriptor number; cases use large
 * numbers (1000) there so that no open file answers to it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#define MAX_INSNS 4096
#define MAX_MAPS 16
#define MAX_FUNCS 300
#define MAX_LINES 300
#define LOG_SIZE (4u << 20)

struct map_def {
	unsigned type, key, value, max;
};

struct test_case {
	char name[128];
	unsigned prog_type;
	unsigned log_level;
	struct bpf_insn insns[MAX_INSNS];
	unsigned insn_cnt;
	struct map_def maps[MAX_MAPS];
	unsigned map_cnt;
	unsigned funcs[MAX_FUNCS];
	unsigned func_cnt;
	unsigned lines[MAX_LINES];
	unsigned line_cnt;
};

static char log_buf[LOG_SIZE];

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A BTF with "int", one prototype int(void) and func_cnt static FUNCs f0, f1, ... */
static int load_btf(unsigned func_cnt)
{
	static unsigned char blob[1 << 16];
	struct btf_header *hdr = (struct btf_header *)blob;
	uint32_t *types = (uint32_t *)(blob + sizeof(*hdr));
	unsigned n = 0, i;
	char *strs;
	unsigned str_len;

	types[n++] = 1;                                   /* name "int" */
	types[n++] = BTF_KIND_INT << 24;
	types[n++] = 4;
	types[n++] = (BTF_INT_SIGNED << 24) | 32;
	types[n++] = 0;                                   /* [2] int (void) */
	types[n++] = BTF_KIND_FUNC_PROTO << 24;
	types[n++] = 1;
	strs = (char *)(types + n + 3 * func_cnt);
	memcpy(strs, "\0int\0", 5);
	str_len = 5;
	for (i = 0; i < func_cnt; i++) {
		types[n++] = str_len;                         /* [3 + i] static fI */
		types[n++] = BTF_KIND_FUNC << 24;
		types[n++] = 2;
		str_len += (unsigned)sprintf(strs + str_len, "f%u", i) + 1;
	}
	hdr->magic = BTF_MAGIC;
	hdr->version = BTF_VERSION;
	hdr->flags = 0;
	hdr->hdr_len = sizeof(*hdr);
	hdr->type_off = 0;
	hdr->type_len = n * 4;
	hdr->str_off = n * 4;
	hdr->str_len = str_len;
	return bpf_btf_load(blob, sizeof(*hdr) + n * 4 + str_len, NULL);
}

static void run_case(struct test_case *c)
{
	struct bpf_func_info finfo[MAX_FUNCS];
	struct bpf_line_info linfo[MAX_LINES];
	int map_fds[MAX_MAPS];
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int btf_fd = -1, fd, err = 0;
	unsigned i;

	for (i = 0; i < c->map_cnt; i++) {
		map_fds[i] = bpf_map_create(c->maps[i].type, NULL, c->maps[i].key, c->maps[i].value,
					    c->maps[i].max, NULL);
		if (map_fds[i] < 0) {
			fprintf(stderr, "raw-load: %s: cannot create map %u: %s\n", c->name, i,
				strerror(errno));
			exit(1);
		}
	}
	for (i = 0; i + 1 < c->insn_cnt; i++) {
		struct bpf_insn *insn = &c->insns[i];

		if (insn->code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (insn->src_reg == BPF_PSEUDO_MAP_FD || insn->src_reg == BPF_PSEUDO_MAP_VALUE) &&
		    insn->imm >= 0 && (unsigned)insn->imm < c->map_cnt)
			insn->imm = map_fds[insn->imm];
	}
	if (c->func_cnt || c->line_cnt) {
		btf_fd = load_btf(c->func_cnt);
		if (btf_fd < 0) {
			fprintf(stderr, "raw-load: %s: cannot load BTF: %s\n", c->name, strerror(errno));
			exit(1);
		}
		opts.prog_btf_fd = btf_fd;
	}
	for (i = 0; i < c->line_cnt; i++) {
		linfo[i].insn_off = c->lines[i];
		linfo[i].file_name_off = 1;
		linfo[i].line_off = 1;
		linfo[i].line_col = (1 << 10) | 1;
	}
	if (c->line_cnt) {
		opts.line_info = linfo;
		opts.line_info_cnt = c->line_cnt;
		opts.line_info_rec_size = sizeof(linfo[0]);
	}
	if (c->func_cnt) {
		for (i = 0; i < c->func_cnt; i++) {
			finfo[i].insn_off = c->funcs[i];
			finfo[i].type_id = 3 + i;
		}
		opts.func_info = finfo;
		opts.func_info_cnt = c->func_cnt;
		opts.func_info_rec_size = sizeof(finfo[0]);
	}
	log_buf[0] = '\0';
	opts.log_buf = log_buf;
	opts.log_size = LOG_SIZE;
	opts.log_level = c->log_level;
	fd = bpf_prog_load(c->prog_type, c->name, "GPL", c->insns, c->insn_cnt, &opts);
	if (fd < 0)
		err = errno;
	else
		close(fd);
	printf("{\"name\":");
	json_string(c->name);
	printf(",\"verdict\":\"%s\",\"errno\":%d,\"log\":", fd < 0 ? "reject" : "accept", err);
	json_string(log_buf);
	printf("}\n");
	fflush(stdout);
	for (i = 0; i < c->map_cnt; i++)
		close(map_fds[i]);
	if (btf_fd >= 0)
		close(btf_fd);
}

int main(int argc, char **argv)
{
	static struct test_case c;
	char line[512];
	unsigned lineno = 0;
	int in_case = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: raw-load CASES_FILE\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		char word[32];
		unsigned a, b, d;
		int e, g;

		lineno++;
		if (hash)
			*hash = '\0';
		if (sscanf(line, "%31s", word) != 1)
			continue;
		if (!strcmp(word, "case")) {
			memset(&c, 0, sizeof(c));
			c.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
			c.log_level = 1;
			if (sscanf(line, "case %127s", c.name) != 1)
				goto bad;
			in_case = 1;
		} else if (!in_case) {
			goto bad;
		} else if (!strcmp(word, "type")) {
			if (sscanf(line, "type %u", &c.prog_type) != 1)
				goto bad;
		} else if (!strcmp(word, "loglevel")) {
			if (sscanf(line, "loglevel %u", &c.log_level) != 1)
				goto bad;
		} else if (!strcmp(word, "map")) {
			struct map_def *m = &c.maps[c.map_cnt];

			if (c.map_cnt == MAX_MAPS ||
			    sscanf(line, "map %u %u %u %u", &m->type, &m->key, &m->value, &m->max) != 4)
				goto bad;
			c.map_cnt++;
		} else if (!strcmp(word, "func")) {
			if (c.func_cnt == MAX_FUNCS || sscanf(line, "func %u", &c.funcs[c.func_cnt]) != 1)
				goto bad;
			c.func_cnt++;
		} else if (!strcmp(word, "line")) {
			if (c.line_cnt == MAX_LINES || sscanf(line, "line %u", &c.lines[c.line_cnt]) != 1)
				goto bad;
			c.line_cnt++;
		} else if (!strcmp(word, "insn")) {
			struct bpf_insn *insn = &c.insns[c.insn_cnt];

			if (c.insn_cnt == MAX_INSNS ||
			    sscanf(line, "insn %x %u %u %d %d", &a, &b, &d, &e, &g) != 5)
				goto bad;
			insn->code = (uint8_t)a;
			insn->dst_reg = (uint8_t)b;
			insn->src_reg = (uint8_t)d;
			insn->off = (int16_t)e;
			insn->imm = g;
			c.insn_cnt++;
		} else if (!strcmp(word, "end")) {
			run_case(&c);
			in_case = 0;
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "raw-load: %s:%u: cannot read: %s", argv[1], lineno, line);
		return 2;
	}
	fclose(f);
	return 0;
}
