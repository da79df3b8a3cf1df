import { E2BIG, EINVAL } from "../errors.js";
import { callFunction } from "../interp.js";
import { hex } from "../memory.js";
import type { Vm } from "../vm.js";
import { BPF_FUNC_loop } from "./ids.js";

/** BPF_MAX_LOOPS */
const MAX_LOOPS = 1 << 23;

/**
 * bpf_loop(nr_loops, callback_fn, callback_ctx, flags): calls
 * `callback_fn(i, callback_ctx)` for i = 0.. until it returns non-zero;
 * returns the number of calls made (kernel/bpf/bpf_iter.c).
 */
export function installLoopHelper(vm: Vm): void {
  vm.registerHelper(BPF_FUNC_loop, "bpf_loop", (vm) => {
    const n = vm.regs[1]! & 0xffffffffn;
    if (n > BigInt(MAX_LOOPS)) return BigInt(-E2BIG);
    if (vm.regs[4] !== 0n) return BigInt(-EINVAL);
    const program = vm.program!;
    const fn = vm.arg(2);
    const text = program.text;
    if (fn < text.start || fn >= text.end || (fn - text.start) % 8 !== 0) {
      vm.fault(`bpf_loop: R2 = ${hex(fn)} is not a function of program ${program.name}`);
    }
    const target = (fn - text.start) / 8;
    const ctx = vm.regs[3]!;
    const count = Number(n);
    for (let i = 0; i < count; i++) {
      const ret = callFunction(vm, program, target, [BigInt(i), ctx]);
      if (ret !== 0n) return BigInt(i + 1);
    }
    return BigInt(count);
  });
}
