// Sizes and alignments of BTF types, as the kernel's btf_type_id_size and
// libbpf's btf__align_of compute them for a 64-bit BPF target.

import { BtfError } from "./errors.js";
import { type BtfType, isModifier, kindLabel } from "./types.js";

const POINTER_SIZE = 8;
/** Parse-time checks rule out loops; this bounds a walk over hand-built type arrays. */
const MAX_CHAIN = 4096;

function lookup(types: readonly BtfType[], id: number): BtfType {
  const t = types[id];
  if (t === undefined)
    throw new BtfError(`type id ${id} out of range (${types.length} types)`, { typeId: id });
  return t;
}

/** Follows typedef/const/volatile/restrict/type_tag to the underlying type. */
export function skipModifiers(types: readonly BtfType[], id: number): BtfType {
  let t = lookup(types, id);
  for (let steps = 0; isModifier(t); steps++) {
    if (steps > MAX_CHAIN)
      throw new BtfError(`Loop detected resolving type id ${id}`, { typeId: id });
    t = lookup(types, t.type);
  }
  return t;
}

export function sizeOf(types: readonly BtfType[], id: number): number {
  let count = 1;
  let t = lookup(types, id);
  for (let steps = 0; ; steps++) {
    if (steps > MAX_CHAIN) throw new BtfError(`Loop detected sizing type id ${id}`, { typeId: id });
    switch (t.kind) {
      case "int":
      case "struct":
      case "union":
      case "enum":
      case "enum64":
      case "float":
      case "datasec":
        return count * t.size;
      case "ptr":
        return count * POINTER_SIZE;
      case "array":
        count *= t.nelems;
        t = lookup(types, t.elemType);
        break;
      case "typedef":
      case "volatile":
      case "const":
      case "restrict":
      case "type_tag":
      case "var":
        t = lookup(types, t.type);
        break;
      default:
        throw new BtfError(
          `type id ${id} has no size: it is ${kindLabel(t.kind)}${t.id === id ? "" : ` [${t.id}]`}`,
          { typeId: id },
        );
    }
  }
}

export function alignOf(types: readonly BtfType[], id: number): number {
  const t = skipModifiers(types, id);
  switch (t.kind) {
    case "int":
    case "enum":
    case "enum64":
    case "float":
      return Math.min(POINTER_SIZE, t.size);
    case "ptr":
      return POINTER_SIZE;
    case "array":
      return alignOf(types, t.elemType);
    case "var":
      return alignOf(types, t.type);
    case "struct":
    case "union": {
      let max = 1;
      for (const m of t.members) {
        const align = alignOf(types, m.type);
        // a member placed off its natural alignment means the struct is packed
        if (m.bitfieldSize === 0 && m.bitOffset % (8 * align) !== 0) return 1;
        max = Math.max(max, align);
      }
      return t.size % max === 0 ? max : 1;
    }
    default:
      throw new BtfError(`type id ${id} has no alignment: it is ${kindLabel(t.kind)}`, {
        typeId: id,
      });
  }
}
