import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import type { ObjectSpec } from "../../src/object/spec.js";
import { createRuntime, type Runtime } from "../../src/runtime/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const load = (name: string): ObjectSpec =>
  parseObject(new Uint8Array(readFileSync(join(FIXTURES, name))));

/** A 64-byte-or-longer IPv4 frame of zeros, as the kernel runs were given. */
const packet = (len: number): Uint8Array => {
  const p = new Uint8Array(len);
  p[12] = 0x08;
  return p;
};
/** A `struct __sk_buff` (192 bytes) with only `mark` set. */
const skbWithMark = (mark: number): Uint8Array => {
  const ctx = new Uint8Array(192);
  new DataView(ctx.buffer).setUint32(8, mark, true);
  return ctx;
};

/** Runs `prog:mark:len` as the kernel recording did (syscall programs get no packet). */
function step(rt: Runtime, spec: ObjectSpec, s: string): number {
  const [prog, mark, len] = s.split(":") as [string, string, string];
  const type = spec.programs.find((p) => p.name === prog)!.type;
  if (type === "syscall") return rt.run(prog).retval;
  return rt.run(prog, { data: packet(Number(len)), ctx: skbWithMark(Number(mark)) }).retval;
}

/*
 * Sequences of BPF_PROG_TEST_RUN on one loaded object, recorded on Linux 6.18
 * by a libbpf loader that loads every program of the object once and runs the
 * steps in order (`prog:mark:len`: a `len`-byte packet of zeros with the IPv4
 * ethertype, a `struct __sk_buff` with only `mark` set; syscall programs get
 * neither). Maps and the objects linked into them persist between steps.
 */
const KERNEL_RUNS = JSON.parse(
  readFileSync(join(import.meta.dirname, "lists.kernel-runs.json"), "utf8"),
) as Record<string, [string, number][] | string>;

describe("list and tree fixtures return what the kernel returns, run after run", () => {
  const objects = Object.entries(KERNEL_RUNS).filter((e): e is [string, [string, number][]] =>
    Array.isArray(e[1]),
  );
  it.each(objects)("%s", (object, steps) => {
    const spec = load(object);
    const rt = createRuntime(spec);
    const got = steps.map(([s]) => [s, step(rt, spec, s)]);
    expect(got).toEqual(steps);
    rt.close();
    // whatever the lists and stashes still held is freed with the maps
    expect(rt.heapStats().liveObjects).toBe(0);
    expect(rt.heapStats().liveBytes).toBe(0);
  });
});

describe("list_2022.o: the 2022 spellings (no kernel runs them any more)", () => {
  it("push_pop_2022 pushes into a map value's list and pops the same object back", () => {
    const rt = createRuntime(load("list_2022.o"));
    expect(rt.run("push_pop_2022", { data: packet(77) }).retval).toBe(77);
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, allocations: 1, frees: 1 });
  });

  it("global_2022 pushes and pops in .data.A", () => {
    const rt = createRuntime(load("list_2022.o"));
    expect(rt.run("global_2022", { ctx: skbWithMark(3) }).retval).toBe(0);
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, allocations: 1, frees: 1 });
  });
});

