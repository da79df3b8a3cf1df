import { ACCESS_RW } from "../memory.js";
import type { Vm } from "../vm.js";
import { BPF_FUNC_kptr_xchg, BPF_FUNC_per_cpu_ptr, BPF_FUNC_this_cpu_ptr } from "./ids.js";

/**
 * bpf_kptr_xchg(map_value_field, ptr) swaps a kptr field of a map value (or
 * object) and returns the old pointer; bpf_this_cpu_ptr / bpf_per_cpu_ptr
 * resolve a per-CPU pointer, which on the runtime's single CPU is the
 * pointer itself (and NULL for any other CPU).
 */
export function installKptrHelpers(vm: Vm): void {
  vm.registerHelper(BPF_FUNC_kptr_xchg, "bpf_kptr_xchg", (vm) => {
    const field = vm.arg(1);
    vm.memory.check(field, 8, ACCESS_RW, "bpf_kptr_xchg field (R1)", vm.pc);
    const view = vm.memory.view;
    const old = view.getBigUint64(field, true);
    view.setBigUint64(field, vm.regs[2]!, true);
    return old;
  });
  vm.registerHelper(BPF_FUNC_this_cpu_ptr, "bpf_this_cpu_ptr", (vm) => vm.regs[1]!);
  vm.registerHelper(BPF_FUNC_per_cpu_ptr, "bpf_per_cpu_ptr", (vm) =>
    (vm.regs[2]! & 0xffffffffn) === 0n ? vm.regs[1]! : 0n,
  );
}
