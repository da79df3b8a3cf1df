// SPDX-License-Identifier: GPL-2.0
/* tsbpf: kernel=reject */
/*
 * flow_queue.bpf.c with one bug: when a flow's queue is full, the new record
 * is counted as dropped but never freed (drain_oldest is left out). The verifier rejects the program:
 * on that path the program exits still owning the object.
 */
#define FLOW_QUEUE_LEAK_WHEN_FULL
#include "flow_queue.bpf.c"
