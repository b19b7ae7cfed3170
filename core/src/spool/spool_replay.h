/* spool_replay.h - the send loop's side of the disk spool: a request whose items the
 * loop could not deliver (retries spent) is written to the spool instead of dropped,
 * and the spool's requests are sent again, oldest first, before newer ones.
 *
 * A spooled request is sent as it was encoded, with the exporter's current headers,
 * one attempt per record and call: 2xx delivers it (a partial success counts as
 * delivered), 4xx other than 408 and 429 refuses it (counted, gone), anything else
 * (no answer, 408, 429, 5xx) stops the replay until the next call: the lane calls
 * again after a pause while it is idle, and every export call tries first. A protocol
 * whose answer is not its HTTP status says what an answer means itself
 * (sender_ops.replay_fate: OTLP/gRPC by grpc-status, the same way). */
#ifndef GENOPS_SPOOL_REPLAY_H
#define GENOPS_SPOOL_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sender.h"
#include "spool.h"

/* Send sp's records through s's transport until none is left (true), one is not taken
 * or deadline_ns comes (false). */
bool spool_replay(struct spool *sp, struct sender *s, uint64_t deadline_ns);

/* Write req (n items of run) to s's spool and count them spooled: false (nothing
 * counted) without a spool or when it could not be written. */
bool spool_request(struct sender *s, struct sender_run *run, size_t n,
                   const struct http_request *req);

#endif
