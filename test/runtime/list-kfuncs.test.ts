import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import type { ObjectSpec } from "../../src/object/spec.js";
import { createRuntime, type Runtime, RuntimeFault } from "../../src/runtime/index.js";
import { ListAsm, withProgram } from "./list-asm.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const load = (name: string): ObjectSpec =>
  parseObject(new Uint8Array(readFileSync(join(FIXTURES, name))));

const SPIN_LOCK = 93;
const SPIN_UNLOCK = 94;
const EMPTY = 15;

/**
 * Where things are in the fixtures these programs borrow their BTF and
 * `.data.A` from (offsets from the objects' symbol tables and BTF):
 * list_global.o: `struct foo { int data; struct bpf_list_node node; u64 stamp; }`
 * (node at 8, 24 bytes), .data.A = { ghead @0, glock @16 };
 * list_2022.o: the same foo with the 16-byte 2022 node at 8, .data.A =
 * { glock @0, ghead @8 }.
 */
interface Layout {
  readonly spec: ObjectSpec;
  readonly map: number;
  readonly head: number;
  readonly lock: number;
  readonly typeId: number;
  readonly nodeOffset: number;
  readonly pushFront: string;
  readonly pushBack: string;
}

function layout(object: "list_global.o" | "list_2022.o", spelling: "impl" | "2022"): Layout {
  const spec = load(object);
  const map = spec.maps.findIndex((m) => m.section === ".data.A");
  const today = object === "list_global.o";
  return {
    spec,
    map,
    head: today ? 0 : 8,
    lock: today ? 16 : 0,
    typeId: spec.btf!.findByName("foo", "struct")!.id,
    nodeOffset: 8,
    pushFront: spelling === "impl" ? "bpf_list_push_front_impl" : "bpf_list_push_front",
    pushBack: spelling === "impl" ? "bpf_list_push_back_impl" : "bpf_list_push_back",
  };
}

/** Allocates a foo with `data` = n into r6 (exits with 1000 when bpf_obj_new fails). */
function alloc(a: ListAsm, l: Layout, n: number): void {
  a.movi(1, l.typeId).movi(2, 0).kfunc("bpf_obj_new_impl").jeqi(0, 0, "oom");
  a.mov(6, 0).movi(1, n).stxw(6, 0, 1);
}

function lock(a: ListAsm, l: Layout, take: boolean): void {
  a.mapValue(1, l.map, l.lock).helper(take ? SPIN_LOCK : SPIN_UNLOCK);
}

/**
 * A program running `ops` on the list in .data.A: "F<n>"/"B<n>" push a new
 * foo with data n at the front/back, "f"/"b" pop from the front/back (and
 * drop). Returns the popped data as hex digits, oldest pop first (F for an
 * empty list), in r9.
 */
function opsProgram(l: Layout, ops: string[]): ObjectSpec {
  const a = new ListAsm();
  a.movi(9, 0);
  ops.forEach((op, i) => {
    if (op[0] === "F" || op[0] === "B") {
      alloc(a, l, Number(op.slice(1)));
      lock(a, l, true);
      a.mapValue(1, l.map, l.head).mov(2, 6).addi(2, l.nodeOffset).movi(3, 0).movi(4, 0);
      a.kfunc(op[0] === "F" ? l.pushFront : l.pushBack);
      lock(a, l, false);
    } else {
      lock(a, l, true);
      a.mapValue(1, l.map, l.head).kfunc(op === "f" ? "bpf_list_pop_front" : "bpf_list_pop_back");
      a.mov(7, 0);
      lock(a, l, false);
      a.muli(9, 16).jeqi(7, 0, `none${i}`);
      a.ldxw(8, 7, -l.nodeOffset).add(9, 8);
      a.mov(1, 7).addi(1, -l.nodeOffset).movi(2, 0).kfunc("bpf_obj_drop_impl").ja(`next${i}`);
      a.label(`none${i}`).addi(9, EMPTY).label(`next${i}`);
    }
  });
  a.mov(0, 9).exit().label("oom").movi(0, 1000).exit();
  return withProgram(l.spec, a.build());
}

const hex = (digits: number[]) => digits.reduce((acc, d) => acc * 16 + d, 0);

