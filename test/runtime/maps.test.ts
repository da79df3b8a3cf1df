import { describe, expect, it } from "vitest";
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_RINGBUF,
} from "../../src/object/map-types.js";
import { MapError, RuntimeFault } from "../../src/runtime/errors.js";
import { BPF_EXIST, BPF_NOEXIST, createRuntime } from "../../src/runtime/index.js";
import { MAP, mapSpec, objectSpec, readU64, u32, u64, VALUE } from "./object.js";

function errnoOf(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof MapError) return e.errno;
    throw e;
  }
  throw new Error("expected a MapError");
}

// A program that adds 1 to the u64 value under key 0 of map 0, creating it when missing.
const COUNTER = `
  stw [%r10-4], 0
  lddw %r1, ${MAP(0)}
  mov %r2, %r10
  add %r2, -4
  call 1
  jne %r0, 0, found
  stdw [%r10-16], 1
  lddw %r1, ${MAP(0)}
  mov %r2, %r10
  add %r2, -4
  mov %r3, %r10
  add %r3, -16
  mov %r4, 0
  call 2
  mov %r0, 1
  exit
found:
  mov %r1, 1
  lock add [%r0+0], %r1
  mov %r0, 2
  exit`;

describe("array maps", () => {
  for (const type of [BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY]) {
    it(`type ${type}: values exist from the start and programs update them in place`, () => {
      const rt = createRuntime(objectSpec([mapSpec("arr", type)], [{ name: "p", asm: COUNTER }]));
      expect(readU64(rt.map("arr").lookup(u32(0)))).toBe(0n);
      expect(rt.run("p", { repeat: 3 }).retval).toBe(2);
      expect(readU64(rt.map("arr").lookup(u32(0)))).toBe(3n);
    });
  }

  it("follows the kernel's flags and errors", () => {
    const rt = createRuntime(objectSpec([mapSpec("arr", BPF_MAP_TYPE_ARRAY)], []));
    const arr = rt.map("arr");
    arr.update(u32(3), u64(9n));
    expect(readU64(arr.lookup(u32(3)))).toBe(9n);
    arr.update(u32(3), u64(10n), BPF_EXIST);
    expect(readU64(arr.lookup(u32(3)))).toBe(10n);
    expect(errnoOf(() => arr.update(u32(3), u64(1n), BPF_NOEXIST))).toBe(-17);
    expect(errnoOf(() => arr.update(u32(4), u64(1n)))).toBe(-7);
    expect(errnoOf(() => arr.update(u32(0), u64(1n), 3))).toBe(-22);
    expect(errnoOf(() => arr.delete(u32(0)))).toBe(-22);
    expect(arr.lookup(u32(4))).toBeUndefined();
    expect(arr.keys().map((k) => k[0])).toEqual([0, 1, 2, 3]);
  });

  it("rejects keys and values of the wrong size", () => {
    const rt = createRuntime(objectSpec([mapSpec("arr", BPF_MAP_TYPE_ARRAY)], []));
    expect(errnoOf(() => rt.map("arr").update(u32(0), u32(1)))).toBe(-22);
    expect(errnoOf(() => rt.map("arr").lookup(u64(0n)))).toBe(-22);
    expect(() => rt.map("nope")).toThrow(/no map named nope \(the object has: arr\)/);
  });

  it("faults on a program read past the end of a value", () => {
    const prog = `
      stw [%r10-4], 1
      lddw %r1, ${MAP(0)}
      mov %r2, %r10
      add %r2, -4
      call 1
      jeq %r0, 0, out
      ldxw %r0, [%r0+8]
    out:
      exit`;
    const rt = createRuntime(
      objectSpec([mapSpec("arr", BPF_MAP_TYPE_ARRAY)], [{ name: "p", asm: prog }]),
    );
    expect(() => rt.run("p")).toThrow(RuntimeFault);
    expect(() => rt.run("p")).toThrow(
      /^insn 7: R0 \+8 read of 4 bytes at 0x[0-9a-f]+ is 4 bytes past the end of map value arr\[1\]$/,
    );
  });
});

