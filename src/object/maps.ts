import type { Btf } from "../btf/btf.js";
import type { ElfFile, ElfSection } from "../elf/elf.js";
import { SHT_NOBITS, SHT_PROGBITS } from "../elf/elf.js";
import { LoadError } from "./errors.js";
import {
  BPF_F_MMAPABLE,
  BPF_F_RDONLY_PROG,
  BPF_MAP_TYPE_ARRAY,
  BPF_MAP_TYPE_PROG_ARRAY,
  BPF_MAP_TYPE_RINGBUF,
  isMapInMap,
} from "./map-types.js";
import type { MapSpec } from "./spec.js";

/** The kernel's `BPF_OBJ_NAME_LEN`: names are at most 15 characters and a NUL. */
const BPF_OBJ_NAME_LEN = 16;
/** libbpf rounds ring buffer sizes up to a power-of-two number of pages. */
const PAGE_SIZE = 4096;

/** A map together with where its definition sits, so relocations can find it. */
export interface PlacedMap {
  readonly spec: MapSpec;
  readonly sectionIndex: number;
  /** offset of the map's variable in `.maps`; 0 for global data maps */
  readonly sectionOffset: number;
  readonly globalData: boolean;
}

export type DataSectionKind = "data" | "rodata" | "bss";

/** Which global data flavour an ELF section is, by libbpf's naming rules. */
export function dataSectionKind(section: ElfSection): DataSectionKind | undefined {
  const { name, type } = section;
  if (type === SHT_PROGBITS && (name === ".data" || name.startsWith(".data."))) return "data";
  if (type === SHT_PROGBITS && (name === ".rodata" || name.startsWith(".rodata."))) return "rodata";
  if (type === SHT_NOBITS && (name === ".bss" || name.startsWith(".bss."))) return "bss";
  return undefined;
}

/**
 * libbpf names a global data map after the object (`foo.data` for foo.bpf.o),
 * truncated so the result fits the kernel's 15 characters, except custom
 * sections like `.data.A`, which keep their own name.
 */
export function globalDataMapName(objectName: string, section: string): string {
  let suffixLength = Math.max(7, section.length);
  if (suffixLength >= BPF_OBJ_NAME_LEN) suffixLength = BPF_OBJ_NAME_LEN - 1;
  const prefixLength =
    section.indexOf(".", 1) >= 0
      ? 0
      : Math.min(BPF_OBJ_NAME_LEN - suffixLength - 1, objectName.length);
  const name = objectName.slice(0, prefixLength) + section.slice(0, suffixLength);
  return name.replace(/[^A-Za-z0-9_.]/g, "_");
}

function datasecOf(btf: Btf | undefined, section: string) {
  const t = btf?.findByName(section, "datasec");
  return t?.kind === "datasec" ? t : undefined;
}

export function globalDataMaps(
  elf: ElfFile,
  btf: Btf | undefined,
  objectName: string,
): PlacedMap[] {
  const maps: PlacedMap[] = [];
  for (const section of elf.sections) {
    const kind = dataSectionKind(section);
    if (kind === undefined || section.size === 0) continue;
    const datasec = datasecOf(btf, section.name);
    let flags = kind === "rodata" ? BPF_F_RDONLY_PROG : 0;
    // libbpf maps a section into user space only when the skeleton can see one of its variables.
    const exposesGlobal = datasec?.vars.some((v) => {
      const t = btf?.type(v.type);
      return t?.kind === "var" && t.linkage !== "static";
    });
    if (exposesGlobal) flags |= BPF_F_MMAPABLE;
    const initialValue = new Uint8Array(section.size);
    if (kind !== "bss") initialValue.set(section.data.subarray(0, section.size));
    maps.push({
      spec: {
        name: globalDataMapName(objectName, section.name),
        type: BPF_MAP_TYPE_ARRAY,
        keySize: 4,
        valueSize: section.size,
        maxEntries: 1,
        flags,
        keyTypeId: 0,
        valueTypeId: datasec?.id,
        innerMap: undefined,
        section: section.name,
        initialValue,
        readOnly: kind === "rodata",
      },
      sectionIndex: section.index,
      sectionOffset: 0,
      globalData: true,
    });
  }
  return maps;
}

