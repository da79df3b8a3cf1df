import type { Vm } from "../vm.js";
import { BPF_FUNC_trace_printk } from "./ids.js";

/**
 * bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3): formats like the kernel
 * (bpf_bprintf_prepare: %d %i %u %x %X %ld %li %lu %lx %lld %lli %llu %llx
 * %p %px %pK %s %c %%, at most 3 arguments) and collects the line in the run's
 * output. Returns the number of bytes written; -EINVAL for a bad format.
 */
export function installPrintkHelper(vm: Vm): void {
  vm.registerHelper(BPF_FUNC_trace_printk, "bpf_trace_printk", (vm) => {
    const size = vm.arg(2);
    const raw = vm.memory.read(vm.arg(1), size, "bpf_trace_printk fmt (R1)", vm.pc);
    const nul = raw.indexOf(0);
    if (nul < 0) return -22n; // the kernel requires the format to be NUL-terminated within fmt_size
    const fmt = new TextDecoder().decode(raw.subarray(0, nul));
    const args = [vm.regs[3]!, vm.regs[4]!, vm.regs[5]!];
    const text = formatPrintk(vm, fmt, args);
    if (text === undefined) return -22n;
    vm.printk.push(text.endsWith("\n") ? text.slice(0, -1) : text);
    return BigInt(new TextEncoder().encode(text).length);
  });
}

/** Formats `fmt` with up to three 64-bit arguments; undefined for a format the kernel rejects. */
export function formatPrintk(vm: Vm, fmt: string, args: readonly bigint[]): string | undefined {
  let out = "";
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    if (fmt[i + 1] === "%") {
      out += "%";
      i++;
      continue;
    }
    const m = /^(-?)(0?)(\d*)(l{0,2}|h{0,2})([diuxXpsc])([xK]?)/.exec(fmt.slice(i + 1));
    if (m === null || next >= 3) return undefined;
    const [whole, minus, zero, widthText, length, conv, suffix] = m as unknown as string[];
    i += whole!.length;
    const arg = args[next++]!;
    let s: string;
    const is64 = length === "ll" || length === "l";
    switch (conv) {
      case "d":
      case "i":
        s = (is64 ? BigInt.asIntN(64, arg) : BigInt.asIntN(32, arg)).toString();
        break;
      case "u":
        s = (is64 ? arg : BigInt.asUintN(32, arg)).toString();
        break;
      case "x":
      case "X":
        s = (is64 ? arg : BigInt.asUintN(32, arg)).toString(16);
        if (conv === "X") s = s.toUpperCase();
        break;
      case "p":
        s =
          suffix === "x" || suffix === "K"
            ? arg.toString(16).padStart(16, "0")
            : `0x${arg.toString(16)}`;
        break;
      case "c":
        s = String.fromCharCode(Number(arg & 0xffn));
        break;
      default: {
        // %s: a NUL-terminated string at most 64 KiB long, read through the checked memory
        const addr = Number(BigInt.asUintN(32, arg));
        const bytes: number[] = [];
        for (let a = addr; bytes.length < 65536; a++) {
          const b = vm.memory.read(a, 1, "bpf_trace_printk %s argument", vm.pc)[0]!;
          if (b === 0) break;
          bytes.push(b);
        }
        s = new TextDecoder().decode(Uint8Array.from(bytes));
      }
    }
    const width = widthText === "" ? 0 : Number(widthText);
    if (s.length < width) {
      s = minus
        ? s.padEnd(width)
        : zero && conv !== "s"
          ? s.padStart(width, "0")
          : s.padStart(width);
    }
    out += s;
  }
  return out;
}
