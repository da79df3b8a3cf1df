import { RuntimeFault } from "./errors.js";

/** Programs may read the region. */
export const ACCESS_READ = 1;
/** Programs may write the region. */
export const ACCESS_WRITE = 2;
export const ACCESS_RW = ACCESS_READ | ACCESS_WRITE;

export type RegionKind =
  | "stack"
  | "ctx"
  | "packet"
  | "map value"
  | "map"
  | "object"
  | "program"
  | "ringbuf"
  | "memory";

export interface Region {
  readonly start: number;
  /** one past the last byte */
  readonly end: number;
  readonly kind: RegionKind;
  /** what a user calls it: `arr`, `frame 0`, `.rodata`, ... */
  readonly name: string;
  /** ACCESS_READ | ACCESS_WRITE */
  readonly access: number;
  /**
   * For regions that hold an array of values (array maps): the distance from
   * one element to the next. Only the first `elemBytes` of each are
   * accessible; the rest is a guard, so that running off one element never
   * lands in the next, which the verifier would not allow either.
   */
  readonly elemSize: number;
  readonly elemBytes: number;
}

/** The wasm page size; also the size of the never-mapped guard at address 0. */
export const PAGE_SIZE = 65536;
export const STACK_FRAME_SIZE = 512;
export const MAX_CALL_FRAMES = 8;
/** Maximum size of the address space: every address fits in 31 bits. */
const MAX_PAGES = 32768;
/** Unmapped bytes left after every allocation, so that neighbours never touch. */
const GUARD = 16;

export interface MemoryOptions {
  /** pages of 64 KiB to reserve up front (default 4) */
  readonly initialPages?: number;
  /** pages of 64 KiB the address space may grow to (default and maximum 32768 = 2 GiB) */
  readonly maxPages?: number;
}

/**
 * The one linear address space of a runtime: a growable `WebAssembly.Memory`
 * in which stack frames, contexts, packets, map values and allocated objects
 * are regions. A pointer is an address into it. The first page is never
 * mapped, so NULL and small integers used as pointers always fault.
 *
 * `bytes` and `view` are replaced when the memory grows; code that caches
 * them must re-read them after anything that can allocate.
 */
export class Memory {
  readonly wasm: WebAssembly.Memory;
  bytes: Uint8Array;
  view: DataView;
  /** the stack frames, frame 0 first; a frame pointer is `frames[i].end` */
  readonly frames: readonly Region[];
  /** counts unmaps and access changes: bounds cached before a change may be stale */
  unmaps = 0;

  private readonly regions: Region[] = [];
  private readonly starts: number[] = [];
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly maxPages: number;

  constructor(options: MemoryOptions = {}) {
    this.maxPages = Math.min(options.maxPages ?? MAX_PAGES, MAX_PAGES);
    const initial = Math.max(2, Math.min(options.initialPages ?? 4, this.maxPages));
    this.wasm = new WebAssembly.Memory({ initial, maximum: this.maxPages });
    this.bytes = new Uint8Array(this.wasm.buffer);
    this.view = new DataView(this.wasm.buffer);
    this.top = PAGE_SIZE;
    const frames: Region[] = [];
    for (let i = 0; i < MAX_CALL_FRAMES; i++) {
      frames.push(this.allocRegion(STACK_FRAME_SIZE, "stack", `frame ${i}`, ACCESS_RW));
    }
    this.frames = frames;
  }

  /** Re-reads the views after the underlying buffer was replaced by a grow. */
  refresh(): void {
    if (this.bytes.buffer !== this.wasm.buffer) {
      this.bytes = new Uint8Array(this.wasm.buffer);
      this.view = new DataView(this.wasm.buffer);
    }
  }

  /** Reserves `size` zeroed bytes (8-byte aligned) and maps them as a region. */
  allocRegion(
    size: number,
    kind: RegionKind,
    name: string,
    access: number,
    elemSize = 0,
    elemBytes = elemSize,
  ): Region {
    if (!Number.isInteger(size) || size < 0) {
      throw new RuntimeFault(`cannot allocate ${size} bytes for ${kind} ${name}`);
    }
    const start = this.reserve(size);
    this.bytes.fill(0, start, start + size);
    const region: Region = { start, end: start + size, kind, name, access, elemSize, elemBytes };
    this.insert(region);
    return region;
  }

  /** Unmaps a region and returns its bytes to the allocator. */
  freeRegion(region: Region): void {
    const i = this.indexOf(region.start);
    if (i < 0 || this.regions[i] !== region) return;
    this.regions.splice(i, 1);
    this.starts.splice(i, 1);
    this.unmaps++;
    const rounded = roundUp(Math.max(region.end - region.start, 1), 8);
    let list = this.freeLists.get(rounded);
    if (list === undefined) {
      list = [];
      this.freeLists.set(rounded, list);
    }
    list.push(region.start);
  }

  /** The region that contains `addr`, if any. */
  find(addr: number): Region | undefined {
    const i = this.floorIndex(addr);
    if (i < 0) return undefined;
    const r = this.regions[i]!;
    return addr < r.end ? r : undefined;
  }