describe.each([
  ["list_global.o", "impl"],
  ["list_global.o", "2022"],
  ["list_2022.o", "2022"],
] as const)("push and pop order (%s, %s spelling)", (object, spelling) => {
  const run = (ops: string[]) => {
    const rt = createRuntime(opsProgram(layout(object, spelling), ops));
    const retval = rt.run("prog").retval;
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
    return retval;
  };

  it("push_back + pop_front is FIFO", () => {
    expect(run(["B1", "B2", "B3", "f", "f", "f"])).toBe(hex([1, 2, 3]));
  });
  it("push_front + pop_front is LIFO", () => {
    expect(run(["F1", "F2", "F3", "f", "f", "f"])).toBe(hex([3, 2, 1]));
  });
  it("push_back + pop_back is LIFO", () => {
    expect(run(["B1", "B2", "B3", "b", "b", "b"])).toBe(hex([3, 2, 1]));
  });
  it("push_front + pop_back is FIFO", () => {
    expect(run(["F1", "F2", "F3", "b", "b", "b"])).toBe(hex([1, 2, 3]));
  });
  it("mixed ends", () => {
    // list after the pushes: 3 1 2 4
    expect(run(["F1", "B2", "F3", "B4", "b", "f", "f", "b"])).toBe(hex([4, 3, 1, 2]));
  });
  it("pops of an empty or never-used list return NULL", () => {
    expect(run(["f", "b", "B5", "f", "f", "b"])).toBe(hex([EMPTY, EMPTY, 5, EMPTY, EMPTY]));
  });
  it("elements left in the list are freed when the runtime closes", () => {
    expect(run(["B1", "B2", "B3", "f"])).toBe(1);
  });
});

describe("200 nodes", () => {
  const N = 200;
  const program = (l: Layout, popBack: boolean) => {
    const a = new ListAsm();
    a.movi(9, 0);
    for (let i = 0; i < N; i++) {
      alloc(a, l, i);
      lock(a, l, true);
      a.mapValue(1, l.map, l.head).mov(2, 6).addi(2, l.nodeOffset).movi(3, 0).movi(4, 0);
      a.kfunc(l.pushBack);
      lock(a, l, false);
    }
    // pop until empty: r9 = r9 * 31 + data, r8 counts the pops
    a.movi(8, 0).label("loop");
    lock(a, l, true);
    a.mapValue(1, l.map, l.head).kfunc(popBack ? "bpf_list_pop_back" : "bpf_list_pop_front");
    a.mov(7, 0);
    lock(a, l, false);
    a.jeqi(7, 0, "done").muli(9, 31).ldxw(1, 7, -l.nodeOffset).add(9, 1).addi(8, 1);
    a.mov(1, 7).addi(1, -l.nodeOffset).movi(2, 0).kfunc("bpf_obj_drop_impl").ja("loop");
    a.label("done").muli(9, 1000).add(9, 8).mov(0, 9).exit();
    a.label("oom").movi(0, 1).exit();
    return withProgram(l.spec, a.build());
  };
  const expected = (order: number[]) => {
    let acc = 0n;
    for (const d of order) acc = BigInt.asUintN(64, acc * 31n + BigInt(d));
    return Number(BigInt.asUintN(32, acc * 1000n + BigInt(order.length)));
  };
  const ascending = Array.from({ length: N }, (_, i) => i);

  it("pushed at the back, popped from the front: all 200 in order", () => {
    const rt = createRuntime(program(layout("list_global.o", "impl"), false));
    expect(rt.run("prog").retval).toBe(expected(ascending));
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, allocations: N, frees: N });
  });

  it("pushed at the back, popped from the back: all 200 reversed", () => {
    const rt = createRuntime(program(layout("list_global.o", "impl"), true));
    expect(rt.run("prog").retval).toBe(expected(ascending.slice().reverse()));
    expect(rt.heapStats().liveObjects).toBe(0);
  });
});

/** The .data.A value's address and the live objects' addresses, oldest first. */
function memoryOf(rt: Runtime, l: Layout) {
  const name = l.spec.maps[l.map]!.name;
  const value = rt.vm.memory.allRegions().find((r) => r.kind === "map value" && r.name === name)!;
  const objects = rt.vm.memory
    .allRegions()
    .filter((r) => r.kind === "object")
    .map((r) => r.start);
  const u64 = (addr: number) => Number(rt.vm.memory.view.getBigUint64(addr, true));
  return { value: value.start, objects, u64 };
}

