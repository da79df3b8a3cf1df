import { describe, expect, it } from "vitest";
import type { Insn } from "../../src/isa/insn.js";
import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
} from "../../src/object/map-types.js";
import { createRuntime } from "../../src/runtime/index.js";
import { MAP, mapSpec, objectSpec, u32, VALUE } from "./object.js";

const text = (s: string, size: number): Uint8Array => {
  const b = new Uint8Array(size);
  b.set(new TextEncoder().encode(s));
  return b;
};

function rodata(s: string) {
  const size = Math.ceil((s.length + 1) / 8) * 8;
  return mapSpec(".rodata", BPF_MAP_TYPE_ARRAY, {
    valueSize: size,
    maxEntries: 1,
    initialValue: text(s, size),
    readOnly: true,
    section: ".rodata",
  });
}

describe("helpers", () => {
  it("bpf_trace_printk formats like the kernel and collects the lines", () => {
    const fmt = "n=%d u=%u x=%x %%\n";
    const prog = `
      lddw %r1, ${VALUE(0)}
      mov %r2, ${fmt.length + 1}
      mov %r3, -5
      mov %r4, -1
      mov %r5, 255
      call 6
      exit`;
    const rt = createRuntime(objectSpec([rodata(fmt)], [{ name: "p", asm: prog }]));
    const r = rt.run("p");
    expect(r.printk).toEqual(["n=-5 u=4294967295 x=ff %"]);
    expect(r.retval).toBe("n=-5 u=4294967295 x=ff %\n".length);
  });

  it("bpf_trace_printk rejects more than three conversions with -EINVAL", () => {
    const fmt = "%d %d %d %d\n";
    const prog = `lddw %r1, ${VALUE(0)}\nmov %r2, ${fmt.length + 1}\ncall 6\nexit`;
    const rt = createRuntime(objectSpec([rodata(fmt)], [{ name: "p", asm: prog }]));
    const r = rt.run("p");
    expect(r.printk).toEqual([]);
    expect(r.retval).toBe(2 ** 32 - 22);
  });

  it("bpf_trace_printk with 64-bit conversions and a string", () => {
    const fmt = "%lld %llx %s\n\0hi";
    const prog = `
      lddw %r1, ${VALUE(0)}
      mov %r2, 14
      mov %r3, -5
      mov %r4, -1
      lddw %r5, ${VALUE(0, 14)}
      call 6
      exit`;
    const rt = createRuntime(objectSpec([rodata(fmt)], [{ name: "p", asm: prog }]));
    const r = rt.run("p");
    expect(r.printk).toEqual(["-5 ffffffffffffffff hi"]);
    expect(r.retval).toBe("-5 ffffffffffffffff hi\n".length);
  });

  it("ktime, prandom, cpu id and pid_tgid", () => {
    const prog = (id: number) => `call ${id}\nexit`;
    const spec = objectSpec(
      [],
      [
        { name: "time", asm: prog(5) },
        { name: "boot", asm: prog(125) },
        { name: "rand", asm: prog(7) },
        { name: "cpu", asm: prog(8) },
        { name: "pid", asm: `call 14\nrsh %r0, 32\nexit` },
        { name: "tid", asm: prog(14) },
      ],
    );
    let clock = 1000n;
    const rt = createRuntime(spec, {
      nowNs: () => (clock += 5n),
      random: () => 0xdeadbeef,
      pidTgid: (1234n << 32n) | 5678n,
    });
    expect(rt.run("time").retval).toBe(1005);
    expect(rt.run("boot").retval).toBe(1010);
    expect(rt.run("rand").retval).toBe(0xdeadbeef);
    expect(rt.run("cpu").retval).toBe(0);
    expect(rt.run("pid").retval).toBe(1234);
    expect(rt.run("tid").retval).toBe(5678);
  });

  it("bpf_loop calls the callback until it returns non-zero", () => {
    // counts callback calls in [r10-8] of the caller through callback_ctx; stops at i == 4
    const prog = `
      stdw [%r10-8], 0
      mov %r1, 10
      lddw %r2, 0
      mov %r3, %r10
      add %r3, -8
      mov %r4, 0
      call 181
      ldxdw %r1, [%r10-8]
      lsh %r0, 8
      or %r0, %r1
      exit
    cb:
      ldxdw %r3, [%r2+0]
      add %r3, 1
      stxdw [%r2+0], %r3
      mov %r0, 0
      jne %r1, 4, +1
      mov %r0, 1
      exit`;
    const spec = objectSpec([], [{ name: "p", asm: prog }]);
    // turn `lddw %r2, 0` into a BPF_PSEUDO_FUNC load of `cb` (insn 12)
    const insns = spec.programs[0]!.insns as Insn[];
    insns[2] = { ...insns[2]!, src: 4, imm: 12 - 2 - 1 };
    const rt = createRuntime(spec);
    expect(rt.run("p").retval).toBe((5 << 8) | 5);
  });

  it("bpf_spin_lock faults on a lock it already holds", () => {
    const lock = (id: number) => `lddw %r1, ${VALUE(0)}\ncall ${id}`;
    const spec = objectSpec(
      [mapSpec("v", BPF_MAP_TYPE_ARRAY, { maxEntries: 1 })],
      [
        { name: "ok", asm: `${lock(93)}\n${lock(94)}\nmov %r0, 0\nexit` },
        { name: "twice", asm: `${lock(93)}\n${lock(93)}\nexit` },
        { name: "free", asm: `${lock(94)}\nexit` },
      ],
    );
    const rt = createRuntime(spec);
    expect(rt.run("ok").retval).toBe(0);
    expect(() => rt.run("twice")).toThrow(/already held/);
    rt.map("v").update(u32(0), new Uint8Array(8));
    expect(() => rt.run("free")).toThrow(/not held/);
  });

  it("bpf_tail_call jumps to the program in the slot and falls through on an empty one", () => {
    const caller = `
      lddw %r2, ${MAP(0)}
      mov %r3, 1
      call 12
      mov %r0, 100
      exit`;
    const spec = objectSpec(
      [mapSpec("jmp", BPF_MAP_TYPE_PROG_ARRAY, { valueSize: 4 })],
      [
        { name: "caller", asm: caller },
        { name: "target", asm: "mov %r0, 7\nexit" },
      ],
    );
    const rt = createRuntime(spec);
    expect(rt.run("caller").retval).toBe(100);
    rt.map("jmp").update(u32(1), u32(1));
    expect(rt.run("caller").retval).toBe(7);
  });

  it("tail calls stop after 33", () => {
    const self = `
      lddw %r1, ${VALUE(1)}
      ldxdw %r2, [%r1+0]
      add %r2, 1
      stxdw [%r1+0], %r2
      mov %r1, 0
      lddw %r2, ${MAP(0)}
      mov %r3, 0
      call 12
      lddw %r1, ${VALUE(1)}
      ldxdw %r0, [%r1+0]
      exit`;
    const spec = objectSpec(
      [
        mapSpec("jmp", BPF_MAP_TYPE_PROG_ARRAY, { valueSize: 4 }),
        mapSpec("n", BPF_MAP_TYPE_ARRAY, { maxEntries: 1 }),
      ],
      [{ name: "self", asm: self }],
    );
    const rt = createRuntime(spec);
    rt.map("jmp").update(u32(0), u32(0));
    // the first run plus 33 tail calls
    expect(rt.run("self").retval).toBe(34);
  });

  it("ringbuf reserve/submit/discard/output/query", () => {
    const prog = `
      lddw %r1, ${MAP(0)}
      mov %r2, 8
      mov %r3, 0
      call 131
      jeq %r0, 0, fail
      stdw [%r0+0], 42
      mov %r1, %r0
      mov %r2, 0
      call 132
      lddw %r1, ${MAP(0)}
      mov %r2, 16
      mov %r3, 0
      call 131
      jeq %r0, 0, fail
      mov %r1, %r0
      mov %r2, 0
      call 133
      stdw [%r10-8], 7
      lddw %r1, ${MAP(0)}
      mov %r2, %r10
      add %r2, -8
      mov %r3, 4
      mov %r4, 0
      call 130
      jne %r0, 0, fail
      lddw %r1, ${MAP(0)}
      mov %r2, 0
      call 134
      exit
    fail:
      mov %r0, -1
      exit`;
    const spec = objectSpec(
      [mapSpec("rb", BPF_MAP_TYPE_RINGBUF, { keySize: 0, valueSize: 0, maxEntries: 4096 })],
      [{ name: "p", asm: prog }],
    );
    const rt = createRuntime(spec);
    // available data: two records of (8 rounded to 8) + 8 header and (4 -> 8) + 8
    expect(rt.run("p").retval).toBe(32);
    const records = rt.map("rb").consume();
    expect(records.map((r) => Array.from(r))).toEqual([
      [42, 0, 0, 0, 0, 0, 0, 0],
      [7, 0, 0, 0],
    ]);
    expect(rt.map("rb").consume()).toEqual([]);
  });

  it("ringbuf_query reports the ring size and positions", () => {
    const q = (flags: number) => `lddw %r1, ${MAP(0)}\nmov %r2, ${flags}\ncall 134\nexit`;
    const out = `stdw [%r10-8], 1\nlddw %r1, ${MAP(0)}\nmov %r2, %r10\nadd %r2, -8\nmov %r3, 8\nmov %r4, 0\ncall 130\nexit`;
    const spec = objectSpec(
      [mapSpec("rb", BPF_MAP_TYPE_RINGBUF, { keySize: 0, valueSize: 0, maxEntries: 8192 })],
      [
        { name: "size", asm: q(1) },
        { name: "cons", asm: q(2) },
        { name: "prod", asm: q(3) },
        { name: "out", asm: out },
      ],
    );
    const rt = createRuntime(spec);
    expect(rt.run("size").retval).toBe(8192);
    expect(rt.run("out").retval).toBe(0);
    expect(rt.run("prod").retval).toBe(16);
    expect(rt.run("cons").retval).toBe(0);
    rt.map("rb").consume();
    expect(rt.run("cons").retval).toBe(16);
  });

  it("ringbuf reserve fails when the ring is full", () => {
    const prog = `
      lddw %r1, ${MAP(0)}
      mov %r2, 4089
      mov %r3, 0
      call 131
      exit`;
    const spec = objectSpec(
      [mapSpec("rb", BPF_MAP_TYPE_RINGBUF, { keySize: 0, valueSize: 0, maxEntries: 4096 })],
      [{ name: "p", asm: prog }],
    );
    expect(createRuntime(spec).run("p").retval).toBe(0);
  });

  it("an unknown helper is an error naming it", () => {
    const rt = createRuntime(objectSpec([], [{ name: "p", asm: "call 4\nexit" }]));
    expect(() => rt.run("p")).toThrow("insn 0: unknown helper id 4");
  });
});
