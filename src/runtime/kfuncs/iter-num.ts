import { kfuncId } from "../../object/kfuncs.js";
import { ACCESS_RW } from "../memory.js";
import type { Vm } from "../vm.js";

/** BPF_MAX_LOOPS */
const MAX_LOOPS = 8 * 1024 * 1024;
const EINVAL = 22;
const E2BIG = 7;

/**
 * The numbers iterator (kernel/bpf/bpf_iter.c): `struct bpf_iter_num` is 8
 * bytes on the program's stack holding `int cur, end`; next() returns a
 * pointer to `cur` until it reaches `end`, then NULL.
 */
export function installIterNumKfuncs(vm: Vm): void {
  const state = (vm: Vm, name: string): number => {
    const addr = vm.arg(1);
    vm.memory.check(addr, 8, ACCESS_RW, `${name} iterator (R1)`, vm.pc);
    return addr;
  };
  const register = (name: string, fn: (vm: Vm) => bigint) => {
    const id = kfuncId(name);
    if (id !== undefined) vm.registerKfunc(id, name, fn);
  };
  register("bpf_iter_num_new", (vm) => {
    const it = state(vm, "bpf_iter_num_new");
    const start = Number(BigInt.asIntN(32, vm.regs[2]!));
    const end = Number(BigInt.asIntN(32, vm.regs[3]!));
    const view = vm.memory.view;
    // start == end is an empty range: the first next() returns NULL
    const error = start > end ? -EINVAL : end - start > MAX_LOOPS ? -E2BIG : 0;
    view.setInt32(it, error === 0 ? start - 1 : 0, true);
    view.setInt32(it + 4, error === 0 ? end : 0, true);
    return BigInt(error);
  });
  register("bpf_iter_num_next", (vm) => {
    const it = state(vm, "bpf_iter_num_next");
    const view = vm.memory.view;
    const cur = view.getInt32(it, true);
    const end = view.getInt32(it + 4, true);
    if (cur + 1 >= end) {
      view.setInt32(it, 0, true);
      view.setInt32(it + 4, 0, true);
      return 0n;
    }
    view.setInt32(it, cur + 1, true);
    return BigInt(it);
  });
  register("bpf_iter_num_destroy", (vm) => {
    const it = state(vm, "bpf_iter_num_destroy");
    vm.memory.view.setBigUint64(it, 0n, true);
    return 0n;
  });
}
