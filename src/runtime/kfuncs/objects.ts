import type { Btf } from "../../btf/btf.js";
import { kfuncId } from "../../object/kfuncs.js";
import type { Vm } from "../vm.js";
import type { ObjectHeap } from "./heap.js";

/**
 * bpf_obj_new_impl(local_type_id, meta) and bpf_obj_drop_impl(obj, meta),
 * with their per-CPU twins (one CPU: the same object). The type id is one of
 * the program's own BTF (the loader resolved `bpf_core_type_id_local`).
 */
export function installObjectKfuncs(vm: Vm, heap: ObjectHeap, btf: Btf | undefined): void {
  const allocate = (name: string) => (vm: Vm) => {
    const typeId = Number(vm.regs[1]! & 0xffffffffn);
    if (btf === undefined) vm.fault(`${name}: the object has no BTF to size type ${typeId} with`);
    let size: number;
    let typeName: string;
    try {
      size = btf.sizeof(typeId);
      typeName = btf.typeName(typeId);
    } catch (e) {
      return vm.fault(`${name}: type id ${typeId}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return BigInt(heap.allocate(size, typeName));
  };
  const drop = (name: string) => (vm: Vm) => {
    const error = heap.free(vm.arg(1));
    if (error !== undefined) vm.fault(`${name}: ${error}`);
    return 0n;
  };
  const register = (name: string, fn: (vm: Vm) => bigint) => {
    const id = kfuncId(name);
    if (id !== undefined) vm.registerKfunc(id, name, fn);
  };
  register("bpf_obj_new_impl", allocate("bpf_obj_new_impl"));
  register("bpf_percpu_obj_new_impl", allocate("bpf_percpu_obj_new_impl"));
  register("bpf_obj_drop_impl", drop("bpf_obj_drop_impl"));
  register("bpf_percpu_obj_drop_impl", drop("bpf_percpu_obj_drop_impl"));
}
