import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Insn } from "../../src/isa/insn.js";
import { kfuncId } from "../../src/object/kfuncs.js";
import { parseObject } from "../../src/object/load.js";
import { createRuntime } from "../../src/runtime/index.js";
import { objectSpec } from "./object.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");

describe("object kfuncs and kptrs (kptr_stash.bpf.c)", () => {
  it("replays a sequence of runs with the kernel's results", () => {
    // Measured on Linux 6.18: one loaded object, BPF_PROG_TEST_RUN in this order, 64 zero bytes.
    const kernel: [string, number][] = [
      ["unstash", 0],
      ["stash_new", 1],
      ["stash_new", 1],
      ["unstash", 64],
      ["unstash", 0],
      ["stash_percpu", 0],
      ["bump_percpu", 1],
      ["stash_percpu", 0],
      ["bump_percpu", 1],
    ];
    const rt = createRuntime(
      parseObject(new Uint8Array(readFileSync(join(FIXTURES, "kptr_stash.o")))),
    );
    const got = kernel.map(([name]) => [name, rt.run(name).retval]);
    expect(got).toEqual(kernel);
  });

  it("dropping something that is not an allocated object is a fault", () => {
    const drop = kfuncId("bpf_obj_drop_impl")!;
    const spec = objectSpec(
      [],
      [{ name: "p", asm: "mov %r1, %r10\nadd %r1, -8\nmov %r2, 0\nexit" }],
    );
    const insns = spec.programs[0]!.insns as Insn[];
    insns.splice(3, 0, { code: 0x85, dst: 0, src: 2, off: 0, imm: drop });
    const rt = createRuntime(spec);
    expect(() => rt.run("p")).toThrow(
      /insn 3: bpf_obj_drop_impl: 0x[0-9a-f]+ is not an object allocated by bpf_obj_new/,
    );
  });
});

describe("bpf_iter_num", () => {
  // sum of i for i in [start, end) with bpf_iter_num_new/next/destroy on [r10-8]
  const program = (start: number, end: number): Insn[] => {
    const k = (name: string) => ({ code: 0x85, dst: 0, src: 2, off: 0, imm: kfuncId(name)! });
    const mov = (dst: number, src: number) => ({ code: 0xbf, dst, src, off: 0, imm: 0 });
    const movi = (dst: number, imm: number) => ({ code: 0xb7, dst, src: 0, off: 0, imm });
    const addi = (dst: number, imm: number) => ({ code: 0x07, dst, src: 0, off: 0, imm });
    return [
      movi(6, 0), // 0: sum
      mov(1, 10), // 1
      addi(1, -8), // 2
      movi(2, start), // 3
      movi(3, end), // 4
      k("bpf_iter_num_new"), // 5
      mov(7, 0), // 6: the error of new()
      mov(1, 10), // 7: loop
      addi(1, -8), // 8
      k("bpf_iter_num_next"), // 9
      { code: 0x15, dst: 0, src: 0, off: 3, imm: 0 }, // 10: if r0 == 0 goto 14
      { code: 0x61, dst: 1, src: 0, off: 0, imm: 0 }, // 11: r1 = *(u32 *)(r0 + 0)
      { code: 0x0f, dst: 6, src: 1, off: 0, imm: 0 }, // 12: sum += r1
      { code: 0x05, dst: 0, src: 0, off: -7, imm: 0 }, // 13: goto 7
      mov(1, 10), // 14
      addi(1, -8), // 15
      k("bpf_iter_num_destroy"), // 16
      mov(0, 6), // 17: r0 = sum, or the error of new() when there was one
      { code: 0x15, dst: 7, src: 0, off: 1, imm: 0 }, // 18: if err == 0 goto 20
      mov(0, 7), // 19
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }, // 20
    ];
  };
  const run = (start: number, end: number) => {
    const spec = objectSpec([], [{ name: "p", asm: "exit" }]);
    (spec.programs[0]!.insns as Insn[]).splice(0, 1, ...program(start, end));
    return createRuntime(spec).run("p").retval;
  };

  it("yields start .. end - 1", () => {
    expect(run(3, 7)).toBe(3 + 4 + 5 + 6);
    expect(run(-2, 2)).toBe((-2 - 1 + 0 + 1) >>> 0);
  });

  it("an empty range yields nothing", () => {
    expect(run(5, 5)).toBe(0);
  });

  it("start > end is -EINVAL, a range above BPF_MAX_LOOPS is -E2BIG", () => {
    expect(run(7, 3)).toBe(2 ** 32 - 22);
    expect(run(0, 8 * 1024 * 1024 + 1)).toBe(2 ** 32 - 7);
  });
});
