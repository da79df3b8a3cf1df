/* Every BTF kind clang emits, for the BTF parser tests. */
typedef unsigned long long __u64;
typedef unsigned int __u32;

#define SEC(name) __attribute__((section(name), used))
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __user __attribute__((btf_type_tag("user")))

struct bpf_list_head {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

struct bpf_list_node {
	__u64 __opaque[3];
} __attribute__((aligned(8)));

struct foo {
	struct bpf_list_node node;
	int value;
};

struct holder {
	int lock;
	struct bpf_list_head head __contains(foo, node);
	char name[16];
};

enum color { RED, GREEN = 5, BLUE = -1 };
enum big { SMALL = 1, HUGE = 0x123456789ULL };

struct bits {
	unsigned int a : 3;
	unsigned int b : 5;
	int c;
	unsigned char d : 1;
};

union number {
	int i;
	float f;
	double d;
};

struct opaque;
union opaque_union;

typedef int (*callback_t)(void *ctx, long flags);

struct kitchen {
	volatile int counter;
	const char *label;
	struct opaque *fwd;
	union opaque_union *ufwd;
	callback_t cb;
	int __user *uptr;
	enum color color;
	enum big big;
	union number num;
	struct bits bits;
	unsigned int matrix[2][3];
};

struct holder global_holder __contains(foo, node) SEC(".data.holder");
struct kitchen kitchen;
struct foo *first_foo;
static volatile const int answer = 42;
int counter SEC(".bss");

static __attribute__((noinline)) int add(int *restrict a, const int *restrict b)
{
	return *a + *b;
}

__attribute__((noinline)) int global_sum(struct kitchen *k, int n __attribute__((btf_decl_tag("arg:n"))))
{
	int x = n;
	return add(&x, (const int *)&k->matrix[1][2]) + k->counter;
}

SEC("xdp")
int prog(void *ctx)
{
	counter++;
	return global_sum(&kitchen, answer) + global_holder.lock + (first_foo ? first_foo->value : 0);
}

char _license[] SEC("license") = "GPL";
