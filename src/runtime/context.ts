import type { ProgramType } from "../object/spec.js";
import { RuntimeFault } from "./errors.js";
import { ACCESS_READ, ACCESS_RW, type Memory, type Region } from "./memory.js";

/** ETH_HLEN */
const ETH_HLEN = 14;
/** sizeof(struct __sk_buff) in include/uapi/linux/bpf.h */
export const SK_BUFF_SIZE = 192;
/** sizeof(struct xdp_md) */
export const XDP_MD_SIZE = 24;
/** The loopback device BPF_PROG_TEST_RUN runs packets on. */
const LOOPBACK_IFINDEX = 1;

/** Offsets of `struct __sk_buff` fields (include/uapi/linux/bpf.h). */
export const SkBuff = {
  len: 0,
  pkt_type: 4,
  mark: 8,
  queue_mapping: 12,
  protocol: 16,
  vlan_present: 20,
  vlan_tci: 24,
  vlan_proto: 28,
  priority: 32,
  ingress_ifindex: 36,
  ifindex: 40,
  tc_index: 44,
  cb: 48,
  hash: 68,
  tc_classid: 72,
  data: 76,
  data_end: 80,
  napi_id: 84,
  family: 88,
  data_meta: 140,
  tstamp: 152,
  wire_len: 160,
  gso_segs: 164,
  gso_size: 176,
  hwtstamp: 184,
} as const;

/** Offsets of `struct xdp_md` fields. */
export const XdpMd = {
  data: 0,
  data_end: 4,
  data_meta: 8,
  ingress_ifindex: 12,
  rx_queue_index: 16,
  egress_ifindex: 20,
} as const;

/** What a program is entered with, and how to read the packet back after it ran. */
export interface PreparedContext {
  /** r1 at entry */
  readonly r1: number;
  /** r2 at entry (raw mode passes the length) */
  readonly r2: number;
  /** the packet the legacy ldabs/ldind loads read */
  readonly packetStart: number;
  readonly packetEnd: number;
  /** the bytes BPF_PROG_TEST_RUN returns as data_out, read after the run */
  output(): Uint8Array;
  /** the regions to unmap after the run */
  readonly regions: readonly Region[];
}

export type ContextKind = "skb" | "xdp" | "syscall" | "raw";

/** How BPF_PROG_TEST_RUN builds the context for a program type; other types run in raw mode. */
export function contextKind(type: ProgramType): ContextKind {
  switch (type) {
    case "socket_filter":
    case "sched_cls":
    case "sched_act":
    case "cgroup_skb":
    case "lwt_in":
    case "lwt_out":
    case "lwt_xmit":
    case "sk_skb":
      return "skb";
    case "xdp":
      return "xdp";
    case "syscall":
      return "syscall";
    default:
      return "raw";
  }
}

/**
 * Builds the context of one test run in `memory`, as bpf_prog_test_run_skb /
 * _xdp / _syscall do. Pointers stored in the context (`data`, `data_end`) are
 * addresses below 2^32, so a program's 4-byte load of them yields a usable
 * pointer, which is what the kernel's ctx access rewrite achieves.
 */
export function prepareContext(
  memory: Memory,
  type: ProgramType,
  data: Uint8Array,
  ctxIn: Uint8Array | undefined,
): PreparedContext {
  const kind = contextKind(type);
  if (kind === "syscall") {
    if (ctxIn === undefined || ctxIn.length === 0) {
      return {
        r1: 0,
        r2: 0,
        packetStart: 0,
        packetEnd: 0,
        output: () => new Uint8Array(0),
        regions: [],
      };
    }
    const buf = memory.allocRegion(ctxIn.length, "ctx", "syscall ctx", ACCESS_RW);
    memory.bytes.set(ctxIn, buf.start);
    return {
      r1: buf.start,
      r2: 0,
      packetStart: 0,
      packetEnd: 0,
      output: () => memory.bytes.slice(buf.start, buf.end),
      regions: [buf],
    };
  }
  if (kind === "raw") {
    const buf = memory.allocRegion(data.length, "memory", "input", ACCESS_RW);
    memory.bytes.set(data, buf.start);
    return {
      r1: data.length === 0 ? 0 : buf.start,
      r2: data.length,
      packetStart: 0,
      packetEnd: 0,
      output: () => memory.bytes.slice(buf.start, buf.end),
      regions: [buf],
    };
  }
  if (kind === "xdp") return prepareXdp(memory, data, ctxIn);
  return prepareSkb(memory, type, data, ctxIn);
}

