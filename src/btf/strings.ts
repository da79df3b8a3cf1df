import { BtfError } from "./errors.js";

const utf8 = new TextDecoder("utf-8");

/**
 * The BTF string section: NUL-terminated names addressed by byte offset,
 * offset 0 being the empty name. Validated as the kernel's
 * btf_parse_str_sec does, so every in-range offset ends at a NUL.
 */
export class BtfStrings {
  private readonly cache = new Map<number, string>();

  /** `base` is where the section starts inside the .BTF data, for error offsets. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
  ) {
    if (bytes.length === 0 || bytes[0] !== 0 || bytes[bytes.length - 1] !== 0) {
      const why =
        bytes.length === 0
          ? "it is empty"
          : bytes[0] !== 0
            ? "it does not start with NUL"
            : "it does not end with NUL";
      throw new BtfError(`Invalid string section: ${why} (at offset 0x${base.toString(16)})`, {
        offset: base,
      });
    }
  }

  get length(): number {
    return this.bytes.length;
  }

  has(offset: number): boolean {
    return Number.isInteger(offset) && offset >= 0 && offset < this.bytes.length;
  }

  /** The string at `offset`; `what` says who asked, for the error message. */
  at(offset: number, what = "string"): string {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached;
    if (!this.has(offset)) {
      throw new BtfError(
        `${what}: Invalid name_offset:${offset} (string section is ${this.bytes.length} bytes at offset 0x${this.base.toString(16)})`,
        { offset: this.base + Math.max(0, Math.min(offset, this.bytes.length)) },
      );
    }
    const end = this.bytes.indexOf(0, offset);
    const text = utf8.decode(this.bytes.subarray(offset, end));
    this.cache.set(offset, text);
    return text;
  }
}
