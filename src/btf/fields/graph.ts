// Graph roots (bpf_list_head, bpf_rb_root) and their `contains:` tags, as
// btf_find_graph_root and btf_parse_graph_root in kernel/bpf/btf.c read them.

import type { Btf } from "../btf.js";
import type { BtfType } from "../types.js";
import { FieldError } from "./errors.js";
import type { GraphRootContains } from "./record.js";

const CONTAINS = "contains:";

/** A root's tag, read but not yet checked against the held struct. */
export interface ContainsTag {
  readonly structId: number;
  readonly structName: string;
  readonly nodeName: string;
}

/** Human name of a parsed type, for messages: `struct holder`, `DATASEC .data.A`. */
export function describeOwner(owner: BtfType): string {
  const name = owner.name === "" ? "(anon)" : owner.name;
  return owner.kind === "datasec" ? `DATASEC ${name}` : `${owner.kind} ${name}`;
}

/** Where a field sits, for messages: `struct holder, member "inner.head"`. */
export function describeField(top: BtfType, path: string): string {
  return `${describeOwner(top)}, ${top.kind === "datasec" ? "variable" : "member"} "${path}"`;
}

/**
 * Reads the single `contains:<struct>:<node>` decl tag on `owner` (a struct,
 * with `componentIdx` its member index, or a VAR with -1) for a root of kind
 * `rootStruct`; `where.at` describes the field for messages. The kernel refuses a missing or repeated tag and a tag with
 * no node name with -EINVAL, and a struct name the BTF has no struct for
 * with -ENOENT.
 */
export function readContainsTag(
  btf: Btf,
  owner: BtfType,
  componentIdx: number,
  rootStruct: string,
  where: { typeId: number; member: string; at: string },
): ContainsTag {
  const tags = btf.declTagTypes(owner.id, componentIdx).filter((t) => t.name.startsWith(CONTAINS));
  const { at } = where;
  if (tags.length === 0) {
    throw new FieldError(
      "EINVAL",
      `${at}: struct ${rootStruct} needs a "contains:<struct>:<node>" decl tag saying what it holds, e.g. __contains(foo, node)`,
      where,
    );
  }
  if (tags.length > 1) {
    throw new FieldError(
      "EINVAL",
      `${at}: struct ${rootStruct} has ${tags.length} "contains:" decl tags (${tags.map((t) => `"${t.name}"`).join(", ")}); keep exactly one`,
      where,
    );
  }
  const value = tags[0]!.name.slice(CONTAINS.length);
  const colon = value.indexOf(":");
  if (colon < 0) {
    throw new FieldError(
      "EINVAL",
      `${at}: decl tag "${tags[0]!.name}" names no node field; write "contains:<struct>:<node>"`,
      where,
    );
  }
  const structName = value.slice(0, colon);
  const nodeName = value.slice(colon + 1);
  const held = btf.findByName(structName, "struct");
  if (held === undefined) {
    throw new FieldError(
      "ENOENT",
      `${at}: decl tag "${tags[0]!.name}" names struct ${structName}, which the program's BTF does not define (clang emits only the types the code uses)`,
      where,
    );
  }
  if (nodeName === "") {
    throw new FieldError(
      "EINVAL",
      `${at}: decl tag "${tags[0]!.name}" has an empty node field name`,
      where,
    );
  }
  return { structId: held.id, structName, nodeName };
}

/**
 * Finds the node member a root's tag names inside the held struct and checks
 * it is exactly `struct <nodeStruct>` (no typedef), named once, at an offset
 * aligned to `nodeAlign`: -EINVAL otherwise, -ENOENT when it is missing.
 */
export function resolveContains(
  btf: Btf,
  tag: ContainsTag,
  nodeStruct: string,
  nodeAlign: number,
  where: { typeId: number; member: string; at: string; rootStruct: string },
): GraphRootContains {
  const held = btf.type(tag.structId);
  if (held.kind !== "struct") {
    throw new FieldError(
      "EFAULT",
      `type id ${tag.structId} named by a contains: tag is no struct`,
      where,
    );
  }
  const prefix = `${where.at}: ${where.rootStruct} holds struct ${tag.structName}`;
  let nodeOffset: number | undefined;
  for (const m of held.members) {
    if (m.name !== tag.nodeName) continue;
    if (nodeOffset !== undefined) {
      throw new FieldError(
        "EINVAL",
        `${prefix}, which has two members named "${tag.nodeName}"`,
        where,
      );
    }
    const n = btf.type(m.type);
    if (n.kind !== "struct" || n.name !== nodeStruct) {
      throw new FieldError(
        "EINVAL",
        `${prefix}, but its member "${tag.nodeName}" is ${btf.typeName(m.type)}, not struct ${nodeStruct}`,
        where,
      );
    }
    if (m.bitOffset % 8 !== 0 || (m.bitOffset / 8) % nodeAlign !== 0) {
      throw new FieldError(
        "EINVAL",
        `${prefix}, but its ${nodeStruct} "${tag.nodeName}" sits at bit offset ${m.bitOffset}, not a multiple of ${nodeAlign} bytes`,
        where,
      );
    }
    nodeOffset = m.bitOffset / 8;
  }
  if (nodeOffset === undefined) {
    throw new FieldError("ENOENT", `${prefix}, which has no member named "${tag.nodeName}"`, where);
  }
  return { structId: tag.structId, structName: tag.structName, nodeName: tag.nodeName, nodeOffset };
}
