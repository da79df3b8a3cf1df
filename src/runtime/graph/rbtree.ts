// The red-black tree of the BPF rbtree kfuncs, in the runtime's memory with
// the kernel's layout (include/linux/rbtree_types.h, kernel/bpf/helpers.c):
//
//   struct bpf_rb_root     = struct rb_root_cached { rb_node, rb_leftmost }   16 bytes
//   struct bpf_rb_node_kern = { struct rb_node { __rb_parent_color,
//                               rb_right, rb_left }; void *owner; }          32 bytes
//
// The colour is the low bit of __rb_parent_color (0 red, 1 black). Insertion
// and erasure rebalance with the classic algorithm (the one lib/rbtree.c
// implements), so the tree's shape, which bpf_rbtree_root/left/right expose,
// is the kernel's for the same sequence of operations.

import { hex } from "../memory.js";
import type { GraphRoot, ObjectGraph } from "./graph.js";
import type { HeldType } from "./layout.js";
import { readPtr, writePtr } from "./words.js";

const PARENT_COLOR = 0;
const RIGHT = 8;
const LEFT = 16;
const OWNER = 24;
const ROOT_NODE = 0;
const ROOT_LEFTMOST = 8;
const RED = 0;
const BLACK = 1;
const EINVAL = -22;

type Fault = (message: string) => never;
/** Runs the program's `less(a, b)` callback; true when a sorts before b. */
export type LessFn = (a: number, b: number) => boolean;

/** Tree accessors over the memory of one root. */
class Tree {
  constructor(
    private readonly graph: ObjectGraph,
    readonly root: number,
  ) {}

  private get memory() {
    return this.graph.memory;
  }
  top(): number {
    return readPtr(this.memory, this.root + ROOT_NODE);
  }
  setTop(n: number): void {
    writePtr(this.memory, this.root + ROOT_NODE, n);
  }
  leftmost(): number {
    return readPtr(this.memory, this.root + ROOT_LEFTMOST);
  }
  setLeftmost(n: number): void {
    writePtr(this.memory, this.root + ROOT_LEFTMOST, n);
  }
  left(n: number): number {
    return readPtr(this.memory, n + LEFT);
  }
  right(n: number): number {
    return readPtr(this.memory, n + RIGHT);
  }
  setLeft(n: number, c: number): void {
    writePtr(this.memory, n + LEFT, c);
  }
  setRight(n: number, c: number): void {
    writePtr(this.memory, n + RIGHT, c);
  }
  parent(n: number): number {
    return readPtr(this.memory, n + PARENT_COLOR) & ~1;
  }
  color(n: number): number {
    return n === 0 ? BLACK : readPtr(this.memory, n + PARENT_COLOR) & 1;
  }
  setParent(n: number, p: number): void {
    writePtr(this.memory, n + PARENT_COLOR, p | this.color(n));
  }
  setColor(n: number, c: number): void {
    writePtr(this.memory, n + PARENT_COLOR, this.parent(n) | c);
  }
  setParentColor(n: number, p: number, c: number): void {
    writePtr(this.memory, n + PARENT_COLOR, p | c);
  }

  /** Puts `child` where `old` was under `parent` (or at the top). */
  replaceChild(old: number, child: number, parent: number): void {
    if (parent === 0) this.setTop(child);
    else if (this.left(parent) === old) this.setLeft(parent, child);
    else this.setRight(parent, child);
  }

  rotateLeft(x: number): void {
    const y = this.right(x);
    const b = this.left(y);
    this.setRight(x, b);
    if (b !== 0) this.setParent(b, x);
    const p = this.parent(x);
    this.setParent(y, p);
    this.replaceChild(x, y, p);
    this.setLeft(y, x);
    this.setParent(x, y);
  }

  rotateRight(x: number): void {
    const y = this.left(x);
    const b = this.right(y);
    this.setLeft(x, b);
    if (b !== 0) this.setParent(b, x);
    const p = this.parent(x);
    this.setParent(y, p);
    this.replaceChild(x, y, p);
    this.setRight(y, x);
    this.setParent(x, y);
  }

  /** Restores the red-black properties after linking the red node `n`. */
  insertFixup(n: number): void {
    let node = n;
    for (;;) {
      const parent = this.parent(node);
      if (parent === 0) {
        this.setColor(node, BLACK);
        return;
      }
      if (this.color(parent) === BLACK) return;
      const grand = this.parent(parent);
      const parentIsLeft = this.left(grand) === parent;
      const uncle = parentIsLeft ? this.right(grand) : this.left(grand);
      if (uncle !== 0 && this.color(uncle) === RED) {
        this.setColor(parent, BLACK);
        this.setColor(uncle, BLACK);
        this.setColor(grand, RED);
        node = grand;
        continue;
      }
      let top = parent;
      if (parentIsLeft) {
        if (this.right(parent) === node) {
          this.rotateLeft(parent);
          top = node;
        }
        this.setColor(top, BLACK);
        this.setColor(grand, RED);
        this.rotateRight(grand);
      } else {
        if (this.left(parent) === node) {
          this.rotateRight(parent);
          top = node;
        }
        this.setColor(top, BLACK);
        this.setColor(grand, RED);
        this.rotateLeft(grand);
      }
      return;
    }
  }

