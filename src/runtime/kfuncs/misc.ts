import { kfuncId } from "../../object/kfuncs.js";
import type { Vm } from "../vm.js";

/**
 * Kfuncs with nothing to do in a single-threaded runtime: RCU read sections,
 * and the casts, which return their argument. bpf_cast_to_kern_ctx returns
 * the context as it is: the runtime has no `struct sk_buff` behind
 * `__sk_buff`, so kernel-only fields read through it are not emulated.
 */
export function installMiscKfuncs(vm: Vm): void {
  const register = (name: string, fn: (vm: Vm) => bigint) => {
    const id = kfuncId(name);
    if (id !== undefined) vm.registerKfunc(id, name, fn);
  };
  register("bpf_rcu_read_lock", () => 0n);
  register("bpf_rcu_read_unlock", () => 0n);
  register("bpf_cast_to_kern_ctx", (vm) => vm.regs[1]!);
  register("bpf_rdonly_cast", (vm) => vm.regs[1]!);
}
