/**
 * Which maps a helper may be given (`check_map_func_compatibility`) and the
 * extra rules for helpers that change a map (`record_func_map`).
 */
import type { VerifierEnv } from "../env.js";
import { EACCES, EINVAL } from "../result.js";
import { helperName } from "./helper-protos.js";

/** `enum bpf_map_type` */
export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PROG_ARRAY = 3;
export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_STACK_TRACE = 7;
export const BPF_MAP_TYPE_CGROUP_ARRAY = 8;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_MAP_TYPE_LPM_TRIE = 11;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
export const BPF_MAP_TYPE_DEVMAP = 14;
export const BPF_MAP_TYPE_SOCKMAP = 15;
export const BPF_MAP_TYPE_CPUMAP = 16;
export const BPF_MAP_TYPE_XSKMAP = 17;
export const BPF_MAP_TYPE_SOCKHASH = 18;
export const BPF_MAP_TYPE_CGROUP_STORAGE = 19;
export const BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20;
export const BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
export const BPF_MAP_TYPE_QUEUE = 22;
export const BPF_MAP_TYPE_STACK = 23;
export const BPF_MAP_TYPE_SK_STORAGE = 24;
export const BPF_MAP_TYPE_DEVMAP_HASH = 25;
export const BPF_MAP_TYPE_STRUCT_OPS = 26;
export const BPF_MAP_TYPE_RINGBUF = 27;
export const BPF_MAP_TYPE_INODE_STORAGE = 28;
export const BPF_MAP_TYPE_TASK_STORAGE = 29;
export const BPF_MAP_TYPE_BLOOM_FILTER = 30;
export const BPF_MAP_TYPE_USER_RINGBUF = 31;
export const BPF_MAP_TYPE_CGRP_STORAGE = 32;
export const BPF_MAP_TYPE_ARENA = 33;

/** `enum bpf_func_id` values the verifier treats specially */
export const FN = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  probe_read_str: 45,
  tail_call: 12,
  perf_event_read: 22,
  redirect_map: 51,
  perf_event_output: 25,
  get_stackid: 27,
  skb_under_cgroup: 33,
  current_task_under_cgroup: 37,
  sk_redirect_map: 52,
  sock_map_update: 53,
  perf_event_read_value: 55,
  msg_redirect_map: 60,
  get_stack: 67,
  sock_hash_update: 70,
  msg_redirect_hash: 71,
  sk_redirect_hash: 72,
  get_local_storage: 81,
  sk_select_reuseport: 82,
  sk_lookup_tcp: 84,
  sk_lookup_udp: 85,
  map_push_elem: 87,
  map_pop_elem: 88,
  map_peek_elem: 89,
  spin_lock: 93,
  spin_unlock: 94,
  skc_lookup_tcp: 99,
  sk_storage_get: 107,
  sk_storage_delete: 108,
  skb_output: 111,
  probe_read_user_str: 114,
  probe_read_kernel_str: 115,
  xdp_output: 121,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  get_task_stack: 141,
  inode_storage_get: 145,
  inode_storage_delete: 146,
  task_storage_get: 156,
  task_storage_delete: 157,
  for_each_map_elem: 164,
  timer_set_callback: 170,
  find_vma: 180,
  loop: 181,
  map_lookup_percpu_elem: 195,
  kptr_xchg: 194,
  ringbuf_reserve_dynptr: 198,
  ringbuf_submit_dynptr: 199,
  ringbuf_discard_dynptr: 200,
  user_ringbuf_drain: 209,
  cgrp_storage_get: 210,
  cgrp_storage_delete: 211,
} as const;

/** `may_update_sockmap`: socket maps may be changed by map_update/delete only where no socket is locked. */
function mayUpdateSockmap(env: VerifierEnv, funcId: number): boolean {
  if (funcId !== FN.map_update_elem && funcId !== FN.map_delete_elem) return false;
  switch (env.progType) {
    case "tracing":
      if (env.program.section.startsWith("iter")) return true;
      break;
    case "sock_ops":
      if (funcId === FN.map_delete_elem) return true;
      break;
    case "socket_filter":
    case "sched_cls":
    case "sched_act":
    case "xdp":
    case "sk_reuseport":
    case "flow_dissector":
    case "sk_lookup":
      return true;
    default:
      break;
  }
  env.verbose("cannot update sockmap in this context");
  return false;
}

