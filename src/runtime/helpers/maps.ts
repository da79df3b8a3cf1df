import type { BpfMap } from "../maps/map.js";
import { ACCESS_READ, hex } from "../memory.js";
import type { Vm } from "../vm.js";
import type { HelperEnv } from "./env.js";
import {
  BPF_FUNC_map_delete_elem,
  BPF_FUNC_map_lookup_elem,
  BPF_FUNC_map_update_elem,
} from "./ids.js";

/** The map R`n` points to; a fault when it points to none. */
export function mapArg(vm: Vm, env: HelperEnv, n: 1 | 2 | 3, helper: string): BpfMap {
  const addr = vm.arg(n);
  const map = env.mapAt(addr);
  if (map === undefined) vm.fault(`${helper}: R${n} = ${hex(addr)} is not a map`);
  return map;
}

/**
 * The key R2 points to, checked and viewed in place (maps copy what they keep).
 */
function keyArg(vm: Vm, map: BpfMap, helper: string): Uint8Array {
  const addr = vm.arg(2);
  const size = map.spec.keySize;
  if (!vm.memory.allows(addr, size, ACCESS_READ)) {
    vm.memory.check(addr, size, ACCESS_READ, `${helper} key (R2)`, vm.pc);
  }
  return vm.memory.bytes.subarray(addr, addr + size);
}

export function installMapHelpers(vm: Vm, env: HelperEnv): void {
  vm.registerHelper(BPF_FUNC_map_lookup_elem, "bpf_map_lookup_elem", (vm) => {
    const map = mapArg(vm, env, 1, "bpf_map_lookup_elem");
    const key = keyArg(vm, map, "bpf_map_lookup_elem");
    return BigInt(map.lookup(key));
  });
  vm.registerHelper(BPF_FUNC_map_update_elem, "bpf_map_update_elem", (vm) => {
    const map = mapArg(vm, env, 1, "bpf_map_update_elem");
    const key = keyArg(vm, map, "bpf_map_update_elem");
    const value = vm.memory.read(
      vm.arg(3),
      map.spec.valueSize,
      "bpf_map_update_elem value (R3)",
      vm.pc,
    );
    return BigInt(map.update(key, value, Number(vm.regs[4]! & 0xffffffffn)));
  });
  vm.registerHelper(BPF_FUNC_map_delete_elem, "bpf_map_delete_elem", (vm) => {
    const map = mapArg(vm, env, 1, "bpf_map_delete_elem");
    const key = keyArg(vm, map, "bpf_map_delete_elem");
    return BigInt(map.delete(key));
  });
}
