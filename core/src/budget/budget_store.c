/* budget_store.c - budget cells in memory or in a shared file (budget_store.h).
 *
 * A host file is 128 bytes: a header (magic, format version) in the first 64 and the
 * cell in the second 64, a cache line of its own. The first process creates it under
 * an flock, so a second one never maps a half-written file. docs/governance.md has the
 * measurement that chose a mapped file over SQLite. */
#include "budget_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"

static const char MAGIC[8] = {'G', 'E', 'N', 'O', 'P', 'S', 'B', '1'};
enum { HEADER_BYTES = 64, FILE_BYTES = 128, PATH_CAP = 4096 };

void budget_store_local(struct budget_store *st, int64_t period)
{
    memset(st, 0, sizeof *st);
    st->cell = &st->local;
    atomic_init(&st->local.period, period);
    atomic_init(&st->local.spend, 0);
    atomic_init(&st->local.fired, 0);
}

bool budget_store_default_dir(char *out, size_t cap)
{
    const char *dir = getenv("GENOPS_STATE_DIR");
    int n = -1;
    if (dir && *dir)
        n = snprintf(out, cap, "%s", dir);
    else if ((dir = getenv("XDG_CACHE_HOME")) && *dir == '/')
        n = snprintf(out, cap, "%s/genops", dir);
    else if ((dir = getenv("HOME")) && *dir)
        n = snprintf(out, cap, "%s/.cache/genops", dir);
    return n > 0 && (size_t)n < cap;
}

/* mkdir -p of dir with mode 0700 for what it creates. */
static int make_dirs(const char *dir)
{
    char path[PATH_CAP];
    size_t len = strlen(dir);
    if (len >= sizeof path)
        return ENAMETOOLONG;
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return errno;
        path[i] = c;
    }
    return 0;
}

/* dir/budget-<name>.cell, name percent-encoded outside [A-Za-z0-9._-]. */
static bool file_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/budget-", dir);
    if (n < 0 || (size_t)n >= cap)
        return false;
    size_t at = (size_t)n;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
        if (at + 4 >= cap)
            return false;
        if (plain)
            out[at++] = (char)*p;
        else
            at += (size_t)snprintf(out + at, cap - at, "%%%02X", *p);
    }
    n = snprintf(out + at, cap - at, ".cell");
    return n > 0 && (size_t)n < cap - at;
}

genops_status budget_store_host(struct budget_store *st, const char *dir, const char *name,
                                int64_t period, genops_error *err)
{
    char path[PATH_CAP];
    memset(st, 0, sizeof *st);
    int e = make_dirs(dir);
    if (e)
        return error_set(err, GENOPS_EINVAL, "budget '%s': state_dir %s: %s", name, dir,
                         strerror(e));
    if (!file_path(path, sizeof path, dir, name))
        return error_set(err, GENOPS_EINVAL, "budget '%s': state_dir path too long", name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_set(err, GENOPS_EINVAL, "budget '%s': %s: %s", name, path, strerror(errno));
    genops_status rc = GENOPS_OK;
    struct stat sb;
    void *map = MAP_FAILED;
    if (flock(fd, LOCK_EX) != 0 || fstat(fd, &sb) != 0) {
        rc = error_set(err, GENOPS_EINVAL, "budget '%s': %s: %s", name, path, strerror(errno));
        goto out;
    }
    bool fresh = sb.st_size == 0;
    if (fresh && ftruncate(fd, FILE_BYTES) != 0) {
        rc = error_set(err, GENOPS_EINVAL, "budget '%s': %s: %s", name, path, strerror(errno));
        goto out;
    }
    if (!fresh && sb.st_size != FILE_BYTES) {
        rc = error_set(err, GENOPS_EINVAL, "budget '%s': %s is not a budget file (%lld bytes)",
                       name, path, (long long)sb.st_size);
        goto out;
    }
    map = mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        rc = error_set(err, GENOPS_ENOMEM, "budget '%s': mmap %s: %s", name, path, strerror(errno));
        goto out;
    }
    struct budget_cell *cell = (struct budget_cell *)(void *)((char *)map + HEADER_BYTES);
    if (fresh) {
        atomic_store(&cell->period, period);
        memcpy(map, MAGIC, sizeof MAGIC);
    } else if (memcmp(map, MAGIC, sizeof MAGIC) != 0) {
        munmap(map, FILE_BYTES);
        rc = error_set(err, GENOPS_EINVAL, "budget '%s': %s is not a budget file", name, path);
        goto out;
    }
    st->cell = cell;
    st->map = map;
    st->map_len = FILE_BYTES;
out:
    close(fd); /* also drops the flock; the mapping stays */
    return rc;
}

void budget_store_close(struct budget_store *st)
{
    if (st->map)
        munmap(st->map, st->map_len);
    st->map = NULL;
    st->cell = NULL;
}

/* How long a waiter gives a roller that stopped between its two stores (a process
 * killed there) before it finishes the rollover itself. */
#define ROLL_TAKEOVER_NS UINT64_C(100000000) /* 100 ms */

void budget_cell_roll(struct budget_cell *c, int64_t now)
{
    uint64_t since = 0;
    for (;;) {
        int64_t p = atomic_load(&c->period);
        if (p == now || (!(p & BUDGET_CELL_ROLLING) && p > now))
            return;
        if (!(p & BUDGET_CELL_ROLLING)) {
            if (atomic_compare_exchange_strong(&c->period, &p, now | BUDGET_CELL_ROLLING)) {
                atomic_store(&c->spend, 0);
                atomic_store(&c->fired, 0);
                atomic_store(&c->period, now);
                return;
            }
            continue;
        }
        /* Another thread or process is rolling: it takes two stores. */
        if (!since)
            since = clock_mono_ns();
        else if (clock_mono_ns() - since > ROLL_TAKEOVER_NS &&
                 atomic_compare_exchange_strong(&c->period, &p, (p & ~BUDGET_CELL_ROLLING) - 1))
            since = 0; /* its period is now an earlier one: the next turn rolls it */
        sched_yield();
    }
}
