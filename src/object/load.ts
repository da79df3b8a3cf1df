import { type Btf, parseBtf } from "../btf/btf.js";
import { type BtfExt, parseBtfExt } from "../btf/ext.js";
import { type ElfFile, parseElf } from "../elf/elf.js";
import { applyLocalCoreRelocations } from "./core.js";
import { fixupDatasecs } from "./datasec.js";
import { LoadError } from "./errors.js";
import { linkProgram } from "./link.js";
import { btfDefinedMaps, globalDataMaps } from "./maps.js";
import { collectFunctions } from "./programs.js";
import { programTypeOfSection } from "./section-types.js";
import type { ObjectSpec, ProgramSpec } from "./spec.js";

export interface ParseOptions {
  /**
   * The object's name, as libbpf derives it from the file name (up to the
   * first dot: `foo` for `foo.bpf.o`); it prefixes global data map names.
   */
  readonly name?: string;
}

/** libbpf's object name for a file path: the base name up to its first dot, at most 15 characters. */
export function objectNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.indexOf(".");
  return (dot >= 0 ? base.slice(0, dot) : base).slice(0, 15);
}

function readLicense(elf: ElfFile): string {
  const section = elf.sectionByName("license");
  if (section === undefined) return "";
  const end = section.data.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? section.data.subarray(0, end) : section.data);
}

function readVersion(elf: ElfFile): number | undefined {
  const section = elf.sectionByName("version");
  if (section === undefined) return undefined;
  if (section.data.length !== 4) {
    throw new LoadError(`invalid kver section, size ${section.data.length}, not 4`, {
      section: "version",
    });
  }
  return new DataView(section.data.buffer, section.data.byteOffset, 4).getUint32(0, true);
}

/**
 * Reads a clang-built BPF object into an `ObjectSpec` by the libbpf
 * conventions. Throws `ElfError`, `BtfError` or `LoadError` on bad input.
 */
export function parseObject(bytes: Uint8Array, options: ParseOptions = {}): ObjectSpec {
  const elf = parseElf(bytes);
  const btfSection = elf.sectionByName(".BTF");
  const btf: Btf | undefined =
    btfSection === undefined ? undefined : fixupDatasecs(elf, parseBtf(btfSection.data));
  const extSection = elf.sectionByName(".BTF.ext");
  const btfExt: BtfExt | undefined =
    extSection === undefined || btf === undefined ? undefined : parseBtfExt(extSection.data, btf);

  const license = readLicense(elf);
  const placedMaps = [
    ...btfDefinedMaps(elf, btf),
    ...globalDataMaps(elf, btf, options.name ?? "tsbpf"),
  ];
  const sections = collectFunctions(elf);
  applyLocalCoreRelocations(sections.values(), btfExt);

  const programs: ProgramSpec[] = [];
  for (const exec of sections.values()) {
    for (const fn of exec.functions) {
      if (fn.isSubprogram) continue;
      const { type, attachTo } = programTypeOfSection(fn.section.name);
      const linked = linkProgram({ elf, sections, maps: placedMaps, btf, btfExt }, fn);
      programs.push({
        name: fn.name,
        section: fn.section.name,
        type,
        attachTo,
        insns: linked.insns,
        funcInfo: linked.funcInfo,
        lineInfo: linked.lineInfo,
        license,
      });
    }
  }

  return {
    programs,
    maps: placedMaps.map((m) => m.spec),
    license,
    kernelVersion: readVersion(elf),
    btf,
    btfExt,
  };
}
