import { describe, expect, it } from "vitest";
import { createRuntime } from "../../src/runtime/index.js";
import { objectSpec } from "./object.js";

// Expected values were measured with BPF_PROG_TEST_RUN on Linux 6.18 (64-byte packets, repeat 1):
// socket `return skb->len` -> 50, tc -> 64, tc `data_end - data` -> 64, protocol of an all-zero
// frame -> 1024 (htons(ETH_P_802_2)), of ethertype 0x0800 -> 8, pkt_type of a frame whose
// destination starts with 0x45 -> 2 (multicast), ifindex -> 1, ingress_ifindex -> 0,
// wire_len -> 0, xdp `(data_end - data) * 1000 + ingress_ifindex` -> 64001, load_byte(skb, 0)
// of a socket filter -> byte 14 of the frame, `return -1` -> 4294967295, and socket filters' data_out
// has its first 14 bytes zeroed.
const ld = (off: number) => `ldxw %r0, [%r1+${off}]\nexit`;

function frame(): Uint8Array {
  const data = new Uint8Array(64);
  data[0] = 0x45;
  data[12] = 0x08;
  data[13] = 0x00;
  data[14] = 0x45;
  return data;
}

const spec = objectSpec(
  [],
  [
    { name: "sock_len", type: "socket_filter", asm: ld(0) },
    { name: "tc_len", type: "sched_cls", asm: ld(0) },
    {
      name: "tc_span",
      type: "sched_cls",
      asm: "ldxw %r2, [%r1+76]\nldxw %r3, [%r1+80]\nmov %r0, %r3\nsub %r0, %r2\nexit",
    },
    { name: "tc_proto", type: "sched_cls", asm: ld(16) },
    { name: "sock_proto", type: "socket_filter", asm: ld(16) },
    { name: "tc_pkt_type", type: "sched_cls", asm: ld(4) },
    {
      name: "tc_ifindex",
      type: "sched_cls",
      asm: "ldxw %r0, [%r1+40]\nmul %r0, 1000\nldxw %r2, [%r1+36]\nadd %r0, %r2\nexit",
    },
    { name: "tc_wire", type: "sched_cls", asm: ld(160) },
    { name: "sock_ldabs", type: "socket_filter", asm: "mov %r6, %r1\nldabsb 0\nexit" },
    {
      name: "xdp_span",
      type: "xdp",
      asm: "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r0, %r3\nsub %r0, %r2\nmul %r0, 1000\nldxw %r2, [%r1+12]\nadd %r0, %r2\nexit",
    },
    { name: "tc_neg", type: "sched_cls", asm: "mov %r0, -1\nexit" },
    {
      name: "tc_write",
      type: "sched_cls",
      asm: "ldxw %r2, [%r1+76]\nstb [%r2+1], 0xaa\nmov %r0, 0\nexit",
    },
    {
      name: "tc_overrun",
      type: "sched_cls",
      asm: "ldxw %r2, [%r1+80]\nldxb %r0, [%r2+0]\nexit",
    },
    { name: "sys", type: "syscall", asm: "ldxw %r0, [%r1+0]\nstw [%r1+4], 9\nexit" },
    { name: "kprobe_raw", type: "kprobe", asm: "mov %r0, %r2\nexit" },
  ],
);

describe("test-run contexts", () => {
  const rt = createRuntime(spec);

  it("socket filters see len without the Ethernet header, tc programs the whole frame", () => {
    expect(rt.run("sock_len").retval).toBe(50);
    expect(rt.run("tc_len").retval).toBe(64);
    expect(rt.run("tc_span").retval).toBe(64);
  });

  it("fills protocol, pkt_type and the loopback ifindex as eth_type_trans does", () => {
    expect(rt.run("tc_proto").retval).toBe(1024);
    expect(rt.run("sock_proto").retval).toBe(1024);
    expect(rt.run("tc_proto", { data: frame() }).retval).toBe(8);
    expect(rt.run("tc_pkt_type").retval).toBe(0);
    expect(rt.run("tc_pkt_type", { data: frame() }).retval).toBe(2);
    expect(rt.run("tc_ifindex").retval).toBe(1000);
    expect(rt.run("tc_wire").retval).toBe(0);
  });

  it("legacy packet loads start at the network header of a socket filter", () => {
    expect(rt.run("sock_ldabs", { data: frame() }).retval).toBe(0x45);
  });

  it("xdp gets xdp_md over the packet", () => {
    expect(rt.run("xdp_span").retval).toBe(64001);
  });

  it("retval is r0 as a u32", () => {
    expect(rt.run("tc_neg").retval).toBe(4294967295);
  });

  it("returns the packet after the run; socket filters get a zeroed Ethernet header", () => {
    const out = rt.run("tc_write", { data: frame() }).data;
    expect(out.length).toBe(64);
    expect(out[0]).toBe(0x45);
    expect(out[1]).toBe(0xaa);
    const sock = rt.run("sock_len", { data: frame() }).data;
    expect(sock[0]).toBe(0);
    expect(sock[12]).toBe(0);
    expect(sock[14]).toBe(0x45);
  });

  it("a read at data_end faults naming the packet", () => {
    expect(() => rt.run("tc_overrun")).toThrow(
      /R2 \+0 read of 1 bytes at 0x[0-9a-f]+ is 1 bytes past the end of packet sched_cls/,
    );
  });

  it("syscall programs get the caller's buffer and return it", () => {
    const r = rt.run("sys", { ctx: Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0]) });
    expect(r.retval).toBe(5);
    expect(Array.from(r.data)).toEqual([5, 0, 0, 0, 9, 0, 0, 0]);
  });

  it("other program types run in raw mode: r1 = data, r2 = its length", () => {
    expect(rt.run("kprobe_raw", { data: new Uint8Array(10) }).retval).toBe(10);
  });

  it("repeat runs on the same packet and reports a mean duration", () => {
    const r = rt.run("tc_len", { repeat: 50 });
    expect(r.retval).toBe(64);
    expect(r.durationNs).toBeGreaterThanOrEqual(0);
    expect(r.insns).toBe(2);
  });

  it("needs an Ethernet header for skb programs", () => {
    expect(() => rt.run("tc_len", { data: new Uint8Array(10) })).toThrow(/at least 14 bytes/);
    expect(() => rt.run("xdp_span", { data: new Uint8Array(13) })).toThrow(
      /xdp test run needs at least 14 bytes/,
    );
  });

  it("names the programs when asked for a missing one", () => {
    expect(() => rt.run("nope")).toThrow(
      /no program named nope \(the object has: sock_len, tc_len/,
    );
  });
});
