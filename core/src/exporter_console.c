/* exporter_console.c - writes encode_console's text to a file descriptor. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "encode_console.h"
#include "error.h"

#define CONSOLE_BATCH_LIMIT ((size_t)256 << 20)

struct console_exporter {
    genops_exporter base;
    int fd;
    struct buf out; /* reused across batches */
};

static genops_status console_export(genops_exporter *e, const struct batch *b, uint64_t deadline_ns,
                                    struct export_result *r)
{
    struct console_exporter *c = (struct console_exporter *)e;
    (void)deadline_ns;
    buf_truncate(&c->out, 0);
    genops_status rc = encode_console(b, &c->out);
    if (rc) {
        r->failed = b->count;
        return rc;
    }
    for (size_t off = 0; off < c->out.len;) {
        ssize_t n = write(c->fd, c->out.data + off, c->out.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r->failed = b->count;
            return GENOPS_EIO;
        }
        off += (size_t)n;
    }
    r->delivered = b->count;
    r->bytes_sent = c->out.len;
    return GENOPS_OK;
}

static void console_destroy(genops_exporter *e)
{
    struct console_exporter *c = (struct console_exporter *)e;
    buf_free(&c->out);
    free(c);
}

static const struct exporter_ops console_ops = {
    .kind = "console", .export_batch = console_export, .destroy = console_destroy};

genops_exporter *genops_console_exporter_new(int fd, genops_error *err)
{
    if (fd < 0) {
        error_set(err, GENOPS_EINVAL, "file descriptor %d is not valid", fd);
        return NULL;
    }
    struct console_exporter *c = calloc(1, sizeof *c);
    if (!c) {
        error_set(err, GENOPS_ENOMEM, "out of memory creating a console exporter");
        return NULL;
    }
    c->base.ops = &console_ops;
    c->fd = fd;
    buf_init(&c->out, CONSOLE_BATCH_LIMIT);
    return &c->base;
}
