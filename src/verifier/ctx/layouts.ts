/**
 * Byte layouts of the context structures programs receive in r1, as the
 * kernel's uapi headers define them (x86-64): `struct __sk_buff`,
 * `struct xdp_md`, `struct pt_regs`, `struct bpf_perf_event_data`.
 */

/** A field as the kernel's `bpf_ctx_range()` sees it: offsets [start, end). */
export interface CtxField {
  readonly start: number;
  readonly end: number;
}

function field(start: number, size: number): CtxField {
  return { start, end: start + size };
}

export function inField(f: CtxField, off: number): boolean {
  return off >= f.start && off < f.end;
}

/** `struct __sk_buff` (include/uapi/linux/bpf.h). */
export const SkBuff = {
  size: 192,
  len: field(0, 4),
  pkt_type: field(4, 4),
  mark: field(8, 4),
  queue_mapping: field(12, 4),
  protocol: field(16, 4),
  vlan_present: field(20, 4),
  vlan_tci: field(24, 4),
  vlan_proto: field(28, 4),
  priority: field(32, 4),
  ingress_ifindex: field(36, 4),
  ifindex: field(40, 4),
  tc_index: field(44, 4),
  cb: field(48, 20),
  hash: field(68, 4),
  tc_classid: field(72, 4),
  data: field(76, 4),
  data_end: field(80, 4),
  napi_id: field(84, 4),
  /** family through local_port: the socket fields only sk_skb programs see */
  family: field(88, 4),
  remote_ip4: field(92, 4),
  local_ip4: field(96, 4),
  remote_ip6: field(100, 16),
  local_ip6: field(116, 16),
  remote_port: field(132, 4),
  local_port: field(136, 4),
  socketFields: { start: 88, end: 140 } as CtxField,
  data_meta: field(140, 4),
  flow_keys: field(144, 8),
  tstamp: field(152, 8),
  wire_len: field(160, 4),
  gso_segs: field(164, 4),
  sk: field(168, 8),
  gso_size: field(176, 4),
  tstamp_type: field(180, 1),
  /** the 24 bits after tstamp_type */
  padding: field(181, 3),
  hwtstamp: field(184, 8),
} as const;

/** `struct xdp_md`. */
export const XdpMd = {
  size: 24,
  data: 0,
  data_end: 4,
  data_meta: 8,
  ingress_ifindex: 12,
  rx_queue_index: 16,
  egress_ifindex: 20,
} as const;

/** `sizeof(struct pt_regs)` on x86-64: 21 registers of 8 bytes. */
export const PT_REGS_SIZE = 168;

/** `struct bpf_perf_event_data`: pt_regs, then two u64 fields. */
export const PerfEventData = {
  size: 184,
  sample_period: field(168, 8),
  addr: field(176, 8),
} as const;

/** PERF_MAX_TRACE_SIZE (8192 in Linux 6.18, 2048 before): how far a tracepoint program may read its record. */
export const PERF_MAX_TRACE_SIZE = 8192;

/** sizeof(u64) * MAX_BPF_FUNC_ARGS: a raw tracepoint's argument array. */
export const RAW_TP_CTX_SIZE = 8 * 12;

/** U16_MAX: syscall programs see a buffer the caller sizes at run time. */
export const SYSCALL_CTX_LIMIT = 0xffff;
