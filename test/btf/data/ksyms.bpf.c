/* Extern kfuncs and kernel variables in .ksyms, as clang lists them before libbpf resolves them. */
#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))

extern void *bpf_obj_new_impl(unsigned long long local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern const int bpf_prog_active __ksym;

SEC("tc")
int use_kfuncs(void *ctx)
{
	void *p = bpf_obj_new_impl(1, 0);
	if (p)
		bpf_obj_drop_impl(p, 0);
	return bpf_prog_active;
}

char _license[] SEC("license") = "GPL";