interface MapDefinition {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  keyTypeId: number | undefined;
  valueTypeId: number | undefined;
  inner: MapDefinition | undefined;
}

/** `__uint(name, N)` is `int (*name)[N]`: the value is the array's length. */
function intAttribute(btf: Btf, mapName: string, attr: string, typeId: number): number {
  const ptr = btf.resolve(typeId);
  if (ptr.kind !== "ptr") {
    throw new LoadError(`map '${mapName}': attr '${attr}': expected PTR, got ${ptr.kind}`, {
      section: ".maps",
    });
  }
  const array = btf.type(ptr.type);
  if (array.kind !== "array") {
    throw new LoadError(`map '${mapName}': attr '${attr}': expected ARRAY, got ${array.kind}`, {
      section: ".maps",
    });
  }
  return array.nelems;
}

/** `__type(name, T)` is `T *name`: the pointee is the type. */
function typeAttribute(
  btf: Btf,
  mapName: string,
  attr: string,
  typeId: number,
): { id: number; size: number } {
  const ptr = btf.type(typeId);
  if (ptr.kind !== "ptr") {
    throw new LoadError(`map '${mapName}': ${attr} spec is not PTR: ${ptr.kind}`, {
      section: ".maps",
    });
  }
  return { id: ptr.type, size: btf.sizeof(ptr.type) };
}

function setSize(current: number, size: number, mapName: string, what: string): number {
  if (current !== 0 && current !== size) {
    throw new LoadError(`map '${mapName}': conflicting ${what} size ${current} != ${size}`, {
      section: ".maps",
    });
  }
  return size;
}

function parseMapDefinition(
  btf: Btf,
  mapName: string,
  structId: number,
  isInner: boolean,
): MapDefinition {
  const def = btf.resolve(structId);
  if (def.kind !== "struct") {
    throw new LoadError(`map '${mapName}': unexpected def kind ${def.kind}`, { section: ".maps" });
  }
  const out: MapDefinition = {
    type: 0,
    keySize: 0,
    valueSize: 0,
    maxEntries: 0,
    flags: 0,
    keyTypeId: undefined,
    valueTypeId: undefined,
    inner: undefined,
  };
  def.members.forEach((member, i) => {
    switch (member.name) {
      case "type":
        out.type = intAttribute(btf, mapName, member.name, member.type);
        break;
      case "max_entries":
        out.maxEntries = intAttribute(btf, mapName, member.name, member.type);
        break;
      case "map_flags":
        out.flags = intAttribute(btf, mapName, member.name, member.type);
        break;
      case "key_size":
        out.keySize = setSize(
          out.keySize,
          intAttribute(btf, mapName, member.name, member.type),
          mapName,
          "key",
        );
        break;
      case "value_size":
        out.valueSize = setSize(
          out.valueSize,
          intAttribute(btf, mapName, member.name, member.type),
          mapName,
          "value",
        );
        break;
      case "key": {
        const key = typeAttribute(btf, mapName, "key", member.type);
        out.keySize = setSize(out.keySize, key.size, mapName, "key");
        out.keyTypeId = key.id;
        break;
      }
      case "value": {
        const value = typeAttribute(btf, mapName, "value", member.type);
        out.valueSize = setSize(out.valueSize, value.size, mapName, "value");
        out.valueTypeId = value.id;
        break;
      }
      case "values": {
        if (isInner) {
          throw new LoadError(`map '${mapName}': multi-level inner maps not supported`, {
            section: ".maps",
          });
        }
        if (i !== def.members.length - 1) {
          throw new LoadError(`map '${mapName}': 'values' member should be last`, {
            section: ".maps",
          });
        }
        if (!isMapInMap(out.type) && out.type !== BPF_MAP_TYPE_PROG_ARRAY) {
          throw new LoadError(`map '${mapName}': should be map-in-map or prog-array`, {
            section: ".maps",
          });
        }
        out.valueSize = setSize(out.valueSize, 4, mapName, "value");
        const array = btf.type(member.type);
        if (array.kind !== "array" || array.nelems !== 0) {
          throw new LoadError(`map '${mapName}': values spec is not a zero-sized array`, {
            section: ".maps",
          });
        }
        const ptr = btf.resolve(array.elemType);
        if (ptr.kind !== "ptr") {
          throw new LoadError(`map '${mapName}': values def is of unexpected kind ${ptr.kind}`, {
            section: ".maps",
          });
        }
        if (isMapInMap(out.type))
          out.inner = parseMapDefinition(btf, `${mapName}.inner`, ptr.type, true);
        break;
      }
      default:
        // numa_node, pinning, map_extra: meaningless without a kernel; unknown fields libbpf also ignores
        break;
    }
  });
  if (out.type === 0) {
    throw new LoadError(`map '${mapName}': map type isn't specified`, { section: ".maps" });
  }
  return out;
}

