import { ACCESS_RW } from "../memory.js";
import type { Vm } from "../vm.js";
import { BPF_FUNC_spin_lock, BPF_FUNC_spin_unlock } from "./ids.js";

/**
 * bpf_spin_lock / bpf_spin_unlock on a 4-byte `struct bpf_spin_lock` in a map
 * value or object. Runs are single-threaded, so taking a lock never waits;
 * the lock word still records the state so that taking a held lock (which
 * would deadlock in the kernel) or releasing a free one is a fault. Locks a
 * run still holds when it ends (it faulted) are released, so the next run
 * starts clean.
 */
export function installSpinLockHelpers(vm: Vm): void {
  vm.registerHelper(BPF_FUNC_spin_lock, "bpf_spin_lock", (vm) => {
    const addr = vm.arg(1);
    vm.memory.check(addr, 4, ACCESS_RW, "bpf_spin_lock lock (R1)", vm.pc);
    if (vm.memory.view.getUint32(addr, true) !== 0) {
      vm.fault("bpf_spin_lock: the lock is already held (this would deadlock)");
    }
    vm.memory.view.setUint32(addr, 1, true);
    vm.heldLocks.push(addr);
    return 0n;
  });
  vm.registerHelper(BPF_FUNC_spin_unlock, "bpf_spin_unlock", (vm) => {
    const addr = vm.arg(1);
    vm.memory.check(addr, 4, ACCESS_RW, "bpf_spin_unlock lock (R1)", vm.pc);
    if (vm.memory.view.getUint32(addr, true) === 0) {
      vm.fault("bpf_spin_unlock: the lock is not held");
    }
    vm.memory.view.setUint32(addr, 0, true);
    const i = vm.heldLocks.lastIndexOf(addr);
    if (i >= 0) vm.heldLocks.splice(i, 1);
    return 0n;
  });
}
