import type { MapSpec } from "../../object/spec.js";
import { E2BIG, EEXIST, EINVAL } from "../errors.js";
import { ACCESS_READ, ACCESS_RW, type Region } from "../memory.js";
import {
  BPF_NOEXIST,
  type BpfMap,
  checkUpdateFlags,
  type MapEnv,
  roundUp8,
  type ValueFieldOps,
} from "./map.js";

/**
 * BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY (one CPU) and the global
 * data maps (`.data`, `.rodata`, `.bss`): `max_entries` values of
 * `round_up(value_size, 8)` bytes, preallocated and zeroed, indexed by a u32
 * key. Elements always exist: they cannot be deleted and BPF_NOEXIST fails.
 */
export class ArrayMap implements BpfMap {
  readonly address: number;
  readonly values: Region;
  private readonly elemSize: number;
  private readonly fields: ValueFieldOps | undefined;

  constructor(
    readonly spec: MapSpec,
    private readonly env: MapEnv,
    mapObject: Region,
  ) {
    this.address = mapObject.start;
    // The kernel's stride is round_up(value_size, 8); 8 more bytes keep a guard between elements.
    this.elemSize = roundUp8(Math.max(spec.valueSize, 1)) + 8;
    const access = spec.readOnly ? ACCESS_READ : ACCESS_RW;
    this.values = env.memory.allocRegion(
      this.elemSize * spec.maxEntries,
      "map value",
      spec.name,
      access,
      this.elemSize,
      spec.valueSize,
    );
    this.fields = env.valueFields?.(spec);
    if (spec.initialValue !== undefined) {
      env.memory.bytes.set(spec.initialValue.subarray(0, spec.valueSize), this.values.start);
    }
  }

  private index(key: Uint8Array): number {
    if (key.length < 4) return -1;
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  /** Address of element `index`, or 0 when it is out of range. */
  elementAddress(index: number): number {
    return index < this.spec.maxEntries ? this.values.start + index * this.elemSize : 0;
  }

  lookup(key: Uint8Array): number {
    const i = this.index(key);
    return i < 0 ? 0 : this.elementAddress(i);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const bad = checkUpdateFlags(flags);
    if (bad) return bad;
    const i = this.index(key);
    if (i < 0 || i >= this.spec.maxEntries) return -E2BIG;
    if ((flags & 3) === BPF_NOEXIST) return -EEXIST;
    const dst = this.elementAddress(i);
    if (this.fields === undefined) {
      this.env.memory.bytes.set(value.subarray(0, this.spec.valueSize), dst);
    } else {
      // array_map_update_elem: the special fields keep their bytes, then what they held is freed
      this.fields.copy(dst, value.subarray(0, this.spec.valueSize));
      this.fields.free(dst);
    }
    return 0;
  }

  delete(_key: Uint8Array): number {
    return -EINVAL;
  }

  valueAddresses(): number[] {
    return Array.from({ length: this.spec.maxEntries }, (_, i) => this.elementAddress(i));
  }

  keys(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < this.spec.maxEntries; i++) {
      out.push(new Uint8Array(new Uint32Array([i]).buffer));
    }
    return out;
  }
}
