import type { Btf } from "../../btf/btf.js";
import type { MapSpec } from "../../object/spec.js";
import { ObjectGraph } from "../graph/graph.js";
import { FieldLayouts } from "../graph/layout.js";
import type { Region } from "../memory.js";
import type { Vm } from "../vm.js";
import { installGraphKfuncs } from "./graph.js";
import { ObjectHeap } from "./heap.js";
import { installIterNumKfuncs } from "./iter-num.js";
import { installMiscKfuncs } from "./misc.js";
import { installObjectKfuncs } from "./objects.js";

export { type HeapObject, type HeapStats, ObjectHeap } from "./heap.js";

export interface KfuncEnv {
  /** bytes bpf_obj_new may hand out in total before it returns NULL (default: no limit) */
  readonly objectMemoryLimit?: number;
  /** the map a "map value" region belongs to, so lists in map values can be found */
  readonly mapOfRegion?: (region: Region) => MapSpec | undefined;
}

/**
 * Registers the kfuncs the runtime implements, by tsbpf kfunc id, and
 * returns the object graph they share: the heap of allocated objects and
 * the lists and trees linking them.
 */
export function installStandardKfuncs(
  vm: Vm,
  btf: Btf | undefined,
  env: KfuncEnv = {},
): ObjectGraph {
  const heap = new ObjectHeap(vm.memory, {
    ...(env.objectMemoryLimit !== undefined && { limitBytes: env.objectMemoryLimit }),
  });
  const graph = new ObjectGraph(
    vm.memory,
    heap,
    new FieldLayouts(btf),
    env.mapOfRegion ?? (() => undefined),
  );
  installObjectKfuncs(vm, graph, btf);
  installGraphKfuncs(vm, graph);
  installIterNumKfuncs(vm);
  installMiscKfuncs(vm);
  return graph;
}