function ringbufSize(size: number): number {
  if (size === 0) return 0;
  if (size % PAGE_SIZE === 0 && Number.isInteger(Math.log2(size / PAGE_SIZE))) return size;
  let pages = 1;
  while (pages * PAGE_SIZE <= size && pages * PAGE_SIZE < 2 ** 32) pages *= 2;
  return pages * PAGE_SIZE;
}

function toSpec(name: string, def: MapDefinition): MapSpec {
  return {
    name,
    type: def.type,
    keySize: def.keySize,
    valueSize: def.valueSize,
    maxEntries: def.type === BPF_MAP_TYPE_RINGBUF ? ringbufSize(def.maxEntries) : def.maxEntries,
    flags: def.flags,
    keyTypeId: def.keyTypeId,
    valueTypeId: def.valueTypeId,
    innerMap: def.inner === undefined ? undefined : toSpec(`${name}.inner`, def.inner),
    section: undefined,
    initialValue: undefined,
    readOnly: false,
  };
}

/** The BTF-defined maps of the `.maps` section, in the order of its DATASEC. */
export function btfDefinedMaps(elf: ElfFile, btf: Btf | undefined): PlacedMap[] {
  const section = elf.sectionByName(".maps");
  if (section === undefined) return [];
  if (btf === undefined) {
    throw new LoadError("the object has a .maps section but no .BTF to describe the maps", {
      section: ".maps",
    });
  }
  const datasec = datasecOf(btf, ".maps");
  if (datasec === undefined) {
    throw new LoadError("no DATASEC .maps in the object's BTF", { section: ".maps" });
  }
  return datasec.vars.map((v, i) => {
    const variable = btf.type(v.type);
    const name = variable.name;
    if (name === "") throw new LoadError(`map #${i}: empty name`, { section: ".maps" });
    if (variable.kind !== "var") {
      throw new LoadError(`map '${name}': unexpected var kind ${variable.kind}`, {
        section: ".maps",
      });
    }
    // clang leaves DATASEC offsets zero in objects; the symbol table has the real ones
    const sym = elf.symbols.find((s) => s.shndx === section.index && s.name === name);
    if (sym === undefined) {
      throw new LoadError(`map '${name}': no symbol for it in the .maps section`, {
        section: ".maps",
      });
    }
    const offset = sym.value;
    if (offset + btf.sizeof(variable.type) > section.size) {
      throw new LoadError(`map '${name}' BTF data is corrupted`, { section: ".maps", offset });
    }
    if (variable.linkage !== "global") {
      throw new LoadError(`map '${name}': unsupported map linkage ${variable.linkage}`, {
        section: ".maps",
      });
    }
    const spec = toSpec(name, parseMapDefinition(btf, name, variable.type, false));
    return { spec, sectionIndex: section.index, sectionOffset: offset, globalData: false };
  });
}
