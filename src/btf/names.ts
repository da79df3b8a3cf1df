// C spellings of BTF types: "struct foo *", "const char *",
// "unsigned int [2][3]", "int (*)(void *, long)". Built as C itself is
// read: a declarator grows around the name, from the outside type inwards.

import type { BtfType } from "./types.js";

/** Bounds the walk for hand-built type arrays; parsed BTF has no loops. */
const MAX_DEPTH = 256;

const QUALIFIERS: Partial<Record<BtfType["kind"], string>> = {
  const: "const",
  volatile: "volatile",
  restrict: "restrict",
};

/** How a tag is written in C; `attribute` tags (kind_flag) are the attribute's own text. */
export function typeTagAttribute(tag: string, attribute = false): string {
  return attribute
    ? `__attribute__((${tag}))`
    : `__attribute__((btf_type_tag(${JSON.stringify(tag)})))`;
}

export function declTagAttribute(tag: string, attribute = false): string {
  return attribute
    ? `__attribute__((${tag}))`
    : `__attribute__((btf_decl_tag(${JSON.stringify(tag)})))`;
}

function join(base: string, declarator: string): string {
  return declarator === "" ? base : `${base} ${declarator}`;
}

/** The name a struct, union, enum or fwd is referred to by. */
function taggedName(t: BtfType): string {
  switch (t.kind) {
    case "struct":
    case "union":
      return `${t.kind} ${t.name === "" ? "{...}" : t.name}`;
    case "enum":
    case "enum64":
      return `enum ${t.name === "" ? "{...}" : t.name}`;
    case "fwd":
      return `${t.union ? "union" : "struct"} ${t.name}`;
    default:
      return t.name;
  }
}

/**
 * The C declaration of `declarator` (a name, or "" for an abstract type)
 * with type `id`. `lookup` returns undefined for ids that do not exist.
 */
export function declaration(
  lookup: (id: number) => BtfType | undefined,
  id: number,
  declarator: string,
  depth = 0,
): string {
  const t = lookup(id);
  if (t === undefined) return join(`<bad type ${id}>`, declarator);
  if (depth > MAX_DEPTH) return join("...", declarator);
  const next = (inner: number, d: string): string => declaration(lookup, inner, d, depth + 1);
  switch (t.kind) {
    case "void":
      return join("void", declarator);
    case "int":
    case "float":
    case "typedef":
      return join(t.name, declarator);
    case "struct":
    case "union":
    case "enum":
    case "enum64":
    case "fwd":
      return join(taggedName(t), declarator);
    case "ptr":
      return next(t.type, `*${declarator}`);
    case "const":
    case "volatile":
    case "restrict": {
      const qualifier = QUALIFIERS[t.kind]!;
      const target = lookup(t.type);
      // a qualified pointer or array puts the qualifier in the declarator
      // ("char * const p"); a qualified base type puts it in front ("const char")
      if (target?.kind === "ptr") return next(t.type, join(qualifier, declarator));
      return `${qualifier} ${next(t.type, declarator)}`;
    }
    case "type_tag":
      return next(t.type, join(typeTagAttribute(t.name, t.attribute), declarator));
    case "array": {
      const inner = declarator.startsWith("*") ? `(${declarator})` : declarator;
      return next(t.elemType, `${inner}[${t.nelems}]`);
    }
    case "func_proto": {
      const params = t.params.map((p) =>
        p.type === 0 && p.name === "" ? "..." : next(p.type, p.name),
      );
      const inner = declarator.startsWith("*") ? `(${declarator})` : declarator;
      return next(t.returnType, `${inner}(${params.length === 0 ? "void" : params.join(", ")})`);
    }
    case "func":
      return next(t.type, t.name);
    case "var":
      return next(t.type, declarator === "" ? t.name : declarator);
    case "datasec":
      return join(`SEC(${JSON.stringify(t.name)})`, declarator);
    case "decl_tag":
      return join(declTagAttribute(t.name, t.attribute), declarator);
  }
}