describe("draining what map values hold", () => {
  const lists = () => {
    const spec = load("list_map_value.o");
    const rt = createRuntime(spec);
    // push_back_keep leaves one object in lists[mark & 3] per run
    for (const mark of [1, 5, 9, 2, 6]) rt.run("push_back_keep", { ctx: skbWithMark(mark) });
    expect(rt.heapStats().liveObjects).toBe(5);
    return { rt, spec };
  };
  const key = (k: number) => new Uint8Array(new Uint32Array([k]).buffer);

  it("overwriting an array value from the host drains its list", () => {
    const { rt } = lists();
    rt.map("lists").update(key(1), new Uint8Array(24));
    expect(rt.heapStats().liveObjects).toBe(2);
    // the list is empty (and usable) afterwards
    expect(rt.run("pop_back_drop", { ctx: skbWithMark(1) }).retval).toBe(2 ** 32 - 1);
    expect(rt.run("pop_back_drop", { ctx: skbWithMark(2) }).retval).toBe(6);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });

  it("an overwrite keeps the list head's bytes: the host's zeros do not cut the list loose", () => {
    const { rt } = lists();
    const before = rt.heapStats();
    const value = new Uint8Array(24).fill(0xff);
    rt.map("lists").update(key(2), value);
    const after = rt.heapStats();
    expect(after.frees - before.frees).toBe(2);
    // count was written, the lock and head were not
    const got = rt.map("lists").lookup(key(2))!;
    expect(Array.from(got.subarray(4, 8))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(Array.from(got.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });

  it("user space reads zeros where the lock and list head are", () => {
    const { rt } = lists();
    const got = rt.map("lists").lookup(key(1))!;
    expect(Array.from(got.subarray(8, 24))).toEqual(new Array(16).fill(0));
    expect(new DataView(got.buffer).getUint32(4, true)).toBe(3);
    rt.close();
  });

  it("closing the runtime drains every map value", () => {
    const { rt } = lists();
    rt.close();
    expect(rt.heapStats()).toMatchObject({
      liveObjects: 0,
      liveBytes: 0,
      allocations: 5,
      frees: 5,
    });
    rt.close();
    expect(rt.heapStats().frees).toBe(5);
  });

  it("closing drains global data sections (.data.A, .data.B)", () => {
    const rt = createRuntime(load("list_global.o"));
    rt.run("fill_global");
    rt.run("fill_global");
    expect(rt.heapStats().liveObjects).toBe(6);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });

  it("dropping an object drains its list; closing drains a list of objects holding lists", () => {
    const rt = createRuntime(load("list_nested.o"));
    rt.run("build_nested");
    rt.run("build_nested");
    expect(rt.heapStats().liveObjects).toBe(10);
    // take_nested pops one outer, frees one inner itself, and the drop frees the other three
    expect(rt.run("take_nested", { data: packet(64) }).retval).toBe(64);
    expect(rt.heapStats().liveObjects).toBe(5);
    rt.close();
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, allocations: 10, frees: 10 });
  });
});

describe("lists in hash map values", () => {
  // list_map_value.o with `lists` turned into a hash map (BPF_MAP_TYPE_HASH) of 4 entries
  const hashed = (type: number) => {
    const spec = load("list_map_value.o");
    return { ...spec, maps: spec.maps.map((m) => (m.name === "lists" ? { ...m, type } : m)) };
  };
  const key = (k: number) => new Uint8Array(new Uint32Array([k]).buffer);
  const fill = (rt: Runtime) => {
    for (const k of [0, 1, 2, 3]) rt.map("lists").update(key(k), new Uint8Array(24));
    for (const mark of [1, 5, 2, 3, 7]) rt.run("push_back_keep", { ctx: skbWithMark(mark) });
    expect(rt.heapStats().liveObjects).toBe(5);
  };

  it("deleting an element drains its list", () => {
    const rt = createRuntime(hashed(1));
    fill(rt);
    rt.map("lists").delete(key(3));
    expect(rt.heapStats().liveObjects).toBe(3);
    rt.map("lists").delete(key(1));
    expect(rt.heapStats().liveObjects).toBe(1);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });

  it("replacing an element drains the old list; BPF_F_LOCK updates in place and keeps it", () => {
    const rt = createRuntime(hashed(1));
    fill(rt);
    rt.map("lists").update(key(1), new Uint8Array(24), 4 /* BPF_F_LOCK */);
    expect(rt.heapStats().liveObjects).toBe(5);
    rt.map("lists").update(key(1), new Uint8Array(24));
    expect(rt.heapStats().liveObjects).toBe(3);
    expect(rt.run("pop_back_drop", { ctx: skbWithMark(1) }).retval).toBe(2 ** 32 - 1);
    expect(rt.run("pop_back_drop", { ctx: skbWithMark(3) }).retval).toBe(7);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });

  it("an LRU eviction drains the evicted element's list", () => {
    const rt = createRuntime(hashed(9));
    fill(rt);
    // a fifth key evicts the least recently used element, key 0 (its list is empty)
    rt.map("lists").update(key(4), new Uint8Array(24));
    expect(rt.heapStats().liveObjects).toBe(5);
    rt.map("lists").update(key(5), new Uint8Array(24));
    // then key 1 goes, with its two elements (the program looked up 1, 2, 3 after 0)
    expect(rt.heapStats().liveObjects).toBe(3);
    rt.close();
    expect(rt.heapStats().liveObjects).toBe(0);
  });
});

describe("the heap", () => {
  it("bpf_obj_new returns NULL past the memory limit", () => {
    // struct outer is 48 bytes and struct inner 32: 100 bytes hold the outer and one inner
    const rt = createRuntime(load("list_nested.o"), { objectMemoryLimit: 100 });
    expect(rt.run("build_nested").retval).toBe(2);
    expect(rt.heapStats()).toMatchObject({ liveObjects: 0, failedAllocations: 1 });
    const roomy = createRuntime(load("list_nested.o"), { objectMemoryLimit: 48 + 4 * 32 });
    expect(roomy.run("build_nested").retval).toBe(0);
    expect(roomy.heapStats().peakBytes).toBe(48 + 4 * 32);
  });

  it("a limit too small for the first object makes the program take its NULL path", () => {
    const rt = createRuntime(load("list_map_value.o"), { objectMemoryLimit: 8 });
    expect(rt.run("alloc_and_drop").retval).toBe(1);
    expect(rt.heapStats().failedAllocations).toBe(1);
  });
});