function prepareXdp(
  memory: Memory,
  data: Uint8Array,
  ctxIn: Uint8Array | undefined,
): PreparedContext {
  requireEthernet("xdp", data);
  const packet = memory.allocRegion(data.length, "packet", "xdp", ACCESS_RW);
  memory.bytes.set(data, packet.start);
  const ctx = memory.allocRegion(XDP_MD_SIZE, "ctx", "xdp_md", ACCESS_READ);
  const view = memory.view;
  if (ctxIn !== undefined) memory.bytes.set(ctxIn.subarray(0, XDP_MD_SIZE), ctx.start);
  view.setUint32(ctx.start + XdpMd.data, packet.start, true);
  view.setUint32(ctx.start + XdpMd.data_end, packet.end, true);
  view.setUint32(ctx.start + XdpMd.data_meta, packet.start, true);
  if (view.getUint32(ctx.start + XdpMd.ingress_ifindex, true) === 0) {
    view.setUint32(ctx.start + XdpMd.ingress_ifindex, LOOPBACK_IFINDEX, true);
  }
  return {
    r1: ctx.start,
    r2: 0,
    packetStart: packet.start,
    packetEnd: packet.end,
    output: () => {
      const v = memory.view;
      const start = v.getUint32(ctx.start + XdpMd.data, true);
      const end = v.getUint32(ctx.start + XdpMd.data_end, true);
      return memory.bytes.slice(start, end);
    },
    regions: [packet, ctx],
  };
}

function prepareSkb(
  memory: Memory,
  type: ProgramType,
  data: Uint8Array,
  ctxIn: Uint8Array | undefined,
): PreparedContext {
  requireEthernet(type, data);
  // tc programs see the frame from its Ethernet header; the others (socket
  // filters, cgroup_skb, ...) from the network header, with len reduced by 14.
  const isL2 = type === "sched_cls" || type === "sched_act";
  const packet = memory.allocRegion(
    data.length,
    "packet",
    type,
    isL2 || type.startsWith("lwt") ? ACCESS_RW : ACCESS_READ,
  );
  memory.bytes.set(data, packet.start);
  const start = isL2 ? packet.start : packet.start + ETH_HLEN;
  const ctx = memory.allocRegion(SK_BUFF_SIZE, "ctx", "__sk_buff", ACCESS_RW);
  const view = memory.view;
  if (ctxIn !== undefined) copyUserSkbFields(memory, ctxIn, ctx.start);
  const set = (off: number, v: number) => view.setUint32(ctx.start + off, v >>> 0, true);
  set(SkBuff.len, packet.end - start);
  set(SkBuff.pkt_type, packetType(data));
  set(SkBuff.protocol, ethProtocol(data));
  set(SkBuff.ifindex, LOOPBACK_IFINDEX);
  set(SkBuff.data, start);
  set(SkBuff.data_end, packet.end);
  set(SkBuff.data_meta, start);
  return {
    r1: ctx.start,
    r2: 0,
    packetStart: start,
    packetEnd: packet.end,
    output: () => {
      const out = memory.bytes.slice(packet.start, packet.end);
      // The kernel pushes a zeroed Ethernet header back in front of non-L2 packets.
      if (!isL2) out.fill(0, 0, ETH_HLEN);
      return out;
    },
    regions: [packet, ctx],
  };
}

/** bpf_test_init refuses packets shorter than an Ethernet header with -EINVAL. */
function requireEthernet(type: ProgramType, data: Uint8Array): void {
  if (data.length < ETH_HLEN) {
    throw new RuntimeFault(
      `a ${type} test run needs at least ${ETH_HLEN} bytes of packet (an Ethernet header), got ${data.length}`,
    );
  }
}

/** The fields of a user-supplied `__sk_buff` that bpf_prog_test_run_skb takes over. */
const USER_SKB_FIELDS: readonly (readonly [number, number])[] = [
  [SkBuff.mark, 4],
  [SkBuff.priority, 4],
  [SkBuff.ingress_ifindex, 4],
  [SkBuff.cb, 20],
  [SkBuff.tstamp, 8],
  [SkBuff.wire_len, 4],
  [SkBuff.gso_segs, 4],
  [SkBuff.gso_size, 4],
  [SkBuff.hwtstamp, 8],
];

function copyUserSkbFields(memory: Memory, ctxIn: Uint8Array, base: number): void {
  for (const [off, size] of USER_SKB_FIELDS) {
    if (off + size <= ctxIn.length) memory.bytes.set(ctxIn.subarray(off, off + size), base + off);
  }
}

/** eth_type_trans's pkt_type for a frame on the loopback device (address 00:00:00:00:00:00). */
function packetType(frame: Uint8Array): number {
  const dest = frame.subarray(0, 6);
  if (dest[0]! & 1) return dest.every((b) => b === 0xff) ? 1 : 2; // PACKET_BROADCAST / MULTICAST
  return dest.every((b) => b === 0) ? 0 : 3; // PACKET_HOST / PACKET_OTHERHOST
}

/** eth_type_trans's protocol, as the __be16 the program reads in a u32 field. */
function ethProtocol(frame: Uint8Array): number {
  const proto = (frame[12]! << 8) | frame[13]!;
  let host: number;
  if (proto >= 0x600) host = proto;
  else if (frame[14] === 0xff && frame[15] === 0xff)
    host = 0x0001; // ETH_P_802_3
  else host = 0x0004; // ETH_P_802_2
  return ((host & 0xff) << 8) | (host >> 8);
}
