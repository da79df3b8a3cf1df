import type { ProgramType } from "../../object/spec.js";

/**
 * Helper prototypes: the kernel's `struct bpf_func_proto` of every helper
 * (include/linux/bpf.h), and which program types may call which helpers (each
 * type's `get_func_proto`, for a loader holding CAP_BPF and CAP_PERFMON as
 * root does). check_helper_call checks arguments and sets r0 from these.
 *
 * The arguments and return types are the kernel's enums, numbered the same
 * way: a base type in the low 8 bits and `enum bpf_type_flag` bits above it,
 * so `ARG_PTR_TO_MEM | MEM_RDONLY` is written as the kernel writes it.
 */

// enum bpf_type_flag bits: the same bits register types carry (reg-types.ts)
import {
  MEM_ALLOC,
  MEM_FIXED_SIZE,
  MEM_PERCPU,
  MEM_RCU,
  MEM_RDONLY,
  MEM_RINGBUF,
  MEM_UNINIT,
  MEM_USER,
  NON_OWN_REF,
  OBJ_RELEASE,
  PTR_MAYBE_NULL,
  PTR_TRUSTED,
  PTR_UNTRUSTED,
} from "../reg-types.js";

export {
  MEM_ALLOC,
  MEM_FIXED_SIZE,
  MEM_PERCPU,
  MEM_RCU,
  MEM_RDONLY,
  MEM_RINGBUF,
  MEM_UNINIT,
  MEM_USER,
  NON_OWN_REF,
  OBJ_RELEASE,
  PTR_MAYBE_NULL,
  PTR_TRUSTED,
  PTR_UNTRUSTED,
};
// the flags only arguments use
export const DYNPTR_TYPE_LOCAL = 1 << 16;
export const DYNPTR_TYPE_RINGBUF = 1 << 17;
export const DYNPTR_TYPE_SKB = 1 << 23;
export const DYNPTR_TYPE_XDP = 1 << 24;
export const MEM_ALIGNED = 1 << 25;
/** the helper writes the memory (with MEM_UNINIT: only writes it) */
export const MEM_WRITE = 1 << 26;

/** `enum bpf_arg_type`: what an argument register must hold. */
export const ARG_DONTCARE = 0;
export const ARG_CONST_MAP_PTR = 1;
export const ARG_PTR_TO_MAP_KEY = 2;
export const ARG_PTR_TO_MAP_VALUE = 3;
export const ARG_PTR_TO_MEM = 4;
export const ARG_PTR_TO_ARENA = 5;
export const ARG_CONST_SIZE = 6;
export const ARG_CONST_SIZE_OR_ZERO = 7;
export const ARG_PTR_TO_CTX = 8;
export const ARG_ANYTHING = 9;
export const ARG_SCALAR = 10;
export const ARG_PTR_TO_SPIN_LOCK = 11;
export const ARG_PTR_TO_SOCK_COMMON = 12;
export const ARG_PTR_TO_SOCKET = 13;
export const ARG_PTR_TO_BTF_ID = 14;
export const ARG_PTR_TO_RINGBUF_MEM = 15;
export const ARG_CONST_ALLOC_SIZE_OR_ZERO = 16;
export const ARG_PTR_TO_BTF_ID_SOCK_COMMON = 17;
export const ARG_PTR_TO_PERCPU_BTF_ID = 18;
export const ARG_PTR_TO_FUNC = 19;
export const ARG_PTR_TO_STACK = 20;
export const ARG_PTR_TO_CONST_STR = 21;
export const ARG_PTR_TO_TIMER = 22;
export const ARG_KPTR_XCHG_DEST = 23;
export const ARG_PTR_TO_DYNPTR = 24;
export const ARG_PTR_TO_MAP_VALUE_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_MAP_VALUE;
export const ARG_PTR_TO_MEM_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_MEM;
export const ARG_PTR_TO_CTX_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_CTX;
export const ARG_PTR_TO_SOCKET_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_SOCKET;
export const ARG_PTR_TO_STACK_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_STACK;
export const ARG_PTR_TO_BTF_ID_OR_NULL = PTR_MAYBE_NULL | ARG_PTR_TO_BTF_ID;
/** memory the helper fills completely (or clears on error), so it need not be initialised */
export const ARG_PTR_TO_UNINIT_MEM = MEM_UNINIT | MEM_WRITE | ARG_PTR_TO_MEM;
/** memory of a size fixed by the prototype (`argSize`) */
export const ARG_PTR_TO_FIXED_SIZE_MEM = MEM_FIXED_SIZE | ARG_PTR_TO_MEM;

/** `enum bpf_return_type`: what the call leaves in r0. */
export const RET_INTEGER = 0;
export const RET_VOID = 1;
export const RET_PTR_TO_MAP_VALUE = 2;
export const RET_PTR_TO_SOCKET = 3;
export const RET_PTR_TO_TCP_SOCK = 4;
export const RET_PTR_TO_SOCK_COMMON = 5;
export const RET_PTR_TO_MEM = 6;
export const RET_PTR_TO_MEM_OR_BTF_ID = 7;
export const RET_PTR_TO_BTF_ID = 8;
export const RET_PTR_TO_MAP_VALUE_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_MAP_VALUE;
export const RET_PTR_TO_SOCKET_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_SOCKET;
export const RET_PTR_TO_TCP_SOCK_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_TCP_SOCK;
export const RET_PTR_TO_SOCK_COMMON_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_SOCK_COMMON;
export const RET_PTR_TO_RINGBUF_MEM_OR_NULL = PTR_MAYBE_NULL | MEM_RINGBUF | RET_PTR_TO_MEM;
export const RET_PTR_TO_DYNPTR_MEM_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_MEM;
export const RET_PTR_TO_BTF_ID_OR_NULL = PTR_MAYBE_NULL | RET_PTR_TO_BTF_ID;
export const RET_PTR_TO_BTF_ID_TRUSTED = PTR_TRUSTED | RET_PTR_TO_BTF_ID;

