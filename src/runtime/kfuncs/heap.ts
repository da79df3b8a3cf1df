import { RuntimeFault } from "../errors.js";
import { ACCESS_RW, hex, type Memory, type Region } from "../memory.js";

/** One object of the heap: its region and the program-BTF type it was allocated as. */
export interface HeapObject {
  readonly region: Region;
  /** local BTF type id given to bpf_obj_new; 0 when the type is unknown */
  readonly typeId: number;
  readonly typeName: string;
  /** requested size (the region may be rounded up) */
  readonly size: number;
}

/** What the host sees of the heap: enough to assert that nothing leaked or was freed twice. */
export interface HeapStats {
  /** objects allocated and not yet freed */
  readonly liveObjects: number;
  /** bytes of those objects (their requested sizes) */
  readonly liveBytes: number;
  /** the most bytes ever live at once */
  readonly peakBytes: number;
  /** allocations that succeeded, since the runtime was created */
  readonly allocations: number;
  /** allocations refused because they would pass the memory limit */
  readonly failedAllocations: number;
  readonly frees: number;
}

export interface ObjectHeapOptions {
  /**
   * Bytes the live objects may take together; an allocation past it returns
   * NULL, as a kernel allocation can fail (default: no limit but the address space).
   */
  readonly limitBytes?: number;
}

/** How many freed addresses are remembered to name a double free as one. */
const FREED_MEMORY = 4096;

/**
 * Objects programs allocate (bpf_obj_new and friends): each is its own
 * region, named after its BTF type, so a stray access names the object. They
 * outlive the run that made them when a program stashes them in a map or
 * links them into a list. Freeing unmaps the region, so a use after free
 * faults; freeing what is not a live object is a fault, never a corruption.
 */
export class ObjectHeap {
  private readonly objects = new Map<number, HeapObject>();
  /** recently freed addresses (until reused), for the double-free message */
  private readonly freed = new Map<number, string>();
  private readonly limitBytes: number;
  private liveBytes = 0;
  private peakBytes = 0;
  private allocations = 0;
  private failedAllocations = 0;
  private frees = 0;

  constructor(
    private readonly memory: Memory,
    options: ObjectHeapOptions = {},
  ) {
    this.limitBytes = options.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  /**
   * A zeroed, 8-byte aligned object of `size` bytes; returns its address, or 0
   * when the memory limit (or the address space) would be exceeded.
   */
  allocate(size: number, typeName: string, typeId = 0): number {
    if (this.liveBytes + size > this.limitBytes) {
      this.failedAllocations++;
      return 0;
    }
    let region: Region;
    try {
      region = this.memory.allocRegion(size, "object", typeName, ACCESS_RW);
    } catch (e) {
      if (e instanceof RuntimeFault && e.message.startsWith("out of memory")) {
        this.failedAllocations++;
        return 0;
      }
      throw e;
    }
    this.objects.set(region.start, { region, typeId, typeName, size });
    this.freed.delete(region.start);
    this.liveBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
    this.allocations++;
    return region.start;
  }

  /** Frees the object at `addr`; returns an error message when there is none. */
  free(addr: number): string | undefined {
    const object = this.objects.get(addr);
    if (object === undefined) return this.notAnObject(addr);
    this.objects.delete(addr);
    this.memory.freeRegion(object.region);
    this.liveBytes -= object.size;
    this.frees++;
    if (this.freed.size >= FREED_MEMORY) {
      const oldest = this.freed.keys().next().value;
      if (oldest !== undefined) this.freed.delete(oldest);
    }
    this.freed.set(addr, object.typeName);
    return undefined;
  }

  /** Why `addr` cannot be freed or used as an object. */
  notAnObject(addr: number): string {
    const was = this.freed.get(addr);
    if (was !== undefined) {
      return `${hex(addr)} is not an object allocated by bpf_obj_new: double free (the ${was} there was already freed)`;
    }
    const inside = this.containing(addr);
    if (inside !== undefined) {
      return `${hex(addr)} is not an object allocated by bpf_obj_new: it is ${addr - inside.region.start} bytes into object ${inside.typeName} at ${hex(inside.region.start)}`;
    }
    return `${hex(addr)} is not an object allocated by bpf_obj_new`;
  }

  /** The live object starting at `addr`, if any. */
  at(addr: number): Region | undefined {
    return this.objects.get(addr)?.region;
  }

  /** The live object starting at `addr`, with its type. */
  object(addr: number): HeapObject | undefined {
    return this.objects.get(addr);
  }

  /** The live object whose bytes include `addr`. */
  containing(addr: number): HeapObject | undefined {
    const region = this.memory.find(addr);
    if (region === undefined || region.kind !== "object") return undefined;
    return this.objects.get(region.start);
  }

  /** Addresses of the live objects, oldest first. */
  liveAddresses(): number[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  stats(): HeapStats {
    return {
      liveObjects: this.objects.size,
      liveBytes: this.liveBytes,
      peakBytes: this.peakBytes,
      allocations: this.allocations,
      failedAllocations: this.failedAllocations,
      frees: this.frees,
    };
  }
}
