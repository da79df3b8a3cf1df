import type { MapSpec } from "../../object/spec.js";
import { E2BIG, EEXIST, ENOENT } from "../errors.js";
import { ACCESS_RW, type Region } from "../memory.js";
import {
  BPF_EXIST,
  BPF_NOEXIST,
  type BpfMap,
  checkUpdateFlags,
  keyHex,
  keyString,
  type MapEnv,
} from "./map.js";

interface Entry {
  readonly key: Uint8Array;
  readonly value: Region;
}

/**
 * BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH (one CPU); with `lru`,
 * BPF_MAP_TYPE_LRU_HASH: when full, an insert evicts the least recently used
 * element instead of failing with -E2BIG. Keys compare as bytes; iteration
 * order is insertion order.
 */
export class HashMap implements BpfMap {
  readonly address: number;
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly spec: MapSpec,
    private readonly env: MapEnv,
    mapObject: Region,
    private readonly lru = false,
  ) {
    this.address = mapObject.start;
  }

  lookup(key: Uint8Array): number {
    const k = keyString(key.subarray(0, this.spec.keySize));
    const entry = this.entries.get(k);
    if (entry === undefined) return 0;
    if (this.lru) {
      this.entries.delete(k);
      this.entries.set(k, entry);
    }
    return entry.value.start;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const k = keyString(key.subarray(0, this.spec.keySize));
    const existing = this.entries.get(k);
    const op = flags & 3;
    if (existing !== undefined) {
      if (op === BPF_NOEXIST) return -EEXIST;
      this.env.memory.bytes.set(value.subarray(0, this.spec.valueSize), existing.value.start);
      if (this.lru) {
        this.entries.delete(k);
        this.entries.set(k, existing);
      }
      return 0;
    }
    if (op === BPF_EXIST) return -ENOENT;
    // Copy the key first: it may be a view of the memory, which the allocation below can replace.
    const ownKey = key.slice(0, this.spec.keySize);
    if (this.entries.size >= this.spec.maxEntries) {
      if (!this.lru) return -E2BIG;
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    const label = `${this.spec.name}[key ${keyHex(ownKey)}]`;
    const region = this.env.memory.allocRegion(this.spec.valueSize, "map value", label, ACCESS_RW);
    this.env.memory.bytes.set(value.subarray(0, this.spec.valueSize), region.start);
    this.entries.set(k, { key: ownKey, value: region });
    return 0;
  }

  delete(key: Uint8Array): number {
    const k = keyString(key.subarray(0, this.spec.keySize));
    return this.remove(k) ? 0 : -ENOENT;
  }

  keys(): Uint8Array[] {
    return [...this.entries.values()].map((e) => e.key.slice());
  }

  private remove(k: string): boolean {
    const entry = this.entries.get(k);
    if (entry === undefined) return false;
    this.entries.delete(k);
    this.env.release(entry.value);
    return true;
  }
}
