import type { Btf } from "../btf/btf.js";
import { RuntimeFault } from "./errors.js";

/** A map key or value decoded by its BTF type into plain data. */
export type BtfValue =
  | number
  | bigint
  | boolean
  | string
  | null
  | readonly BtfValue[]
  | { readonly [field: string]: BtfValue };

/**
 * Decodes `bytes` as BTF type `typeId`: integers of up to 4 bytes (and
 * floats) become numbers, 8-byte integers and pointers bigints, `bool`
 * booleans, `char` arrays strings (up to the first NUL), enums the name of
 * their value (or the number when it has none), structs and unions objects
 * by member name (anonymous members' fields merged in), arrays arrays, and a
 * DATASEC (the value type of `.data`/`.bss`/`.rodata`) an object by variable.
 */
export function decodeBtfValue(btf: Btf, typeId: number, bytes: Uint8Array): BtfValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeAt(btf, typeId, view, 0, 0);
}

function decodeAt(btf: Btf, typeId: number, view: DataView, off: number, depth: number): BtfValue {
  if (depth > 64) throw new RuntimeFault(`BTF type ${typeId} nests too deeply to decode`);
  const t = btf.resolve(typeId);
  const need = (size: number) => {
    if (off + size > view.byteLength) {
      throw new RuntimeFault(
        `BTF type ${btf.typeName(typeId)} needs ${size} bytes at offset ${off}, the value has ${view.byteLength}`,
      );
    }
  };
  switch (t.kind) {
    case "int": {
      need(t.size);
      if (t.bool) return view.getUint8(off) !== 0;
      return readInt(view, off, t.size, t.signed);
    }
    case "enum":
    case "enum64": {
      need(t.size);
      const raw = readInt(view, off, t.size, t.signed);
      const found = t.values.find((v) => BigInt(v.value) === BigInt(raw));
      return found === undefined ? raw : found.name;
    }
    case "float":
      need(t.size);
      return t.size === 4 ? view.getFloat32(off, true) : view.getFloat64(off, true);
    case "ptr":
      need(8);
      return view.getBigUint64(off, true);
    case "array": {
      const elem = btf.resolve(t.elemType);
      // clang marks `char` by its name (encoding "signed"), other producers by BTF_INT_CHAR
      if (elem.kind === "int" && elem.size === 1 && (elem.char || elem.name === "char")) {
        need(t.nelems);
        const chars = new Uint8Array(view.buffer, view.byteOffset + off, t.nelems);
        const nul = chars.indexOf(0);
        return new TextDecoder().decode(nul < 0 ? chars : chars.subarray(0, nul));
      }
      const size = btf.sizeof(t.elemType);
      const out: BtfValue[] = [];
      for (let i = 0; i < t.nelems; i++)
        out.push(decodeAt(btf, t.elemType, view, off + i * size, depth + 1));
      return out;
    }
    case "struct":
    case "union": {
      need(t.size);
      const out: Record<string, BtfValue> = {};
      for (const m of t.members) {
        let v: BtfValue;
        if (m.bitfieldSize > 0) {
          v = readBits(view, off, m.bitOffset, m.bitfieldSize);
        } else {
          v = decodeAt(btf, m.type, view, off + m.bitOffset / 8, depth + 1);
        }
        if (m.name === "" && v !== null && typeof v === "object" && !Array.isArray(v)) {
          Object.assign(out, v);
        } else {
          out[m.name] = v;
        }
      }
      return out;
    }
    case "datasec": {
      const out: Record<string, BtfValue> = {};
      for (const v of t.vars) {
        const variable = btf.type(v.type);
        const name = variable.name;
        const type = variable.kind === "var" ? variable.type : v.type;
        out[name] = decodeAt(btf, type, view, off + v.offset, depth + 1);
      }
      return out;
    }
    default:
      return null;
  }
}

function readInt(view: DataView, off: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1:
      return signed ? view.getInt8(off) : view.getUint8(off);
    case 2:
      return signed ? view.getInt16(off, true) : view.getUint16(off, true);
    case 4:
      return signed ? view.getInt32(off, true) : view.getUint32(off, true);
    case 8:
      return signed ? view.getBigInt64(off, true) : view.getBigUint64(off, true);
    default: {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(view.getUint8(off + i));
      return signed ? BigInt.asIntN(size * 8, v) : v;
    }
  }
}

/** An unsigned bitfield of `bits` bits at `bitOffset` bits from `off` (little-endian layout). */
function readBits(view: DataView, off: number, bitOffset: number, bits: number): number {
  let v = 0n;
  const first = Math.floor(bitOffset / 8);
  const last = Math.floor((bitOffset + bits - 1) / 8);
  for (let i = last; i >= first; i--) v = (v << 8n) | BigInt(view.getUint8(off + i));
  v >>= BigInt(bitOffset - first * 8);
  return Number(v & ((1n << BigInt(bits)) - 1n));
}