  /** In-order successor (rb_next). */
  next(n: number): number {
    let r = this.right(n);
    if (r !== 0) {
      while (this.left(r) !== 0) r = this.left(r);
      return r;
    }
    let node = n;
    let p = this.parent(node);
    while (p !== 0 && this.right(p) === node) {
      node = p;
      p = this.parent(node);
    }
    return p;
  }

  /** Unlinks `z` and rebalances (rb_erase). */
  erase(z: number): void {
    let removedColor = this.color(z);
    let x: number;
    let xParent: number;
    if (this.left(z) === 0 || this.right(z) === 0) {
      x = this.left(z) === 0 ? this.right(z) : this.left(z);
      xParent = this.parent(z);
      this.replaceChild(z, x, xParent);
      if (x !== 0) this.setParent(x, xParent);
    } else {
      let y = this.right(z);
      while (this.left(y) !== 0) y = this.left(y);
      removedColor = this.color(y);
      x = this.right(y);
      if (this.parent(y) === z) {
        xParent = y;
      } else {
        xParent = this.parent(y);
        this.setLeft(xParent, x);
        if (x !== 0) this.setParent(x, xParent);
        this.setRight(y, this.right(z));
        this.setParent(this.right(z), y);
      }
      const zParent = this.parent(z);
      this.replaceChild(z, y, zParent);
      this.setParentColor(y, zParent, this.color(z));
      this.setLeft(y, this.left(z));
      this.setParent(this.left(z), y);
    }
    if (removedColor === BLACK) this.eraseFixup(x, xParent);
  }

  private eraseFixup(start: number, startParent: number): void {
    let x = start;
    let parent = startParent;
    while (x !== this.top() && this.color(x) === BLACK && parent !== 0) {
      if (x === this.left(parent)) {
        let w = this.right(parent);
        if (this.color(w) === RED) {
          this.setColor(w, BLACK);
          this.setColor(parent, RED);
          this.rotateLeft(parent);
          w = this.right(parent);
        }
        if (this.color(this.left(w)) === BLACK && this.color(this.right(w)) === BLACK) {
          this.setColor(w, RED);
          x = parent;
          parent = this.parent(x);
          continue;
        }
        if (this.color(this.right(w)) === BLACK) {
          this.setColor(this.left(w), BLACK);
          this.setColor(w, RED);
          this.rotateRight(w);
          w = this.right(parent);
        }
        this.setColor(w, this.color(parent));
        this.setColor(parent, BLACK);
        this.setColor(this.right(w), BLACK);
        this.rotateLeft(parent);
      } else {
        let w = this.left(parent);
        if (this.color(w) === RED) {
          this.setColor(w, BLACK);
          this.setColor(parent, RED);
          this.rotateRight(parent);
          w = this.left(parent);
        }
        if (this.color(this.left(w)) === BLACK && this.color(this.right(w)) === BLACK) {
          this.setColor(w, RED);
          x = parent;
          parent = this.parent(x);
          continue;
        }
        if (this.color(this.left(w)) === BLACK) {
          this.setColor(this.right(w), BLACK);
          this.setColor(w, RED);
          this.rotateLeft(w);
          w = this.left(parent);
        }
        this.setColor(w, this.color(parent));
        this.setColor(parent, BLACK);
        this.setColor(this.left(w), BLACK);
        this.rotateRight(parent);
      }
      x = this.top();
      break;
    }
    if (x !== 0) this.setColor(x, BLACK);
  }
}

function owner(graph: ObjectGraph, node: number): number {
  return readPtr(graph.memory, node + OWNER);
}

/** A node read from the tree: inside a live object of the held type. */
function checkedNode(graph: ObjectGraph, root: number, held: HeldType, n: number, fault: Fault) {
  const object = n > 0 ? graph.heap.object(n - held.nodeOffset) : undefined;
  if (object === undefined || object.typeId !== held.typeId) {
    fault(
      `the tree at ${hex(root)} is corrupted: it links to ${hex(n)}, which is not the node of a live ${held.typeName}`,
    );
  }
  return n;
}

/**
 * bpf_rbtree_add: inserts `node` after every node it is not `less` than.
 * A node that already has an owner is refused with -EINVAL and dropped.
 */
