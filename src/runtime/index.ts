import type { Btf } from "../btf/btf.js";
import {
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_IDX,
  BPF_PSEUDO_MAP_IDX_VALUE,
  BPF_PSEUDO_MAP_VALUE,
} from "../isa/opcodes.js";
import type { MapSpec, ObjectSpec, ProgramSpec } from "../object/spec.js";
import { type BtfValue, decodeBtfValue } from "./btf-value.js";
import { prepareContext } from "./context.js";
import { MapError, RuntimeFault } from "./errors.js";
import { mapValueFieldOps, zeroFields } from "./graph/map-values.js";
import { monotonicNs } from "./helpers/env.js";
import { type HelperEnv, installStandardHelpers } from "./helpers/index.js";
import { interpret } from "./interp.js";
import { type HeapStats, installStandardKfuncs } from "./kfuncs/index.js";
import { ArrayMap } from "./maps/array.js";
import { createMap } from "./maps/create.js";
import { type BpfMap, checkSize, type MapEnv } from "./maps/map.js";
import { RingbufMap } from "./maps/ringbuf.js";
import type { Region } from "./memory.js";
import { type DecodedProgram, decodeProgram } from "./program.js";
import { type NativeFn, Vm } from "./vm.js";

export { type ConformanceOutcome, runConformanceCase } from "./conformance.js";
export { MapError, RuntimeFault } from "./errors.js";
export type { HeapStats } from "./kfuncs/index.js";
export { BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST } from "./maps/map.js";
export type { NativeFn } from "./vm.js";

export interface RuntimeOptions {
  /** instructions one run may execute (default 1,000,000) */
  readonly budget?: number;
  /** what bpf_get_current_pid_tgid returns (tgid << 32 | pid; default 0) */
  readonly pidTgid?: bigint;
  /** source of bpf_get_prandom_u32 (default Math.random) */
  readonly random?: () => number;
  /** clock of bpf_ktime_get_ns in nanoseconds (default performance.now) */
  readonly nowNs?: () => bigint;
  /** maximum size of the address space in 64 KiB pages (default 32768) */
  readonly maxPages?: number;
  /**
   * bytes the objects of bpf_obj_new may take together; past it the
   * allocation returns NULL, as a kernel allocation can fail (default: no
   * limit but the address space)
   */
  readonly objectMemoryLimit?: number;
}

/** Host access to a live map; keys and values are the map's raw bytes. */
export interface MapHandle {
  readonly name: string;
  readonly spec: MapSpec;
  /**
   * A copy of the value under `key`, undefined when there is none. For
   * prog_array and maps of maps the value is a u32 program or map number (the
   * index in the object), standing in for the kernel's fd.
   */
  lookup(key: Uint8Array): Uint8Array | undefined;
  /** throws MapError with the kernel's errno (-EEXIST, -ENOENT, -E2BIG, -EINVAL) */
  update(key: Uint8Array, value: Uint8Array, flags?: number): void;
  /** throws MapError (-ENOENT when absent, -EINVAL for arrays) */
  delete(key: Uint8Array): void;
  keys(): Uint8Array[];
  /** ringbuf maps: the submitted records, oldest first (consuming frees their space) */
  consume(): Uint8Array[];
  /** a key decoded by the map's BTF key type; undefined when the map declares none */
  decodeKey(key: Uint8Array): BtfValue | undefined;
  /** a value decoded by the map's BTF value type (a DATASEC for global data) */
  decodeValue(value: Uint8Array): BtfValue | undefined;
}

export interface RunInput {
  /** packet bytes (default: 64 zero bytes) */
  readonly data?: Uint8Array;
  /** context bytes (`struct __sk_buff` fields, `xdp_md`, a syscall program's buffer) */
  readonly ctx?: Uint8Array;
  /** runs of the program on the same input (default 1) */
  readonly repeat?: number;
}

export interface RunResult {
  /** r0 of the last run, as the u32 BPF_PROG_TEST_RUN reports */
  readonly retval: number;
  /** the packet (or syscall buffer) after the run */
  readonly data: Uint8Array;
  /** mean wall time of one run in nanoseconds */
  readonly durationNs: number;
  /** bpf_trace_printk lines of all runs */
  readonly printk: string[];
  /** instructions executed by the last run */
  readonly insns: number;
}

