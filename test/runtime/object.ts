import { assemble } from "../../src/isa/asm.js";
import type { Insn } from "../../src/isa/insn.js";
import type { MapSpec, ObjectSpec, ProgramSpec, ProgramType } from "../../src/object/spec.js";

/** Marker immediates in test assembly: `lddw %r1, MAP(k)` / `lddw %r1, VALUE(k, off)`. */
const MAP_MARK = 0x7fff0000;
const VALUE_MARK = 0x7ffe0000;

export const MAP = (k: number): string => `0x${(MAP_MARK + k).toString(16)}`;
export const VALUE = (k: number, off = 0): string =>
  `0x${((off & 0xffff) * 2 ** 32 + VALUE_MARK + k).toString(16)}`;

/** Assembles `text` and turns the marker lddws into map references as the loader emits them. */
export function assembleWithMaps(text: string): Insn[] {
  return assemble(text).map((insn) => {
    if (insn.code !== 0x18) return insn;
    const lo = insn.imm >>> 0;
    if ((lo & 0xffff0000) === MAP_MARK) return { ...insn, src: 1, imm: lo & 0xffff };
    if ((lo & 0xffff0000) === VALUE_MARK) return { ...insn, src: 2, imm: lo & 0xffff };
    return insn;
  });
}

export function mapSpec(name: string, type: number, fields: Partial<MapSpec> = {}): MapSpec {
  return {
    name,
    type,
    keySize: 4,
    valueSize: 8,
    maxEntries: 4,
    flags: 0,
    keyTypeId: undefined,
    valueTypeId: undefined,
    innerMap: undefined,
    section: undefined,
    initialValue: undefined,
    readOnly: false,
    ...fields,
  };
}

export function objectSpec(
  maps: MapSpec[],
  programs: { name: string; type?: ProgramType; asm: string }[],
): ObjectSpec {
  return {
    maps,
    programs: programs.map(
      (p): ProgramSpec => ({
        name: p.name,
        section: p.type ?? "socket",
        type: p.type ?? "socket_filter",
        attachTo: undefined,
        insns: assembleWithMaps(p.asm),
        funcInfo: [],
        lineInfo: [],
        license: "GPL",
      }),
    ),
    license: "GPL",
    kernelVersion: undefined,
    btf: undefined,
    btfExt: undefined,
  };
}

export const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
export const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);
export const readU64 = (b: Uint8Array | undefined): bigint =>
  b === undefined ? -1n : new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
