import type { MapSpec } from "../../object/spec.js";
import { EINVAL, ENOTSUPP } from "../errors.js";
import { ACCESS_RW, type Region } from "../memory.js";
import type { BpfMap, MapEnv } from "./map.js";

/** Each record carries an 8-byte header in the kernel's ring: it counts against the size. */
const RECORD_HEADER = 8;

/**
 * BPF_MAP_TYPE_RINGBUF: `max_entries` bytes of records. A reserved record is
 * its own region until it is submitted (then it becomes readable by the host
 * through `consume`) or discarded. Capacity is accounted as the kernel does:
 * each record takes its size rounded up to 8 plus an 8-byte header, and
 * space comes back when the host consumes.
 */
export class RingbufMap implements BpfMap {
  readonly address: number;
  private readonly pending = new Map<number, Region>();
  private readonly records: Uint8Array[] = [];
  private used = 0;
  private producerPos = 0;
  private consumerPos = 0;

  constructor(
    readonly spec: MapSpec,
    private readonly env: MapEnv,
    mapObject: Region,
  ) {
    this.address = mapObject.start;
  }

  /** Reserves `size` bytes; returns the record's address or 0 when the ring is full. */
  reserve(size: number): number {
    const cost = recordCost(size);
    if (size <= 0 || this.used + cost > this.spec.maxEntries) return 0;
    const region = this.env.memory.allocRegion(
      size,
      "ringbuf",
      `${this.spec.name} record`,
      ACCESS_RW,
    );
    this.used += cost;
    this.producerPos += cost;
    this.pending.set(region.start, region);
    return region.start;
  }

  /** Submits (or with `discard`, drops) a reserved record; false when `addr` is not one. */
  commit(addr: number, discard: boolean): boolean {
    const region = this.pending.get(addr);
    if (region === undefined) return false;
    this.pending.delete(addr);
    const size = region.end - region.start;
    if (discard) this.used -= recordCost(size);
    else this.records.push(this.env.memory.bytes.slice(region.start, region.end));
    this.env.release(region);
    return true;
  }

  /** Copies `data` in as one record; false when the ring is full. */
  output(data: Uint8Array): boolean {
    const cost = recordCost(data.length);
    if (this.used + cost > this.spec.maxEntries) return false;
    this.used += cost;
    this.producerPos += cost;
    this.records.push(data.slice());
    return true;
  }

  /** The submitted records, oldest first; consuming frees their space. */
  consume(): Uint8Array[] {
    const out = this.records.splice(0);
    for (const r of out) {
      this.used -= recordCost(r.length);
      this.consumerPos += recordCost(r.length);
    }
    return out;
  }

  /** bpf_ringbuf_query: 0 available data, 1 ring size, 2 consumer position, 3 producer position. */
  query(flags: number): bigint {
    switch (flags) {
      case 0:
        return BigInt(this.records.reduce((n, r) => n + recordCost(r.length), 0));
      case 1:
        return BigInt(this.spec.maxEntries);
      case 2:
        return BigInt(this.consumerPos);
      case 3:
        return BigInt(this.producerPos);
      default:
        return 0n;
    }
  }

  lookup(_key: Uint8Array): number {
    return 0;
  }

  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -ENOTSUPP;
  }

  delete(_key: Uint8Array): number {
    return -EINVAL;
  }

  keys(): Uint8Array[] {
    return [];
  }
}

function recordCost(size: number): number {
  return Math.ceil(size / 8) * 8 + RECORD_HEADER;
}
