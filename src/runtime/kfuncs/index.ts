import type { Btf } from "../../btf/btf.js";
import type { Vm } from "../vm.js";
import { ObjectHeap } from "./heap.js";
import { installIterNumKfuncs } from "./iter-num.js";
import { installMiscKfuncs } from "./misc.js";
import { installObjectKfuncs } from "./objects.js";

export { ObjectHeap } from "./heap.js";

/**
 * Registers the kfuncs the runtime implements, by tsbpf kfunc id. Graph
 * kfuncs (lists, rbtrees, refcounts) plug in the same way through
 * `vm.registerKfunc`, sharing `heap` for the objects they link.
 */
export function installStandardKfuncs(vm: Vm, btf: Btf | undefined): ObjectHeap {
  const heap = new ObjectHeap(vm.memory);
  installObjectKfuncs(vm, heap, btf);
  installIterNumKfuncs(vm);
  installMiscKfuncs(vm);
  return heap;
}
