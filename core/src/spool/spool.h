/* spool.h - one exporter's disk spool: a queue of encoded requests in append-only
 * segment files under its own directory, oldest first.
 *
 * Files: <dir>/<16 hex digits>.seg, numbered in order of creation; records as in
 * spool_record.h. Appends go to the newest segment until it would pass segment_bytes,
 * then to a new one. The whole spool stays within max_bytes: making room drops the
 * oldest segments, and the spans still in them are counted (dropped). Reading takes
 * the oldest record of the oldest segment; a segment is deleted once every record in
 * it was consumed, so a restart resends at most the consumed records of the segment
 * being read (at-least-once). A segment found at open is only read, never appended to.
 * A torn or corrupt record ends its segment: the spans left in it are counted
 * (corrupt) and the segment is deleted.
 *
 * One thread at a time (the exporter's lane); the counters are readable from any
 * thread. Directory-level locking between processes is spool_lock.h's. */
#ifndef GENOPS_SPOOL_H
#define GENOPS_SPOOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "genops.h"
#include "spool_record.h"

struct spool_options {
    uint64_t max_bytes;     /* every segment together */
    uint64_t segment_bytes; /* a segment is closed before it passes this */
    genops_spool_fsync fsync;
};

struct spool_stats {
    atomic_uint_least64_t spooled;       /* spans written */
    atomic_uint_least64_t replayed;      /* spans read back and delivered */
    atomic_uint_least64_t rejected;      /* spans read back and refused by the backend */
    atomic_uint_least64_t dropped;       /* spans of segments dropped for max_bytes */
    atomic_uint_least64_t corrupt;       /* spans lost to torn or corrupt records */
    atomic_uint_least64_t corrupt_tails; /* segments cut short by one */
    atomic_uint_least64_t write_failed;  /* spans that could not be written (disk full) */
    atomic_uint_least64_t bytes;         /* on disk now */
    atomic_uint_least64_t pending;       /* spans on disk now, not yet consumed */
};

struct spool_segment {
    uint64_t seq;
    uint64_t bytes; /* its size */
    uint64_t spans; /* what its records carry, as far as they could be read */
};

struct spool {
    char *dir;
    struct spool_options opt;
    struct spool_segment *segs; /* oldest first */
    size_t nsegs, cap;
    bool appendable; /* segs[nsegs - 1] is this process's own, open as wfd */
    bool disabled;   /* a forked child: the parent's spool is not ours */
    int dirfd;
    int wfd, rfd;      /* newest segment for appending, oldest for reading; -1 none */
    uint64_t next_seq; /* the number of the next segment made */
    uint64_t roff;     /* the next record's offset in segs[0] */
    uint64_t consumed; /* spans of segs[0] read back */
    struct buf wbuf, rbuf;
    struct spool_stats stats;
    /* Set by the exporter's lane while it holds batches past its share: the send loop
     * then spools a request at its next retry instead of waiting to try again. */
    atomic_bool hurry;
};

/* Open (creating it, mode 0700) the spool in dir and index the segments left by an
 * earlier process. GENOPS_EIO (err names the directory and why) when it cannot. */
genops_status spool_open(struct spool **out, const char *dir, const struct spool_options *opt,
                         genops_error *err);
/* Sync per the policy, close, free. NULL-safe. Files stay for the next process. */
void spool_close(struct spool *s);
/* In a forked child: the parent's files are the parent's; this spool no longer reads
 * or writes (appends fail, nothing is pending). */
void spool_after_fork_child(struct spool *s);

/* Append r. GENOPS_ETOOBIG: larger than max_bytes (counted dropped); GENOPS_EIO: not
 * written (disk full, file size limit), counted write_failed; nothing half-written
 * stays. */
genops_status spool_append(struct spool *s, const struct spool_record *r);

/* Some record waits. */
bool spool_pending(const struct spool *s);
/* The oldest readable record into *out (valid until the next call), skipping and
 * counting torn or corrupt tails; false when none is left. */
bool spool_peek(struct spool *s, struct spool_record *out);
/* The record spool_peek returned is done with (delivered: replayed, else rejected). */
void spool_consume(struct spool *s, const struct spool_record *r, bool delivered);

#endif
