import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import { createRuntime } from "../../src/runtime/index.js";
import { u32 } from "./object.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const load = (name: string) => parseObject(new Uint8Array(readFileSync(join(FIXTURES, name))));

describe("tail calls of a compiled object (tail_calls.bpf.c)", () => {
  it("entry misses slot 0, then goes to stage_ipv6, which tail-calls stage_ipv4", () => {
    const spec = load("tail_calls.o");
    const rt = createRuntime(spec);
    const number = (name: string) => spec.programs.findIndex((p) => p.name === name);
    // the object's `.values = { [1] = &stage_ipv4, [2] = &stage_ipv6 }`, set from the host
    rt.map("stages").update(u32(1), u32(number("stage_ipv4")));
    rt.map("stages").update(u32(2), u32(number("stage_ipv6")));
    expect(rt.run("entry").retval).toBe(2); // XDP_PASS
    const bss = rt.maps().find((m) => m.spec.section === ".bss")!;
    expect(bss.decodeValue(bss.lookup(u32(0))!)).toEqual({ tail_misses: 1 });
  });

  it("without programs in the array every tail call falls through", () => {
    const rt = createRuntime(load("tail_calls.o"));
    expect(rt.run("entry").retval).toBe(0); // XDP_ABORTED
    expect(rt.run("stage_ipv6").retval).toBe(1); // XDP_DROP
  });
});

describe("a syscall program and its caller's buffer (syscall_prog.bpf.c)", () => {
  // struct args { u32 key; u32 value; s32 result; u32 pad; }
  const args = (key: number, value: number) =>
    new Uint8Array(new Uint32Array([key, value, 0x55, 0]).buffer);
  const fields = (data: Uint8Array) => Array.from(new Int32Array(data.slice().buffer));

  it("set_setting stores a value that get_setting reads back", () => {
    const rt = createRuntime(load("syscall_prog.o"));
    const set = rt.run("set_setting", { ctx: args(7, 42) });
    expect(set.retval).toBe(0);
    expect(fields(set.data)).toEqual([7, 42, 0, 0]);
    const get = rt.run("get_setting", { ctx: args(7, 0) });
    expect(get.retval).toBe(0);
    expect(fields(get.data)).toEqual([7, 42, 0, 0]);
    const missing = rt.run("get_setting", { ctx: args(8, 0) });
    expect(missing.retval).toBe(1);
    expect(fields(missing.data)).toEqual([8, 0, -2, 0]);
  });
});
