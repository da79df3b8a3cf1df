import { ProgArrayMap } from "../maps/prog-array.js";
import { MAX_TAIL_CALLS, type Vm } from "../vm.js";
import type { HelperEnv } from "./env.js";
import { BPF_FUNC_tail_call } from "./ids.js";
import { mapArg } from "./maps.js";

/**
 * bpf_tail_call(ctx, prog_array, index): on success the running program is
 * replaced by the one in the slot and never returns here (the interpreter
 * switches programs when it sees `vm.tailCallTarget`). An empty slot, an
 * index out of range or more than MAX_TAIL_CALL_CNT (33) tail calls make the
 * call fall through, as in the kernel.
 */
export function installTailCallHelper(vm: Vm, env: HelperEnv): void {
  vm.registerHelper(BPF_FUNC_tail_call, "bpf_tail_call", (vm) => {
    const map = mapArg(vm, env, 2, "bpf_tail_call");
    if (!(map instanceof ProgArrayMap))
      return vm.fault("bpf_tail_call: R2 is not a prog_array map");
    const index = Number(vm.regs[3]! & 0xffffffffn);
    if (index >= map.spec.maxEntries) return -2n;
    if (vm.tailCalls >= MAX_TAIL_CALLS) return -2n;
    const n = map.program(index);
    const target = n === undefined ? undefined : env.program(n);
    if (target === undefined) return -2n;
    vm.tailCalls++;
    vm.tailCallTarget = target;
    return 0n;
  });
}
