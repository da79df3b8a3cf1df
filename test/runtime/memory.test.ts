import { describe, expect, it } from "vitest";
import { BPF_MAP_TYPE_HASH } from "../../src/object/map-types.js";
import { RuntimeFault } from "../../src/runtime/errors.js";
import { createRuntime } from "../../src/runtime/index.js";
import {
  ACCESS_READ,
  ACCESS_RW,
  MAX_CALL_FRAMES,
  Memory,
  PAGE_SIZE,
  STACK_FRAME_SIZE,
} from "../../src/runtime/memory.js";
import { MAP, mapSpec, objectSpec, u32 } from "./object.js";

describe("memory", () => {
  it("never maps the first page and starts with 8 stack frames of 512 bytes", () => {
    const m = new Memory();
    expect(m.frames.length).toBe(MAX_CALL_FRAMES);
    for (const f of m.frames) {
      expect(f.end - f.start).toBe(STACK_FRAME_SIZE);
      expect(f.start).toBeGreaterThanOrEqual(PAGE_SIZE);
    }
    expect(m.find(0)).toBeUndefined();
    expect(m.find(PAGE_SIZE - 1)).toBeUndefined();
    expect(m.explain(0, 4, ACCESS_READ)).toBe("is a NULL pointer dereference");
    expect(m.explain(16, 4, ACCESS_READ)).toContain("never-mapped first page");
  });

  it("keeps regions apart and checks every byte of an access", () => {
    const m = new Memory();
    const a = m.allocRegion(10, "object", "a", ACCESS_RW);
    const b = m.allocRegion(10, "object", "b", ACCESS_RW);
    expect(b.start).toBeGreaterThan(a.end);
    expect(m.allows(a.start, 10, ACCESS_RW)).toBe(true);
    expect(m.allows(a.start + 8, 4, ACCESS_READ)).toBe(false);
    expect(m.explain(a.start + 8, 4, ACCESS_READ)).toBe("runs 2 bytes past the end of object a");
    expect(m.explain(a.end + 2, 4, ACCESS_READ)).toBe("is 6 bytes past the end of object a");
    expect(m.explain(b.start - 2, 4, ACCESS_READ)).toBe(
      "starts 2 bytes before the start of object b",
    );
  });

  it("refuses writes to read-only regions and any access to opaque ones", () => {
    const m = new Memory();
    const ro = m.allocRegion(8, "map value", ".rodata", ACCESS_READ);
    const opaque = m.allocRegion(8, "map", "m", 0);
    expect(m.allows(ro.start, 8, ACCESS_READ)).toBe(true);
    expect(m.allows(ro.start, 8, ACCESS_RW)).toBe(false);
    expect(m.explain(ro.start, 1, ACCESS_RW)).toBe(
      "is inside map value .rodata, which is read-only",
    );
    expect(m.explain(opaque.start, 1, ACCESS_READ)).toBe(
      "is inside map m, which is not readable by programs",
    );
    expect(() => m.check(opaque.start, 1, ACCESS_READ, "test")).toThrow(RuntimeFault);
  });

  it("unmaps freed regions and reuses their space", () => {
    const m = new Memory();
    const a = m.allocRegion(24, "object", "a", ACCESS_RW);
    m.bytes.fill(7, a.start, a.end);
    m.freeRegion(a);
    expect(m.allows(a.start, 1, ACCESS_READ)).toBe(false);
    const b = m.allocRegion(24, "object", "b", ACCESS_RW);
    expect(b.start).toBe(a.start);
    expect(m.bytes[b.start]).toBe(0);
  });

  it("grows the address space and keeps addresses below 2^31", () => {
    const m = new Memory({ initialPages: 2 });
    const big = m.allocRegion(3 * PAGE_SIZE, "object", "big", ACCESS_RW);
    expect(m.bytes.length).toBeGreaterThanOrEqual(big.end);
    m.bytes[big.end - 1] = 1;
    expect(big.end).toBeLessThan(2 ** 31);
    const small = new Memory({ initialPages: 2, maxPages: 3 });
    expect(() => small.allocRegion(2 * PAGE_SIZE, "object", "x", ACCESS_RW)).toThrow(
      /out of memory/,
    );
  });

  it("a program keeps working when a helper grows the memory mid-run", () => {
    // 1024 inserts of 512-byte values (512 KiB) outgrow the initial 256 KiB address space.
    const prog = `
      mov %r6, 0
    loop:
      stxw [%r10-4], %r6
      lddw %r1, ${MAP(0)}
      mov %r2, %r10
      add %r2, -4
      mov %r3, %r10
      add %r3, -512
      mov %r4, 0
      call 2
      stxw [%r10-8], %r6
      ldxw %r7, [%r10-8]
      add %r6, 1
      jlt %r6, 1024, loop
      lddw %r1, ${MAP(0)}
      mov %r2, %r10
      add %r2, -4
      call 1
      jeq %r0, 0, out
      stw [%r0+508], 5
      ldxw %r0, [%r0+508]
      add %r0, %r7
    out:
      exit`;
    const spec = objectSpec(
      [mapSpec("big", BPF_MAP_TYPE_HASH, { valueSize: 512, maxEntries: 1024 })],
      [{ name: "p", type: "syscall", asm: prog }],
    );
    const rt = createRuntime(spec);
    const pagesBefore = rt.vm.memory.bytes.length / PAGE_SIZE;
    expect(rt.run("p").retval).toBe(5 + 1023);
    expect(rt.vm.memory.bytes.length / PAGE_SIZE).toBeGreaterThan(pagesBefore);
    expect(rt.map("big").keys().length).toBe(1024);
    expect(rt.map("big").lookup(u32(1023))?.[508]).toBe(5);
  });
});
