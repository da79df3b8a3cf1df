import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import { createRuntime } from "../../src/runtime/index.js";
import { ListAsm, withProgram } from "./list-asm.js";

/*
 * Programs on the BTF and `.data.A` of rbtree_refcount.o:
 * struct node_data { long key @0; long value @8; struct bpf_rb_node rb @16;
 * struct bpf_list_node ln @48; struct bpf_refcount ref @72; } (80 bytes),
 * .data.A = { lock @0, tree @8 (contains node_data:rb), list @24 (node_data:ln) }.
 */
const spec = parseObject(
  new Uint8Array(readFileSync(join(import.meta.dirname, "../fixtures/rbtree_refcount.o"))),
);
const MAP = spec.maps.findIndex((m) => m.section === ".data.A");
const TYPE = spec.btf!.findByName("node_data", "struct")!.id;
const LOCK = 0;
const TREE = 8;
const LIST = 24;
const RB = 16;
const LN = 48;

function lock(a: ListAsm, take: boolean): void {
  a.mapValue(1, MAP, LOCK).helper(take ? 93 : 94);
}

/** Adds a node_data with `key` (value = key * 10) to the tree. */
function add(a: ListAsm, key: number): void {
  a.movi(1, TYPE).movi(2, 0).kfunc("bpf_obj_new_impl").jeqi(0, 0, "oom").mov(6, 0);
  a.movi(1, key)
    .stxdw(6, 0, 1)
    .movi(1, key * 10)
    .stxdw(6, 8, 1);
  lock(a, true);
  a.mapValue(1, MAP, TREE).mov(2, 6).addi(2, RB).funcAddr(3, "less").movi(4, 0).movi(5, 0);
  a.kfunc("bpf_rbtree_add_impl");
  lock(a, false);
}

/** `less(a, b)`: a->key < b->key, signed; placed after the main program. */
function lessFunction(a: ListAsm): void {
  a.label("less").ldxdw(3, 1, -RB).ldxdw(4, 2, -RB).movi(0, 1).jslt(3, 4, "less_yes");
  a.movi(0, 0).label("less_yes").exit();
}

/** r9 = r9 * 16 + key of the node in r`reg` (or 15 for NULL); keys stay below 15. */
function digit(a: ListAsm, reg: number, tag: string): void {
  a.muli(9, 16).jeqi(reg, 0, `${tag}_null`).ldxdw(1, reg, -RB).add(9, 1).ja(`${tag}_end`);
  a.label(`${tag}_null`).addi(9, 15).label(`${tag}_end`);
}

/** Pops the tree empty through bpf_rbtree_first + bpf_rbtree_remove, keys into r9. */
function drainInOrder(a: ListAsm): void {
  a.label("drain");
  lock(a, true);
  a.mapValue(1, MAP, TREE).kfunc("bpf_rbtree_first").mov(7, 0).jeqi(7, 0, "drained");
  a.mapValue(1, MAP, TREE).mov(2, 7).kfunc("bpf_rbtree_remove").mov(7, 0);
  lock(a, false);
  a.jeqi(7, 0, "oom").muli(9, 16).ldxdw(1, 7, -RB).add(9, 1);
  a.mov(1, 7).addi(1, -RB).movi(2, 0).kfunc("bpf_obj_drop_impl").ja("drain");
  a.label("drained");
  lock(a, false);
}

function finish(a: ListAsm) {
  a.mov(0, 9).exit().label("oom").movi(0, 0xdead).exit();
  lessFunction(a);
  return createRuntime(withProgram(spec, a.build()));
}

