import { mapTypeName } from "../../object/map-types.js";
import type { MapSpec } from "../../object/spec.js";
import { RuntimeFault } from "../errors.js";
import type { Region } from "../memory.js";
import type { BpfMap } from "./map.js";

/**
 * A map of a type the runtime does not implement (perf_event_array,
 * sockmap, ...). The object still loads and its other programs still run; a
 * program or host operation on this map is a fault that names it.
 */
export class UnsupportedMap implements BpfMap {
  readonly address: number;

  constructor(
    readonly spec: MapSpec,
    mapObject: Region,
  ) {
    this.address = mapObject.start;
  }

  private refuse(): never {
    throw new RuntimeFault(
      `map ${this.spec.name}: type ${mapTypeName(this.spec.type)} (${this.spec.type}) is not supported by the runtime`,
    );
  }

  lookup(_key: Uint8Array): number {
    return this.refuse();
  }

  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return this.refuse();
  }

  delete(_key: Uint8Array): number {
    return this.refuse();
  }

  keys(): Uint8Array[] {
    return this.refuse();
  }
}