describe("map helpers return the kernel's errors to programs", () => {
  // r0 = bpf_map_update_elem(map, &key(=2), &value, flags); then bpf_map_delete_elem(map, &key)
  const prog = (flags: number, key: number) => `
    stw [%r10-4], ${key}
    stdw [%r10-16], 1
    lddw %r1, ${MAP(0)}
    mov %r2, %r10
    add %r2, -4
    mov %r3, %r10
    add %r3, -16
    mov %r4, ${flags}
    call 2
    exit`;
  const del = `
    stw [%r10-4], 2
    lddw %r1, ${MAP(0)}
    mov %r2, %r10
    add %r2, -4
    call 3
    exit`;
  const errno = (n: number) => 2 ** 32 - n;

  it("array: -EEXIST for BPF_NOEXIST, -E2BIG past max_entries, -EINVAL for delete", () => {
    const rt = createRuntime(
      objectSpec(
        [mapSpec("arr", BPF_MAP_TYPE_ARRAY)],
        [
          { name: "noexist", asm: prog(BPF_NOEXIST, 2) },
          { name: "big", asm: prog(0, 4) },
          { name: "badflags", asm: prog(7, 2) },
          { name: "del", asm: del },
        ],
      ),
    );
    expect(rt.run("noexist").retval).toBe(errno(17));
    expect(rt.run("big").retval).toBe(errno(7));
    expect(rt.run("badflags").retval).toBe(errno(22));
    expect(rt.run("del").retval).toBe(errno(22));
  });

  it("hash: -ENOENT for BPF_EXIST on a missing key and for deleting it", () => {
    const rt = createRuntime(
      objectSpec(
        [mapSpec("h", BPF_MAP_TYPE_HASH)],
        [
          { name: "exist", asm: prog(BPF_EXIST, 2) },
          { name: "add", asm: prog(BPF_NOEXIST, 2) },
          { name: "del", asm: del },
        ],
      ),
    );
    expect(rt.run("exist").retval).toBe(errno(2));
    expect(rt.run("del").retval).toBe(errno(2));
    expect(rt.run("add").retval).toBe(0);
    expect(rt.run("add").retval).toBe(errno(17));
    expect(rt.run("del").retval).toBe(0);
  });
});

describe("unsupported map types", () => {
  it("load, and fault only when used", () => {
    const prog = `stw [%r10-4], 0\nlddw %r1, ${MAP(0)}\nmov %r2, %r10\nadd %r2, -4\ncall 1\nexit`;
    const rt = createRuntime(
      objectSpec(
        [mapSpec("perf", 4)],
        [
          { name: "uses", asm: prog },
          { name: "other", asm: "mov %r0, 3\nexit" },
        ],
      ),
    );
    expect(rt.run("other").retval).toBe(3);
    expect(() => rt.run("uses")).toThrow(
      "insn 5: bpf_map_lookup_elem: map perf: type perf_event_array (4) is not supported by the runtime",
    );
  });
});

describe("global data maps", () => {
  const rodata = mapSpec(".rodata", BPF_MAP_TYPE_ARRAY, {
    keySize: 4,
    valueSize: 8,
    maxEntries: 1,
    section: ".rodata",
    initialValue: u64(0x1122n),
    readOnly: true,
  });
  const data = mapSpec(".data", BPF_MAP_TYPE_ARRAY, {
    valueSize: 8,
    maxEntries: 1,
    section: ".data",
    initialValue: u64(5n),
  });

  it("start from the section bytes and are addressed directly", () => {
    const prog = `
      lddw %r1, ${VALUE(0)}
      ldxdw %r0, [%r1+0]
      lddw %r2, ${VALUE(1)}
      ldxdw %r3, [%r2+0]
      add %r3, 1
      stxdw [%r2+0], %r3
      add %r0, %r3
      exit`;
    const rt = createRuntime(objectSpec([rodata, data], [{ name: "p", asm: prog }]));
    expect(rt.run("p").retval).toBe(0x1122 + 6);
    expect(readU64(rt.map(".data").lookup(u32(0)))).toBe(6n);
  });

  it(".rodata cannot be written by programs", () => {
    const prog = `lddw %r1, ${VALUE(0, 4)}\nstw [%r1+0], 1\nexit`;
    const rt = createRuntime(objectSpec([rodata], [{ name: "p", asm: prog }]));
    expect(() => rt.run("p")).toThrow(
      /write of 4 bytes .* is inside map value \.rodata\[0\], which is read-only/,
    );
  });
});

