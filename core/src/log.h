/* log.h - the library's own log: one message per line, on stderr ("genops: LEVEL: ...")
 * or, once a binding turns capture on (genops_log_capture), into a bounded queue that
 * the binding drains on a thread of its own and hands to its logging system.
 *
 * The threshold is GENOPS_LOG_LEVEL (error, warning, info, debug), read at the first line
 * so that a changed variable takes effect; when it is unset or unknown,
 * genops_log_set_level's level (default warning).
 *
 * Any thread may log. A stderr line is written with one write(), so lines never
 * interleave; a queued line costs one short mutex hold (a copy), and the logging
 * thread never waits for the reader: a full queue drops its oldest line and counts it.
 * The queue's lock is a leaf (nothing else is taken while it is held), so the fork
 * hooks take it last (FORK_RANK_LOG); see fork_prepare in log.c. */
#ifndef GENOPS_LOG_H
#define GENOPS_LOG_H

#include "genops.h"

/* Lines the capture queue holds; when it is full the oldest goes (genops.h says 256). */
#define LOG_QUEUE_CAPACITY 256

/* The internal names of genops_log_level's values (log.c checks that they agree). */
enum log_level { LOG_ERROR = 0, LOG_WARNING = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Log one line at level, printf-style; at most GENOPS_LOG_MESSAGE_SIZE - 1 bytes of
 * text are kept. Never fails, never blocks for longer than a copy. Any thread. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read GENOPS_LOG_LEVEL again at the next line (it is read once, since getenv on the
 * export thread would race with a host program's setenv). The fork child does this;
 * tests that change the variable call it. Not while other threads may log. */
void log_env_reread(void);

#endif