export function rbtreeAdd(
  graph: ObjectGraph,
  root: GraphRoot,
  node: number,
  less: LessFn,
  fault: Fault,
): number {
  const container = graph.containerOfNode(root, node, fault);
  if (owner(graph, node) !== 0) {
    graph.drop(container, fault);
    return EINVAL;
  }
  const tree = new Tree(graph, root.addr);
  let parent = 0;
  let goLeft = false;
  let leftmost = true;
  // A tree never holds more nodes than there are live objects.
  let budget = graph.heap.size + 1;
  for (let at = tree.top(); at !== 0; at = goLeft ? tree.left(parent) : tree.right(parent)) {
    if (budget-- <= 0) fault(`the tree at ${hex(root.addr)} is corrupted: it does not end`);
    parent = checkedNode(graph, root.addr, root.held, at, fault);
    goLeft = less(node, parent);
    if (!goLeft) leftmost = false;
  }
  tree.setParentColor(node, parent, RED);
  tree.setLeft(node, 0);
  tree.setRight(node, 0);
  if (parent === 0) tree.setTop(node);
  else if (goLeft) tree.setLeft(parent, node);
  else tree.setRight(parent, node);
  tree.insertFixup(node);
  if (leftmost) tree.setLeftmost(node);
  writePtr(graph.memory, node + OWNER, root.addr);
  return 0;
}

/**
 * bpf_rbtree_remove: unlinks `node` when this tree owns it and returns it
 * (owning again); 0 otherwise. The node is left cleared (RB_CLEAR_NODE).
 */
export function rbtreeRemove(graph: ObjectGraph, root: GraphRoot, node: number): number {
  if (owner(graph, node) !== root.addr) return 0;
  const tree = new Tree(graph, root.addr);
  if (tree.leftmost() === node) tree.setLeftmost(tree.next(node));
  tree.erase(node);
  writePtr(graph.memory, node + PARENT_COLOR, node);
  writePtr(graph.memory, node + RIGHT, 0);
  writePtr(graph.memory, node + LEFT, 0);
  writePtr(graph.memory, node + OWNER, 0);
  return node;
}

/** bpf_rbtree_first: the leftmost node, 0 when empty. */
export function rbtreeFirst(graph: ObjectGraph, root: GraphRoot, fault: Fault): number {
  const n = new Tree(graph, root.addr).leftmost();
  return n === 0 ? 0 : checkedNode(graph, root.addr, root.held, n, fault);
}

/** bpf_rbtree_root: the top node, 0 when empty. */
export function rbtreeTop(graph: ObjectGraph, root: GraphRoot, fault: Fault): number {
  const n = new Tree(graph, root.addr).top();
  return n === 0 ? 0 : checkedNode(graph, root.addr, root.held, n, fault);
}

/** bpf_rbtree_left/right: a child of a node this tree owns; 0 otherwise. */
export function rbtreeChild(
  graph: ObjectGraph,
  root: GraphRoot,
  node: number,
  right: boolean,
  fault: Fault,
): number {
  if (owner(graph, node) !== root.addr) return 0;
  const tree = new Tree(graph, root.addr);
  const n = right ? tree.right(node) : tree.left(node);
  return n === 0 ? 0 : checkedNode(graph, root.addr, root.held, n, fault);
}

/**
 * bpf_rb_root_free: empties the tree (root zeroed), then drops every node
 * it held, children before parents.
 */
export function drainTree(graph: ObjectGraph, root: number, held: HeldType, fault: Fault): void {
  const tree = new Tree(graph, root);
  const top = tree.top();
  tree.setTop(0);
  tree.setLeftmost(0);
  if (top === 0) return;
  const order: number[] = [];
  const stack = [top];
  let budget = graph.heap.size + 1;
  while (stack.length > 0) {
    const n = checkedNode(graph, root, held, stack.pop()!, fault);
    if (budget-- <= 0) fault(`the tree at ${hex(root)} is corrupted: it does not end`);
    order.push(n);
    const l = tree.left(n);
    const r = tree.right(n);
    if (l !== 0) stack.push(l);
    if (r !== 0) stack.push(r);
  }
  for (let i = order.length - 1; i >= 0; i--) graph.drop(order[i]! - held.nodeOffset, fault);
}

/** Exposed for tests: the tree's shape as nested [node, left, right] with colours. */
export function treeShape(graph: ObjectGraph, root: number): string {
  const tree = new Tree(graph, root);
  const show = (n: number): string =>
    n === 0
      ? "."
      : `(${hex(n)}${tree.color(n) === RED ? "r" : "b"} ${show(tree.left(n))} ${show(tree.right(n))})`;
  return show(tree.top());
}
