import type { Memory } from "../memory.js";

/**
 * Pointer-sized words of the graph structs (list heads and nodes, tree roots
 * and nodes), read and written as the kernel lays them out: little-endian
 * u64 addresses. Addresses of the runtime always fit in 31 bits, so a word
 * that does not is garbage and reads as an impossible address.
 */
export function readPtr(memory: Memory, addr: number): number {
  const v = memory.view.getBigUint64(addr, true);
  return v > 0x7fffffffn ? -1 : Number(v);
}

export function writePtr(memory: Memory, addr: number, value: number): void {
  memory.view.setBigUint64(addr, BigInt(value), true);
}
