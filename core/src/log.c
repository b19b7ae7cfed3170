/* log.c - see log.h. The capture queue is a plain ring of fixed-size slots under one
 * mutex: lines are rare (a drop warning, an export failure), so a lock held for one
 * copy costs nothing that matters, and the reader can sleep on a condition variable
 * instead of polling. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "fork.h"

_Static_assert(LOG_ERROR == (int)GENOPS_LOG_ERROR && LOG_WARNING == (int)GENOPS_LOG_WARNING &&
                   LOG_INFO == (int)GENOPS_LOG_INFO && LOG_DEBUG == (int)GENOPS_LOG_DEBUG,
               "log.h's levels are genops.h's");

/* What genops_log_next accepts: the first version of the record. A later, larger
 * record appends fields, and a caller built against this one keeps working. */
#define LOG_RECORD_V1_SIZE sizeof(genops_log_record)

static const char *const level_names[] = {"error", "warning", "info", "debug"};

struct log_slot {
    genops_log_level level;
    uint64_t time_unix_nano;
    size_t len;
    char text[GENOPS_LOG_MESSAGE_SIZE];
};

/* The queue: slots, head, count and lost are guarded by queue_lock; 256 slots of 1 KiB,
 * static, so that logging never allocates. */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_changed; /* CLOCK_MONOTONIC: a line came, or capture stopped */
static pthread_once_t queue_once = PTHREAD_ONCE_INIT;
static bool queue_cond_ready; /* set once queue_changed is initialised */
static struct log_slot slots[LOG_QUEUE_CAPACITY];
static unsigned head, count;
static uint64_t lost; /* lines dropped since the last one a reader took */

/* Read without the lock by loggers. capturing is written before the broadcast that
 * wakes readers (under queue_lock), so a reader never sleeps through "capture off". */
static atomic_bool capturing;
static atomic_int threshold = LOG_WARNING;

/* The condition waits against the monotonic clock: a wall clock stepped back would
 * stretch a reader's wait. Called once, and again in a forked child. */
static void queue_cond_init(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&queue_changed, &ca);
    pthread_condattr_destroy(&ca);
    queue_cond_ready = true;
}

/* GENOPS_LOG_LEVEL when it names a level, else the level set by genops_log_set_level.
 * The variable is read once, at the first line: getenv on the export thread would race
 * with a host program's setenv. */
static atomic_int env_level = -2; /* -2: not read yet; -1: unset or not a level */

static int log_threshold(void)
{
    int e = atomic_load_explicit(&env_level, memory_order_relaxed);
    if (e == -2) {
        const char *v = getenv("GENOPS_LOG_LEVEL");
        e = -1;
        for (int i = 0; v && i < 4; i++)
            if (strcasecmp(v, level_names[i]) == 0)
                e = i;
        atomic_store_explicit(&env_level, e, memory_order_relaxed);
    }
    return e >= 0 ? e : atomic_load_explicit(&threshold, memory_order_relaxed);
}

/* The length of text[0..len) without a UTF-8 sequence that the cut at len left
 * incomplete, so that a cut line stays valid UTF-8 for the bindings. */
