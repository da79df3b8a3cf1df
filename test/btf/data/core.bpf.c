/* CO-RE relocations, func info and line info, for the .BTF.ext parser tests. */
#define SEC(name) __attribute__((section(name), used))

struct task {
	int pid;
	int tgid;
	struct task *parent;
};

enum state { RUNNING, SLEEPING };

SEC("tracepoint/sched/sched_switch")
int read_parent(struct task *t)
{
	int pid = __builtin_preserve_access_index(t->parent->tgid);
	unsigned long id = __builtin_btf_type_id(*t, 0);
	unsigned long size = __builtin_preserve_field_info(t->pid, 1);
	unsigned long exists = __builtin_preserve_type_info(*t, 0);
	unsigned long running = __builtin_preserve_enum_value(*(enum state *)SLEEPING, 1);
	return pid + id + size + exists + running;
}

static __attribute__((noinline)) int helper(int x)
{
	return x * 3;
}

SEC("xdp")
int second(void *ctx)
{
	return helper(7);
}

char _license[] SEC("license") = "GPL";
