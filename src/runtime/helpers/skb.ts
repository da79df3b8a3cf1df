import { ACCESS_WRITE } from "../memory.js";
import type { Vm } from "../vm.js";
import { BPF_FUNC_skb_load_bytes } from "./ids.js";

const EFAULT = 14;

/**
 * bpf_skb_load_bytes(skb, offset, to, len): copies packet bytes, counted from
 * skb->data, into `to`; on a range outside the packet it zeroes `to` and
 * returns -EFAULT (net/core/filter.c).
 */
export function installSkbHelpers(vm: Vm): void {
  vm.registerHelper(BPF_FUNC_skb_load_bytes, "bpf_skb_load_bytes", (vm) => {
    if (vm.packetEnd === 0) vm.fault("bpf_skb_load_bytes needs a socket buffer context");
    const offset = Number(vm.regs[2]! & 0xffffffffn);
    const to = vm.arg(3);
    const len = vm.arg(4);
    vm.memory.check(to, len, ACCESS_WRITE, "bpf_skb_load_bytes destination (R3)", vm.pc);
    const bytes = vm.memory.bytes;
    if (offset > 0x7fffffff || offset + len > vm.packetEnd - vm.packetStart) {
      bytes.fill(0, to, to + len);
      return BigInt(-EFAULT);
    }
    bytes.copyWithin(to, vm.packetStart + offset, vm.packetStart + offset + len);
    return 0n;
  });
}
