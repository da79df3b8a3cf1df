// SPDX-License-Identifier: MIT
/*
 * probe: asks the running kernel, without libbpf's fallbacks, whether it
 * accepts the BTF of a BPF object and each of its maps with that BTF.
 *
 *   probe OBJ
 *
 * Opens OBJ with libbpf (which fills in the DATASEC sizes and variable
 * offsets, as it does before loading), then
 *
 *   1. BPF_BTF_LOAD with the object's BTF and a level-1 log: this is where
 *      the kernel parses every struct that has a special field as a direct
 *      member (btf_parse_struct_metas) and checks ownership depth;
 *   2. when that succeeds, BPF_MAP_CREATE for every map with that BTF and its
 *      key/value type ids, the way libbpf would on its first attempt: this is
 *      where map_check_btf parses the value type (a struct, or the DATASEC of
 *      a global data map) with btf_parse_fields.
 *
 * A value type whose special fields the kernel cannot make sense of does not
 * fail BPF_MAP_CREATE: map_check_btf keeps the error as the map's record and
 * the map then behaves as if it had no special fields at all. Only a valid
 * record in a map type or with flags that cannot hold it fails here.
 *
 * and prints one JSON object:
 *
 *   {"btf_load":{"errno":N,"log_tail":"<last line of the BTF log>"},
 *    "maps":[{"name":"...","value_type_id":N,"errno":N}, ...]}
 *
 * errno is 0 on success. "maps" is empty when the BTF was refused. Nothing
 * stays loaded. libbpf's own retry without BTF is deliberately not done here:
 * the point is the kernel's first answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c == '\t')
			printf("\\t");
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The last non-empty line of the log: the BTF verifier's reason, when it gives one. */
static const char *last_line(char *log)
{
	size_t len = strlen(log);
	char *p;

	while (len > 0 && log[len - 1] == '\n')
		log[--len] = '\0';
	p = strrchr(log, '\n');
	return p ? p + 1 : log;
}

int main(int argc, char **argv)
{
	static char log[1 << 20];
	struct bpf_object *obj;
	struct bpf_map *map;
	const void *raw;
	struct btf *btf;
	__u32 raw_size;
	int btf_fd, first = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: probe OBJ\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "probe: cannot open %s\n", argv[1]);
		return 2;
	}
	btf = bpf_object__btf(obj);
	if (!btf) {
		fprintf(stderr, "probe: %s has no BTF\n", argv[1]);
		return 2;
	}
	raw = btf__raw_data(btf, &raw_size);

	LIBBPF_OPTS(bpf_btf_load_opts, btf_opts, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	btf_fd = bpf_btf_load(raw, raw_size, &btf_opts);
	printf("{\"btf_load\":{\"errno\":%d,\"log_tail\":", btf_fd < 0 ? errno : 0);
	json_string(btf_fd < 0 ? last_line(log) : "");
	printf("},\"maps\":[");
	if (btf_fd >= 0) {
		bpf_object__for_each_map(map, obj) {
			__u32 value_id = bpf_map__btf_value_type_id(map);
			int id;

			/* libbpf looks up a global data map's DATASEC only when it creates the map. */
			if (!value_id && bpf_map__name(map)[0] == '.') {
				id = btf__find_by_name_kind(btf, bpf_map__name(map), BTF_KIND_DATASEC);
				value_id = id > 0 ? (__u32)id : 0;
			}
			LIBBPF_OPTS(bpf_map_create_opts, map_opts, .btf_fd = btf_fd,
				    .btf_key_type_id = bpf_map__btf_key_type_id(map),
				    .btf_value_type_id = value_id,
				    .map_flags = bpf_map__map_flags(map));
			int fd = bpf_map_create(bpf_map__type(map), bpf_map__name(map),
						bpf_map__key_size(map), bpf_map__value_size(map),
						bpf_map__max_entries(map), &map_opts);

			printf("%s{\"name\":", first ? "" : ",");
			json_string(bpf_map__name(map));
			printf(",\"value_type_id\":%u,\"errno\":%d}", value_id, fd < 0 ? errno : 0);
			if (fd >= 0)
				close(fd);
			first = 0;
		}
		close(btf_fd);
	}
	printf("]}\n");
	bpf_object__close(obj);
	return 0;
}
