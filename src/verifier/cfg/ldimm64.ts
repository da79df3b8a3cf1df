/**
 * `resolve_pseudo_ldimm64` of kernel/bpf/verifier.c: one pass over every
 * instruction, reachable or not, that checks the two slots of each `lddw`,
 * resolves the maps it names and refuses loads with reserved modes and
 * opcodes the kernel does not know. In tsbpf a map reference carries the
 * map's index where the kernel has a file descriptor, so an index with no map
 * reads as the kernel's unknown descriptor.
 */
import type { Insn } from "../../isa/insn.js";
import {
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_PSEUDO_BTF_ID,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
  insnClass,
  insnMode,
} from "../../isa/opcodes.js";
import { BPF_MAP_TYPE_ARRAY } from "../../object/map-types.js";
import type { MapSpec, ProgramType } from "../../object/spec.js";
import { E2BIG, EINVAL, ENOTSUP } from "../result.js";
import { isLdimm64 } from "./insn-kinds.js";
import { isKnownOpcode } from "./known-opcodes.js";
import { EBADF, EBUSY, EPROTO, ERANGE, reject, type StructureLog } from "./report.js";

/** `MAX_USED_MAPS`: distinct maps one program may reference. */
export const MAX_USED_MAPS = 64;
/** `BPF_MAX_VAR_OFF`: the largest offset a pointer may carry. */
export const BPF_MAX_VAR_OFF = 1 << 29;

const BPF_MAP_TYPE_CGROUP_STORAGE = 19;
const BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
const BPF_MAP_TYPE_STRUCT_OPS = 26;
const BPF_MAP_TYPE_ARENA = 33;
/** An arena is mapped in pages of this size; a direct offset may not pass its end. */
const ARENA_PAGE_SIZE = 4096;

/** Special fields of a map's value (the kernel's btf_record), by the names of their BTF types. */
export type MapValueField =
  | "bpf_list_head"
  | "bpf_rb_root"
  | "bpf_spin_lock"
  | "bpf_timer"
  | "bpf_wq";

/** What `check_map_prog_compatibility` needs to know about the program and its maps. */
export interface MapCompatibility {
  readonly programType: ProgramType;
  readonly sleepable: boolean;
  /** the special fields of a map's value; none when unknown */
  readonly valueFields: (map: MapSpec) => ReadonlySet<MapValueField>;
}

export const DEFAULT_MAP_COMPATIBILITY: MapCompatibility = {
  programType: "unspec",
  sleepable: false,
  valueFields: () => new Set(),
};

/** `is_tracing_prog_type` */
const TRACING_PROGRAM_TYPES: ReadonlySet<ProgramType> = new Set<ProgramType>([
  "kprobe",
  "tracepoint",
  "perf_event",
  "raw_tracepoint",
  "raw_tracepoint_writable",
]);

/** Map types a sleepable program may use (`check_map_prog_compatibility`). */
const SLEEPABLE_MAP_TYPES: ReadonlySet<number> = new Set([
  1, // hash
  9, // lru_hash
  2, // array
  5, // percpu_hash
  6, // percpu_array
  10, // lru_percpu_hash
  12, // array_of_maps
  13, // hash_of_maps
  27, // ringbuf
  31, // user_ringbuf
  28, // inode_storage
  24, // sk_storage
  29, // task_storage
  32, // cgrp_storage
  22, // queue
  23, // stack
  33, // arena
]);