describe("hash maps", () => {
  for (const type of [BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH]) {
    it(`type ${type}: creates, finds, updates and deletes by key bytes`, () => {
      const rt = createRuntime(objectSpec([mapSpec("h", type)], [{ name: "p", asm: COUNTER }]));
      expect(rt.map("h").lookup(u32(0))).toBeUndefined();
      expect(rt.run("p").retval).toBe(1);
      expect(rt.run("p").retval).toBe(2);
      expect(readU64(rt.map("h").lookup(u32(0)))).toBe(2n);
      rt.map("h").delete(u32(0));
      expect(rt.map("h").lookup(u32(0))).toBeUndefined();
    });
  }

  it("follows the kernel's flags and errors", () => {
    const rt = createRuntime(objectSpec([mapSpec("h", BPF_MAP_TYPE_HASH, { maxEntries: 2 })], []));
    const h = rt.map("h");
    expect(errnoOf(() => h.update(u32(1), u64(1n), BPF_EXIST))).toBe(-2);
    h.update(u32(1), u64(1n), BPF_NOEXIST);
    expect(errnoOf(() => h.update(u32(1), u64(1n), BPF_NOEXIST))).toBe(-17);
    h.update(u32(1), u64(7n), BPF_EXIST);
    h.update(u32(2), u64(2n));
    expect(errnoOf(() => h.update(u32(3), u64(3n)))).toBe(-7);
    // Replacing an existing key in a full map is fine.
    h.update(u32(2), u64(22n));
    expect(errnoOf(() => h.delete(u32(3)))).toBe(-2);
    expect(h.keys().map((k) => k[0])).toEqual([1, 2]);
    expect(readU64(h.lookup(u32(1)))).toBe(7n);
  });

  it("lru_hash evicts the least recently used element when full", () => {
    const rt = createRuntime(
      objectSpec([mapSpec("l", BPF_MAP_TYPE_LRU_HASH, { maxEntries: 2 })], []),
    );
    const l = rt.map("l");
    l.update(u32(1), u64(1n));
    l.update(u32(2), u64(2n));
    l.lookup(u32(1));
    l.update(u32(3), u64(3n));
    expect(l.lookup(u32(2))).toBeUndefined();
    expect(readU64(l.lookup(u32(1)))).toBe(1n);
    expect(readU64(l.lookup(u32(3)))).toBe(3n);
  });

  it("a value deleted during a run stays readable until the run ends", () => {
    const prog = `
      stw [%r10-4], 1
      lddw %r1, ${MAP(0)}
      mov %r2, %r10
      add %r2, -4
      call 1
      jeq %r0, 0, out
      mov %r6, %r0
      lddw %r1, ${MAP(0)}
      mov %r2, %r10
      add %r2, -4
      call 3
      ldxdw %r0, [%r6+0]
    out:
      exit`;
    const rt = createRuntime(
      objectSpec([mapSpec("h", BPF_MAP_TYPE_HASH)], [{ name: "p", asm: prog }]),
    );
    rt.map("h").update(u32(1), u64(41n));
    expect(rt.run("p").retval).toBe(41);
    expect(rt.map("h").keys()).toEqual([]);
  });
});

describe("ringbuf", () => {
  it("rejects a size that is not a power-of-2 number of pages", () => {
    expect(() =>
      createRuntime(
        objectSpec(
          [mapSpec("rb", BPF_MAP_TYPE_RINGBUF, { keySize: 0, valueSize: 0, maxEntries: 1000 })],
          [],
        ),
      ),
    ).toThrow(/power of 2/);
  });
});