/** For each map type with restrictions: the helpers that may be given such a map. */
const HELPERS_FOR_MAP: ReadonlyMap<number, readonly number[]> = new Map<number, readonly number[]>([
  [BPF_MAP_TYPE_PROG_ARRAY, [FN.tail_call]],
  [
    BPF_MAP_TYPE_PERF_EVENT_ARRAY,
    [
      FN.perf_event_read,
      FN.perf_event_output,
      FN.skb_output,
      FN.perf_event_read_value,
      FN.xdp_output,
    ],
  ],
  [
    BPF_MAP_TYPE_RINGBUF,
    [
      FN.ringbuf_output,
      FN.ringbuf_reserve,
      FN.ringbuf_query,
      FN.ringbuf_reserve_dynptr,
      FN.ringbuf_submit_dynptr,
      FN.ringbuf_discard_dynptr,
    ],
  ],
  [BPF_MAP_TYPE_USER_RINGBUF, [FN.user_ringbuf_drain]],
  [BPF_MAP_TYPE_STACK_TRACE, [FN.get_stackid]],
  [BPF_MAP_TYPE_CGROUP_ARRAY, [FN.skb_under_cgroup, FN.current_task_under_cgroup]],
  [BPF_MAP_TYPE_CGROUP_STORAGE, [FN.get_local_storage]],
  [BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE, [FN.get_local_storage]],
  [BPF_MAP_TYPE_DEVMAP, [FN.redirect_map, FN.map_lookup_elem]],
  [BPF_MAP_TYPE_DEVMAP_HASH, [FN.redirect_map, FN.map_lookup_elem]],
  [BPF_MAP_TYPE_CPUMAP, [FN.redirect_map]],
  [BPF_MAP_TYPE_XSKMAP, [FN.redirect_map, FN.map_lookup_elem]],
  [BPF_MAP_TYPE_ARRAY_OF_MAPS, [FN.map_lookup_elem]],
  [BPF_MAP_TYPE_HASH_OF_MAPS, [FN.map_lookup_elem]],
  [BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, [FN.sk_select_reuseport]],
  [BPF_MAP_TYPE_QUEUE, [FN.map_peek_elem, FN.map_pop_elem, FN.map_push_elem]],
  [BPF_MAP_TYPE_STACK, [FN.map_peek_elem, FN.map_pop_elem, FN.map_push_elem]],
  [BPF_MAP_TYPE_SK_STORAGE, [FN.sk_storage_get, FN.sk_storage_delete, FN.kptr_xchg]],
  [BPF_MAP_TYPE_INODE_STORAGE, [FN.inode_storage_get, FN.inode_storage_delete, FN.kptr_xchg]],
  [BPF_MAP_TYPE_TASK_STORAGE, [FN.task_storage_get, FN.task_storage_delete, FN.kptr_xchg]],
  [BPF_MAP_TYPE_CGRP_STORAGE, [FN.cgrp_storage_get, FN.cgrp_storage_delete, FN.kptr_xchg]],
  [BPF_MAP_TYPE_BLOOM_FILTER, [FN.map_peek_elem, FN.map_push_elem]],
]);

const SOCKMAP_HELPERS: Readonly<Record<number, readonly number[]>> = {
  [BPF_MAP_TYPE_SOCKMAP]: [
    FN.sk_redirect_map,
    FN.sock_map_update,
    FN.msg_redirect_map,
    FN.sk_select_reuseport,
    FN.map_lookup_elem,
  ],
  [BPF_MAP_TYPE_SOCKHASH]: [
    FN.sk_redirect_hash,
    FN.sock_hash_update,
    FN.msg_redirect_hash,
    FN.sk_select_reuseport,
    FN.map_lookup_elem,
  ],
};

