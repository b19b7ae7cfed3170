/* budget_redis.c - a budget's spend in Redis (budget_redis.h).
 *
 * One thread and one connection per redis budget (budgets are few): it wakes every
 * FLUSH_MS or when a sync asks, sends INCRBY + EXPIRE pipelined, and reads the two
 * replies (resp.c). Every socket operation has a deadline (poll), so a dead server
 * delays only this thread, and a close never waits longer than its deadline. RESP is
 * spoken here rather than through libhiredis: three commands and four reply kinds are
 * about 100 lines (resp.c, fuzzed), one dependency fewer for every binding. */
#include "budget_redis.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "resp.h"

enum { FLUSH_MS = 100, IO_MS = 1000, RETRY_MS = 500, HOST_BYTES = 256, KEY_BYTES = 320 };

struct budget_redis {
    char host[HOST_BYTES];
    char port[8];
    char db[12];
    char key_prefix[KEY_BYTES]; /* "genops:budget:<name>:" */
    char name[KEY_BYTES];       /* for messages */
    struct budget_cell *cell;
    budget_redis_period_fn period;
    void *period_arg;
    _Atomic int64_t pending;

    /* The thread's own. */
    int fd;
    int64_t known_period, known_total; /* what Redis held for the key, as last seen */
    bool down_warned, down;

    pthread_t thread;
    _Atomic bool thread_live; /* started (on first use after open or a fork) */
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    uint64_t asked, answered; /* sync requests and the ones served (under lock) */
    bool answered_ok;
    bool stop;
};

static bool parse_url(struct budget_redis *r, const char *url)
{
    if (strncmp(url, "redis://", 8) != 0)
        return false;
    const char *h = url + 8, *end = h + strcspn(h, "/");
    const char *port = NULL;
    size_t hlen;
    if (*h == '[') { /* [::1]:6379 */
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (!close)
            return false;
        hlen = (size_t)(close - h - 1);
        h++;
        port = close[1] == ':' ? close + 2 : NULL;
        if (!port && close + 1 != end)
            return false;
    } else {
        const char *colon = memchr(h, ':', (size_t)(end - h));
        hlen = (size_t)((colon ? colon : end) - h);
        port = colon ? colon + 1 : NULL;
    }
    if (!hlen || hlen >= sizeof r->host || memchr(h, '@', hlen))
        return false;
    memcpy(r->host, h, hlen);
    r->host[hlen] = '\0';
    size_t plen = port ? (size_t)(end - port) : 0;
    if (port && (!plen || plen > 5 || strspn(port, "0123456789") < plen))
        return false;
    snprintf(r->port, sizeof r->port, "%.*s", (int)(port ? plen : 4), port ? port : "6379");
    const char *db = *end == '/' ? end + 1 : "";
    if (strlen(db) > 4 || strspn(db, "0123456789") != strlen(db))
        return false;
    snprintf(r->db, sizeof r->db, "%s", *db ? db : "0");
    long port_number = strtol(r->port, NULL, 10);
    return port_number > 0 && port_number < 65536;
}

/* ---- the connection --------------------------------------------------------------- */

static int remaining_ms(uint64_t deadline)
{
    uint64_t now = clock_mono_ns();
    return now >= deadline ? 0 : (int)((deadline - now) / 1000000u) + 1;
}

static bool wait_fd(int fd, short events, uint64_t deadline)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;
    do
        n = poll(&p, 1, remaining_ms(deadline));
    while (n < 0 && errno == EINTR);
    return n > 0 && !(p.revents & (POLLERR | POLLNVAL)) && (p.revents & (events | POLLHUP));
}

static void disconnect(struct budget_redis *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}

static bool send_all(struct budget_redis *r, const char *data, size_t len, uint64_t deadline)
{
    while (len) {
        ssize_t n = send(r->fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
                   !wait_fd(r->fd, POLLOUT, deadline)) {
            return false;
        }
    }
    return true;
}