describe("the bytes a list leaves in memory (struct list_head, struct bpf_list_node_kern)", () => {
  it("head and nodes link both ways, and each node's owner is the head", () => {
    const l = layout("list_global.o", "impl");
    const rt = createRuntime(opsProgram(l, ["B1", "B2"]));
    rt.run("prog");
    const { value, objects, u64 } = memoryOf(rt, l);
    const head = value + l.head;
    const [n1, n2] = objects.map((o) => o + l.nodeOffset) as [number, number];
    expect([u64(head), u64(head + 8)]).toEqual([n1, n2]);
    expect([u64(n1), u64(n1 + 8), u64(n1 + 16)]).toEqual([n2, head, head]);
    expect([u64(n2), u64(n2 + 8), u64(n2 + 16)]).toEqual([head, n1, head]);
    rt.close();
    // bpf_list_head_free leaves the head initialised and empty
    expect([u64(head), u64(head + 8)]).toEqual([head, head]);
  });

  it("a pop of a never-used head initialises it; a popped node is self-linked, its owner cleared", () => {
    const l = layout("list_global.o", "impl");
    // push one, pop it and keep it (returning without a drop: the runtime does not verify)
    const a = new ListAsm();
    lock(a, l, true);
    a.mapValue(1, l.map, l.head).kfunc("bpf_list_pop_front").mov(7, 0);
    lock(a, l, false);
    a.jnei(7, 0, "oom");
    alloc(a, l, 7);
    lock(a, l, true);
    a.mapValue(1, l.map, l.head).mov(2, 6).addi(2, 8).movi(3, 0).movi(4, 0);
    a.kfunc("bpf_list_push_back_impl");
    a.mapValue(1, l.map, l.head).kfunc("bpf_list_pop_front").mov(7, 0);
    lock(a, l, false);
    a.mov(0, 7).exit().label("oom").movi(0, 1).exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    const node = rt.run("prog").retval;
    const { value, objects, u64 } = memoryOf(rt, l);
    expect(node).toBe(objects[0]! + l.nodeOffset);
    expect([u64(node), u64(node + 8), u64(node + 16)]).toEqual([node, node, 0]);
    expect([u64(value + l.head), u64(value + l.head + 8)]).toEqual([
      value + l.head,
      value + l.head,
    ]);
  });
});

describe("faults instead of corruption", () => {
  const l = layout("list_global.o", "impl");

  it("dropping an object twice is a RuntimeFault that says so", () => {
    const a = new ListAsm();
    alloc(a, l, 1);
    a.mov(1, 6).movi(2, 0).kfunc("bpf_obj_drop_impl");
    a.mov(1, 6).movi(2, 0).kfunc("bpf_obj_drop_impl");
    a.movi(0, 0).exit().label("oom").movi(0, 1).exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(() => rt.run("prog")).toThrow(RuntimeFault);
    expect(() => rt.run("prog")).toThrow(/bpf_obj_drop_impl: 0x[0-9a-f]+ .*double free/);
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, frees: 2 });
  });

  it("pushing without holding the head's lock is a fault, and nothing is linked", () => {
    const a = new ListAsm();
    alloc(a, l, 1);
    a.mapValue(1, l.map, l.head).mov(2, 6).addi(2, 8).movi(3, 0).movi(4, 0);
    a.kfunc("bpf_list_push_front_impl").movi(0, 0).exit().label("oom").movi(0, 1).exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(() => rt.run("prog")).toThrow(
      /bpf_list_push_front_impl: the bpf_spin_lock at offset 16 of map value .*\.data\.A\[0\] must be held for ghead/,
    );
  });

  it("a pointer that is not a list head is a fault", () => {
    const a = new ListAsm();
    lock(a, l, true);
    a.mapValue(1, l.map, 4).kfunc("bpf_list_pop_front").exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(() => rt.run("prog")).toThrow(/offset 4 of map value .* is not a struct bpf_list_head/);
  });

  it("a lock held when a run faults is released: the next run can take it", () => {
    const a = new ListAsm();
    lock(a, l, true);
    a.mapValue(1, l.map, 4).kfunc("bpf_list_pop_front").exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(() => rt.run("prog")).toThrow(/is not a struct bpf_list_head/);
    // the same fault again, not "the lock is already held"
    expect(() => rt.run("prog")).toThrow(/is not a struct bpf_list_head/);
  });

  it("a lock a run still holds when it exits is released for the next run", () => {
    const a = new ListAsm();
    lock(a, l, true);
    a.movi(0, 3).exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(rt.run("prog").retval).toBe(3);
    expect(rt.run("prog").retval).toBe(3);
  });

  it("taking a lock the run already holds is a fault (it would deadlock)", () => {
    const a = new ListAsm();
    lock(a, l, true);
    lock(a, l, true);
    a.movi(0, 0).exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(() => rt.run("prog")).toThrow(/bpf_spin_lock: the lock is already held/);
  });

  it("a node that is not inside an object of the held type is a fault", () => {
    const a = new ListAsm();
    alloc(a, l, 1);
    lock(a, l, true);
    // the node is at 8 in struct foo, not at 0
    a.mapValue(1, l.map, l.head).mov(2, 6).movi(3, 0).movi(4, 0).kfunc("bpf_list_push_front_impl");
    a.exit().label("oom").exit();
    const rt = createRuntime(withProgram(l.spec, a.build()));
    expect(() => rt.run("prog")).toThrow(
      /node 0x[0-9a-f]+ is at offset 0 of struct foo; ghead holds struct foo by its node at offset 8/,
    );
  });
});
