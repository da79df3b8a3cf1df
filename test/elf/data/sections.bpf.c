/* Maps, global data, subprograms and their relocations, for the ELF reader tests. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

struct {
	__uint(type, 1 /* BPF_MAP_TYPE_HASH */);
	__uint(max_entries, 16);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");

int hits;
int threshold = 7;
const char greeting[] = "hello";

static long (*map_lookup_elem)(void *map, const void *key) = (void *)1;

__attribute__((noinline)) int scale(int x)
{
	return x * threshold;
}

SEC("xdp")
int count_packets(void *ctx)
{
	int key = 0;
	long *v = (long *)map_lookup_elem(&counts, &key);
	hits++;
	if (v)
		return scale(*v) + greeting[1];
	return 2;
}

SEC("socket")
int drop_all(void *ctx)
{
	return scale(0);
}

char _license[] SEC("license") = "GPL";