/* Read count replies into out; false on a timeout, a closed connection or bad bytes. */
static bool read_replies(struct budget_redis *r, struct resp_reply *out, int count,
                         uint64_t deadline, char *buf, size_t cap)
{
    size_t have = 0, at = 0;
    for (int i = 0; i < count;) {
        long n = resp_parse(buf + at, have - at, &out[i]);
        if (n < 0)
            return false;
        if (n > 0) {
            at += (size_t)n;
            i++;
            continue;
        }
        if (have == cap || !wait_fd(r->fd, POLLIN, deadline))
            return false;
        ssize_t got = recv(r->fd, buf + have, cap - have, 0);
        if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EINTR)))
            return false;
        if (got > 0)
            have += (size_t)got;
    }
    return true;
}

static bool connect_to(struct budget_redis *r, uint64_t deadline)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(r->host, r->port, &hints, &res) != 0)
        return false;
    for (struct addrinfo *a = res; a && r->fd < 0; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (rc == 0 || (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) &&
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0))
            r->fd = fd;
        else
            close(fd);
    }
    freeaddrinfo(res);
    if (r->fd < 0)
        return false;
    const char *select[] = {"SELECT", r->db};
    char cmd[64], buf[256];
    size_t len = resp_command(cmd, sizeof cmd, 2, select);
    struct resp_reply rep;
    if (!send_all(r, cmd, len, deadline) || !read_replies(r, &rep, 1, deadline, buf, sizeof buf) ||
        rep.type != RESP_STATUS) {
        disconnect(r);
        return false;
    }
    return true;
}

/* ---- one round: send the pending count, take the others' ------------------------- */

static bool round_trip(struct budget_redis *r)
{
    uint64_t deadline = clock_mono_ns() + (uint64_t)IO_MS * 1000000u;
    if (r->fd < 0 && !connect_to(r, deadline))
        return false;
    int64_t period = r->period(r->period_arg);
    int64_t delta = atomic_exchange(&r->pending, 0);
    char key[KEY_BYTES + 24], num[24], ttl[24], cmd[2 * KEY_BYTES + 128], buf[512];
    snprintf(key, sizeof key, "%s%lld", r->key_prefix, (long long)period);
    snprintf(num, sizeof num, "%lld", (long long)delta);
    snprintf(ttl, sizeof ttl, "%lld", (long long)(2 * 31 * 86400)); /* two months at most */
    const char *incr[] = {"INCRBY", key, num}, *expire[] = {"EXPIRE", key, ttl};
    size_t a = resp_command(cmd, sizeof cmd, 3, incr);
    size_t b = a ? resp_command(cmd + a, sizeof cmd - a, 3, expire) : 0;
    struct resp_reply rep[2];
    if (!b || !send_all(r, cmd, a + b, deadline) ||
        !read_replies(r, rep, 2, deadline, buf, sizeof buf) || rep[0].type != RESP_INTEGER) {
        /* Not sent, or not known to be: count it again. A reply lost after Redis applied
         * the addition would count it twice; a timeout here is that rare case. */
        atomic_fetch_add(&r->pending, delta);
        disconnect(r);
        return false;
    }
    if (period != r->known_period) {
        r->known_period = period;
        r->known_total = 0;
    }
    int64_t others = rep[0].integer - r->known_total - delta;
    r->known_total = rep[0].integer;
    if (others && (atomic_load(&r->cell->period) & ~BUDGET_CELL_ROLLING) == period)
        atomic_fetch_add(&r->cell->spend, others);
    return true;
}

static void *run(void *arg)
{
    struct budget_redis *r = arg;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        bool asked = r->asked != r->answered, stop = r->stop;
        uint64_t serving = r->asked;
        pthread_mutex_unlock(&r->lock);
        bool ok = round_trip(r);
        if (!ok && !r->down_warned) {
            r->down_warned = true;
            log_msg(LOG_WARNING,
                    "budget '%s': redis://%s:%s unreachable; spend is counted in this process "
                    "and sent when it answers",
                    r->name, r->host, r->port);
        } else if (ok && r->down) {
            log_msg(LOG_INFO, "budget '%s': redis://%s:%s answers again; pending spend sent",
                    r->name, r->host, r->port);
        }
        r->down = !ok;
        pthread_mutex_lock(&r->lock);
        if (asked) {
            r->answered = serving;
            r->answered_ok = ok;
            pthread_cond_broadcast(&r->done);
        }
        if (stop)
            break;
        if (r->asked == r->answered && !r->stop) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)(ok ? FLUSH_MS : RETRY_MS) * 1000000u;
            until.tv_sec += (time_t)(ns / 1000000000u);
            until.tv_nsec = (long)(ns % 1000000000u);
            pthread_cond_timedwait(&r->wake, &r->lock, &until);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Start the thread unless it runs; false when it cannot be started. */
