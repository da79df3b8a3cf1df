import type { MapSpec } from "../../object/spec.js";
import { EINVAL, MapError } from "../errors.js";
import type { Memory, Region } from "../memory.js";

/** `BPF_ANY`: create a new element or update an existing one. */
export const BPF_ANY = 0;
/** `BPF_NOEXIST`: create a new element only if it does not exist. */
export const BPF_NOEXIST = 1;
/** `BPF_EXIST`: update an existing element only. */
export const BPF_EXIST = 2;
/** `BPF_F_LOCK`: update the value under its bpf_spin_lock. */
export const BPF_F_LOCK = 4;

/** What a map needs from the runtime that owns it. */
export interface MapEnv {
  readonly memory: Memory;
  /**
   * Gives a value's region back. While a program runs, the region stays
   * mapped until the run ends: the program may still hold a pointer to it,
   * as it may in the kernel until the RCU grace period ends.
   */
  release(region: Region): void;
  /**
   * How to store and free values of `spec` when they hold special fields
   * (locks, list heads, tree roots, kptrs); undefined when they hold none.
   */
  valueFields?(spec: MapSpec): ValueFieldOps | undefined;
}

/** The kernel's handling of a map value's special fields (include/linux/bpf.h). */
export interface ValueFieldOps {
  /** copy_map_value: writes `value` at `dst`, leaving the bytes of the special fields alone */
  copy(dst: number, value: Uint8Array): void;
  /** bpf_obj_free_fields: drains the lists and trees of the value at `addr`, drops its kptrs */
  free(addr: number): void;
}

/**
 * A live map. Keys and values are bytes; values live in the runtime's
 * address space, so a lookup from a program returns an address into it.
 * Operations return 0 or the kernel's negative errno, as the helpers do.
 */
export interface BpfMap {
  readonly spec: MapSpec;
  /** the pointer programs see for the map itself (lddw with BPF_PSEUDO_MAP_FD) */
  readonly address: number;
  /** address of the value stored under `key`, or 0 */
  lookup(key: Uint8Array): number;
  update(key: Uint8Array, value: Uint8Array, flags: number): number;
  delete(key: Uint8Array): number;
  keys(): Uint8Array[];
  /** addresses of the values the map holds (for freeing their fields when the map goes away) */
  valueAddresses?(): number[];
  /**
   * For maps whose programs' lookups do not return a value address (maps of
   * maps, prog arrays): what the host reads back for `key`.
   */
  hostLookup?(key: Uint8Array): Uint8Array | undefined;
}

/** Checks the flags argument of an update as the kernel does (before anything else). */
export function checkUpdateFlags(flags: number): number {
  const op = flags & ~BPF_F_LOCK;
  return op > BPF_EXIST || flags < 0 ? -EINVAL : 0;
}

/** Rejects host-side keys and values of the wrong size, rather than truncating them. */
export function checkSize(spec: MapSpec, what: "key" | "value", bytes: Uint8Array): void {
  const expected = what === "key" ? spec.keySize : spec.valueSize;
  if (bytes.length !== expected) {
    throw new MapError(
      `map ${spec.name}: ${what} has ${bytes.length} bytes, the map's ${what}_size is ${expected}`,
      -EINVAL,
    );
  }
}

export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** A key as a string usable in a JS Map: one char per byte. */
export function keyString(key: Uint8Array): string {
  let s = "";
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]!);
  return s;
}

/** A key as the hex a user reads in a fault message (long keys are cut). */
export function keyHex(key: Uint8Array): string {
  const shown = Array.from(key.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `0x${shown}${key.length > 16 ? "..." : ""}`;
}
