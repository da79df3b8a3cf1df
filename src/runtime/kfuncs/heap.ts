import { ACCESS_RW, hex, type Memory, type Region } from "../memory.js";

/**
 * Objects programs allocate (bpf_obj_new and friends): each is its own
 * region, named after its BTF type, so a stray access names the object. They
 * outlive the run that made them when a program stashes them in a map.
 */
export class ObjectHeap {
  private readonly objects = new Map<number, Region>();

  constructor(private readonly memory: Memory) {}

  /** A zeroed object of `size` bytes; returns its address. */
  allocate(size: number, typeName: string): number {
    const region = this.memory.allocRegion(size, "object", typeName, ACCESS_RW);
    this.objects.set(region.start, region);
    return region.start;
  }

  /** Frees the object at `addr`; returns an error message when there is none. */
  free(addr: number): string | undefined {
    const region = this.objects.get(addr);
    if (region === undefined) return `${hex(addr)} is not an object allocated by bpf_obj_new`;
    this.objects.delete(addr);
    this.memory.freeRegion(region);
    return undefined;
  }

  /** The live object starting at `addr`, if any. */
  at(addr: number): Region | undefined {
    return this.objects.get(addr);
  }

  get size(): number {
    return this.objects.size;
  }
}
