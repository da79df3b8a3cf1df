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
        if (types[t.type]!.kind !== "func_proto")
          fail(t, `Invalid type_id: ${t.type} is not a FUNC_PROTO`);
        break;
      }
      case "var": {
        const target = types[t.type]!;
        if (
          target.kind === "void" ||
          target.kind === "func" ||
          target.kind === "func_proto" ||
          target.kind === "var" ||
          target.kind === "datasec" ||
          target.kind === "decl_tag"
        ) {
          fail(t, `Invalid type_id: a VAR cannot have type ${kindLabel(target.kind)} [${t.type}]`);
        }
        break;
      }
      case "datasec":
        t.vars.forEach((v, i) => {
          // clang lists extern kfuncs as FUNCs in .ksyms; libbpf rewrites them before load
          const kind = types[v.type]!.kind;
          if (kind !== "var" && kind !== "func") {
            fail(t, `Not a VAR kind member: var ${i} is [${v.type}]`);
          }
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
        else
          fail(t, `Invalid type: a DECL_TAG cannot target ${kindLabel(target.kind)} [${t.type}]`);
        if (t.componentIdx >= components!) {
          fail(
            t,
            `Invalid component_idx:${t.componentIdx} (target [${t.type}] has ${components!})`,
          );
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
          if (p.type === 0 && (i !== last || p.name !== ""))
            fail(t, `Invalid arg#${i + 1}: type void`);
        });
        break;
      }
      default:
        break;
    }
  }
  checkLoops(types, fail);
}

/**
 * Where a layout dependency leads, as the kernel's btf_resolve walks it. A
 * pointer breaks the chain (`struct A { struct A *next; }` is fine) except
 * through further pointers and modifiers, which the kernel keeps resolving
 * to catch pointer loops: behind a pointer, a modifier stops at anything
 * else. A FUNC_PROTO is never resolved through, so it ends every chain.
 * Returns the target's mode, or undefined when the edge is no dependency.
 */
function follow(from: BtfType, behindPointer: boolean, to: BtfType): boolean | undefined {
  const chains = to.kind === "ptr" || isModifier(to);
  if (from.kind === "ptr") return chains ? true : undefined;
  if (isModifier(from) && behindPointer) return chains ? true : undefined;
  if (from.kind === "func_proto") return undefined;
  return false;
}

/** Iterative depth-first search for a cycle of layout dependencies, per (type, behind-pointer) state. */
function checkLoops(types: readonly BtfType[], fail: (t: BtfType, text: string) => never): void {
  const NEW = 0;
  const ACTIVE = 1;
  const DONE = 2;
  const state = new Uint8Array(types.length * 2);
  const key = (id: number, behindPointer: boolean): number => id * 2 + (behindPointer ? 1 : 0);
  for (const root of types) {
    if (state[key(root.id, false)] !== NEW) continue;
    const stack: { t: BtfType; behindPointer: boolean; refs: Ref[]; next: number }[] = [];
    state[key(root.id, false)] = ACTIVE;
    stack.push({ t: root, behindPointer: false, refs: references(root), next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.refs.length) {
        state[key(top.t.id, top.behindPointer)] = DONE;
        stack.pop();
        continue;
      }
      const ref = top.refs[top.next++]!;
      const to = types[ref.id]!;
      const mode = follow(top.t, top.behindPointer, to);
      if (mode === undefined) continue;
      const k = key(to.id, mode);
      if (state[k] === ACTIVE) {
        const from = stack.findIndex((f) => f.t.id === to.id && f.behindPointer === mode);
        const cycle = stack
          .slice(from)
          .map((f) => `[${f.t.id}]`)
          .join(" -> ");
        fail(to, `Loop detected: ${cycle} -> [${to.id}]`);
      }
      if (state[k] === NEW) {
        state[k] = ACTIVE;
        stack.push({ t: to, behindPointer: mode, refs: references(to), next: 0 });
      }
    }
  }
}
