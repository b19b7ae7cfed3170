/* spool.c - see spool.h. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

#define NAME_SIZE 24 /* "%016" PRIx64 ".seg" and its NUL */

static void add(atomic_uint_least64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void sub(atomic_uint_least64_t *c, uint64_t n)
{
    atomic_fetch_sub_explicit(c, n, memory_order_relaxed);
}

static void seg_name(uint64_t seq, char name[NAME_SIZE])
{
    snprintf(name, NAME_SIZE, "%016" PRIx64 ".seg", seq);
}

static bool parse_name(const char *name, uint64_t *seq)
{
    char *end;
    if (strlen(name) != 20 || strcmp(name + 16, ".seg") != 0)
        return false;
    errno = 0;
    *seq = strtoull(name, &end, 16);
    return !errno && end == name + 16;
}

static int by_seq(const void *a, const void *b)
{
    uint64_t x = ((const struct spool_segment *)a)->seq, y = ((const struct spool_segment *)b)->seq;
    return x < y ? -1 : x > y;
}

static bool push_segment(struct spool *s, struct spool_segment seg)
{
    if (s->nsegs == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        struct spool_segment *segs = realloc(s->segs, cap * sizeof *segs);
        if (!segs)
            return false;
        s->segs = segs;
        s->cap = cap;
    }
    s->segs[s->nsegs++] = seg;
    return true;
}

/* Read all of fd into b (a segment an earlier process wrote). */
static bool read_all(int fd, uint64_t size, struct buf *b)
{
    b->len = 0;
    if (size > SIZE_MAX / 2 || !buf_reserve(b, (size_t)size))
        return false;
    while (b->len < size) {
        ssize_t n = pread(fd, b->data + b->len, (size_t)size - b->len, (off_t)b->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        b->len += (size_t)n;
    }
    return true;
}

/* Index a segment left by an earlier process: its size and the spans of the records
 * that can be read (a bad tail is found again, and counted, when replay gets there). */
static void index_segment(struct spool *s, uint64_t seq)
{
    char name[NAME_SIZE];
    seg_name(seq, name);
    int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return;
    if (fstat(fd, &st) || st.st_size <= 0) {
        close(fd);
        unlinkat(s->dirfd, name, 0);
        return;
    }
    struct spool_segment seg = {seq, (uint64_t)st.st_size, 0};
    if (read_all(fd, seg.bytes, &s->rbuf)) {
        size_t off = 0;
        struct spool_record r;
        while (spool_record_next((const uint8_t *)s->rbuf.data, s->rbuf.len, &off, &r) ==
               SPOOL_READ_OK)
            seg.spans += r.spans;
    }
    close(fd);
    if (push_segment(s, seg)) {
        add(&s->stats.bytes, seg.bytes);
        add(&s->stats.pending, seg.spans);
    }
}

genops_status spool_open(struct spool **out, const char *dir, const struct spool_options *opt,
                         genops_error *err)
{
    *out = NULL;
    if (mkdir(dir, 0700) && errno != EEXIST)
        return error_set(err, GENOPS_EIO, "cannot create the spool directory %s: %s", dir,
                         strerror(errno));
    struct spool *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir))) {
        free(s);
        return error_set(err, GENOPS_ENOMEM, "out of memory opening the spool");
    }
    s->opt = *opt;
    s->wfd = s->rfd = s->dirfd = -1;
    buf_init(&s->wbuf, SPOOL_RECORD_MAX + SPOOL_RECORD_HEADER);
    buf_init(&s->rbuf, SIZE_MAX);
    s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = s->dirfd >= 0 ? fdopendir(dup(s->dirfd)) : NULL;
    if (!d) {
        int e = errno;
        spool_close(s);
        return error_set(err, GENOPS_EIO, "cannot open the spool directory %s: %s", dir,
                         strerror(e));
    }
    uint64_t seqs_cap = 0, nseqs = 0, *seqs = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t seq;
        if (!parse_name(de->d_name, &seq))
            continue;
        if (nseqs == seqs_cap) {
            seqs_cap = seqs_cap ? seqs_cap * 2 : 16;
            uint64_t *grown = realloc(seqs, seqs_cap * sizeof *seqs);
            if (!grown)
                break;
            seqs = grown;
        }
        seqs[nseqs++] = seq;
    }
    closedir(d);
    for (uint64_t i = 0; i < nseqs; i++) {
        index_segment(s, seqs[i]);
        if (seqs[i] >= s->next_seq)
            s->next_seq = seqs[i] + 1;
    }
    free(seqs);
    if (s->nsegs)
        qsort(s->segs, s->nsegs, sizeof *s->segs, by_seq);
    buf_free(&s->rbuf); /* the index is built: keep no segment's worth of memory */
    buf_init(&s->rbuf, SIZE_MAX);
    *out = s;
    return GENOPS_OK;
}

