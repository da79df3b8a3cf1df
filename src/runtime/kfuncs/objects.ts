import type { Btf } from "../../btf/btf.js";
import { kfuncId } from "../../object/kfuncs.js";
import type { ObjectGraph } from "../graph/graph.js";
import type { Vm } from "../vm.js";

/**
 * bpf_obj_new_impl(local_type_id, meta) and bpf_obj_drop_impl(obj, meta),
 * with their per-CPU twins (one CPU: the same object), and
 * bpf_refcount_acquire_impl(obj, meta). The type id is one of the program's
 * own BTF (the loader resolved `bpf_core_type_id_local`); `meta` is what the
 * kernel's verifier fills in, so the runtime finds the type's fields itself.
 */
export function installObjectKfuncs(vm: Vm, graph: ObjectGraph, btf: Btf | undefined): void {
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
    return BigInt(graph.allocate(typeId, size, typeName));
  };
  const fault = (name: string) => (message: string) => vm.fault(`${name}: ${message}`);
  const register = (name: string, fn: (vm: Vm) => bigint) => {
    const id = kfuncId(name);
    if (id !== undefined) vm.registerKfunc(id, name, fn);
  };
  register("bpf_obj_new_impl", allocate("bpf_obj_new_impl"));
  register("bpf_percpu_obj_new_impl", allocate("bpf_percpu_obj_new_impl"));
  register("bpf_obj_drop_impl", (vm) => {
    graph.drop(vm.arg(1), fault("bpf_obj_drop_impl"));
    return 0n;
  });
  // bpf_percpu_obj_drop_impl frees without looking at fields: per-CPU objects have none.
  register("bpf_percpu_obj_drop_impl", (vm) => {
    const addr = vm.arg(1);
    const error = graph.heap.free(addr);
    if (error !== undefined) vm.fault(`bpf_percpu_obj_drop_impl: ${error}`);
    return 0n;
  });
  register("bpf_refcount_acquire_impl", (vm) =>
    BigInt(graph.acquire(vm.arg(1), fault("bpf_refcount_acquire_impl"))),
  );
}
