/** `enum bpf_map_type`, by value, named as bpftool prints them. */
const MAP_TYPE_NAMES = [
  "unspec",
  "hash",
  "array",
  "prog_array",
  "perf_event_array",
  "percpu_hash",
  "percpu_array",
  "stack_trace",
  "cgroup_array",
  "lru_hash",
  "lru_percpu_hash",
  "lpm_trie",
  "array_of_maps",
  "hash_of_maps",
  "devmap",
  "sockmap",
  "cpumap",
  "xskmap",
  "sockhash",
  "cgroup_storage",
  "reuseport_sockarray",
  "percpu_cgroup_storage",
  "queue",
  "stack",
  "sk_storage",
  "devmap_hash",
  "struct_ops",
  "ringbuf",
  "inode_storage",
  "task_storage",
  "bloom_filter",
  "user_ringbuf",
  "cgrp_storage",
  "arena",
  "insn_array",
] as const;

export type MapTypeName = (typeof MAP_TYPE_NAMES)[number];

export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PROG_ARRAY = 3;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
export const BPF_MAP_TYPE_RINGBUF = 27;

/** `BPF_F_RDONLY_PROG`: programs may read but not write the map (libbpf sets it on `.rodata`). */
export const BPF_F_RDONLY_PROG = 1 << 7;
/** `BPF_F_MMAPABLE`: libbpf sets it on global data maps that hold a non-static variable. */
export const BPF_F_MMAPABLE = 1 << 10;

/** The bpftool name of a map type (`hash`, `array`, ...), or `type N` for one tsbpf does not know. */
export function mapTypeName(type: number): string {
  return MAP_TYPE_NAMES[type] ?? `type ${type}`;
}

export function isMapInMap(type: number): boolean {
  return type === BPF_MAP_TYPE_ARRAY_OF_MAPS || type === BPF_MAP_TYPE_HASH_OF_MAPS;
}