export interface Runtime {
  map(name: string): MapHandle;
  maps(): MapHandle[];
  run(programName: string, input?: RunInput): RunResult;
  /** registers a kfunc implementation by tsbpf kfunc id (src/object/kfuncs.ts) */
  registerKfunc(id: number, name: string, fn: NativeFn): void;
  /** the machine the programs run on, for extensions (kfuncs need its memory) */
  readonly vm: Vm;
  /** the objects programs allocated (bpf_obj_new) that are still live, and counters */
  heapStats(): HeapStats;
  /**
   * Frees what the maps hold (lists and trees are drained, kptrs dropped),
   * as the kernel does when the last reference to a map goes; afterwards
   * every object a program did not leak is freed.
   */
  close(): void;
}

const DEFAULT_PACKET_SIZE = 64;

/** Creates the live maps of an object and a machine to run its programs on. */
export function createRuntime(spec: ObjectSpec, options: RuntimeOptions = {}): Runtime {
  const vm = new Vm({
    ...(options.budget !== undefined && { budget: options.budget }),
    ...(options.maxPages !== undefined && { maxPages: options.maxPages }),
  });
  const memory = vm.memory;
  let running = false;
  const maps: BpfMap[] = [];
  const mapOfRegion = (region: Region): MapSpec | undefined => {
    for (const m of maps) {
      if (m instanceof ArrayMap ? m.values === region : region.name.startsWith(`${m.spec.name}[`)) {
        return m.spec;
      }
    }
    return undefined;
  };
  const graph = installStandardKfuncs(vm, spec.btf, {
    ...(options.objectMemoryLimit !== undefined && {
      objectMemoryLimit: options.objectMemoryLimit,
    }),
    mapOfRegion,
  });
  const mapEnv: MapEnv = {
    memory,
    release(region: Region) {
      if (running) vm.atRunEnd.push(() => memory.freeRegion(region));
      else memory.freeRegion(region);
    },
    valueFields: (m) => mapValueFieldOps(graph, m),
  };
  for (const m of spec.maps) maps.push(createMap(m, mapEnv, (n) => maps[n]));
  const mapByAddress = new Map(maps.map((m) => [m.address, m]));
  const decoded = new Map<number, DecodedProgram>();

  const resolveLddw = (src: number, imm: number, nextImm: number, index: number): bigint => {
    const map = maps[imm];
    if (map === undefined) {
      throw new RuntimeFault(`lddw refers to map #${imm}, the object has ${maps.length}`, index);
    }
    if (src === BPF_PSEUDO_MAP_FD || src === BPF_PSEUDO_MAP_IDX) return BigInt(map.address);
    if (src === BPF_PSEUDO_MAP_VALUE || src === BPF_PSEUDO_MAP_IDX_VALUE) {
      if (!(map instanceof ArrayMap)) {
        throw new RuntimeFault(
          `lddw takes a value address of map ${map.spec.name}, which is not an array`,
          index,
        );
      }
      if (nextImm < 0 || nextImm >= map.spec.valueSize) {
        throw new RuntimeFault(
          `lddw offset ${nextImm} is outside map ${map.spec.name}'s value`,
          index,
        );
      }
      return BigInt(map.elementAddress(0) + nextImm);
    }
    throw new RuntimeFault(`lddw with pseudo source ${src} is not supported by the runtime`, index);
  };

  const programNumber = (name: string): number => {
    const n = spec.programs.findIndex((p) => p.name === name);
    if (n < 0) {
      const known = spec.programs.map((p) => p.name).join(", ");
      throw new RuntimeFault(`no program named ${name} (the object has: ${known || "none"})`);
    }
    return n;
  };
  const program = (n: number): DecodedProgram | undefined => {
    const p: ProgramSpec | undefined = spec.programs[n];
    if (p === undefined) return undefined;
    let d = decoded.get(n);
    if (d === undefined) {
      d = decodeProgram(p.name, p.insns, memory, resolveLddw);
      decoded.set(n, d);
    }
    return d;
  };

  const helperEnv: HelperEnv = {
    mapAt: (address) => mapByAddress.get(address),
    allMaps: () => maps,
    program,
    pidTgid: options.pidTgid ?? 0n,
    random: options.random ?? (() => (Math.random() * 0x100000000) >>> 0),
    nowNs: options.nowNs ?? monotonicNs,
  };
  installStandardHelpers(vm, helperEnv);

  const handles = maps.map((m) =>
    mapHandle(m, mapEnv, spec.btf, (value) => {
      const record = graph.layouts.mapRecord(m.spec);
      return record === undefined ? value : zeroFields(record, value);
    }),
  );
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new RuntimeFault("the runtime was closed");
  };

  return {
    vm,
    map(name) {
      ensureOpen();
      const h = handles.find((x) => x.name === name);
      if (h === undefined) {
        const known = handles.map((x) => x.name).join(", ");
        throw new MapError(`no map named ${name} (the object has: ${known || "none"})`, -2);
      }
      return h;
    },
    maps() {
      ensureOpen();
      return handles.slice();
    },
    heapStats() {
      return graph.heap.stats();
    },
    registerKfunc(id, name, fn) {
      vm.registerKfunc(id, name, fn);
    },
    run(programName, input = {}) {
      ensureOpen();
      const n = programNumber(programName);
      const prog = program(n)!;
      const type = spec.programs[n]!.type;
      const repeat = Math.max(1, Math.floor(input.repeat ?? 1));
      const data = input.data ?? new Uint8Array(DEFAULT_PACKET_SIZE);
      const printk: string[] = [];
      let retval = 0n;
      let insns = 0;
      let out: Uint8Array = new Uint8Array(0);
      let total = 0;
      running = true;
      const ctx = prepareContext(memory, type, data, input.ctx);
      try {
        for (let k = 0; k < repeat; k++) {
          vm.beginRun(prog);
          try {
            vm.packetStart = ctx.packetStart;
            vm.packetEnd = ctx.packetEnd;
            vm.regs[1] = BigInt(ctx.r1);
            vm.regs[2] = BigInt(ctx.r2);
            const t0 = monotonicNs();
            retval = interpret(vm, prog, 0, 0);
            total += Number(monotonicNs() - t0);
            insns = vm.budget - vm.remaining;
            printk.push(...vm.printk);
          } finally {
            vm.endRun();
          }
        }
        out = ctx.output();
      } finally {
        running = false;
        for (const r of ctx.regions) memory.freeRegion(r);
        vm.packetStart = vm.packetEnd = 0;
      }
      return {
        retval: Number(retval & 0xffffffffn),
        data: out,
        durationNs: Math.round(total / repeat),
        printk,
        insns,
      };
    },
    close() {
      if (closed) return;
      closed = true;
      for (const m of maps) {
        const fields = mapEnv.valueFields?.(m.spec);
        if (fields === undefined || m.valueAddresses === undefined) continue;
        for (const addr of m.valueAddresses()) fields.free(addr);
      }
    },
  };
}