  /**
   * Bounds of the element (or whole region) an access of `size` bytes at
   * `addr` may touch, with the access kind allowed; undefined when the access
   * is not allowed. Written into `out` ([start, end]) to stay allocation-free.
   */
  resolve(addr: number, size: number, access: number, out: Float64Array): boolean {
    const i = this.floorIndex(addr);
    if (i < 0) return false;
    const r = this.regions[i]!;
    if (addr + size > r.end || (r.access & access) !== access) return false;
    if (r.elemSize > 0) {
      const elemStart = r.start + Math.floor((addr - r.start) / r.elemSize) * r.elemSize;
      const elemEnd = Math.min(elemStart + r.elemBytes, r.end);
      if (addr + size > elemEnd) return false;
      out[0] = elemStart;
      out[1] = elemEnd;
      return true;
    }
    out[0] = r.start;
    out[1] = r.end;
    return true;
  }

  /** Whether an access of `size` bytes at `addr` is allowed. */
  allows(addr: number, size: number, access: number): boolean {
    return this.resolve(addr, size, access, scratch);
  }

  /** Checks an access from host code (helpers, the host API); throws a fault naming `what`. */
  check(addr: number, size: number, access: number, what: string, insn?: number): void {
    if (!this.resolve(addr, size, access, scratch)) {
      throw new RuntimeFault(
        `${what}: ${access & ACCESS_WRITE ? "write" : "read"} of ${size} bytes at ${hex(addr)} ${this.explain(addr, size, access)}`,
        insn,
      );
    }
  }

  /** Copies `size` bytes from the address space after checking the access. */
  read(addr: number, size: number, what: string, insn?: number): Uint8Array {
    this.check(addr, size, ACCESS_READ, what, insn);
    return this.bytes.slice(addr, addr + size);
  }

  /** Why an access is not allowed, as the end of a sentence: "is 4 bytes past the end of ...". */
  explain(addr: number, size: number, access: number): string {
    if (addr < PAGE_SIZE) {
      return addr === 0
        ? "is a NULL pointer dereference"
        : "is inside the never-mapped first page (a NULL or small-integer pointer)";
    }
    const r = this.find(addr);
    if (r !== undefined) {
      const label = this.label(r, addr);
      if ((r.access & access) !== access) {
        const missing =
          access & ~r.access & ACCESS_WRITE ? "read-only" : "not readable by programs";
        return `is inside ${label}, which is ${missing}`;
      }
      if (r.elemSize > 0) {
        const elemEnd =
          r.start + Math.floor((addr - r.start) / r.elemSize) * r.elemSize + r.elemBytes;
        const verb = addr >= elemEnd ? "is" : "runs";
        return `${verb} ${addr + size - elemEnd} bytes past the end of ${label}`;
      }
      return `runs ${addr + size - r.end} bytes past the end of ${label}`;
    }
    const below = this.floorIndex(addr);
    const before = below >= 0 ? this.regions[below] : undefined;
    const after = this.regions[below + 1];
    const pastBefore = before === undefined ? Infinity : addr - before.end;
    const toAfter = after === undefined ? Infinity : after.start - addr;
    if (pastBefore === Infinity && toAfter === Infinity) return "is not in any region";
    if (pastBefore <= toAfter && before !== undefined) {
      return `is ${addr + size - before.end} bytes past the end of ${this.label(before, before.end - 1)}`;
    }
    if (after !== undefined && addr + size > after.start) {
      return `starts ${after.start - addr} bytes before the start of ${this.label(after, after.start)}`;
    }
    return `is ${toAfter} bytes before the start of ${this.label(after!, after!.start)}`;
  }

  /** Every mapped region, lowest address first (for diagnostics and tests). */
  allRegions(): readonly Region[] {
    return this.regions;
  }

  private label(r: Region, addr: number): string {
    const kind = r.kind === "stack" ? "stack" : r.kind;
    if (r.elemSize > 0) {
      const idx = Math.floor((Math.min(addr, r.end - 1) - r.start) / r.elemSize);
      return `${kind} ${r.name}[${idx}]`;
    }
    return `${kind} ${r.name}`;
  }

  private reserve(size: number): number {
    const rounded = roundUp(Math.max(size, 1), 8);
    const list = this.freeLists.get(rounded);
    if (list !== undefined && list.length > 0) return list.pop()!;
    const start = this.top;
    const end = start + rounded + GUARD;
    const needed = Math.ceil(end / PAGE_SIZE);
    const have = this.wasm.buffer.byteLength / PAGE_SIZE;
    if (needed > have) {
      if (needed > this.maxPages) {
        throw new RuntimeFault(
          `out of memory: ${size} more bytes would exceed the address space of ${this.maxPages} pages`,
        );
      }
      this.wasm.grow(Math.max(needed - have, Math.min(have, this.maxPages - have)));
      this.refresh();
    }
    this.top = end;
    return start;
  }

  private insert(region: Region): void {
    const i = this.floorIndex(region.start) + 1;
    this.regions.splice(i, 0, region);
    this.starts.splice(i, 0, region.start);
  }

  private indexOf(start: number): number {
    const i = this.floorIndex(start);
    return i >= 0 && this.starts[i] === start ? i : -1;
  }

  /** Index of the last region starting at or below `addr`, or -1. */
  private floorIndex(addr: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

const scratch = new Float64Array(2);

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