static void sync_fd(int fd)
{
    while (fdatasync(fd) && errno == EINTR) {
    }
}

static void close_writer(struct spool *s)
{
    if (s->wfd >= 0) {
        if (s->opt.fsync != GENOPS_SPOOL_FSYNC_NEVER)
            sync_fd(s->wfd);
        close(s->wfd);
    }
    s->wfd = -1;
    s->appendable = false;
}

void spool_close(struct spool *s)
{
    if (!s)
        return;
    close_writer(s);
    if (s->rfd >= 0)
        close(s->rfd);
    if (s->dirfd >= 0)
        close(s->dirfd);
    buf_free(&s->wbuf);
    buf_free(&s->rbuf);
    free(s->segs);
    free(s->dir);
    free(s);
}

void spool_after_fork_child(struct spool *s)
{
    if (s->wfd >= 0)
        close(s->wfd);
    if (s->rfd >= 0)
        close(s->rfd);
    s->wfd = s->rfd = -1;
    s->appendable = false;
    s->disabled = true;
    s->nsegs = 0;
    memset(&s->stats, 0, sizeof s->stats);
}

/* Delete the oldest segment; the spans not yet consumed from it go to *lost. */
static void drop_oldest(struct spool *s, atomic_uint_least64_t *lost)
{
    struct spool_segment seg = s->segs[0];
    if (s->rfd >= 0)
        close(s->rfd);
    s->rfd = -1;
    if (s->nsegs == 1 && s->appendable)
        close_writer(s);
    char name[NAME_SIZE];
    seg_name(seg.seq, name);
    unlinkat(s->dirfd, name, 0);
    uint64_t left = seg.spans > s->consumed ? seg.spans - s->consumed : 0;
    if (lost)
        add(lost, left);
    sub(&s->stats.pending, left);
    sub(&s->stats.bytes, seg.bytes);
    memmove(s->segs, s->segs + 1, (s->nsegs - 1) * sizeof *s->segs);
    s->nsegs--;
    s->roff = s->consumed = 0;
}

static genops_status start_segment(struct spool *s)
{
    close_writer(s);
    char name[NAME_SIZE];
    seg_name(s->next_seq, name);
    int fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return GENOPS_EIO;
    if (!push_segment(s, (struct spool_segment){s->next_seq, 0, 0})) {
        close(fd);
        unlinkat(s->dirfd, name, 0);
        return GENOPS_ENOMEM;
    }
    s->next_seq++;
    s->wfd = fd;
    s->appendable = true;
    if (s->opt.fsync == GENOPS_SPOOL_FSYNC_ALWAYS)
        sync_fd(s->dirfd); /* the new name survives a power cut too */
    return GENOPS_OK;
}

/* Write all of wbuf at the end of the newest segment; on failure cut the file back. */
static genops_status write_record(struct spool *s, struct spool_segment *seg)
{
    size_t done = 0;
    while (done < s->wbuf.len) {
        ssize_t n = write(s->wfd, s->wbuf.data + done, s->wbuf.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* ENOSPC, EFBIG (RLIMIT_FSIZE: the lane blocks SIGXFSZ, so write fails). */
            if (ftruncate(s->wfd, (off_t)seg->bytes))
                close_writer(s); /* a tail that stays is found torn on replay */
            return GENOPS_EIO;
        }
        done += (size_t)n;
    }
    if (s->opt.fsync == GENOPS_SPOOL_FSYNC_ALWAYS)
        sync_fd(s->wfd);
    return GENOPS_OK;
}

