import { EINVAL } from "../errors.js";
import { RingbufMap } from "../maps/ringbuf.js";
import { hex } from "../memory.js";
import type { Vm } from "../vm.js";
import type { HelperEnv } from "./env.js";
import {
  BPF_FUNC_ringbuf_discard,
  BPF_FUNC_ringbuf_output,
  BPF_FUNC_ringbuf_query,
  BPF_FUNC_ringbuf_reserve,
  BPF_FUNC_ringbuf_submit,
} from "./ids.js";
import { mapArg } from "./maps.js";

const EAGAIN = 11;
/** BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP: the only flags submit/output accept. */
const WAKEUP_FLAGS = 3;

function ringArg(vm: Vm, env: HelperEnv, helper: string): RingbufMap {
  const map = mapArg(vm, env, 1, helper);
  if (!(map instanceof RingbufMap))
    vm.fault(`${helper}: R1 is map ${map.spec.name}, not a ringbuf`);
  return map;
}

export function installRingbufHelpers(vm: Vm, env: HelperEnv): void {
  vm.registerHelper(BPF_FUNC_ringbuf_output, "bpf_ringbuf_output", (vm) => {
    const ring = ringArg(vm, env, "bpf_ringbuf_output");
    const data = vm.memory.read(vm.arg(2), vm.arg(3), "bpf_ringbuf_output data (R2)", vm.pc);
    if (Number(vm.regs[4]!) & ~WAKEUP_FLAGS) return BigInt(-EINVAL);
    return ring.output(data) ? 0n : BigInt(-EAGAIN);
  });
  vm.registerHelper(BPF_FUNC_ringbuf_reserve, "bpf_ringbuf_reserve", (vm) => {
    const ring = ringArg(vm, env, "bpf_ringbuf_reserve");
    if (vm.regs[3] !== 0n) return 0n;
    return BigInt(ring.reserve(vm.arg(2)));
  });
  const commit = (helper: string, discard: boolean) => (vm: Vm) => {
    const addr = vm.arg(1);
    for (const map of env.allMaps()) {
      if (map instanceof RingbufMap && map.commit(addr, discard)) return 0n;
    }
    return vm.fault(`${helper}: R1 = ${hex(addr)} is not a reserved ringbuf record`);
  };
  vm.registerHelper(
    BPF_FUNC_ringbuf_submit,
    "bpf_ringbuf_submit",
    commit("bpf_ringbuf_submit", false),
  );
  vm.registerHelper(
    BPF_FUNC_ringbuf_discard,
    "bpf_ringbuf_discard",
    commit("bpf_ringbuf_discard", true),
  );
  vm.registerHelper(BPF_FUNC_ringbuf_query, "bpf_ringbuf_query", (vm) =>
    ringArg(vm, env, "bpf_ringbuf_query").query(Number(vm.regs[2]! & 0xffffffffn)),
  );
}