/** `check_map_prog_compatibility`: what a program of this type may not do with this map. */
function checkMapCompatibility(map: MapSpec, compat: MapCompatibility, log: StructureLog): void {
  const fields = compat.valueFields(map);
  const tracing = TRACING_PROGRAM_TYPES.has(compat.programType);
  if ((fields.has("bpf_list_head") || fields.has("bpf_rb_root")) && tracing) {
    reject(log, EINVAL, "tracing progs cannot use bpf_{list_head,rb_root} yet");
  }
  if (fields.has("bpf_spin_lock")) {
    if (compat.programType === "socket_filter")
      reject(log, EINVAL, "socket filter progs cannot use bpf_spin_lock yet");
    if (tracing) reject(log, EINVAL, "tracing progs cannot use bpf_spin_lock yet");
  }
  if (fields.has("bpf_timer") && tracing)
    reject(log, EINVAL, "tracing progs cannot use bpf_timer yet");
  if (fields.has("bpf_wq") && tracing) reject(log, EINVAL, "tracing progs cannot use bpf_wq yet");
  if (map.type === BPF_MAP_TYPE_STRUCT_OPS)
    reject(log, EINVAL, "bpf_struct_ops map cannot be used in prog");
  if (compat.sleepable && !SLEEPABLE_MAP_TYPES.has(map.type)) {
    reject(
      log,
      EINVAL,
      "Sleepable programs can only use array, hash, ringbuf and local storage maps",
    );
  }
}

/** A map an lddw names: `r1 = map[id:N]` or, with an offset into its value, `r1 = map[id:N][0]+off`. */
export interface MapReference {
  /** index into the program's map list */
  readonly map: number;
  /** for BPF_PSEUDO_MAP_VALUE: the byte offset into the value */
  readonly valueOffset: number | undefined;
}

export interface ResolvedLoads {
  /** by instruction index of the lddw's first slot */
  readonly mapRefs: ReadonlyMap<number, MapReference>;
  /** the map indices referenced, in order of first reference (the kernel's used_maps) */
  readonly usedMaps: readonly number[];
}

function hex2(code: number): string {
  return code.toString(16).padStart(2, "0");
}

/** `add_used_map_from_fd` for a map not referenced before. */
function addUsedMap(usedMaps: number[], index: number, log: StructureLog): void {
  if (usedMaps.length >= MAX_USED_MAPS) {
    reject(
      log,
      E2BIG,
      `The total number of maps per program has reached the limit of ${MAX_USED_MAPS}`,
    );
  }
  usedMaps.push(index);
}

/** What the kernel allows once per program: one cgroup storage of each type, one arena. */
function checkSingletonMaps(
  map: MapSpec,
  usedMaps: readonly number[],
  maps: readonly MapSpec[],
  log: StructureLog,
): void {
  const others = usedMaps.slice(0, -1).map((i) => maps[i] as MapSpec);
  const isCgroupStorage =
    map.type === BPF_MAP_TYPE_CGROUP_STORAGE || map.type === BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
  if (isCgroupStorage && others.some((other) => other.type === map.type)) {
    reject(log, EBUSY, "only one cgroup storage of each type is allowed");
  }
  if (
    map.type === BPF_MAP_TYPE_ARENA &&
    others.some((other) => other.type === BPF_MAP_TYPE_ARENA)
  ) {
    reject(log, EBUSY, "Only one arena per program");
  }
}

/** `map_direct_value_addr` of the map types that have one; the errno when `off` is refused. */
function directValueError(map: MapSpec, off: number): number | undefined {
  if (map.type === BPF_MAP_TYPE_ARRAY) {
    if (map.maxEntries !== 1) return ENOTSUP;
    return off >= map.valueSize ? EINVAL : undefined;
  }
  // BPF_MAP_TYPE_ARENA: offsets up to the end of the arena's user mapping
  return off > map.maxEntries * ARENA_PAGE_SIZE ? ERANGE : undefined;
}

/**
 * `check_pseudo_btf_id`: a typed or untyped ksym. tsbpf has no kernel BTF
 * to look the id up in, so it answers as the kernel does for an id that
 * names no variable or function.
 */
function refuseKsym(first: Insn, second: Insn, log: StructureLog): never {
  if (second.imm !== 0) reject(log, EINVAL, "invalid module BTF object FD specified.");
  if (first.imm === 0)
    reject(log, EINVAL, "pseudo btf_id 0 in ldimm64 isn't KIND_VAR or KIND_FUNC");
  reject(log, EINVAL, `ldimm64 insn specifies invalid btf_id ${first.imm}.`);
}

