/* fuzz_spool_segment.c - the disk spool's segment reader on any bytes (a segment file
 * left by a crash, a full disk or anyone else).
 *
 * Checks: spool_record_next only returns records inside the bytes, moving forward;
 * each record it accepts encodes back to exactly the bytes it was read from; and the
 * same bytes as a segment file on disk are read by spool_open / spool_peek /
 * spool_consume to the end in a bounded number of steps, leaving nothing pending. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scan_in_memory(const uint8_t *data, size_t size)
{
    struct buf again;
    buf_init(&again, SIZE_MAX);
    size_t off = 0;
    struct spool_record r;
    while (spool_record_next(data, size, &off, &r) == SPOOL_READ_OK) {
        if (off > size || r.body < data || r.body + r.len > data + off)
            abort();
        again.len = 0;
        if (spool_record_encode(&r, &again) != GENOPS_OK || again.len > off ||
            memcmp(again.data, data + off - again.len, again.len) != 0)
            abort();
    }
    buf_free(&again);
}

static void read_as_a_file(const uint8_t *data, size_t size)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/genops-fuzz-spool-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    char path[128];
    snprintf(path, sizeof path, "%s/0000000000000000.seg", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    close(fd);
    struct spool_options opt = {1u << 20, 1u << 18, GENOPS_SPOOL_FSYNC_NEVER};
    struct spool *s;
    if (spool_open(&s, dir, &opt, NULL) != GENOPS_OK)
        abort();
    struct spool_record r;
    size_t steps = 0;
    while (spool_peek(s, &r)) {
        if (++steps > size / SPOOL_RECORD_HEADER + 1)
            abort(); /* more records than the bytes can hold: a loop */
        spool_consume(s, &r, true);
    }
    if (spool_pending(s) || atomic_load(&s->stats.pending) != 0)
        abort();
    spool_close(s);
    unlink(path); /* gone already when every record was read */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scan_in_memory(data, size);
    read_as_a_file(data, size);
    return 0;
}
