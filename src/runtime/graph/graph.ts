// The objects programs allocate and the lists and trees that link them: one
// place that knows, for any address, which allocation it belongs to and what
// special fields that allocation has, so that a drop or a freed map value
// releases everything it holds (bpf_obj_free_fields in kernel/bpf/syscall.c).

import { type FieldRecord, fieldAt, type SpecialField } from "../../btf/fields.js";
import type { MapSpec } from "../../object/spec.js";
import { RuntimeFault } from "../errors.js";
import type { ObjectHeap } from "../kfuncs/heap.js";
import { ACCESS_RW, hex, type Memory, type Region } from "../memory.js";
import { type FieldLayouts, type HeldType, LIST_NODE_2022_SIZE } from "./layout.js";
import { drainList } from "./list.js";
import { drainTree } from "./rbtree.js";
import { readPtr, writePtr } from "./words.js";

/** An allocation the runtime manages: an object or one map value. */
export interface Allocation {
  /** first byte of the object or map value */
  readonly base: number;
  readonly record: FieldRecord | undefined;
  /** for messages: `object foo at 0x...`, `map value lists[0]` */
  readonly label: string;
}

/** A list head or tree root found at an address, with what it holds. */
export interface GraphRoot {
  readonly addr: number;
  readonly field: SpecialField;
  readonly held: HeldType;
  readonly allocation: Allocation;
}

/**
 * The allocator and the graph of linked objects. `fault` reports a broken
 * rule at the instruction running, or as a host error outside a run.
 */
export class ObjectGraph {
  constructor(
    readonly memory: Memory,
    readonly heap: ObjectHeap,
    readonly layouts: FieldLayouts,
    private readonly mapOfRegion: (region: Region) => MapSpec | undefined,
  ) {}

  /**
   * bpf_obj_new: a zeroed object of local type `typeId`, with its refcount
   * (if it has one) at 1, or 0 when the memory limit is reached.
   */
  allocate(typeId: number, size: number, typeName: string): number {
    const addr = this.heap.allocate(size, typeName, typeId);
    if (addr === 0) return 0;
    const record = this.layouts.objectRecord(typeId);
    if (record !== undefined && record.refcountOffset >= 0) {
      this.memory.view.setUint32(addr + record.refcountOffset, 1, true);
    }
    return addr;
  }

  /**
   * __bpf_obj_drop_impl: gives up one reference to the object at `addr`;
   * the last one drains its lists and trees, drops its kptrs, and frees it.
   */
  drop(addr: number, fault: (message: string) => never): void {
    const object = this.heap.object(addr);
    if (object === undefined) fault(this.heap.notAnObject(addr));
    const record = this.layouts.objectRecord(object.typeId);
    if (record !== undefined && record.refcountOffset >= 0) {
      const at = addr + record.refcountOffset;
      const count = this.memory.view.getUint32(at, true);
      if (count > 1) {
        this.memory.view.setUint32(at, count - 1, true);
        return;
      }
    }
    if (record !== undefined) this.freeFields(record, addr, fault);
    const error = this.heap.free(addr);
    if (error !== undefined) fault(error);
  }

  /**
   * bpf_refcount_acquire: one more owning reference to a refcounted object;
   * 0 when its count already reached zero.
   */
  acquire(addr: number, fault: (message: string) => never): number {
    const object = this.heap.object(addr);
    if (object === undefined) fault(this.heap.notAnObject(addr));
    const record = this.layouts.objectRecord(object.typeId);
    if (record === undefined || record.refcountOffset < 0) {
      fault(`${object.typeName} at ${hex(addr)} has no struct bpf_refcount`);
    }
    const at = addr + record.refcountOffset;
    const count = this.memory.view.getUint32(at, true);
    if (count === 0) return 0;
    this.memory.view.setUint32(at, count + 1, true);
    return addr;
  }

  /**
   * bpf_obj_free_fields: releases what the allocation at `base` holds: every
   * list and tree is drained (each element dropped, recursively), every
   * kptr to an allocated object is cleared and dropped.
   */
  freeFields(record: FieldRecord, base: number, fault: (message: string) => never): void {
    for (const field of record.fields) {
      const at = base + field.offset;
      switch (field.kind) {
        case "list_head":
        case "rb_root": {
          const held = this.layouts.heldBy(field);
          if (held === undefined) break;
          if (field.kind === "list_head") drainList(this, at, held, fault);
          else drainTree(this, at, held, fault);
          break;
        }
        case "kptr_ref":
        case "kptr_percpu": {
          const target = readPtr(this.memory, at);
          writePtr(this.memory, at, 0);
          if (target > 0 && this.heap.object(target) !== undefined) this.drop(target, fault);
          break;
        }
        default:
          break;
      }
    }
  }

