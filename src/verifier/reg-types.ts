/**
 * Register types as the kernel's `enum bpf_reg_type`: a base type in the low
 * eight bits and flags above, so `PTR_TO_MAP_VALUE | PTR_MAYBE_NULL` is the
 * kernel's PTR_TO_MAP_VALUE_OR_NULL and prints as `map_value_or_null`.
 */
export const NOT_INIT = 0;
export const SCALAR_VALUE = 1;
export const PTR_TO_CTX = 2;
export const CONST_PTR_TO_MAP = 3;
export const PTR_TO_MAP_VALUE = 4;
export const PTR_TO_MAP_KEY = 5;
export const PTR_TO_STACK = 6;
export const PTR_TO_PACKET_META = 7;
export const PTR_TO_PACKET = 8;
export const PTR_TO_PACKET_END = 9;
export const PTR_TO_FLOW_KEYS = 10;
export const PTR_TO_SOCKET = 11;
export const PTR_TO_SOCK_COMMON = 12;
export const PTR_TO_TCP_SOCK = 13;
export const PTR_TO_TP_BUFFER = 14;
export const PTR_TO_XDP_SOCK = 15;
export const PTR_TO_BTF_ID = 16;
export const PTR_TO_MEM = 17;
export const PTR_TO_ARENA = 18;
export const PTR_TO_BUF = 19;
export const PTR_TO_FUNC = 20;
export const CONST_PTR_TO_DYNPTR = 21;

const BASE_BITS = 8;
export const PTR_MAYBE_NULL = 1 << (0 + BASE_BITS);
export const MEM_RDONLY = 1 << (1 + BASE_BITS);
export const MEM_RINGBUF = 1 << (2 + BASE_BITS);
export const MEM_USER = 1 << (3 + BASE_BITS);
export const MEM_PERCPU = 1 << (4 + BASE_BITS);
export const OBJ_RELEASE = 1 << (5 + BASE_BITS);
export const PTR_UNTRUSTED = 1 << (6 + BASE_BITS);
export const MEM_UNINIT = 1 << (7 + BASE_BITS);
export const MEM_FIXED_SIZE = 1 << (10 + BASE_BITS);
export const MEM_ALLOC = 1 << (11 + BASE_BITS);
export const PTR_TRUSTED = 1 << (12 + BASE_BITS);
export const MEM_RCU = 1 << (13 + BASE_BITS);
export const NON_OWN_REF = 1 << (14 + BASE_BITS);

export function baseType(type: number): number {
  return type & 0xff;
}

export function typeFlag(type: number): number {
  return type & ~0xff;
}

export function typeMayBeNull(type: number): boolean {
  return (type & PTR_MAYBE_NULL) !== 0;
}

export function isPacketPointer(type: number): boolean {
  return type === PTR_TO_PACKET || type === PTR_TO_PACKET_META;
}

const BASE_NAMES: Record<number, string> = {
  [NOT_INIT]: "?",
  [SCALAR_VALUE]: "scalar",
  [PTR_TO_CTX]: "ctx",
  [CONST_PTR_TO_MAP]: "map_ptr",
  [PTR_TO_MAP_VALUE]: "map_value",
  [PTR_TO_STACK]: "fp",
  [PTR_TO_PACKET]: "pkt",
  [PTR_TO_PACKET_META]: "pkt_meta",
  [PTR_TO_PACKET_END]: "pkt_end",
  [PTR_TO_FLOW_KEYS]: "flow_keys",
  [PTR_TO_SOCKET]: "sock",
  [PTR_TO_SOCK_COMMON]: "sock_common",
  [PTR_TO_TCP_SOCK]: "tcp_sock",
  [PTR_TO_TP_BUFFER]: "tp_buffer",
  [PTR_TO_XDP_SOCK]: "xdp_sock",
  [PTR_TO_BTF_ID]: "ptr_",
  [PTR_TO_MEM]: "mem",
  [PTR_TO_ARENA]: "arena",
  [PTR_TO_BUF]: "buf",
  [PTR_TO_FUNC]: "func",
  [PTR_TO_MAP_KEY]: "map_key",
  [CONST_PTR_TO_DYNPTR]: "dynptr_ptr",
};

/** The kernel's `reg_type_str`: `map_value_or_null`, `rdonly_mem`, `ptr_or_null_`... */
export function regTypeName(type: number): string {
  const base = baseType(type);
  let postfix = "";
  if (type & PTR_MAYBE_NULL) postfix = base === PTR_TO_BTF_ID ? "or_null_" : "_or_null";
  const prefix =
    (type & MEM_RDONLY ? "rdonly_" : "") +
    (type & MEM_RINGBUF ? "ringbuf_" : "") +
    (type & MEM_USER ? "user_" : "") +
    (type & MEM_PERCPU ? "percpu_" : "") +
    (type & MEM_RCU ? "rcu_" : "") +
    (type & PTR_UNTRUSTED ? "untrusted_" : "") +
    (type & PTR_TRUSTED ? "trusted_" : "");
  return prefix + (BASE_NAMES[base] ?? "?") + postfix;
}
