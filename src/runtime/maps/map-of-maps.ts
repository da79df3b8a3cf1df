import type { MapSpec } from "../../object/spec.js";
import { E2BIG, EEXIST, EINVAL, ENOENT } from "../errors.js";
import type { Region } from "../memory.js";
import { BPF_EXIST, BPF_NOEXIST, type BpfMap, checkUpdateFlags, keyString } from "./map.js";

/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: slots holding
 * maps. A program's lookup returns the inner map itself (a map pointer it can
 * pass to the map helpers). From the host a value is a u32 map number (the
 * index of the map in the object, standing in for the kernel's map fd); the
 * inner map must match the outer map's inner spec (type, key and value size,
 * max_entries), as the kernel requires.
 */
export class MapOfMapsMap implements BpfMap {
  readonly address: number;
  private readonly slots = new Map<string, { key: Uint8Array; map: number; inner: BpfMap }>();

  constructor(
    readonly spec: MapSpec,
    mapObject: Region,
    private readonly isArray: boolean,
    private readonly mapByNumber: (n: number) => BpfMap | undefined,
  ) {
    this.address = mapObject.start;
  }

  lookup(key: Uint8Array): number {
    return this.slots.get(keyString(key.subarray(0, this.spec.keySize)))?.inner.address ?? 0;
  }

  /** The map number in the slot, as 4 bytes (what the host reads back). */
  hostLookup(key: Uint8Array): Uint8Array | undefined {
    const slot = this.slots.get(keyString(key));
    return slot === undefined ? undefined : new Uint8Array(new Uint32Array([slot.map]).buffer);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    if (this.isArray && u32(key) >= this.spec.maxEntries) return -E2BIG;
    const n = u32(value);
    const inner = this.mapByNumber(n);
    const want = this.spec.innerMap;
    if (inner === undefined || inner === this) return -EINVAL;
    if (
      want !== undefined &&
      (inner.spec.type !== want.type ||
        inner.spec.keySize !== want.keySize ||
        inner.spec.valueSize !== want.valueSize ||
        inner.spec.maxEntries !== want.maxEntries)
    ) {
      return -EINVAL;
    }
    const k = keyString(key.subarray(0, this.spec.keySize));
    const exists = this.slots.has(k);
    if (this.isArray) {
      // array slots always exist, as in an array map
      if ((flags & 3) === BPF_NOEXIST) return -EEXIST;
    } else {
      if (exists && (flags & 3) === BPF_NOEXIST) return -EEXIST;
      if (!exists && (flags & 3) === BPF_EXIST) return -ENOENT;
      if (!exists && this.slots.size >= this.spec.maxEntries) return -E2BIG;
    }
    this.slots.set(k, { key: key.slice(0, this.spec.keySize), map: n, inner });
    return 0;
  }

  delete(key: Uint8Array): number {
    if (this.isArray && u32(key) >= this.spec.maxEntries) return -E2BIG;
    return this.slots.delete(keyString(key.subarray(0, this.spec.keySize))) ? 0 : -ENOENT;
  }

  keys(): Uint8Array[] {
    return [...this.slots.values()].map((s) => s.key.slice());
  }
}

function u32(bytes: Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}