/** An `enum bpf_arg_type` value, flags included. */
export type ArgType = number;
/** An `enum bpf_return_type` value, flags included. */
export type RetType = number;

/** the low 8 bits: ARG_PTR_TO_MEM of `ARG_PTR_TO_MEM | MEM_RDONLY` */
export function baseArgType(t: ArgType | RetType): number {
  return t & 0xff;
}

export interface HelperProto {
  /** `enum bpf_func_id` */
  readonly id: number;
  /** as the kernel's log names it: `bpf_map_lookup_elem` */
  readonly name: string;
  readonly ret: RetType;
  /** arg1_type.. in order; arguments past the end are ARG_DONTCARE */
  readonly args: readonly ArgType[];
  /** only GPL-compatible programs may call it */
  readonly gplOnly: boolean;
  /** it may be given pointers into the packet */
  readonly pktAccess: boolean;
  /** it may sleep: only sleepable programs may call it */
  readonly mightSleep: boolean;
  /** it follows the bpf_fastcall contract (scratches only the registers it uses) */
  readonly allowFastcall: boolean;
  /**
   * For ARG_PTR_TO_BTF_ID arguments: the kernel struct the pointer must
   * point to; "*" where the kernel works it out from the map or object.
   */
  readonly argBtf: readonly (string | undefined)[];
  /** For ARG_PTR_TO_FIXED_SIZE_MEM arguments: how many bytes. */
  readonly argSize: readonly (number | undefined)[];
  /** For RET_PTR_TO_BTF_ID*: the kernel struct r0 points to. */
  readonly retBtf: string | undefined;
  /** the kernel has an extra `allowed()` callback for it (`helper call is not allowed in probe`) */
  readonly allowedCheck: boolean;
}

interface ProtoExtras {
  readonly gplOnly?: boolean;
  readonly pktAccess?: boolean;
  readonly mightSleep?: boolean;
  readonly allowFastcall?: boolean;
  readonly argBtf?: readonly (string | undefined)[];
  readonly argSize?: readonly (number | undefined)[];
  readonly retBtf?: string;
  readonly allowedCheck?: boolean;
}

function p(
  id: number,
  name: string,
  ret: RetType,
  args: readonly ArgType[],
  extras: ProtoExtras = {},
): HelperProto {
  return {
    id,
    name: `bpf_${name}`,
    ret,
    args,
    gplOnly: extras.gplOnly ?? false,
    pktAccess: extras.pktAccess ?? false,
    mightSleep: extras.mightSleep ?? false,
    allowFastcall: extras.allowFastcall ?? false,
    argBtf: extras.argBtf ?? [],
    argSize: extras.argSize ?? [],
    retBtf: extras.retBtf,
    allowedCheck: extras.allowedCheck ?? false,
  };
}

/** `__BPF_FUNC_MAX_ID` of Linux 6.18: helper ids run 1..211 */
export const HELPER_ID_LIMIT = 212;

/**
 * Each helper's main prototype. Where program types get a different
 * prototype for the same id, VARIANTS below says so.
 */