  /** The object or map value whose bytes include `addr`. */
  allocationAt(addr: number): Allocation | undefined {
    const region = this.memory.find(addr);
    if (region === undefined) return undefined;
    if (region.kind === "object") {
      const object = this.heap.object(region.start);
      if (object === undefined) return undefined;
      return {
        base: region.start,
        record: this.layouts.objectRecord(object.typeId),
        label: `object ${object.typeName} at ${hex(region.start)}`,
      };
    }
    if (region.kind === "map value") {
      const spec = this.mapOfRegion(region);
      if (spec === undefined) return undefined;
      let base = region.start;
      let label = `map value ${region.name}`;
      if (region.elemSize > 0) {
        const index = Math.floor((addr - region.start) / region.elemSize);
        base = region.start + index * region.elemSize;
        label = `map value ${region.name}[${index}]`;
      }
      return { base, record: this.layouts.mapRecord(spec), label };
    }
    return undefined;
  }

  /**
   * The list head (or tree root) at exactly `addr`; a fault naming what is
   * there instead. The verifier proves this for programs it accepted.
   */
  rootAt(
    addr: number,
    kind: "list_head" | "rb_root",
    fault: (message: string) => never,
  ): GraphRoot {
    const structName = kind === "list_head" ? "bpf_list_head" : "bpf_rb_root";
    if (!this.memory.allows(addr, 16, ACCESS_RW)) {
      fault(
        `${hex(addr)} is not a struct ${structName}: ${this.memory.explain(addr, 16, ACCESS_RW)}`,
      );
    }
    const allocation = this.allocationAt(addr);
    if (allocation === undefined) {
      fault(`${hex(addr)} is not a struct ${structName} of a map value or allocated object`);
    }
    const field = fieldAt(allocation.record, addr - allocation.base);
    if (field === undefined || field.kind !== kind || field.offset !== addr - allocation.base) {
      fault(
        `${hex(addr)} (offset ${addr - allocation.base} of ${allocation.label}) is not a struct ${structName}`,
      );
    }
    const held = this.layouts.heldBy(field);
    if (held === undefined) {
      fault(`${allocation.label}: ${field.path} has no contains: tag the runtime can resolve`);
    }
    return { addr, field, held, allocation };
  }

  /**
   * The container of a node about to be linked under `root`: a live object
   * of the held type with the node at the held offset.
   */
  containerOfNode(root: GraphRoot, node: number, fault: (message: string) => never): number {
    const container = node - root.held.nodeOffset;
    const object = this.heap.object(container);
    if (object === undefined || object.typeId !== root.held.typeId) {
      const where = this.heap.containing(node);
      const is =
        where === undefined
          ? "not inside an allocated object"
          : `at offset ${node - where.region.start} of ${where.typeName}`;
      fault(
        `node ${hex(node)} is ${is}; ${root.field.path} holds struct ${root.held.typeName} by its node at offset ${root.held.nodeOffset}`,
      );
    }
    return container;
  }

  /**
   * The lock that guards the root, which the program must hold: a list or
   * tree is only ever touched under it (the verifier proves it; the runtime
   * checks it again rather than corrupt a list).
   */
  checkLockHeld(root: GraphRoot, fault: (message: string) => never): void {
    const record = root.allocation.record;
    const off = record?.spinLockOffset ?? -1;
    if (off < 0) return;
    if (this.memory.view.getUint32(root.allocation.base + off, true) === 0) {
      fault(
        `the bpf_spin_lock at offset ${off} of ${root.allocation.label} must be held for ${root.field.path}`,
      );
    }
  }

  /** Whether `held` nodes carry an owner pointer (Linux 6.4+) rather than the 2022 layout. */
  static hasOwner(held: HeldType): boolean {
    return held.nodeSize > LIST_NODE_2022_SIZE;
  }
}

/** A fault outside a run (the host freeing a map value): no instruction to name. */
export function hostFault(message: string): never {
  throw new RuntimeFault(message);
}
