import { kfuncId } from "../../object/kfuncs.js";
import type { ObjectGraph } from "../graph/graph.js";
import { listPeek, listPop, listPush } from "../graph/list.js";
import { rbtreeAdd, rbtreeChild, rbtreeFirst, rbtreeRemove, rbtreeTop } from "../graph/rbtree.js";
import { callFunction } from "../interp.js";
import { hex } from "../memory.js";
import type { Vm } from "../vm.js";

/**
 * The list and tree kfuncs (kernel/bpf/helpers.c). Both spellings of the
 * pushes are here: `bpf_list_push_front_impl(head, node, meta, off)` (Linux
 * 6.4+, returns 0 or -EINVAL) and the 2022 `bpf_list_push_front(head,
 * node)`. The runtime ignores `meta` and `off`, which the kernel's verifier
 * fills in: it finds the held type and the node offset from the head's own
 * `contains:` tag, and checks that the guarding lock is held.
 */
export function installGraphKfuncs(vm: Vm, graph: ObjectGraph): void {
  const register = (name: string, fn: (vm: Vm, fault: (m: string) => never) => number) => {
    const id = kfuncId(name);
    if (id === undefined) return;
    const fault = (message: string): never => vm.fault(`${name}: ${message}`);
    vm.registerKfunc(id, name, (vm) => BigInt(fn(vm, fault)));
  };
  const lockedRoot = (vm: Vm, kind: "list_head" | "rb_root", fault: (m: string) => never) => {
    const root = graph.rootAt(vm.arg(1), kind, fault);
    graph.checkLockHeld(root, fault);
    return root;
  };

  for (const [name, tail] of [
    ["bpf_list_push_front_impl", false],
    ["bpf_list_push_back_impl", true],
    ["bpf_list_push_front", false],
    ["bpf_list_push_back", true],
  ] as const) {
    register(name, (vm, fault) =>
      listPush(graph, lockedRoot(vm, "list_head", fault), vm.arg(2), tail, fault),
    );
  }
  register("bpf_list_pop_front", (vm, fault) =>
    listPop(graph, lockedRoot(vm, "list_head", fault), false, fault),
  );
  register("bpf_list_pop_back", (vm, fault) =>
    listPop(graph, lockedRoot(vm, "list_head", fault), true, fault),
  );
  register("bpf_list_front", (vm, fault) =>
    listPeek(graph, lockedRoot(vm, "list_head", fault), false, fault),
  );
  register("bpf_list_back", (vm, fault) =>
    listPeek(graph, lockedRoot(vm, "list_head", fault), true, fault),
  );

  const add = (vm: Vm, fault: (m: string) => never): number => {
    const root = lockedRoot(vm, "rb_root", fault);
    const program = vm.program;
    const fn = vm.arg(3);
    if (program === undefined) fault("no program is running to call `less` in");
    const text = program.text;
    if (fn < text.start || fn >= text.end || (fn - text.start) % 8 !== 0) {
      fault(`R3 = ${hex(fn)} is not a function of program ${program.name}`);
    }
    const target = (fn - text.start) / 8;
    const less = (a: number, b: number) =>
      callFunction(vm, program, target, [BigInt(a), BigInt(b)]) !== 0n;
    return rbtreeAdd(graph, root, vm.arg(2), less, fault);
  };
  register("bpf_rbtree_add_impl", add);
  register("bpf_rbtree_add", add);
  register("bpf_rbtree_remove", (vm, fault) =>
    rbtreeRemove(graph, lockedRoot(vm, "rb_root", fault), vm.arg(2)),
  );
  register("bpf_rbtree_first", (vm, fault) =>
    rbtreeFirst(graph, lockedRoot(vm, "rb_root", fault), fault),
  );
  register("bpf_rbtree_root", (vm, fault) =>
    rbtreeTop(graph, lockedRoot(vm, "rb_root", fault), fault),
  );
  register("bpf_rbtree_left", (vm, fault) =>
    rbtreeChild(graph, lockedRoot(vm, "rb_root", fault), vm.arg(2), false, fault),
  );
  register("bpf_rbtree_right", (vm, fault) =>
    rbtreeChild(graph, lockedRoot(vm, "rb_root", fault), vm.arg(2), true, fault),
  );
}
