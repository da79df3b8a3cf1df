import type { MapSpec } from "../../object/spec.js";
import { E2BIG, EEXIST, ENOENT } from "../errors.js";
import { ACCESS_RW, type Region } from "../memory.js";
import {
  BPF_EXIST,
  BPF_F_LOCK,
  BPF_NOEXIST,
  type BpfMap,
  checkUpdateFlags,
  keyHex,
  keyString,
  type MapEnv,
  type ValueFieldOps,
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
  private readonly fields: ValueFieldOps | undefined;

  constructor(
    readonly spec: MapSpec,
    private readonly env: MapEnv,
    mapObject: Region,
    private readonly lru = false,
  ) {
    this.address = mapObject.start;
    this.fields = env.valueFields?.(spec);
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
      if (this.fields === undefined) {
        this.env.memory.bytes.set(value.subarray(0, this.spec.valueSize), existing.value.start);
      } else {
        // The kernel replaces the element (its fields freed) unless BPF_F_LOCK updates it in place.
        this.fields.copy(existing.value.start, value.subarray(0, this.spec.valueSize));
        if (!(flags & BPF_F_LOCK)) this.fields.free(existing.value.start);
      }
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
    // Copy the value first too: the allocation below can replace the memory it views.
    const ownValue = value.slice(0, this.spec.valueSize);
    const region = this.env.memory.allocRegion(this.spec.valueSize, "map value", label, ACCESS_RW);
    if (this.fields === undefined) this.env.memory.bytes.set(ownValue, region.start);
    else this.fields.copy(region.start, ownValue);
    this.entries.set(k, { key: ownKey, value: region });
    return 0;
  }

  delete(key: Uint8Array): number {
    const k = keyString(key.subarray(0, this.spec.keySize));
    return this.remove(k) ? 0 : -ENOENT;
  }

  valueAddresses(): number[] {
    return [...this.entries.values()].map((e) => e.value.start);
  }

  keys(): Uint8Array[] {
    return [...this.entries.values()].map((e) => e.key.slice());
  }

  private remove(k: string): boolean {
    const entry = this.entries.get(k);
    if (entry === undefined) return false;
    this.entries.delete(k);
    this.fields?.free(entry.value.start);
    this.env.release(entry.value);
    return true;
  }
}