function mapHandle(
  map: BpfMap,
  env: MapEnv,
  btf: Btf | undefined,
  asUserSees: (value: Uint8Array) => Uint8Array,
): MapHandle {
  const spec = map.spec;
  const fail = (op: string, errno: number): never => {
    throw new MapError(`map ${spec.name}: ${op} failed with ${errnoName(errno)}`, errno);
  };
  return {
    name: spec.name,
    spec,
    lookup(key) {
      checkSize(spec, "key", key);
      if (map.hostLookup !== undefined) return map.hostLookup(key);
      const addr = map.lookup(key);
      if (addr === 0) return undefined;
      // as bpf_map_copy_value: user space never sees the bytes of locks, list heads or kptrs
      return asUserSees(env.memory.bytes.slice(addr, addr + spec.valueSize));
    },
    update(key, value, flags = 0) {
      checkSize(spec, "key", key);
      checkSize(spec, "value", value);
      const r = map.update(key, value, flags);
      if (r < 0) fail("update", r);
    },
    delete(key) {
      checkSize(spec, "key", key);
      const r = map.delete(key);
      if (r < 0) fail("delete", r);
    },
    keys() {
      return map.keys();
    },
    consume() {
      if (!(map instanceof RingbufMap)) {
        throw new MapError(`map ${spec.name} is not a ringbuf: nothing to consume`, -22);
      }
      return map.consume();
    },
    decodeKey(key) {
      if (btf === undefined || spec.keyTypeId === undefined) return undefined;
      return decodeBtfValue(btf, spec.keyTypeId, key);
    },
    decodeValue(value) {
      if (btf === undefined || spec.valueTypeId === undefined) return undefined;
      return decodeBtfValue(btf, spec.valueTypeId, value);
    },
  };
}

const ERRNO_NAMES: Record<number, string> = {
  [-1]: "-EPERM",
  [-2]: "-ENOENT",
  [-7]: "-E2BIG",
  [-17]: "-EEXIST",
  [-22]: "-EINVAL",
  [-524]: "-ENOTSUPP",
};

function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? String(errno);
}
