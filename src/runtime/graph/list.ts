// The intrusive doubly linked list of the BPF list kfuncs, in the runtime's
// memory with the kernel's layout (kernel/bpf/helpers.c, Linux 6.18):
//
//   struct bpf_list_head      = struct list_head { next, prev }      16 bytes
//   struct bpf_list_node_kern = { struct list_head; void *owner; }    24 bytes
//
// The 2022 node is the bare `struct list_head` (16 bytes, no owner): whether
// it is linked is read from its pointers instead. A head or node of all zero
// bytes (fresh map value, fresh object) is initialised on first use.

import { hex } from "../memory.js";
import { type GraphRoot, ObjectGraph } from "./graph.js";
import type { HeldType } from "./layout.js";
import { readPtr, writePtr } from "./words.js";

const NEXT = 0;
const PREV = 8;
const OWNER = 16;
/** -EINVAL: the node already has an owner */
const EINVAL = -22;

type Fault = (message: string) => never;

/** INIT_LIST_HEAD of a head whose bytes are still zero. */
function initIfZero(graph: ObjectGraph, head: number): void {
  if (readPtr(graph.memory, head + NEXT) === 0) {
    writePtr(graph.memory, head + NEXT, head);
    writePtr(graph.memory, head + PREV, head);
  }
}

/** A link read from a list: the head itself or a node inside a live object of the held type. */
function checkedLink(
  graph: ObjectGraph,
  head: number,
  held: HeldType,
  link: number,
  fault: Fault,
): number {
  if (link === head) return link;
  const object = link > 0 ? graph.heap.object(link - held.nodeOffset) : undefined;
  if (object === undefined || object.typeId !== held.typeId) {
    fault(
      `the list at ${hex(head)} is corrupted: it links to ${hex(link)}, which is not the node of a live ${held.typeName}`,
    );
  }
  return link;
}

/** Whether a node is on some list: its owner (Linux 6.4+) or, for a 2022 node, its links. */
function nodeIsLinked(graph: ObjectGraph, held: HeldType, node: number): boolean {
  if (ObjectGraph.hasOwner(held)) return readPtr(graph.memory, node + OWNER) !== 0;
  const next = readPtr(graph.memory, node + NEXT);
  return next !== 0 && next !== node;
}

/**
 * bpf_list_push_front/back: links `node` next to the head. A node that
 * already has an owner is refused with -EINVAL, and the reference the
 * program passed in is dropped (it became non-owning either way).
 */
export function listPush(
  graph: ObjectGraph,
  root: GraphRoot,
  node: number,
  tail: boolean,
  fault: Fault,
): number {
  const { memory } = graph;
  const head = root.addr;
  const container = graph.containerOfNode(root, node, fault);
  initIfZero(graph, head);
  if (nodeIsLinked(graph, root.held, node)) {
    graph.drop(container, fault);
    return EINVAL;
  }
  if (tail) {
    const last = checkedLink(graph, head, root.held, readPtr(memory, head + PREV), fault);
    writePtr(memory, node + NEXT, head);
    writePtr(memory, node + PREV, last);
    writePtr(memory, last + NEXT, node);
    writePtr(memory, head + PREV, node);
  } else {
    const first = checkedLink(graph, head, root.held, readPtr(memory, head + NEXT), fault);
    writePtr(memory, node + NEXT, first);
    writePtr(memory, node + PREV, head);
    writePtr(memory, first + PREV, node);
    writePtr(memory, head + NEXT, node);
  }
  if (ObjectGraph.hasOwner(root.held)) writePtr(memory, node + OWNER, head);
  return 0;
}

/**
 * bpf_list_pop_front/back: unlinks the first (last) node and returns its
 * address (the node, not its container: the program applies container_of),
 * or 0 when the list is empty or was never used. The node is left linked to
 * itself with no owner, as list_del_init leaves it.
 */
export function listPop(graph: ObjectGraph, root: GraphRoot, tail: boolean, fault: Fault): number {
  const { memory } = graph;
  const head = root.addr;
  initIfZero(graph, head);
  const node = checkedLink(
    graph,
    head,
    root.held,
    readPtr(memory, head + (tail ? PREV : NEXT)),
    fault,
  );
  if (node === head) return 0;
  // The kernel WARNs and returns NULL when a node's owner is another head.
  if (ObjectGraph.hasOwner(root.held) && readPtr(memory, node + OWNER) !== head) return 0;
  unlink(graph, root, node, fault);
  return node;
}

/** bpf_list_front/back: the first (last) node without unlinking it; 0 when empty. */
export function listPeek(graph: ObjectGraph, root: GraphRoot, tail: boolean, fault: Fault): number {
  const head = root.addr;
  const first = readPtr(graph.memory, head + NEXT);
  if (first === 0 || first === head) return 0;
  const node = readPtr(graph.memory, head + (tail ? PREV : NEXT));
  return checkedLink(graph, head, root.held, node, fault);
}

/** list_del_init plus clearing the owner. */
function unlink(graph: ObjectGraph, root: GraphRoot, node: number, fault: Fault): void {
  const { memory } = graph;
  const head = root.addr;
  const next = checkedLink(graph, head, root.held, readPtr(memory, node + NEXT), fault);
  const prev = checkedLink(graph, head, root.held, readPtr(memory, node + PREV), fault);
  writePtr(memory, prev + NEXT, next);
  writePtr(memory, next + PREV, prev);
  writePtr(memory, node + NEXT, node);
  writePtr(memory, node + PREV, node);
  if (ObjectGraph.hasOwner(root.held)) writePtr(memory, node + OWNER, 0);
}

/**
 * bpf_list_head_free: empties the list at `head` (left initialised and
 * empty), then drops every element it held, which frees what they hold in
 * turn. The elements' nodes are not touched: an element that survives
 * (another refcounted reference) keeps its stale owner, as in the kernel.
 */
export function drainList(graph: ObjectGraph, head: number, held: HeldType, fault: Fault): void {
  const { memory } = graph;
  let next = readPtr(memory, head + NEXT);
  writePtr(memory, head + NEXT, head);
  writePtr(memory, head + PREV, head);
  if (next === 0) return;
  // A list never holds more elements than there are live objects.
  let budget = graph.heap.size + 1;
  while (next !== head) {
    const node = checkedLink(graph, head, held, next, fault);
    if (budget-- <= 0) fault(`the list at ${hex(head)} is corrupted: it does not end`);
    next = readPtr(memory, node + NEXT);
    graph.drop(node - held.nodeOffset, fault);
  }
}