/** For each helper with restrictions: the map types it accepts. */
const MAPS_FOR_HELPER: ReadonlyMap<number, readonly number[]> = new Map<number, readonly number[]>([
  [FN.tail_call, [BPF_MAP_TYPE_PROG_ARRAY]],
  [FN.perf_event_read, [BPF_MAP_TYPE_PERF_EVENT_ARRAY]],
  [FN.perf_event_output, [BPF_MAP_TYPE_PERF_EVENT_ARRAY]],
  [FN.perf_event_read_value, [BPF_MAP_TYPE_PERF_EVENT_ARRAY]],
  [FN.skb_output, [BPF_MAP_TYPE_PERF_EVENT_ARRAY]],
  [FN.xdp_output, [BPF_MAP_TYPE_PERF_EVENT_ARRAY]],
  [FN.ringbuf_output, [BPF_MAP_TYPE_RINGBUF]],
  [FN.ringbuf_reserve, [BPF_MAP_TYPE_RINGBUF]],
  [FN.ringbuf_query, [BPF_MAP_TYPE_RINGBUF]],
  [FN.ringbuf_reserve_dynptr, [BPF_MAP_TYPE_RINGBUF]],
  [FN.ringbuf_submit_dynptr, [BPF_MAP_TYPE_RINGBUF]],
  [FN.ringbuf_discard_dynptr, [BPF_MAP_TYPE_RINGBUF]],
  [FN.user_ringbuf_drain, [BPF_MAP_TYPE_USER_RINGBUF]],
  [FN.get_stackid, [BPF_MAP_TYPE_STACK_TRACE]],
  [FN.current_task_under_cgroup, [BPF_MAP_TYPE_CGROUP_ARRAY]],
  [FN.skb_under_cgroup, [BPF_MAP_TYPE_CGROUP_ARRAY]],
  [
    FN.redirect_map,
    [BPF_MAP_TYPE_DEVMAP, BPF_MAP_TYPE_DEVMAP_HASH, BPF_MAP_TYPE_CPUMAP, BPF_MAP_TYPE_XSKMAP],
  ],
  [FN.sk_redirect_map, [BPF_MAP_TYPE_SOCKMAP]],
  [FN.msg_redirect_map, [BPF_MAP_TYPE_SOCKMAP]],
  [FN.sock_map_update, [BPF_MAP_TYPE_SOCKMAP]],
  [FN.sk_redirect_hash, [BPF_MAP_TYPE_SOCKHASH]],
  [FN.msg_redirect_hash, [BPF_MAP_TYPE_SOCKHASH]],
  [FN.sock_hash_update, [BPF_MAP_TYPE_SOCKHASH]],
  [FN.get_local_storage, [BPF_MAP_TYPE_CGROUP_STORAGE, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE]],
  [
    FN.sk_select_reuseport,
    [BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH],
  ],
  [FN.map_pop_elem, [BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK]],
  [FN.map_peek_elem, [BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER]],
  [FN.map_push_elem, [BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_BLOOM_FILTER]],
  [
    FN.map_lookup_percpu_elem,
    [BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH],
  ],
  [FN.sk_storage_get, [BPF_MAP_TYPE_SK_STORAGE]],
  [FN.sk_storage_delete, [BPF_MAP_TYPE_SK_STORAGE]],
  [FN.inode_storage_get, [BPF_MAP_TYPE_INODE_STORAGE]],
  [FN.inode_storage_delete, [BPF_MAP_TYPE_INODE_STORAGE]],
  [FN.task_storage_get, [BPF_MAP_TYPE_TASK_STORAGE]],
  [FN.task_storage_delete, [BPF_MAP_TYPE_TASK_STORAGE]],
  [FN.cgrp_storage_get, [BPF_MAP_TYPE_CGRP_STORAGE]],
  [FN.cgrp_storage_delete, [BPF_MAP_TYPE_CGRP_STORAGE]],
]);

/**
 * `check_map_func_compatibility`: first from the map's side (what may be
 * done with a map of this type), then from the helper's (which map types it
 * takes). `cannot pass map_type 1 into func bpf_ringbuf_output#130`.
 */
export function checkMapFuncCompatibility(
  env: VerifierEnv,
  mapIndex: number,
  funcId: number,
): void {
  if (mapIndex < 0) return;
  const mapType = env.maps[mapIndex]!.type;
  const fail = (): never =>
    env.reject(EINVAL, `cannot pass map_type ${mapType} into func ${helperName(funcId)}#${funcId}`);
  const sockHelpers = SOCKMAP_HELPERS[mapType];
  if (sockHelpers !== undefined) {
    if (!sockHelpers.includes(funcId) && !mayUpdateSockmap(env, funcId)) fail();
  } else {
    const allowed = HELPERS_FOR_MAP.get(mapType);
    if (allowed !== undefined && !allowed.includes(funcId)) fail();
  }
  const accepted = MAPS_FOR_HELPER.get(funcId);
  if (accepted !== undefined && !accepted.includes(mapType)) fail();
}

const RECORDS_MAP = new Set<number>([
  FN.tail_call,
  FN.map_lookup_elem,
  FN.map_update_elem,
  FN.map_delete_elem,
  FN.map_push_elem,
  FN.map_pop_elem,
  FN.map_peek_elem,
  FN.for_each_map_elem,
  FN.redirect_map,
  FN.map_lookup_percpu_elem,
]);

const CHANGES_MAP = new Set<number>([
  FN.map_delete_elem,
  FN.map_update_elem,
  FN.map_push_elem,
  FN.map_pop_elem,
]);

const BPF_F_RDONLY_PROG = 1 << 7;

/** `record_func_map`: a map the program may only read cannot be given to a helper that changes it. */
export function recordFuncMap(env: VerifierEnv, mapIndex: number, funcId: number): void {
  if (!RECORDS_MAP.has(funcId)) return;
  if (mapIndex < 0) env.reject(EINVAL, "kernel subsystem misconfigured verifier");
  const map = env.maps[mapIndex]!;
  const readOnly = (map.flags & BPF_F_RDONLY_PROG) !== 0 || map.readOnly;
  if (readOnly && CHANGES_MAP.has(funcId)) env.reject(EACCES, "write into map forbidden");
}
