import type { Vm } from "../vm.js";
import type { HelperEnv } from "./env.js";
import {
  BPF_FUNC_get_current_pid_tgid,
  BPF_FUNC_get_prandom_u32,
  BPF_FUNC_get_smp_processor_id,
  BPF_FUNC_ktime_get_boot_ns,
  BPF_FUNC_ktime_get_ns,
} from "./ids.js";

/** Clocks, randomness and the identity of the (single, simulated) CPU and task. */
export function installMiscHelpers(vm: Vm, env: HelperEnv): void {
  vm.registerHelper(BPF_FUNC_ktime_get_ns, "bpf_ktime_get_ns", () => env.nowNs());
  vm.registerHelper(BPF_FUNC_ktime_get_boot_ns, "bpf_ktime_get_boot_ns", () => env.nowNs());
  vm.registerHelper(BPF_FUNC_get_prandom_u32, "bpf_get_prandom_u32", () =>
    BigInt(env.random() >>> 0),
  );
  vm.registerHelper(BPF_FUNC_get_smp_processor_id, "bpf_get_smp_processor_id", () => 0n);
  vm.registerHelper(BPF_FUNC_get_current_pid_tgid, "bpf_get_current_pid_tgid", () =>
    BigInt.asUintN(64, env.pidTgid),
  );
}