static bool ensure_thread(struct budget_redis *r)
{
    pthread_mutex_lock(&r->lock);
    bool live = atomic_load(&r->thread_live);
    if (!live && pthread_create(&r->thread, NULL, run, r) == 0)
        atomic_store(&r->thread_live, live = true);
    pthread_mutex_unlock(&r->lock);
    return live;
}

genops_status budget_redis_open(struct budget_redis **out, const char *url, const char *name,
                                struct budget_cell *cell, budget_redis_period_fn period, void *arg,
                                genops_error *err)
{
    struct budget_redis *r = calloc(1, sizeof *r);
    if (!r)
        return error_set(err, GENOPS_ENOMEM, "budget '%s': out of memory", name);
    if (!parse_url(r, url)) {
        free(r);
        return error_set(err, GENOPS_EINVAL,
                         "budget '%s': store must be \"process\", \"host\" or "
                         "redis://host[:port][/db]",
                         name);
    }
    int n = snprintf(r->key_prefix, sizeof r->key_prefix, "genops:budget:%s:", name);
    if (n < 0 || (size_t)n >= sizeof r->key_prefix) {
        free(r);
        return error_set(err, GENOPS_EINVAL, "budget '%s': name too long for a redis key", name);
    }
    snprintf(r->name, sizeof r->name, "%s", name);
    r->cell = cell;
    r->period = period;
    r->period_arg = arg;
    r->fd = -1;
    r->known_period = INT64_MIN;
    pthread_mutex_init(&r->lock, NULL);
    cond_init_monotonic(&r->wake);
    cond_init_monotonic(&r->done);
    if (!ensure_thread(r)) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->wake);
        pthread_cond_destroy(&r->done);
        free(r);
        return error_set(err, GENOPS_ENOMEM, "budget '%s': cannot start its redis thread", name);
    }
    *out = r;
    return GENOPS_OK;
}

void budget_redis_add(struct budget_redis *r, int64_t delta)
{
    atomic_fetch_add_explicit(&r->pending, delta, memory_order_relaxed);
    if (!atomic_load_explicit(&r->thread_live, memory_order_acquire))
        ensure_thread(r); /* the first cost after a fork */
}

bool budget_redis_pending(struct budget_redis *r)
{
    return atomic_load(&r->pending) != 0;
}

void budget_redis_after_fork_child(struct budget_redis *r)
{
    /* Made anew, not destroyed: the parent's thread that held or waited on them does not
     * exist here. */
    pthread_mutex_init(&r->lock, NULL);
    cond_init_monotonic(&r->wake);
    cond_init_monotonic(&r->done);
    if (r->fd >= 0)
        close(r->fd); /* this process's copy; the parent's connection stays */
    r->fd = -1;
    atomic_store(&r->pending, 0);
    r->asked = r->answered = 0;
    r->stop = false;
    atomic_store(&r->thread_live, false);
}

bool budget_redis_sync(struct budget_redis *r, int timeout_ms)
{
    if (!ensure_thread(r))
        return false;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)timeout_ms * 1000000u;
    until.tv_sec += (time_t)(ns / 1000000000u);
    until.tv_nsec = (long)(ns % 1000000000u);
    pthread_mutex_lock(&r->lock);
    uint64_t ticket = ++r->asked;
    pthread_cond_signal(&r->wake);
    while (r->answered < ticket)
        if (pthread_cond_timedwait(&r->done, &r->lock, &until) != 0)
            break;
    bool ok = r->answered >= ticket && r->answered_ok;
    pthread_mutex_unlock(&r->lock);
    return ok;
}

void budget_redis_close(struct budget_redis *r)
{
    bool live = ensure_thread(r); /* the last round sends what is pending */
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    r->asked++; /* one last round for what is pending */
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    if (live)
        pthread_join(r->thread, NULL);
    if (atomic_load(&r->pending))
        log_msg(LOG_WARNING, "budget '%s': %.9f of spend could not be sent to redis", r->name,
                (double)atomic_load(&r->pending) / 1e9);
    disconnect(r);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    pthread_cond_destroy(&r->done);
    free(r);
}
