import fc from "fast-check";

/** A way to damage bytes: cut them short, overwrite bytes, or overwrite aligned u32 fields. */
export type Mutation =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "bytes"; readonly edits: readonly (readonly [number, number])[] }
  | { readonly kind: "words"; readonly edits: readonly (readonly [number, number])[] };

const interesting = fc.constantFrom(
  0,
  1,
  2,
  3,
  4,
  7,
  8,
  12,
  16,
  24,
  0xff,
  0xffff,
  0x7fffffff,
  0xffffffff,
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("bytes" as const),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    }),
  }),
  fc.record({
    kind: fc.constant("words" as const),
    edits: fc.array(fc.tuple(fc.nat(), fc.oneof(interesting, fc.nat())), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
);

export function applyMutation(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (bytes.length === 0) return bytes;
  if (m.kind === "truncate") return bytes.slice(0, m.at % bytes.length);
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  for (const [at, value] of m.edits) {
    if (m.kind === "bytes") copy[at % copy.length] = value;
    else if (copy.length >= 4)
      view.setUint32((at % Math.floor(copy.length / 4)) * 4, value >>> 0, true);
  }
  return copy;
}