describe("bpf_rbtree_add orders by the program's less callback", () => {
  it.each([
    [[5, 3, 8, 1, 4, 7]],
    [[1, 2, 3, 4, 5, 6, 7]],
    [[7, 6, 5, 4, 3, 2, 1]],
    [[9, 1, 8, 2, 7, 3, 6]],
  ])("keys %j come out sorted", (keys) => {
    const a = new ListAsm();
    a.movi(9, 0);
    for (const k of keys) add(a, k);
    drainInOrder(a);
    const rt = finish(a);
    const sorted = keys.slice().sort((x, y) => x - y);
    expect(rt.run("prog").retval).toBe(sorted.reduce((acc, k) => acc * 16 + k, 0));
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, frees: keys.length });
  });

  it("equal keys keep insertion order (a node goes right of every node it is not less than)", () => {
    // value = key * 10 cannot tell equal keys apart, so tag them by insertion in the value
    const a = new ListAsm();
    a.movi(9, 0);
    for (const [key, tag] of [
      [2, 1],
      [2, 2],
      [1, 3],
      [2, 4],
    ] as const) {
      add(a, key);
      a.movi(1, tag).stxdw(6, 8, 1);
    }
    a.label("drain");
    lock(a, true);
    a.mapValue(1, MAP, TREE).kfunc("bpf_rbtree_first").mov(7, 0).jeqi(7, 0, "drained");
    a.mapValue(1, MAP, TREE).mov(2, 7).kfunc("bpf_rbtree_remove").mov(7, 0);
    lock(a, false);
    a.muli(9, 16)
      .ldxdw(1, 7, 8 - RB)
      .add(9, 1);
    a.mov(1, 7).addi(1, -RB).movi(2, 0).kfunc("bpf_obj_drop_impl").ja("drain");
    a.label("drained");
    lock(a, false);
    expect(finish(a).run("prog").retval).toBe(0x3124);
  });
});

/*
 * The two shape tests were checked against Linux 6.18: a C program doing the
 * same (insert keys 1..7, walk with bpf_rbtree_root/left/right; then remove
 * the root's right child and walk again) returned 0x21465f and 0x536f74
 * under BPF_PROG_TEST_RUN, the digits these programs produce.
 */
describe("the tree's shape is the red-black tree lib/rbtree.c builds", () => {
  // Inserting 1..7 in order gives 2(b): 1(b), 4(r): [3(b), 6(b): [5(r), 7(r)]].
  it("bpf_rbtree_root/left/right walk it", () => {
    const a = new ListAsm();
    a.movi(9, 0);
    for (let k = 1; k <= 7; k++) add(a, k);
    lock(a, true);
    a.mapValue(1, MAP, TREE).kfunc("bpf_rbtree_root").mov(6, 0);
    digit(a, 6, "root");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_left").mov(7, 0);
    digit(a, 7, "l");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_right").mov(6, 0);
    digit(a, 6, "r");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_right").mov(6, 0);
    digit(a, 6, "rr");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_left").mov(7, 0);
    digit(a, 7, "rrl");
    a.mapValue(1, MAP, TREE).mov(2, 7).kfunc("bpf_rbtree_left").mov(7, 0);
    digit(a, 7, "rrll");
    lock(a, false);
    const rt = finish(a);
    expect(rt.run("prog").retval).toBe(0x2146_5f);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });

  // Removing 4 moves its successor 5 into its place, red: 2: 1, 5: [3, 6: [-, 7]].
  it("bpf_rbtree_remove relinks the successor", () => {
    const a = new ListAsm();
    a.movi(9, 0);
    for (let k = 1; k <= 7; k++) add(a, k);
    lock(a, true);
    a.mapValue(1, MAP, TREE).kfunc("bpf_rbtree_root").mov(6, 0);
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_right").mov(2, 0);
    a.mapValue(1, MAP, TREE).kfunc("bpf_rbtree_remove").mov(8, 0);
    a.mapValue(1, MAP, TREE).kfunc("bpf_rbtree_root").mov(6, 0);
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_right").mov(6, 0);
    digit(a, 6, "r");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_left").mov(7, 0);
    digit(a, 7, "rl");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_right").mov(6, 0);
    digit(a, 6, "rr");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_left").mov(7, 0);
    digit(a, 7, "rrl");
    a.mapValue(1, MAP, TREE).mov(2, 6).kfunc("bpf_rbtree_right").mov(7, 0);
    digit(a, 7, "rrr");
    // the removed node is no longer the tree's: left/right of it are NULL
    a.mapValue(1, MAP, TREE).mov(2, 8).kfunc("bpf_rbtree_left").mov(7, 0);
    digit(a, 7, "gone");
    lock(a, false);
    a.muli(9, 16).ldxdw(1, 8, -RB).add(9, 1);
    a.mov(1, 8).addi(1, -RB).movi(2, 0).kfunc("bpf_obj_drop_impl");
    const rt = finish(a);
    expect(rt.run("prog").retval).toBe(0x536f7f4);
    rt.close();
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, frees: 7 });
  });

  it("keeps the red-black invariants through inserts and removals of 64 keys", () => {
    const keys = Array.from({ length: 64 }, (_, i) => (i * 37) % 64);
    const a = new ListAsm();
    a.movi(9, 0);
    for (const k of keys) add(a, k);
    // remove every other node in key order: first, remove, first (kept: push to the list)
    const rt = finish(a);
    rt.run("prog");
    const memory = rt.vm.memory;
    const name = spec.maps[MAP]!.name;
    const value = memory.allRegions().find((r) => r.kind === "map value" && r.name === name)!;
    const u64 = (addr: number) => Number(memory.view.getBigUint64(addr, true));
    const root = value.start + TREE;
    // walk: BST order, no red node with a red child, equal black height, parent links
    const inorder: number[] = [];
    const blackHeight = (n: number, parent: number): number => {
      if (n === 0) return 1;
      const pc = u64(n);
      expect(pc & ~1).toBe(parent);
      const red = (pc & 1) === 0;
      const left = u64(n + 16);
      const right = u64(n + 8);
      if (red) {
        for (const c of [left, right]) if (c !== 0) expect(u64(c) & 1).toBe(1);
      }
      const lh = blackHeight(left, n);
      inorder.push(u64(n - RB));
      const rh = blackHeight(right, n);
      expect(lh).toBe(rh);
      return lh + (red ? 0 : 1);
    };
    const top = u64(root);
    expect(u64(top) & 1).toBe(1);
    blackHeight(top, 0);
    expect(inorder).toEqual(keys.slice().sort((x, y) => x - y));
    // rb_leftmost is the smallest key
    expect(u64(u64(root + 8) - RB)).toBe(0);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });
});

