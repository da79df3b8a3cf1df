/**
 * The flow-queue example end to end, as the README walks through it: the
 * verifier accepts it (and rejects the variant that leaks a record, with the
 * kernel's lines), and running it queues and drains records with nothing
 * leaked.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadObject } from "../../src/api.js";

const examples = join(import.meta.dirname, "../../examples");
const load = (file: string) =>
  loadObject(new Uint8Array(readFileSync(join(examples, file))), { name: "flow_queue" });

/** An Ethernet + IPv4 header from `saddr`, padded to `len` bytes. */
function ipv4Packet(saddr: number, len: number, ttl = 64): Uint8Array {
  const p = new Uint8Array(len);
  p[12] = 0x08; // ETH_P_IP, big endian
  p[13] = 0x00;
  p[14] = 0x45;
  p[22] = ttl;
  new DataView(p.buffer).setUint32(26, saddr, true);
  return p;
}

function drainArgs(saddr: number, maxRecords: number): Uint8Array {
  const args = new Uint8Array(16);
  const view = new DataView(args.buffer);
  view.setUint32(0, saddr, true);
  view.setUint32(4, maxRecords, true);
  return args;
}

describe("examples/flow_queue", () => {
  it("is accepted by the verifier, both programs", () => {
    const obj = load("flow_queue.bpf.o");
    // the kernel processes 86 and 2008 instructions for these programs
    expect(obj.program("enqueue").verify().verdict).toBe("accept");
    expect(obj.program("drain_oldest").verify().verdict).toBe("accept");
    obj.close();
  });

  it("rejects the variant that forgets to free a record, as the kernel does", () => {
    const obj = load("flow_queue_broken.bpf.o");
    const result = obj.program("enqueue").verify({ logLevel: 1 });
    expect(result.verdict).toBe("reject");
    // the kernel's closing lines for this program
    expect(result.errors).toEqual([
      "Unreleased reference id=4 alloc_insn=42",
      "BPF_EXIT instruction in main prog would lead to reference leak",
    ]);
    expect(result.source).toBe("flow_queue.bpf.c:91");
    obj.close();
  });

  it("queues records per flow and drains the oldest first, leaking nothing", () => {
    const obj = load("flow_queue.bpf.o");
    const enqueue = obj.program("enqueue");
    const drain = obj.program("drain_oldest");
    const a = 0x0a000001;
    const b = 0x0a000002;
    for (const len of [100, 200, 300])
      expect(enqueue.run({ data: ipv4Packet(a, len) }).retval).toBe(0);
    enqueue.run({ data: ipv4Packet(b, 80) });
    expect(obj.heapStats().liveObjects).toBe(4);

    const first = drain.run({ ctx: drainArgs(a, 2) });
    expect(first.retval).toBe(0);
    const out = new DataView(first.data.buffer, first.data.byteOffset);
    // the two oldest records of flow a: 100 + 200 bytes
    expect(out.getUint32(8, true)).toBe(2);
    expect(out.getUint32(12, true)).toBe(300);
    expect(obj.heapStats().liveObjects).toBe(2);

    const rest = drain.run({ ctx: drainArgs(a, 10) });
    expect(new DataView(rest.data.buffer, rest.data.byteOffset).getUint32(12, true)).toBe(300);
    expect(obj.heapStats().liveObjects).toBe(1);
    // an unknown flow: no map value
    expect(drain.run({ ctx: drainArgs(0x0a0000ff, 1) }).retval).toBe(0xffffffff);
    obj.close();
    // closing drains what flow b still held
    expect(obj.heapStats().liveObjects).toBe(0);
  });

  it("drops records past 64 per flow and counts them", () => {
    const obj = load("flow_queue.bpf.o");
    const enqueue = obj.program("enqueue");
    for (let i = 0; i < 70; i++) enqueue.run({ data: ipv4Packet(0x0a000003, 64) });
    expect(obj.heapStats().liveObjects).toBe(64);
    const bss = obj.map("flow_que.bss");
    const value = bss.lookup(new Uint8Array(4))!;
    // .bss holds next_seq, then dropped
    expect(new DataView(value.buffer, value.byteOffset).getBigUint64(8, true)).toBe(6n);
    obj.close();
    expect(obj.heapStats().liveObjects).toBe(0);
  });
});