static size_t cut_at_character(const char *text, size_t len)
{
    size_t i = len, back = 0;
    while (i > 0 && back < 4 && ((unsigned char)text[i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0)
        return len;
    unsigned char lead = (unsigned char)text[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return need > back + 1 ? i - 1 : len;
}

/* Queue one line, dropping the oldest when the queue is full (the reader may be slow
 * or gone; the logging thread never waits for it). Any thread. */
static void queue_push(enum log_level level, const char *text, size_t len)
{
    uint64_t now = clock_unix_ns();
    pthread_once(&queue_once, queue_cond_init);
    pthread_mutex_lock(&queue_lock);
    if (count == LOG_QUEUE_CAPACITY) {
        head = (head + 1) % LOG_QUEUE_CAPACITY;
        count--;
        lost++;
    }
    struct log_slot *s = &slots[(head + count) % LOG_QUEUE_CAPACITY];
    s->level = (genops_log_level)level;
    s->time_unix_nano = now;
    s->len = len;
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    count++;
    pthread_cond_broadcast(&queue_changed);
    pthread_mutex_unlock(&queue_lock);
}

/* "genops: LEVEL: text\n" in one write(), so that lines from threads never mix. */
static void write_stderr(enum log_level level, const char *text, size_t len)
{
    char line[GENOPS_LOG_MESSAGE_SIZE + 32];
    int n = snprintf(line, sizeof line, "genops: %s: ", level_names[level]);
    memcpy(line + n, text, len);
    line[(size_t)n + len] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, (size_t)n + len + 1);
    (void)unused;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if ((int)level > log_threshold())
        return;
    char text[GENOPS_LOG_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    size_t len = m < 0 ? 0 : (size_t)m;
    if (len > sizeof text - 1)
        len = cut_at_character(text, sizeof text - 1);
    /* acquire: pairs with the release in genops_log_capture; a line racing with
     * "capture off" may still be queued, and the reader's last drain takes it. */
    if (atomic_load_explicit(&capturing, memory_order_acquire))
        queue_push(level, text, len);
    else
        write_stderr(level, text, len);
}

/* With queue_lock held: wait until a line is queued, capture stops or timeout_ms
 * passes. True when a line is queued. */
static bool queue_wait_locked(genops_duration_ms timeout_ms)
{
    if (count == 0 && timeout_ms > 0) {
        uint64_t deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
        struct timespec ts = {(time_t)(deadline / 1000000000u), (long)(deadline % 1000000000u)};
        while (count == 0 && atomic_load_explicit(&capturing, memory_order_acquire))
            if (pthread_cond_timedwait(&queue_changed, &queue_lock, &ts) == ETIMEDOUT)
                break;
    }
    return count > 0;
}

bool genops_log_next(genops_log_record *out, genops_duration_ms timeout_ms)
{
    if (!out || out->struct_size < LOG_RECORD_V1_SIZE)
        return false;
    pthread_once(&queue_once, queue_cond_init);
    pthread_mutex_lock(&queue_lock);
    bool got = queue_wait_locked(timeout_ms);
    if (got) {
        const struct log_slot *s = &slots[head];
        out->level = s->level;
        out->time_unix_nano = s->time_unix_nano;
        out->lost = lost;
        memcpy(out->message, s->text, s->len + 1);
        lost = 0;
        head = (head + 1) % LOG_QUEUE_CAPACITY;
        count--;
    }
    pthread_mutex_unlock(&queue_lock);
    return got;
}

bool genops_log_wait(genops_duration_ms timeout_ms)
{
    pthread_once(&queue_once, queue_cond_init);
    pthread_mutex_lock(&queue_lock);
    bool ready = queue_wait_locked(timeout_ms);
    pthread_mutex_unlock(&queue_lock);
    return ready;
}

void genops_log_capture(bool on)
{
    pthread_once(&queue_once, queue_cond_init);
    /* release: pairs with the acquire in log_msg and the readers' waits. */
    atomic_store_explicit(&capturing, on, memory_order_release);
    pthread_mutex_lock(&queue_lock);
    pthread_cond_broadcast(&queue_changed); /* "off" ends every wait at once */
    pthread_mutex_unlock(&queue_lock);
}

genops_status genops_log_set_level(genops_log_level level, genops_error *err)
{
    if ((unsigned)level > (unsigned)GENOPS_LOG_DEBUG)
        return error_set(err, GENOPS_EINVAL, "unknown log level %d (0 error .. 3 debug)",
                         (int)level);
    atomic_store_explicit(&threshold, (int)level, memory_order_relaxed);
    error_clear(err);
    return GENOPS_OK;
}

/* Fork (fork.h): prepare takes the queue's lock after every other lock (a thread
 * holding one of those may be logging), parent releases it, child gives the child an
 * empty queue and a fresh lock and condition (the parent's reader thread does not exist
 * there, and a condition variable that still counts it as a waiter could block a signal
 * forever). */
static void fork_prepare(void)
{
    pthread_mutex_lock(&queue_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&queue_lock);
}

/* The parent's lines are the parent's to report: the child starts empty. Its reader
 * thread does not exist here, so the condition is made anew rather than trusted. */
void log_env_reread(void)
{
    atomic_store_explicit(&env_level, -2, memory_order_relaxed);
}

static void fork_child(void)
{
    log_env_reread(); /* the child may set its own level before it logs */
    head = count = 0;
    lost = 0;
    if (queue_cond_ready)
        queue_cond_init();
    pthread_mutex_unlock(&queue_lock);
}

__attribute__((constructor)) static void register_fork_hooks(void)
{
    static const struct fork_hooks hooks = {fork_prepare, fork_parent, fork_child};
    fork_hooks_register(FORK_RANK_LOG, &hooks);
}
