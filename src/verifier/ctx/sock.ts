/**
 * Reads through socket pointers (`check_sock_access`): which bytes of
 * `struct bpf_sock`, `bpf_tcp_sock` and `bpf_xdp_sock` (include/uapi/linux/bpf.h)
 * a program may load, by the rules of net/core/filter.c's
 * `bpf_sock_is_valid_access` and its siblings.
 */
import {
  baseType,
  PTR_TO_SOCK_COMMON,
  PTR_TO_SOCKET,
  PTR_TO_TCP_SOCK,
  PTR_TO_XDP_SOCK,
} from "../reg-types.js";

/** `bpf_ctx_narrow_access_ok` */
function narrowAccessOk(size: number, fieldSize: number): boolean {
  return size <= fieldSize && (size & (size - 1)) === 0;
}

const BPF_SOCK_SIZE = 80;
/** state, family, type, protocol, src_port, rx_queue_mapping: 4-byte fields read in narrower pieces too */
const SOCK_NARROW_FIELDS = new Set([72, 4, 8, 12, 44, 76]);
/** src_ip4, src_ip6[4], dst_ip4, dst_ip6[4]: any byte offset inside */
const SOCK_NARROW_RANGES: readonly (readonly [number, number])[] = [
  [24, 27],
  [28, 43],
  [52, 55],
  [56, 71],
];
const DST_PORT = 48;

/** `bpf_sock_is_valid_access` */
function sockAccessValid(off: number, size: number): boolean {
  if (off < 0 || off >= BPF_SOCK_SIZE || off % size !== 0) return false;
  if (SOCK_NARROW_FIELDS.has(off) || SOCK_NARROW_RANGES.some(([lo, hi]) => off >= lo && off <= hi))
    return narrowAccessOk(size, 4);
  // dst_port is 2 bytes, also read as the 4-byte word it starts
  if (off === DST_PORT || off === DST_PORT + 1) return narrowAccessOk(size, size === 4 ? 4 : 2);
  if (off === DST_PORT + 2 || off === DST_PORT + 3) return false;
  return size === 4;
}

/** `bpf_sock_common_is_valid_access`: type through priority are not in `sock_common` */
function sockCommonAccessValid(off: number, size: number): boolean {
  if (off >= 8 && off <= 23) return false;
  return sockAccessValid(off, size);
}

/** `bpf_tcp_sock_is_valid_access`: u32 fields but for the two u64 byte counters */
function tcpSockAccessValid(off: number, size: number): boolean {
  if (off < 0 || off >= 112 || off % size !== 0) return false;
  if (off === 80 || off === 88) return size === 8;
  return size === 4;
}

/** `bpf_xdp_sock_is_valid_access`: one u32, queue_id */
function xdpSockAccessValid(off: number, size: number): boolean {
  return off >= 0 && off < 4 && off % size === 0 && size === 4;
}

/** Whether `size` bytes at `off` of the socket a register of type `type` points to may be read. */
export function sockAccessValidFor(type: number, off: number, size: number): boolean {
  switch (baseType(type)) {
    case PTR_TO_SOCK_COMMON:
      return sockCommonAccessValid(off, size);
    case PTR_TO_SOCKET:
      return sockAccessValid(off, size);
    case PTR_TO_TCP_SOCK:
      return tcpSockAccessValid(off, size);
    case PTR_TO_XDP_SOCK:
      return xdpSockAccessValid(off, size);
    default:
      return false;
  }
}
