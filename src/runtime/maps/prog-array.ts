import type { MapSpec } from "../../object/spec.js";
import { E2BIG, EEXIST, EINVAL, ENOENT } from "../errors.js";
import type { Region } from "../memory.js";
import { BPF_NOEXIST, type BpfMap, checkUpdateFlags } from "./map.js";

/**
 * BPF_MAP_TYPE_PROG_ARRAY: slots holding programs for bpf_tail_call. From
 * the host a value is a u32 program number (the index of the program in the
 * object, standing in for the kernel's program fd). Programs cannot look
 * slots up; an empty slot makes the tail call fall through.
 */
export class ProgArrayMap implements BpfMap {
  readonly address: number;
  private readonly slots: (number | undefined)[];

  constructor(
    readonly spec: MapSpec,
    mapObject: Region,
  ) {
    this.address = mapObject.start;
    this.slots = new Array(spec.maxEntries).fill(undefined);
  }

  /** The program number in slot `index`, if any. */
  program(index: number): number | undefined {
    return this.slots[index];
  }

  hostLookup(key: Uint8Array): Uint8Array | undefined {
    const n = this.slots[u32(key)];
    return n === undefined ? undefined : new Uint8Array(new Uint32Array([n]).buffer);
  }

  lookup(_key: Uint8Array): number {
    return 0;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const i = u32(key);
    if (i >= this.spec.maxEntries) return -E2BIG;
    if ((flags & 3) === BPF_NOEXIST) return -EEXIST;
    if (value.length < 4) return -EINVAL;
    this.slots[i] = u32(value);
    return 0;
  }

  delete(key: Uint8Array): number {
    const i = u32(key);
    if (i >= this.spec.maxEntries) return -E2BIG;
    if (this.slots[i] === undefined) return -ENOENT;
    this.slots[i] = undefined;
    return 0;
  }

  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.slots.forEach((slot, i) => {
      if (slot !== undefined) out.push(new Uint8Array(new Uint32Array([i]).buffer));
    });
    return out;
  }
}

function u32(bytes: Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}
