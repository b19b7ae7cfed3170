/* encode_console.h - a batch as human-readable text, one block per span. */
#ifndef GENOPS_ENCODE_CONSOLE_H
#define GENOPS_ENCODE_CONSOLE_H

#include "buf.h"
#include "exporter.h"

/* Append the batch to out. On failure (out's limit, ENOMEM) returns GENOPS_ETOOBIG or
 * GENOPS_ENOMEM and leaves out as it was. Pure; any thread. */
genops_status encode_console(const struct batch *b, struct buf *out);

#endif
