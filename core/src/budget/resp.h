/* resp.h - the part of RESP (the Redis serialization protocol, version 2) the redis
 * budget store speaks: commands as arrays of bulk strings, and the replies those
 * commands get (integers, simple strings, errors, bulk strings, nil).
 * https://redis.io/docs/latest/develop/reference/protocol-spec/ */
#ifndef GENOPS_BUDGET_RESP_H
#define GENOPS_BUDGET_RESP_H

#include <stddef.h>
#include <stdint.h>

enum resp_type { RESP_INTEGER, RESP_STATUS, RESP_ERROR, RESP_BULK, RESP_NIL };

struct resp_reply {
    enum resp_type type;
    int64_t integer;  /* RESP_INTEGER */
    const char *text; /* RESP_STATUS, RESP_ERROR, RESP_BULK: into the parsed bytes */
    size_t len;
};

/* The command argv[0..argc) as a RESP array into out (cap bytes): its length, or 0 when
 * it does not fit. */
size_t resp_command(char *out, size_t cap, int argc, const char *const *argv);

/* One reply from data[0..len): the bytes it takes, 0 when data holds only part of one,
 * -1 when data is not a reply of the kinds above (arrays included: no command sent
 * gets one). Bulk strings longer than RESP_BULK_MAX are refused. */
#define RESP_BULK_MAX (1u << 20)
long resp_parse(const char *data, size_t len, struct resp_reply *r);

#endif
