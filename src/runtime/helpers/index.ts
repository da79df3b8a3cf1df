import type { Vm } from "../vm.js";
import { emptyHelperEnv, type HelperEnv } from "./env.js";
import { installKptrHelpers } from "./kptr.js";
import { installLoopHelper } from "./loop.js";
import { installMapHelpers } from "./maps.js";
import { installMiscHelpers } from "./misc.js";
import { installPrintkHelper } from "./printk.js";
import { installRingbufHelpers } from "./ringbuf.js";
import { installSkbHelpers } from "./skb.js";
import { installSpinLockHelpers } from "./spin-lock.js";
import { installTailCallHelper } from "./tail-call.js";

export type { HelperEnv } from "./env.js";

/** Registers every helper the runtime implements, by the kernel's ids. */
export function installStandardHelpers(vm: Vm, env: HelperEnv = emptyHelperEnv()): void {
  installMapHelpers(vm, env);
  installMiscHelpers(vm, env);
  installPrintkHelper(vm);
  installTailCallHelper(vm, env);
  installSpinLockHelpers(vm);
  installRingbufHelpers(vm, env);
  installLoopHelper(vm);
  installSkbHelpers(vm);
  installKptrHelpers(vm);
}
