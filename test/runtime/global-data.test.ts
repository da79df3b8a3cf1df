import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import { createRuntime } from "../../src/runtime/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const load = (name: string) => parseObject(new Uint8Array(readFileSync(join(FIXTURES, name))));

describe("global data of a compiled object (global_data.bpf.c)", () => {
  it("runs account() four times and shows the variables decoded by BTF", () => {
    const spec = load("global_data.o");
    const rt = createRuntime(spec);
    for (let i = 0; i < 4; i++) {
      // socket filter: len = 64 - 14 = 50
      expect(rt.run("account").retval).toBe(0);
    }
    const value = (section: string) => {
      const map = rt.maps().find((m) => m.spec.section === section)!;
      return map.decodeValue(map.lookup(new Uint8Array(4))!);
    };
    // packets_seen starts at 1 and is incremented on every run
    expect(value(".data")).toEqual({ packets_seen: 5n });
    expect(value(".bss")).toEqual({ last_len: 50 });
    expect(value(".rodata")).toMatchObject({ sample_rate: 4 });
    // only the run that saw packets_seen == 4 (a multiple of sample_rate) counted
    expect(value(".data.stats")).toEqual({
      stats: { small: 1n, large: 0n, by_bucket: [1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] },
    });
    expect(value(".bss.scratch")).toEqual({ scratch: [0n, 0n, 50n, 0n] });
  });

  it("collects bpf_printk output of the sampled run", () => {
    const rt = createRuntime(load("global_data.o"));
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) lines.push(...rt.run("account").printk);
    expect(lines).toEqual(["len 50 seen 4"]);
  });
});
