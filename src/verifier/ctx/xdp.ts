import {
  PTR_TO_PACKET,
  PTR_TO_PACKET_END,
  PTR_TO_PACKET_META,
  SCALAR_VALUE,
} from "../reg-types.js";
import { allowed, type CtxAccess, type CtxAccessResult, DENIED } from "./access.js";
import { XdpMd } from "./layouts.js";

/** enum bpf_attach_type: an XDP program run on a devmap entry, which knows its egress device */
export const BPF_XDP_DEVMAP = 33;

/**
 * `xdp_is_valid_access`: whole u32 loads only; no stores (only offloaded
 * programs may write rx_queue_index, and tsbpf does not offload).
 */
export function xdpAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off === XdpMd.egress_ifindex && a.attachType !== BPF_XDP_DEVMAP) return DENIED;
  if (a.write) return DENIED;
  let regType = SCALAR_VALUE;
  if (off === XdpMd.data) regType = PTR_TO_PACKET;
  else if (off === XdpMd.data_end) regType = PTR_TO_PACKET_END;
  else if (off === XdpMd.data_meta) regType = PTR_TO_PACKET_META;
  if (regType !== SCALAR_VALUE && a.signExtend) return DENIED;
  if (off < 0 || off >= XdpMd.size || off % size !== 0 || size !== 4) return DENIED;
  return allowed(a, regType);
}
