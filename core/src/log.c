/* log.c - see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int level_from_env(void)
{
    const char *v = getenv("GENOPS_LOG_LEVEL");
    static const char *const names[] = {"error", "warning", "info", "debug"};
    for (int i = 0; v && i < 4; i++)
        if (strcasecmp(v, names[i]) == 0)
            return i;
    return LOG_WARNING;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    /* Read each time (lines are rare), so that a changed variable takes effect. */
    if ((int)level > level_from_env())
        return;
    char line[1024];
    int n = snprintf(line, sizeof line, "genops: %s: ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, len);
    (void)unused;
}