genops_status spool_append(struct spool *s, const struct spool_record *r)
{
    if (s->disabled)
        return GENOPS_ESHUTDOWN;
    s->wbuf.len = 0;
    s->wbuf.error = GENOPS_OK;
    genops_status rc = spool_record_encode(r, &s->wbuf);
    uint64_t size = s->wbuf.len;
    if (rc || size > s->opt.max_bytes) {
        add(rc == GENOPS_ENOMEM ? &s->stats.write_failed : &s->stats.dropped, r->spans);
        return rc ? rc : GENOPS_ETOOBIG;
    }
    while (s->nsegs && atomic_load(&s->stats.bytes) + size > s->opt.max_bytes)
        drop_oldest(s, &s->stats.dropped);
    if (!s->appendable || s->segs[s->nsegs - 1].bytes + size > s->opt.segment_bytes) {
        if ((rc = start_segment(s))) {
            add(&s->stats.write_failed, r->spans);
            return rc;
        }
    }
    struct spool_segment *seg = &s->segs[s->nsegs - 1];
    if ((rc = write_record(s, seg))) {
        add(&s->stats.write_failed, r->spans);
        return rc;
    }
    seg->bytes += size;
    seg->spans += r->spans;
    add(&s->stats.spooled, r->spans);
    add(&s->stats.bytes, size);
    add(&s->stats.pending, r->spans);
    return GENOPS_OK;
}

bool spool_pending(const struct spool *s)
{
    return !s->disabled && s->nsegs && (s->nsegs > 1 || s->roff < s->segs[0].bytes);
}

/* Read up to n bytes of segs[0] at off into rbuf; how many came. */
static size_t read_at(struct spool *s, uint64_t off, size_t n)
{
    s->rbuf.len = 0;
    if (!buf_reserve(&s->rbuf, n))
        return 0;
    while (s->rbuf.len < n) {
        ssize_t got =
            pread(s->rfd, s->rbuf.data + s->rbuf.len, n - s->rbuf.len, (off_t)(off + s->rbuf.len));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        s->rbuf.len += (size_t)got;
    }
    return s->rbuf.len;
}

bool spool_peek(struct spool *s, struct spool_record *out)
{
    while (spool_pending(s)) {
        struct spool_segment *seg = &s->segs[0];
        if (s->rfd < 0) {
            char name[NAME_SIZE];
            seg_name(seg->seq, name);
            s->rfd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
        }
        enum spool_read rc = SPOOL_READ_CORRUPT;
        uint32_t payload = 0;
        if (s->rfd >= 0) {
            size_t got = read_at(s, s->roff, SPOOL_RECORD_HEADER);
            rc = got == 0 ? SPOOL_READ_END
                          : spool_record_length((const uint8_t *)s->rbuf.data, got, &payload);
        }
        if (rc == SPOOL_READ_OK) {
            size_t size = SPOOL_RECORD_HEADER + payload, off = 0;
            rc = read_at(s, s->roff, size) < size
                     ? SPOOL_READ_TORN
                     : spool_record_next((const uint8_t *)s->rbuf.data, size, &off, out);
            if (rc == SPOOL_READ_OK)
                return true;
        }
        if (rc != SPOOL_READ_END)
            add(&s->stats.corrupt_tails, 1);
        drop_oldest(s, rc == SPOOL_READ_END ? NULL : &s->stats.corrupt);
    }
    return false;
}

void spool_consume(struct spool *s, const struct spool_record *r, bool delivered)
{
    /* rbuf holds the record from its header on. */
    s->roff += (uint64_t)(r->body + r->len - (const uint8_t *)s->rbuf.data);
    s->consumed += r->spans;
    add(delivered ? &s->stats.replayed : &s->stats.rejected, r->spans);
    sub(&s->stats.pending, r->spans);
    if (s->roff >= s->segs[0].bytes) {
        s->segs[0].spans = s->consumed; /* nothing of it is left to count as lost */
        drop_oldest(s, NULL);
    }
}
