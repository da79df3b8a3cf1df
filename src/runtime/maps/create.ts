import {
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_ARRAY_OF_MAPS,
  BPF_MAP_TYPE_HASH,
  BPF_MAP_TYPE_HASH_OF_MAPS,
  BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_LRU_PERCPU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
} from "../../object/map-types.js";
import type { MapSpec } from "../../object/spec.js";
import { EINVAL, MapError } from "../errors.js";
import { ArrayMap } from "./array.js";
import { HashMap } from "./hash.js";
import type { BpfMap, MapEnv } from "./map.js";
import { MapOfMapsMap } from "./map-of-maps.js";
import { ProgArrayMap } from "./prog-array.js";
import { RingbufMap } from "./ringbuf.js";
import { UnsupportedMap } from "./unsupported.js";

/**
 * Creates the live map for a spec, with the kernel's checks of the spec's
 * sizes. `mapByNumber` finds the object's other maps (inner maps of maps of maps).
 */
export function createMap(
  spec: MapSpec,
  env: MapEnv,
  mapByNumber: (n: number) => BpfMap | undefined = () => undefined,
): BpfMap {
  const fail = (why: string): never => {
    throw new MapError(`map ${spec.name}: ${why}`, -EINVAL);
  };
  if (spec.maxEntries <= 0) fail("max_entries must be positive");
  // Programs see the map itself as a pointer to an opaque region.
  const mapObject = env.memory.allocRegion(8, "map", spec.name, 0);
  switch (spec.type) {
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_ARRAY:
      if (spec.keySize !== 4) fail(`key_size is ${spec.keySize}, an array's must be 4`);
      if (spec.valueSize <= 0) fail("value_size must be positive");
      return new ArrayMap(spec, env, mapObject);
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      if (spec.keySize <= 0 || spec.valueSize <= 0)
        fail("key_size and value_size must be positive");
      return new HashMap(
        spec,
        env,
        mapObject,
        spec.type === BPF_MAP_TYPE_LRU_HASH || spec.type === BPF_MAP_TYPE_LRU_PERCPU_HASH,
      );
    case BPF_MAP_TYPE_PROG_ARRAY:
      if (spec.keySize !== 4 || spec.valueSize !== 4)
        fail("a prog_array's key_size and value_size must be 4");
      return new ProgArrayMap(spec, mapObject);
    case BPF_MAP_TYPE_RINGBUF: {
      const size = spec.maxEntries;
      if (size < 4096 || (size & (size - 1)) !== 0) {
        fail(`a ringbuf's max_entries (${size}) must be a power of 2 and at least a page (4096)`);
      }
      return new RingbufMap(spec, env, mapObject);
    }
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
      if (spec.valueSize !== 4) fail("a map of maps' value_size must be 4");
      if (spec.type === BPF_MAP_TYPE_ARRAY_OF_MAPS && spec.keySize !== 4) {
        fail("an array of maps' key_size must be 4");
      }
      return new MapOfMapsMap(
        spec,
        mapObject,
        spec.type === BPF_MAP_TYPE_ARRAY_OF_MAPS,
        mapByNumber,
      );
    default:
      return new UnsupportedMap(spec, mapObject);
  }
}
