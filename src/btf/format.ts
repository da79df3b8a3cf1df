// C declarations of BTF types, for people reading an object's types:
// structs with each member's offset and size, enums with their values,
// functions as prototypes, variables with their linkage, and decl tags as
// the attributes that produced them.

import type { Btf } from "./btf.js";
import { BtfError } from "./errors.js";
import { declaration, declTagAttribute } from "./names.js";
import type { BtfComposite, BtfDeclTag, BtfType, Linkage } from "./types.js";

function withTags(text: string, tags: readonly BtfDeclTag[]): string {
  return [text, ...tags.map((t) => declTagAttribute(t.name, t.attribute))].join(" ");
}

function storageClass(linkage: Linkage): string {
  return linkage === "global" ? "" : `${linkage} `;
}

function sizeText(btf: Btf, id: number): string {
  try {
    return `${btf.sizeof(id)}`;
  } catch (e) {
    if (e instanceof BtfError) return "?";
    throw e;
  }
}

function formatComposite(btf: Btf, t: BtfComposite<"struct" | "union">): string {
  const lookup = (id: number): BtfType | undefined => btf.types[id];
  const lines = t.members.map((m, i) => {
    const decl = declaration(lookup, m.type, m.name);
    const bitfield = m.bitfieldSize === 0 ? "" : ` : ${m.bitfieldSize}`;
    const where =
      m.bitfieldSize !== 0
        ? `bit offset ${m.bitOffset}, bits ${m.bitfieldSize}`
        : m.bitOffset % 8 !== 0
          ? `bit offset ${m.bitOffset}, size ${sizeText(btf, m.type)}`
          : `offset ${m.bitOffset / 8}, size ${sizeText(btf, m.type)}`;
    return `\t${withTags(decl + bitfield, btf.declTagTypes(t.id, i))}; /* ${where} */`;
  });
  // the total goes inside the braces, pahole-style, so the text stays a declaration
  lines.push(`\t/* size: ${t.size} */`);
  const head = `${t.kind} ${t.name === "" ? "" : `${t.name} `}{`;
  const tags = btf
    .declTagTypes(t.id)
    .map((tag) => ` ${declTagAttribute(tag.name, tag.attribute)}`)
    .join("");
  return `${head}\n${lines.join("\n")}\n}${tags};`;
}

/** The C declaration of type `id`; see Btf.format. */
export function formatType(btf: Btf, id: number): string {
  const t = btf.type(id);
  const lookup = (i: number): BtfType | undefined => btf.types[i];
  switch (t.kind) {
    case "struct":
    case "union":
      return formatComposite(btf, t);
    case "enum":
    case "enum64": {
      const values = t.values.map((v) => `\t${v.name} = ${v.value},`);
      const name = t.name === "" ? "enum {" : `enum ${t.name} {`;
      return `${name}\n${values.join("\n")}${values.length > 0 ? "\n" : ""}};`;
    }
    case "fwd":
      return `${t.union ? "union" : "struct"} ${t.name};`;
    case "typedef":
      return `${withTags(`typedef ${declaration(lookup, t.type, t.name)}`, btf.declTagTypes(t.id))};`;
    case "func": {
      const proto = btf.types[t.type];
      if (proto?.kind !== "func_proto") return `${storageClass(t.linkage)}${t.name}();`;
      const params = proto.params.map((p, i) =>
        p.type === 0 && p.name === ""
          ? "..."
          : withTags(declaration(lookup, p.type, p.name), btf.declTagTypes(t.id, i)),
      );
      const signature = `${t.name}(${params.length === 0 ? "void" : params.join(", ")})`;
      return `${withTags(`${storageClass(t.linkage)}${declaration(lookup, proto.returnType, signature)}`, btf.declTagTypes(t.id))};`;
    }
    case "var":
      return `${withTags(`${storageClass(t.linkage)}${declaration(lookup, t.type, t.name)}`, btf.declTagTypes(t.id))};`;
    case "datasec": {
      const lines = t.vars.map((v) => {
        const target = btf.types[v.type];
        const decl =
          target?.kind === "var"
            ? declaration(lookup, target.type, target.name)
            : target?.kind === "func"
              ? `${target.linkage === "extern" ? "extern " : ""}${declaration(lookup, v.type, "")}`
              : `<bad var ${v.type}>`;
        return `\t${decl}; /* offset ${v.offset}, size ${v.size} */`;
      });
      lines.push(`\t/* size: ${t.size} */`);
      return `SEC(${JSON.stringify(t.name)}) {\n${lines.join("\n")}\n};`;
    }
    case "decl_tag":
      return `${declTagAttribute(t.name, t.attribute)} /* on ${btf.typeName(t.type)}${t.componentIdx >= 0 ? `, component ${t.componentIdx}` : ""} */`;
    default:
      return `${btf.typeName(id)};`;
  }
}
