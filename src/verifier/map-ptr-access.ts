/**
 * Loads and stores through a map pointer itself (`check_ptr_to_map_access`):
 * a privileged program may read the kernel's map struct (`map->max_entries`
 * of a `struct bpf_array`), never write it.
 */
import type { VerifierEnv } from "./env.js";
import { markRegUnknown } from "./reg-state.js";
import { EACCES } from "./result.js";

/** The kernel struct behind each map type (`map_btf_id` of its ops), by map type number. */
const MAP_STRUCT_NAMES: Readonly<Record<number, string>> = {
  1: "bpf_htab",
  2: "bpf_array",
  3: "bpf_array",
  4: "bpf_array",
  5: "bpf_htab",
  6: "bpf_array",
  7: "bpf_stack_map",
  8: "bpf_array",
  9: "bpf_htab",
  10: "bpf_htab",
  11: "lpm_trie",
  12: "bpf_array",
  13: "bpf_htab",
  14: "bpf_dtab",
  15: "bpf_stab",
  16: "bpf_cpu_map",
  17: "xsk_map",
  18: "bpf_shtab",
  19: "bpf_cgroup_storage_map",
  20: "reuseport_array",
  21: "bpf_cgroup_storage_map",
  22: "bpf_queue_stack",
  23: "bpf_queue_stack",
  24: "bpf_local_storage_map",
  25: "bpf_dtab",
  26: "bpf_struct_ops_map",
  27: "bpf_ringbuf_map",
  28: "bpf_local_storage_map",
  29: "bpf_local_storage_map",
  30: "bpf_bloom_filter",
  31: "bpf_ringbuf_map",
  32: "bpf_local_storage_map",
  33: "bpf_arena",
};

/**
 * `check_ptr_to_map_access`. `off` includes the register's fixed offset.
 * Without the kernel's BTF the field read is not known: the loaded value is
 * an unknown scalar (the kernel may type a pointer field more precisely).
 */
export function checkPtrToMapAccess(
  env: VerifierEnv,
  regno: number,
  off: number,
  access: "read" | "write",
  valueRegno: number,
): void {
  const map = env.maps[env.reg(regno).mapIndex];
  const tname = map === undefined ? undefined : MAP_STRUCT_NAMES[map.type];
  if (map === undefined || tname === undefined) {
    env.reject(EACCES, `map_ptr access not supported for map type ${map?.type ?? 0}`);
  }
  if (off < 0) env.reject(EACCES, `R${regno} is ${tname} invalid negative access: off=${off}`);
  if (access !== "read") env.reject(EACCES, `only read from ${tname} is supported`);
  if (valueRegno >= 0) markRegUnknown(env.reg(valueRegno));
}