describe("shared ownership (bpf_refcount)", () => {
  it("a second push of a node that has an owner is -EINVAL and drops one reference", () => {
    const a = new ListAsm();
    a.movi(1, TYPE).movi(2, 0).kfunc("bpf_obj_new_impl").jeqi(0, 0, "oom").mov(6, 0);
    a.mov(1, 6).movi(2, 0).kfunc("bpf_refcount_acquire_impl").jeqi(0, 0, "oom").mov(7, 0);
    lock(a, true);
    a.mapValue(1, MAP, LIST).mov(2, 6).addi(2, LN).movi(3, 0).movi(4, 0);
    a.kfunc("bpf_list_push_back_impl").mov(8, 0);
    a.mapValue(1, MAP, LIST).mov(2, 7).addi(2, LN).movi(3, 0).movi(4, 0);
    a.kfunc("bpf_list_push_back_impl").mov(9, 0);
    lock(a, false);
    a.muli(9, 1000).add(9, 8);
    const rt = finish(a);
    // r9 = -EINVAL * 1000 + 0
    expect(rt.run("prog").retval).toBe((-22 * 1000) >>> 0);
    // the object is still on the list with one reference: closing frees it
    expect(rt.heapStats().liveObjects).toBe(1);
    const refcount = rt.vm.memory.view.getUint32(
      rt.vm.memory.allRegions().find((r) => r.kind === "object")!.start + 72,
      true,
    );
    expect(refcount).toBe(1);
    rt.close();
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, frees: 1 });
  });

  it("an object in a tree and a list is freed once both have let go", () => {
    const rt = createRuntime(spec);
    rt.run("tree_and_list", { data: new Uint8Array(70) });
    expect(rt.heapStats().liveObjects).toBe(1);
    rt.close();
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, allocations: 1, frees: 1 });
  });
});