const PROTOS: readonly HelperProto[] = [
  p(1, "map_lookup_elem", RET_PTR_TO_MAP_VALUE_OR_NULL, [ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY], {
    pktAccess: true,
  }),
  p(
    2,
    "map_update_elem",
    RET_INTEGER,
    [ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING],
    { pktAccess: true },
  ),
  p(3, "map_delete_elem", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY], {
    pktAccess: true,
  }),
  p(4, "probe_read", RET_INTEGER, [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(5, "ktime_get_ns", RET_INTEGER, []),
  p(6, "trace_printk", RET_INTEGER, [ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE], {
    gplOnly: true,
  }),
  p(7, "get_prandom_u32", RET_INTEGER, []),
  p(8, "get_smp_processor_id", RET_INTEGER, [], { allowFastcall: true }),
  p(9, "skb_store_bytes", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(10, "l3_csum_replace", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_ANYTHING,
  ]),
  p(11, "l4_csum_replace", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_ANYTHING,
  ]),
  p(12, "tail_call", RET_VOID, [ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING]),
  p(13, "clone_redirect", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(14, "get_current_pid_tgid", RET_INTEGER, []),
  p(15, "get_current_uid_gid", RET_INTEGER, []),
  p(16, "get_current_comm", RET_INTEGER, [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE]),
  p(17, "get_cgroup_classid", RET_INTEGER, []),
  p(18, "skb_vlan_push", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(19, "skb_vlan_pop", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(20, "skb_get_tunnel_key", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(21, "skb_set_tunnel_key", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(22, "perf_event_read", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_ANYTHING], { gplOnly: true }),
  p(23, "redirect", RET_INTEGER, [ARG_ANYTHING, ARG_ANYTHING]),
  p(24, "get_route_realm", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(
    25,
    "perf_event_output",
    RET_INTEGER,
    [
      ARG_PTR_TO_CTX,
      ARG_CONST_MAP_PTR,
      ARG_ANYTHING,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
    ],
    { gplOnly: true },
  ),
  p(26, "skb_load_bytes", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
  ]),
  p(27, "get_stackid", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(
    28,
    "csum_diff",
    RET_INTEGER,
    [
      ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_ANYTHING,
    ],
    { pktAccess: true },
  ),
  p(29, "skb_get_tunnel_opt", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE]),
  p(30, "skb_set_tunnel_opt", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(31, "skb_change_proto", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(32, "skb_change_type", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(33, "skb_under_cgroup", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING]),
  p(34, "get_hash_recalc", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(35, "get_current_task", RET_INTEGER, [], { gplOnly: true }),
  p(
    36,
    "probe_write_user",
    RET_INTEGER,
    [ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE],
    { gplOnly: true },
  ),
  p(37, "current_task_under_cgroup", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_ANYTHING]),
  p(38, "skb_change_tail", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(39, "skb_pull_data", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(40, "csum_update", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(41, "set_hash_invalid", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(42, "get_numa_node_id", RET_INTEGER, []),
  p(43, "skb_change_head", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(44, "xdp_adjust_head", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(
    45,
    "probe_read_str",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(46, "get_socket_cookie", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(47, "get_socket_uid", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(48, "set_hash", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(49, "setsockopt", RET_INTEGER, [
    ARG_PTR_TO_BTF_ID_SOCK_COMMON,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(50, "skb_adjust_room", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING]),
  p(51, "redirect_map", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING]),
  p(52, "sk_redirect_map", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_CONST_MAP_PTR,
    ARG_ANYTHING,
    ARG_ANYTHING,
  ]),
  p(
    53,
    "sock_map_update",
    RET_INTEGER,
    [ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING],
    { pktAccess: true },
  ),
  p(54, "xdp_adjust_meta", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(
    55,
    "perf_event_read_value",
    RET_INTEGER,
    [ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE],
    { gplOnly: true },
  ),
  p(
    56,
    "perf_prog_read_value",
    RET_INTEGER,
    [ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE],
    { gplOnly: true },
  ),
  p(57, "getsockopt", RET_INTEGER, [
    ARG_PTR_TO_BTF_ID_SOCK_COMMON,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
  ]),
  p(58, "override_return", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING], { gplOnly: true }),
  p(59, "sock_ops_cb_flags_set", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(60, "msg_redirect_map", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_CONST_MAP_PTR,
    ARG_ANYTHING,
    ARG_ANYTHING,
  ]),
  p(61, "msg_apply_bytes", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(62, "msg_cork_bytes", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(63, "msg_pull_data", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING]),
  p(64, "bind", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE]),
  p(65, "xdp_adjust_tail", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(66, "skb_get_xfrm_state", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(
    67,
    "get_stack",
    RET_INTEGER,
    [ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(68, "skb_load_bytes_relative", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(69, "fib_lookup", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(
    70,
    "sock_hash_update",
    RET_INTEGER,
    [ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING],
    { pktAccess: true },
  ),
  p(71, "msg_redirect_hash", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MAP_KEY,
    ARG_ANYTHING,
  ]),
  p(72, "sk_redirect_hash", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MAP_KEY,
    ARG_ANYTHING,
  ]),
  p(73, "lwt_push_encap", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(74, "lwt_seg6_store_bytes", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(75, "lwt_seg6_adjust_srh", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(76, "lwt_seg6_action", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(77, "rc_repeat", RET_INTEGER, [ARG_PTR_TO_CTX], { gplOnly: true }),
  p(78, "rc_keydown", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(79, "skb_cgroup_id", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(80, "get_current_cgroup_id", RET_INTEGER, []),
  p(81, "get_local_storage", RET_PTR_TO_MAP_VALUE, [ARG_CONST_MAP_PTR, ARG_ANYTHING]),
  p(82, "sk_select_reuseport", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MAP_KEY,
    ARG_ANYTHING,
  ]),
  p(83, "skb_ancestor_cgroup_id", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(
    84,
    "sk_lookup_tcp",
    RET_PTR_TO_SOCKET_OR_NULL,
    [
      ARG_PTR_TO_CTX,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_ANYTHING,
      ARG_ANYTHING,
    ],
    { pktAccess: true },
  ),
  p(
    85,
    "sk_lookup_udp",
    RET_PTR_TO_SOCKET_OR_NULL,
    [
      ARG_PTR_TO_CTX,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_ANYTHING,
      ARG_ANYTHING,
    ],
    { pktAccess: true },
  ),
  p(86, "sk_release", RET_INTEGER, [ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE]),
  p(87, "map_push_elem", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING], {
    pktAccess: true,
  }),
  p(88, "map_pop_elem", RET_INTEGER, [
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE,
  ]),
  p(89, "map_peek_elem", RET_INTEGER, [
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE,
  ]),
  p(90, "msg_push_data", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING]),
  p(91, "msg_pop_data", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING]),
  p(92, "rc_pointer_rel", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(93, "spin_lock", RET_VOID, [ARG_PTR_TO_SPIN_LOCK], { argBtf: ["*"] }),
  p(94, "spin_unlock", RET_VOID, [ARG_PTR_TO_SPIN_LOCK], { argBtf: ["*"] }),
  p(95, "sk_fullsock", RET_PTR_TO_SOCKET_OR_NULL, [ARG_PTR_TO_SOCK_COMMON]),
  p(96, "tcp_sock", RET_PTR_TO_TCP_SOCK_OR_NULL, [ARG_PTR_TO_SOCK_COMMON]),
  p(97, "skb_ecn_set_ce", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(98, "get_listener_sock", RET_PTR_TO_SOCKET_OR_NULL, [ARG_PTR_TO_SOCK_COMMON]),
  p(
    99,
    "skc_lookup_tcp",
    RET_PTR_TO_SOCK_COMMON_OR_NULL,
    [
      ARG_PTR_TO_CTX,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_ANYTHING,
      ARG_ANYTHING,
    ],
    { pktAccess: true },
  ),
  p(
    100,
    "tcp_check_syncookie",
    RET_INTEGER,
    [
      ARG_PTR_TO_BTF_ID_SOCK_COMMON,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
    ],
    { gplOnly: true, pktAccess: true },
  ),
  p(101, "sysctl_get_name", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_MEM,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(102, "sysctl_get_current_value", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
  ]),
  p(103, "sysctl_get_new_value", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
  ]),
  p(104, "sysctl_set_new_value", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(
    105,
    "strtol",
    RET_INTEGER,
    [
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
      ARG_ANYTHING,
      ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED,
    ],
    { argSize: [undefined, undefined, undefined, 8] },
  ),
  p(
    106,
    "strtoul",
    RET_INTEGER,
    [
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
      ARG_ANYTHING,
      ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED,
    ],
    { argSize: [undefined, undefined, undefined, 8] },
  ),
  p(107, "sk_storage_get", RET_PTR_TO_MAP_VALUE_OR_NULL, [
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_BTF_ID_SOCK_COMMON,
    ARG_PTR_TO_MAP_VALUE_OR_NULL,
    ARG_ANYTHING,
  ]),
  p(108, "sk_storage_delete", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON]),
  p(109, "send_signal", RET_INTEGER, [ARG_ANYTHING]),
  p(
    110,
    "tcp_gen_syncookie",
    RET_INTEGER,
    [
      ARG_PTR_TO_BTF_ID_SOCK_COMMON,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
    ],
    { gplOnly: true, pktAccess: true },
  ),
  p(
    111,
    "skb_output",
    RET_INTEGER,
    [
      ARG_PTR_TO_BTF_ID,
      ARG_CONST_MAP_PTR,
      ARG_ANYTHING,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
    ],
    { gplOnly: true, argBtf: ["sk_buff"] },
  ),
  p(
    112,
    "probe_read_user",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(
    113,
    "probe_read_kernel",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(
    114,
    "probe_read_user_str",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(
    115,
    "probe_read_kernel_str",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(116, "tcp_send_ack", RET_INTEGER, [ARG_PTR_TO_BTF_ID, ARG_ANYTHING], { argBtf: ["tcp_sock"] }),
  p(117, "send_signal_thread", RET_INTEGER, [ARG_ANYTHING]),
  p(118, "jiffies64", RET_INTEGER, []),
  p(
    119,
    "read_branch_records",
    RET_INTEGER,
    [ARG_PTR_TO_CTX, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true },
  ),
  p(120, "get_ns_current_pid_tgid", RET_INTEGER, [
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
  ]),
  p(
    121,
    "xdp_output",
    RET_INTEGER,
    [
      ARG_PTR_TO_BTF_ID,
      ARG_CONST_MAP_PTR,
      ARG_ANYTHING,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
    ],
    { gplOnly: true, argBtf: ["xdp_buff"] },
  ),
  p(122, "get_netns_cookie", RET_INTEGER, [ARG_PTR_TO_CTX_OR_NULL]),
  p(123, "get_current_ancestor_cgroup_id", RET_INTEGER, [ARG_ANYTHING]),
  p(124, "sk_assign", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING]),
  p(125, "ktime_get_boot_ns", RET_INTEGER, []),
  p(
    126,
    "seq_printf",
    RET_INTEGER,
    [
      ARG_PTR_TO_BTF_ID,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
      ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
    ],
    { gplOnly: true, argBtf: ["seq_file"] },
  ),
  p(
    127,
    "seq_write",
    RET_INTEGER,
    [ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO],
    { gplOnly: true, argBtf: ["seq_file"] },
  ),
  p(128, "sk_cgroup_id", RET_INTEGER, [ARG_PTR_TO_BTF_ID_SOCK_COMMON]),
  p(129, "sk_ancestor_cgroup_id", RET_INTEGER, [ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING]),
  p(130, "ringbuf_output", RET_INTEGER, [
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE_OR_ZERO,
    ARG_ANYTHING,
  ]),
  p(131, "ringbuf_reserve", RET_PTR_TO_RINGBUF_MEM_OR_NULL, [
    ARG_CONST_MAP_PTR,
    ARG_CONST_ALLOC_SIZE_OR_ZERO,
    ARG_ANYTHING,
  ]),
  p(132, "ringbuf_submit", RET_VOID, [ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING]),
  p(133, "ringbuf_discard", RET_VOID, [ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING]),
  p(134, "ringbuf_query", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_ANYTHING]),
  p(135, "csum_level", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING]),
  p(136, "skc_to_tcp6_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID_SOCK_COMMON], {
    retBtf: "tcp6_sock",
  }),
  p(137, "skc_to_tcp_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID_SOCK_COMMON], {
    retBtf: "tcp_sock",
  }),
  p(138, "skc_to_tcp_timewait_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID_SOCK_COMMON], {
    retBtf: "tcp_timewait_sock",
  }),
  p(139, "skc_to_tcp_request_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID_SOCK_COMMON], {
    retBtf: "tcp_request_sock",
  }),
  p(140, "skc_to_udp6_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID_SOCK_COMMON], {
    retBtf: "udp6_sock",
  }),
  p(
    141,
    "get_task_stack",
    RET_INTEGER,
    [ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { argBtf: ["task_struct"] },
  ),
  p(142, "load_hdr_opt", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_MEM | MEM_WRITE,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(143, "store_hdr_opt", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(144, "reserve_hdr_opt", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(
    145,
    "inode_storage_get",
    RET_PTR_TO_MAP_VALUE_OR_NULL,
    [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING],
    { argBtf: [undefined, "inode"] },
  ),
  p(146, "inode_storage_delete", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL], {
    argBtf: [undefined, "inode"],
  }),
  p(147, "d_path", RET_INTEGER, [ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO], {
    argBtf: ["path"],
    allowedCheck: true,
  }),
  p(
    148,
    "copy_from_user",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { mightSleep: true },
  ),
  p(149, "snprintf_btf", RET_INTEGER, [
    ARG_PTR_TO_MEM,
    ARG_CONST_SIZE,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
    ARG_ANYTHING,
  ]),
  p(
    150,
    "seq_printf_btf",
    RET_INTEGER,
    [ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING],
    { gplOnly: true, argBtf: ["seq_file"] },
  ),
  p(151, "skb_cgroup_classid", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(152, "redirect_neigh", RET_INTEGER, [
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY,
    ARG_CONST_SIZE_OR_ZERO,
    ARG_ANYTHING,
  ]),
  p(153, "per_cpu_ptr", RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY, [
    ARG_PTR_TO_PERCPU_BTF_ID,
    ARG_ANYTHING,
  ]),
  p(154, "this_cpu_ptr", RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY, [ARG_PTR_TO_PERCPU_BTF_ID]),
  p(155, "redirect_peer", RET_INTEGER, [ARG_ANYTHING, ARG_ANYTHING]),
  p(
    156,
    "task_storage_get",
    RET_PTR_TO_MAP_VALUE_OR_NULL,
    [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING],
    { argBtf: [undefined, "task_struct"] },
  ),
  p(157, "task_storage_delete", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL], {
    argBtf: [undefined, "task_struct"],
  }),
  p(158, "get_current_task_btf", RET_PTR_TO_BTF_ID_TRUSTED, [], {
    gplOnly: true,
    retBtf: "task_struct",
  }),
  p(159, "bprm_opts_set", RET_INTEGER, [ARG_PTR_TO_BTF_ID, ARG_ANYTHING], {
    argBtf: ["linux_binprm"],
  }),
  p(160, "ktime_get_coarse_ns", RET_INTEGER, []),
  p(
    161,
    "ima_inode_hash",
    RET_INTEGER,
    [ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE],
    { mightSleep: true, argBtf: ["inode"], allowedCheck: true },
  ),
  p(162, "sock_from_file", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID], {
    argBtf: ["file"],
    retBtf: "socket",
  }),
  p(
    163,
    "check_mtu",
    RET_INTEGER,
    [
      ARG_PTR_TO_CTX,
      ARG_ANYTHING,
      ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED,
      ARG_ANYTHING,
      ARG_ANYTHING,
    ],
    { gplOnly: true, argSize: [undefined, undefined, 4] },
  ),
  p(164, "for_each_map_elem", RET_INTEGER, [
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_FUNC,
    ARG_PTR_TO_STACK_OR_NULL,
    ARG_ANYTHING,
  ]),
  p(
    165,
    "snprintf",
    RET_INTEGER,
    [
      ARG_PTR_TO_MEM_OR_NULL,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_PTR_TO_CONST_STR,
      ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
    ],
    { gplOnly: true },
  ),
  p(166, "sys_bpf", RET_INTEGER, [ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE], {
    mightSleep: true,
  }),
  p(
    167,
    "btf_find_by_name_kind",
    RET_INTEGER,
    [ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING],
    { mightSleep: true },
  ),
  p(168, "sys_close", RET_INTEGER, [ARG_ANYTHING], { mightSleep: true }),
  p(169, "timer_init", RET_INTEGER, [ARG_PTR_TO_TIMER, ARG_CONST_MAP_PTR, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(170, "timer_set_callback", RET_INTEGER, [ARG_PTR_TO_TIMER, ARG_PTR_TO_FUNC], { gplOnly: true }),
  p(171, "timer_start", RET_INTEGER, [ARG_PTR_TO_TIMER, ARG_ANYTHING, ARG_ANYTHING], {
    gplOnly: true,
  }),
  p(172, "timer_cancel", RET_INTEGER, [ARG_PTR_TO_TIMER], { gplOnly: true }),
  p(173, "get_func_ip", RET_INTEGER, [ARG_PTR_TO_CTX], { gplOnly: true }),
  p(174, "get_attach_cookie", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(175, "task_pt_regs", RET_PTR_TO_BTF_ID, [ARG_PTR_TO_BTF_ID], {
    gplOnly: true,
    argBtf: ["task_struct"],
    retBtf: "pt_regs",
  }),
  p(176, "get_branch_snapshot", RET_INTEGER, [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO], {
    gplOnly: true,
  }),
  p(
    177,
    "trace_vprintk",
    RET_INTEGER,
    [
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE,
      ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
    ],
    { gplOnly: true },
  ),
  p(178, "skc_to_unix_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_BTF_ID_SOCK_COMMON], {
    retBtf: "unix_sock",
  }),
  p(
    179,
    "kallsyms_lookup_name",
    RET_INTEGER,
    [
      ARG_PTR_TO_MEM,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_ANYTHING,
      ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED,
    ],
    { argSize: [undefined, undefined, undefined, 8] },
  ),
  p(
    180,
    "find_vma",
    RET_INTEGER,
    [ARG_PTR_TO_BTF_ID, ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING],
    { argBtf: ["task_struct"] },
  ),
  p(181, "loop", RET_INTEGER, [
    ARG_ANYTHING,
    ARG_PTR_TO_FUNC,
    ARG_PTR_TO_STACK_OR_NULL,
    ARG_ANYTHING,
  ]),
  p(182, "strncmp", RET_INTEGER, [
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
    ARG_PTR_TO_CONST_STR,
  ]),
  p(
    183,
    "get_func_arg",
    RET_INTEGER,
    [
      ARG_PTR_TO_CTX,
      ARG_ANYTHING,
      ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED,
    ],
    { argSize: [undefined, undefined, 8] },
  ),
  p(
    184,
    "get_func_ret",
    RET_INTEGER,
    [ARG_PTR_TO_CTX, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED],
    { argSize: [undefined, 8] },
  ),
  p(185, "get_func_arg_cnt", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(186, "get_retval", RET_INTEGER, []),
  p(187, "set_retval", RET_INTEGER, [ARG_ANYTHING]),
  p(188, "xdp_get_buff_len", RET_INTEGER, [ARG_PTR_TO_CTX]),
  p(189, "xdp_load_bytes", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE,
  ]),
  p(190, "xdp_store_bytes", RET_INTEGER, [
    ARG_PTR_TO_CTX,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE,
  ]),
  p(
    191,
    "copy_from_user_task",
    RET_INTEGER,
    [ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_PTR_TO_BTF_ID, ARG_ANYTHING],
    { gplOnly: true, mightSleep: true, argBtf: [undefined, undefined, undefined, "task_struct"] },
  ),
  p(192, "skb_set_tstamp", RET_INTEGER, [ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING]),
  p(193, "ima_file_hash", RET_INTEGER, [ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE], {
    mightSleep: true,
    argBtf: ["file"],
    allowedCheck: true,
  }),
  p(
    194,
    "kptr_xchg",
    RET_PTR_TO_BTF_ID_OR_NULL,
    [ARG_KPTR_XCHG_DEST, ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE],
    { argBtf: [undefined, "*"], retBtf: "*" },
  ),
  p(
    195,
    "map_lookup_percpu_elem",
    RET_PTR_TO_MAP_VALUE_OR_NULL,
    [ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING],
    { pktAccess: true },
  ),
  p(196, "skc_to_mptcp_sock", RET_PTR_TO_BTF_ID_OR_NULL, [ARG_PTR_TO_SOCK_COMMON], {
    retBtf: "mptcp_sock",
  }),
  p(197, "dynptr_from_mem", RET_INTEGER, [
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE_OR_ZERO,
    ARG_ANYTHING,
    ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT | MEM_WRITE,
  ]),
  p(198, "ringbuf_reserve_dynptr", RET_INTEGER, [
    ARG_CONST_MAP_PTR,
    ARG_ANYTHING,
    ARG_ANYTHING,
    ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | MEM_UNINIT | MEM_WRITE,
  ]),
  p(199, "ringbuf_submit_dynptr", RET_VOID, [
    ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE,
    ARG_ANYTHING,
  ]),
  p(200, "ringbuf_discard_dynptr", RET_VOID, [
    ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE,
    ARG_ANYTHING,
  ]),
  p(201, "dynptr_read", RET_INTEGER, [
    ARG_PTR_TO_UNINIT_MEM,
    ARG_CONST_SIZE_OR_ZERO,
    ARG_PTR_TO_DYNPTR | MEM_RDONLY,
    ARG_ANYTHING,
    ARG_ANYTHING,
  ]),
  p(202, "dynptr_write", RET_INTEGER, [
    ARG_PTR_TO_DYNPTR | MEM_RDONLY,
    ARG_ANYTHING,
    ARG_PTR_TO_MEM | MEM_RDONLY,
    ARG_CONST_SIZE_OR_ZERO,
    ARG_ANYTHING,
  ]),
  p(203, "dynptr_data", RET_PTR_TO_DYNPTR_MEM_OR_NULL, [
    ARG_PTR_TO_DYNPTR | MEM_RDONLY,
    ARG_ANYTHING,
    ARG_CONST_ALLOC_SIZE_OR_ZERO,
  ]),
  p(
    204,
    "tcp_raw_gen_syncookie_ipv4",
    RET_INTEGER,
    [ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO],
    { gplOnly: true, pktAccess: true, argSize: [20] },
  ),
  p(
    205,
    "tcp_raw_gen_syncookie_ipv6",
    RET_INTEGER,
    [ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO],
    { gplOnly: true, pktAccess: true, argSize: [40] },
  ),
  p(
    206,
    "tcp_raw_check_syncookie_ipv4",
    RET_INTEGER,
    [ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_FIXED_SIZE_MEM],
    { gplOnly: true, pktAccess: true, argSize: [20, 20] },
  ),
  p(
    207,
    "tcp_raw_check_syncookie_ipv6",
    RET_INTEGER,
    [ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_FIXED_SIZE_MEM],
    { gplOnly: true, pktAccess: true, argSize: [40, 20] },
  ),
  p(208, "ktime_get_tai_ns", RET_INTEGER, []),
  p(209, "user_ringbuf_drain", RET_INTEGER, [
    ARG_CONST_MAP_PTR,
    ARG_PTR_TO_FUNC,
    ARG_PTR_TO_STACK_OR_NULL,
    ARG_ANYTHING,
  ]),
  p(
    210,
    "cgrp_storage_get",
    RET_PTR_TO_MAP_VALUE_OR_NULL,
    [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING],
    { argBtf: [undefined, "cgroup"] },
  ),
  p(211, "cgrp_storage_delete", RET_INTEGER, [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL], {
    argBtf: [undefined, "cgroup"],
  }),
];
/** `bpf_base_func_proto` for a privileged loader: what every program type may call */
const BASE: readonly number[] = [
  1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 35, 37, 42, 55, 80, 87, 88, 89, 93, 94, 105, 106,
  109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153,
  154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 175, 176, 177, 180, 181, 182, 191, 194, 195,
  197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211,
];

/** what each program type may call besides BASE (its `get_func_proto`) */
const EXTRA: Partial<Record<ProgramType, readonly number[]>> = {
  socket_filter: [25, 26, 46, 47, 68, 122, 136, 137, 138, 139, 140, 160, 178, 196],
  kprobe: [4, 25, 27, 45, 67, 173, 174],
  sched_cls: [
    9, 10, 11, 13, 18, 19, 20, 21, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 34, 38, 39, 40, 41, 43,
    46, 47, 48, 50, 66, 68, 69, 79, 83, 84, 85, 86, 95, 96, 97, 98, 99, 100, 107, 108, 110, 122,
    124, 135, 136, 137, 138, 139, 140, 151, 152, 155, 160, 163, 178, 192, 196, 204, 205, 206, 207,
  ],
  sched_act: [
    9, 10, 11, 13, 18, 19, 20, 21, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 34, 38, 39, 40, 41, 43,
    46, 47, 48, 50, 66, 68, 69, 79, 83, 84, 85, 86, 95, 96, 97, 98, 99, 100, 107, 108, 110, 122,
    124, 135, 136, 137, 138, 139, 140, 151, 152, 155, 160, 163, 178, 192, 196, 204, 205, 206, 207,
  ],
  tracepoint: [4, 25, 27, 45, 67, 173, 174],
  xdp: [
    23, 25, 28, 44, 51, 54, 65, 69, 84, 85, 86, 99, 100, 110, 136, 137, 138, 139, 140, 160, 163,
    178, 188, 189, 190, 196, 204, 205, 206, 207,
  ],
  perf_event: [4, 25, 27, 45, 56, 67, 119, 173, 174],
  cgroup_skb: [
    25, 26, 46, 47, 68, 79, 81, 83, 84, 85, 86, 95, 96, 97, 98, 99, 107, 108, 122, 128, 129, 136,
    137, 138, 139, 140, 160, 178, 196,
  ],
  cgroup_sock: [25, 46, 81, 107, 122, 160, 186, 187],
  lwt_in: [24, 25, 26, 28, 33, 34, 39, 73, 136, 137, 138, 139, 140, 160, 178, 196],
  lwt_out: [24, 25, 26, 28, 33, 34, 39, 136, 137, 138, 139, 140, 160, 178, 196],
  lwt_xmit: [
    9, 10, 11, 13, 20, 21, 23, 24, 25, 26, 28, 29, 30, 33, 34, 38, 39, 40, 41, 43, 73, 135, 136,
    137, 138, 139, 140, 160, 178, 196,
  ],
  sock_ops: [
    25, 46, 49, 53, 57, 59, 70, 81, 96, 107, 108, 122, 136, 137, 138, 139, 140, 142, 143, 144, 160,
    178, 196,
  ],
  sk_skb: [
    9, 25, 26, 38, 39, 43, 46, 47, 50, 52, 72, 84, 85, 86, 99, 136, 137, 138, 139, 140, 160, 178,
    196,
  ],
  cgroup_device: [25, 81, 186, 187],
  sk_msg: [25, 60, 61, 62, 63, 71, 90, 91, 107, 108, 122, 136, 137, 138, 139, 140, 160, 178, 196],
  raw_tracepoint: [4, 25, 27, 45, 67, 173, 174],
  cgroup_sock_addr: [
    25, 46, 49, 57, 64, 81, 84, 85, 86, 99, 107, 108, 122, 136, 137, 138, 139, 140, 160, 178, 186,
    187, 196,
  ],
  lwt_seg6local: [24, 25, 26, 28, 33, 34, 39, 74, 75, 76, 136, 137, 138, 139, 140, 160, 178, 196],
  sk_reuseport: [26, 46, 68, 82, 160],
  flow_dissector: [26, 136, 137, 138, 139, 140, 160, 178, 196],
  cgroup_sysctl: [25, 81, 101, 102, 103, 104, 160, 186, 187],
  raw_tracepoint_writable: [4, 25, 27, 45, 67, 173, 174],
  cgroup_sockopt: [25, 81, 96, 107, 108, 122, 186, 187],
  sk_lookup: [25, 86, 124, 136, 137, 138, 139, 140, 160, 178, 196],
  syscall: [
    4, 25, 27, 45, 46, 67, 107, 108, 111, 121, 136, 137, 138, 139, 140, 147, 162, 166, 167, 168,
    173, 178, 179, 188, 196,
  ],
  netfilter: [],
};

/** program types whose helpers see the traced kernel, not a packet or socket */
const TRACING_TYPES: ReadonlySet<ProgramType> = new Set<ProgramType>([
  "kprobe",
  "tracepoint",
  "raw_tracepoint",
  "raw_tracepoint_writable",
  "perf_event",
  "tracing",
  "syscall",
]);

const LWT_AND_TC: ReadonlySet<ProgramType> = new Set<ProgramType>([
  "sched_cls",
  "sched_act",
  "lwt_in",
  "lwt_out",
  "lwt_xmit",
  "lwt_seg6local",
]);

const CTX_SOCKOPT: ReadonlySet<ProgramType> = new Set<ProgramType>([
  "sock_ops",
  "cgroup_sock_addr",
]);

type Variant = (progType: ProgramType, proto: HelperProto) => HelperProto | undefined;

/** Ids whose prototype depends on the program type (the kernel returns a different bpf_func_proto). */
const VARIANTS: ReadonlyMap<number, Variant> = new Map<number, Variant>([
  // bpf_get_cgroup_classid_proto reads the skb; elsewhere the _curr variant reads current
  [17, (t, proto) => (LWT_AND_TC.has(t) ? { ...proto, args: [ARG_PTR_TO_CTX] } : undefined)],
  // bpf_get_socket_ptr_cookie_proto: tracing and sk_reuseport programs pass a socket, not their context
  [
    46,
    (t, proto) =>
      TRACING_TYPES.has(t) || t === "sk_reuseport"
        ? { ...proto, args: [ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL] }
        : undefined,
  ],
  // setsockopt/getsockopt on the program's own context (bpf_sock_ops_/bpf_sock_addr_setsockopt_proto)
  [
    49,
    (t, proto) =>
      CTX_SOCKOPT.has(t) ? { ...proto, args: [ARG_PTR_TO_CTX, ...proto.args.slice(1)] } : undefined,
  ],
  [
    57,
    (t, proto) =>
      CTX_SOCKOPT.has(t) ? { ...proto, args: [ARG_PTR_TO_CTX, ...proto.args.slice(1)] } : undefined,
  ],
  // bpf_get_stack_proto_raw_tp reads its buffer argument as read-only memory
  [
    67,
    (t, proto) =>
      t === "raw_tracepoint" || t === "raw_tracepoint_writable"
        ? {
            ...proto,
            args: [
              ARG_PTR_TO_CTX,
              ARG_PTR_TO_MEM | MEM_RDONLY,
              ARG_CONST_SIZE_OR_ZERO,
              ARG_ANYTHING,
            ],
          }
        : undefined,
  ],
  // the cgroup_sock_addr socket lookups cannot take packet pointers
  [84, (t, proto) => (t === "cgroup_sock_addr" ? { ...proto, pktAccess: false } : undefined)],
  [85, (t, proto) => (t === "cgroup_sock_addr" ? { ...proto, pktAccess: false } : undefined)],
  [99, (t, proto) => (t === "cgroup_sock_addr" ? { ...proto, pktAccess: false } : undefined)],
  // sk storage: tracing programs pass a BTF socket, cgroup_sock programs their context
  [
    107,
    (t, proto) => {
      if (TRACING_TYPES.has(t)) {
        return {
          ...proto,
          args: [
            ARG_CONST_MAP_PTR,
            ARG_PTR_TO_BTF_ID_OR_NULL,
            ARG_PTR_TO_MAP_VALUE_OR_NULL,
            ARG_ANYTHING,
          ],
          argBtf: [undefined, "sock_common"],
          allowedCheck: true,
        };
      }
      if (t === "cgroup_sock") {
        return {
          ...proto,
          args: [ARG_CONST_MAP_PTR, ARG_PTR_TO_CTX, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING],
        };
      }
      return undefined;
    },
  ],
  [
    108,
    (t, proto) =>
      TRACING_TYPES.has(t)
        ? {
            ...proto,
            args: [ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL],
            argBtf: [undefined, "sock_common"],
            allowedCheck: true,
          }
        : undefined,
  ],
  // bpf_sk_lookup_assign_proto: sk_lookup programs assign a socket or NULL
  [
    124,
    (t, proto) =>
      t === "sk_lookup"
        ? { ...proto, args: [ARG_PTR_TO_CTX, ARG_PTR_TO_SOCKET_OR_NULL, ARG_ANYTHING] }
        : undefined,
  ],
  // bpf_xdp_get_buff_len_trace_proto: tracing programs pass a struct xdp_buff
  [
    188,
    (t, proto) =>
      TRACING_TYPES.has(t)
        ? { ...proto, args: [ARG_PTR_TO_BTF_ID], argBtf: ["xdp_buff"] }
        : undefined,
  ],
]);

const BY_ID: ReadonlyMap<number, HelperProto> = new Map(PROTOS.map((proto) => [proto.id, proto]));

const ALLOWED: ReadonlyMap<ProgramType, ReadonlySet<number>> = new Map(
  (Object.entries(EXTRA) as [ProgramType, readonly number[]][]).map(([t, extra]) => [
    t,
    new Set([...BASE, ...extra]),
  ]),
);
const BASE_SET: ReadonlySet<number> = new Set(BASE);

/** Whether the list of helpers this program type may call is known (otherwise only BASE is assumed). */
export function helperAllowListModelled(progType: ProgramType): boolean {
  return ALLOWED.has(progType);
}

/**
 * The name the kernel's log gives a helper id (`func_id_name`):
 * `bpf_map_lookup_elem`, or `unknown` outside 1..HELPER_ID_LIMIT-1.
 */
export function helperName(id: number): string {
  if (id === 0) return "bpf_unspec";
  return BY_ID.get(id)?.name ?? "unknown";
}

/**
 * The prototype a program of `progType` gets for helper `id`; "unknown" when
 * the id is not a helper (`invalid func %s#%d`), "not-allowed" when this
 * program type may not call it (`program of this type cannot use helper %s#%d`).
 */
export function helperProto(
  id: number,
  progType: ProgramType,
): HelperProto | "unknown" | "not-allowed" {
  if (!Number.isInteger(id) || id < 0 || id >= HELPER_ID_LIMIT) return "unknown";
  const proto = BY_ID.get(id);
  const allowed = ALLOWED.get(progType) ?? BASE_SET;
  if (proto === undefined || !allowed.has(id)) return "not-allowed";
  return VARIANTS.get(id)?.(progType, proto) ?? proto;
}
