import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import { MapError } from "../../src/runtime/errors.js";
import { createRuntime } from "../../src/runtime/index.js";
import { readU64, u32 } from "./object.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");

describe("maps of maps (map_in_map.bpf.c)", () => {
  const spec = parseObject(new Uint8Array(readFileSync(join(FIXTURES, "map_in_map.o"))));
  const number = (name: string) => spec.maps.findIndex((m) => m.name === name);

  it("a program looks up the inner map, then a value in it", () => {
    const rt = createRuntime(spec);
    const outer = rt.map("outer_array");
    // the object's `.values = { [0] = &inner_a, [1] = &inner_b }`, set from the host
    outer.update(u32(0), u32(number("inner_a")));
    outer.update(u32(1), u32(number("inner_b")));
    expect(Array.from(outer.lookup(u32(1))!)).toEqual(Array.from(u32(number("inner_b"))));
    // mark 0 selects inner_a; a socket filter's len is 50, so slot 50 & 3 = 2
    expect(rt.run("bump_inner").retval).toBe(1);
    expect(rt.run("bump_inner").retval).toBe(1);
    expect(readU64(rt.map("inner_a").lookup(u32(2)))).toBe(2n);
    expect(readU64(rt.map("inner_b").lookup(u32(2)))).toBe(0n);
  });

  it("an empty slot makes the lookup fail (kernel: lookup_per_ifindex -> 4294967295)", () => {
    const rt = createRuntime(spec);
    expect(rt.run("bump_inner").retval).toBe(0);
    expect(rt.run("lookup_per_ifindex").retval).toBe(4294967295);
  });

  it("refuses an inner map that does not match the inner spec", () => {
    const rt = createRuntime(spec);
    const errno = (f: () => void) => {
      try {
        f();
      } catch (e) {
        if (e instanceof MapError) return e.errno;
      }
      return 0;
    };
    expect(errno(() => rt.map("outer_array").update(u32(0), u32(number("outer_hash"))))).toBe(-22);
    expect(errno(() => rt.map("outer_array").update(u32(2), u32(number("inner_a"))))).toBe(-7);
    expect(errno(() => rt.map("outer_array").update(u32(0), u32(999)))).toBe(-22);
  });
});
