// Reference checks once every type is decoded, after the kernel's
// btf_check_all_types / btf_resolve: every referenced id exists and has a
// kind that may be referenced from there, and no type contains itself.

import { BtfError } from "./errors.js";
import type { ParsedBtf } from "./parse.js";
import { type BtfType, isModifier, kindLabel } from "./types.js";

interface Ref {
  readonly id: number;
  /** which field of the referring type, for the message */
  readonly what: string;
}

function references(t: BtfType): Ref[] {
  switch (t.kind) {
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
      return [{ id: t.type, what: "type_id" }];
    case "array":
      return [
        { id: t.elemType, what: "elem type_id" },
        { id: t.indexType, what: "index type_id" },
      ];
    case "struct":
    case "union":
      return t.members.map((m, i) => ({ id: m.type, what: `member ${i} '${m.name}'` }));
    case "func":
    case "var":
    case "decl_tag":
      return [{ id: t.type, what: "type_id" }];
    case "func_proto":
      return [
        { id: t.returnType, what: "return type" },
        ...t.params.map((p, i) => ({ id: p.type, what: `arg#${i + 1}` })),
      ];
    case "datasec":
      return t.vars.map((v, i) => ({ id: v.type, what: `var ${i}` }));
    default:
      return [];
  }
}

/**
 * Whether `from` needs `to`'s layout, the dependency a loop must not close.
 * A pointer breaks the chain (`struct A { struct A *next; }` is fine) unless
 * it points at another pointer or modifier, which the kernel keeps resolving
 * to catch pointer loops; members, parameters and modifiers that are
 * pointers hand the decision to the pointer's own edge.
 */
function isLayoutEdge(from: BtfType, to: BtfType): boolean {
  if (from.kind === "ptr") return to.kind === "ptr" || isModifier(to);
  return true;
}

export function checkReferences(parsed: ParsedBtf): void {
  const { types, offsets } = parsed;
  const n = types.length;
  const fail = (t: BtfType, text: string): never => {
    throw new BtfError(
      `[${t.id}] ${kindLabel(t.kind)} '${t.name}' at offset 0x${offsets[t.id]!.toString(16)}: ${text}`,
      { typeId: t.id, offset: offsets[t.id]! },
    );
  };
  for (const t of types) {
    for (const ref of references(t)) {
      if (ref.id >= n) fail(t, `Invalid type_id: ${ref.what} is ${ref.id}, only ${n} types`);
    }
    switch (t.kind) {
      case "func": {
        if (types[t.type]!.kind !== "func_proto") fail(t, `Invalid type_id: ${t.type} is not a FUNC_PROTO`);
        break;
      }
      case "var": {
        const target = types[t.type]!;
        if (target.kind === "void" || target.kind === "func" || target.kind === "func_proto" || target.kind === "var" || target.kind === "datasec" || target.kind === "decl_tag") {
          fail(t, `Invalid type_id: a VAR cannot have type ${kindLabel(target.kind)} [${t.type}]`);
        }
        break;
      }
      case "datasec":
        t.vars.forEach((v, i) => {
          if (types[v.type]!.kind !== "var") fail(t, `Not a VAR kind member: var ${i} is [${v.type}]`);
        });
        break;
      case "decl_tag": {
        const target = types[t.type]!;
        let components: number;
        if (target.kind === "struct" || target.kind === "union") components = target.members.length;
        else if (target.kind === "func") {
          const proto = types[target.type];
          components = proto?.kind === "func_proto" ? proto.params.length : 0;
        } else if (target.kind === "var" || target.kind === "typedef") components = 0;
        else fail(t, `Invalid type: a DECL_TAG cannot target ${kindLabel(target.kind)} [${t.type}]`);
        if (t.componentIdx >= components!) {
          fail(t, `Invalid component_idx:${t.componentIdx} (target [${t.type}] has ${components!})`);
        }
        break;
      }
      case "array":
        if (t.elemType === 0) fail(t, "Invalid elem: an array of void");
        break;
      case "struct":
      case "union":
        t.members.forEach((m, i) => {
          if (m.type === 0) fail(t, `Invalid member: member ${i} '${m.name}' has type void`);
        });
        break;
      case "func_proto": {
        const last = t.params.length - 1;
        t.params.forEach((p, i) => {
          if (p.type === 0 && (i !== last || p.name !== "")) fail(t, `Invalid arg#${i + 1}: type void`);
        });
        break;
      }
      default:
        break;
    }
  }
  checkLoops(types, fail);
}

/** Iterative depth-first search for a cycle of layout dependencies. */
function checkLoops(types: readonly BtfType[], fail: (t: BtfType, text: string) => never): void {
  const NEW = 0;
  const ACTIVE = 1;
  const DONE = 2;
  const state = new Uint8Array(types.length);
  for (const root of types) {
    if (state[root.id] !== NEW) continue;
    const stack: { t: BtfType; refs: Ref[]; next: number }[] = [];
    state[root.id] = ACTIVE;
    stack.push({ t: root, refs: references(root), next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.refs.length) {
        state[top.t.id] = DONE;
        stack.pop();
        continue;
      }
      const ref = top.refs[top.next++]!;
      const to = types[ref.id]!;
      if (!isLayoutEdge(top.t, to)) continue;
      if (state[to.id] === ACTIVE) {
        const cycle = stack
          .slice(stack.findIndex((f) => f.t.id === to.id))
          .map((f) => `[${f.t.id}]`)
          .join(" -> ");
        fail(to, `Loop detected: ${cycle} -> [${to.id}]`);
      }
      if (state[to.id] === NEW) {
        state[to.id] = ACTIVE;
        stack.push({ t: to, refs: references(to), next: 0 });
      }
    }
  }
}
