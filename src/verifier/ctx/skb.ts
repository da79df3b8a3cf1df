import {
  PTR_MAYBE_NULL,
  PTR_TO_FLOW_KEYS,
  PTR_TO_PACKET,
  PTR_TO_PACKET_END,
  PTR_TO_PACKET_META,
  PTR_TO_SOCK_COMMON,
  SCALAR_VALUE,
} from "../reg-types.js";
import { allowed, type CtxAccess, type CtxAccessResult, DENIED, narrowAccessOk } from "./access.js";
import { type CtxField, SkBuff as F, inField } from "./layouts.js";

/**
 * Context rules for the program types whose context is `struct __sk_buff`:
 * each type first narrows the set of fields (net/core/filter.c,
 * `*_is_valid_access`), then `bpf_skb_is_valid_access` checks sizes and
 * alignment for all of them.
 */

function inAny(off: number, fields: readonly CtxField[]): boolean {
  return fields.some((f) => inField(f, off));
}

/** `bpf_skb_is_valid_access`: bounds, alignment and per-field sizes. */
function skbCommon(a: CtxAccess, regType: number): CtxAccessResult {
  const { off, size, write } = a;
  if (off < 0 || off >= F.size || off % size !== 0) return DENIED;
  if (inField(F.cb, off)) {
    // any size inside cb[0..4], writes included
    return off + size > F.cb.end ? DENIED : allowed(a, regType);
  }
  if (inAny(off, [F.data, F.data_meta, F.data_end])) {
    return a.signExtend || size !== 4 ? DENIED : allowed(a, regType);
  }
  if (inAny(off, [F.remote_ip6, F.local_ip6, F.remote_ip4, F.local_ip4])) {
    return size !== 4 ? DENIED : allowed(a, regType);
  }
  if (inField(F.flow_keys, off)) return DENIED;
  if (inField(F.hwtstamp, off)) return write || size !== 8 ? DENIED : allowed(a, regType);
  if (inField(F.tstamp, off)) return size !== 8 ? DENIED : allowed(a, regType);
  if (inField(F.sk, off)) {
    return write || size !== 8 ? DENIED : allowed(a, PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL);
  }
  if (inField(F.tstamp_type, off) || inField(F.padding, off)) return DENIED;
  // every other field is a u32: whole-field stores, narrow loads
  if (write) return size !== 4 ? DENIED : allowed(a, regType);
  return narrowAccessOk(size, 4) ? allowed(a, regType, 4) : DENIED;
}

/** the pointer each packet field yields, for the types that may read them */
function packetPointer(off: number, withMeta: boolean): number {
  if (inField(F.data, off)) return PTR_TO_PACKET;
  if (inField(F.data_end, off)) return PTR_TO_PACKET_END;
  if (withMeta && inField(F.data_meta, off)) return PTR_TO_PACKET_META;
  return SCALAR_VALUE;
}

/** `sk_filter_is_valid_access` (socket filters) */
export function socketFilterAccess(a: CtxAccess): CtxAccessResult {
  const hidden = [
    F.tc_classid,
    F.data,
    F.data_meta,
    F.data_end,
    F.socketFields,
    F.tstamp,
    F.wire_len,
    F.hwtstamp,
  ];
  if (inAny(a.off, hidden)) return DENIED;
  if (a.write && !inField(F.cb, a.off)) return DENIED;
  return skbCommon(a, SCALAR_VALUE);
}

/** `tc_cls_act_is_valid_access` (sched_cls, sched_act) */
export function tcAccess(a: CtxAccess): CtxAccessResult {
  const writable = [F.mark, F.tc_index, F.priority, F.tc_classid, F.cb, F.tstamp, F.queue_mapping];
  if (a.write && !inAny(a.off, writable)) return DENIED;
  if (inField(F.socketFields, a.off)) return DENIED;
  if (a.off === F.tstamp_type.start) return a.size === 1 ? allowed(a) : DENIED;
  return skbCommon(a, packetPointer(a.off, true));
}

/** `cg_skb_is_valid_access` (cgroup_skb); root holds CAP_BPF, so data and tstamp are open */
export function cgroupSkbAccess(a: CtxAccess): CtxAccessResult {
  if (inAny(a.off, [F.tc_classid, F.data_meta, F.wire_len])) return DENIED;
  if (a.write && !inAny(a.off, [F.mark, F.priority, F.cb, F.tstamp])) return DENIED;
  return skbCommon(a, packetPointer(a.off, false));
}

/** `lwt_is_valid_access` (lwt_in, lwt_out, lwt_xmit, lwt_seg6local) */
export function lwtAccess(a: CtxAccess): CtxAccessResult {
  const hidden = [F.tc_classid, F.socketFields, F.data_meta, F.tstamp, F.wire_len, F.hwtstamp];
  if (inAny(a.off, hidden)) return DENIED;
  if (a.write && !inAny(a.off, [F.mark, F.priority, F.cb])) return DENIED;
  return skbCommon(a, packetPointer(a.off, false));
}

/** `sk_skb_is_valid_access` (sk_skb) */
export function skSkbAccess(a: CtxAccess): CtxAccessResult {
  if (inAny(a.off, [F.tc_classid, F.data_meta, F.tstamp, F.wire_len, F.hwtstamp])) return DENIED;
  if (a.write && !inAny(a.off, [F.tc_index, F.priority])) return DENIED;
  if (inField(F.mark, a.off)) return DENIED;
  return skbCommon(a, packetPointer(a.off, false));
}

/** `flow_dissector_is_valid_access`: data, data_end and flow_keys, read only */
export function flowDissectorAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off < 0 || off >= F.size || off % size !== 0 || a.write) return DENIED;
  if (inField(F.data, off) || inField(F.data_end, off)) {
    return a.signExtend || size !== 4 ? DENIED : allowed(a, packetPointer(off, false));
  }
  if (inField(F.flow_keys, off)) return size !== 8 ? DENIED : allowed(a, PTR_TO_FLOW_KEYS);
  return DENIED;
}