/** The map reference of an lddw whose two slots passed the shape checks. */
function resolveMapLoad(
  first: Insn,
  second: Insn,
  maps: readonly MapSpec[],
  usedMaps: number[],
  compat: MapCompatibility,
  log: StructureLog,
): MapReference {
  const loadsValue = first.src === BPF_PSEUDO_MAP_VALUE || first.src === BPF_PSEUDO_MAP_IDX_VALUE;
  // A map pointer has no offset: the second slot's imm must stay 0.
  const loadsMap =
    (first.src === BPF_PSEUDO_MAP_FD || first.src === BPF_PSEUDO_MAP_IDX) && second.imm === 0;
  if (!loadsValue && !loadsMap) reject(log, EINVAL, "unrecognized bpf_ld_imm64 insn");
  // Indices into fd_array: tsbpf programs never come with one.
  if (first.src === BPF_PSEUDO_MAP_IDX || first.src === BPF_PSEUDO_MAP_IDX_VALUE) {
    reject(log, EPROTO, "fd_idx without fd_array is invalid");
  }
  const index = first.imm;
  const map = maps[index];
  if (map === undefined) reject(log, EBADF, `fd ${index} is not pointing to valid bpf_map`);
  const reused = usedMaps.includes(index);
  if (!reused) addUsedMap(usedMaps, index, log);
  checkMapCompatibility(map, compat, log);
  let valueOffset: number | undefined;
  if (first.src === BPF_PSEUDO_MAP_VALUE) {
    const off = second.imm >>> 0;
    if (off >= BPF_MAX_VAR_OFF) reject(log, EINVAL, `direct value offset of ${off} is not allowed`);
    if (map.type !== BPF_MAP_TYPE_ARRAY && map.type !== BPF_MAP_TYPE_ARENA) {
      reject(log, EINVAL, "no direct value access support for this map type");
    }
    const errno = directValueError(map, off);
    if (errno !== undefined) {
      reject(
        log,
        errno,
        `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`,
      );
    }
    valueOffset = off;
  }
  if (!reused) checkSingletonMaps(map, usedMaps, maps, log);
  return { map: index, valueOffset };
}

/**
 * The per-instruction checks of `resolve_pseudo_ldimm64`, in the kernel's
 * order: reserved load modes, the lddw's second slot and pseudo source, the
 * map it names, then whether the opcode exists at all.
 */
export function resolveLdimm64(
  insns: readonly Insn[],
  maps: readonly MapSpec[],
  compat: MapCompatibility,
  log: StructureLog,
): ResolvedLoads {
  const mapRefs = new Map<number, MapReference>();
  const usedMaps: number[] = [];
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i] as Insn;
    if (insnClass(insn.code) === BPF_LDX) {
      const mode = insnMode(insn.code);
      if ((mode !== BPF_MEM && mode !== BPF_MEMSX) || insn.imm !== 0) {
        reject(log, EINVAL, "BPF_LDX uses reserved fields");
      }
    }
    if (isLdimm64(insn)) {
      const second = insns[i + 1];
      if (
        second === undefined ||
        second.code !== 0 ||
        second.dst !== 0 ||
        second.src !== 0 ||
        second.off !== 0
      ) {
        reject(log, EINVAL, "invalid bpf_ld_imm64 insn");
      }
      if (insn.src === BPF_PSEUDO_BTF_ID) refuseKsym(insn, second, log);
      if (insn.src !== 0 && insn.src !== BPF_PSEUDO_FUNC) {
        mapRefs.set(i, resolveMapLoad(insn, second, maps, usedMaps, compat, log));
      }
      i++;
      continue;
    }
    if (!isKnownOpcode(insn.code)) reject(log, EINVAL, `unknown opcode ${hex2(insn.code)}`);
  }
  return { mapRefs, usedMaps };
}
