/* log.h - the library's own log: one line per message on stderr, "genops: LEVEL: ...".
 * The level comes from GENOPS_LOG_LEVEL (error, warning, info, debug; default warning),
 * read at every line.
 * Any thread; a line is written with one write() so lines never interleave. */
#ifndef GENOPS_LOG_H
#define GENOPS_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARNING = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
