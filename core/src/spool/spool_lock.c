/* spool_lock.c - see spool_lock.h. */
#include "spool_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int spool_lock(const char *dir, genops_error *err)
{
    if (mkdir(dir, 0700) && errno != EEXIST) {
        error_set(err, GENOPS_EIO, "cannot create the spool directory %s: %s", dir,
                  strerror(errno));
        return -1;
    }
    char path[4096];
    if (snprintf(path, sizeof path, "%s/lock", dir) >= (int)sizeof path) {
        error_set(err, GENOPS_EINVAL, "the spool directory's path is too long");
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_set(err, GENOPS_EIO, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        int e = errno;
        char holder[24] = "";
        ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strspn(holder, "0123456789")] = '\0'; /* a pid, or nothing */
        close(fd);
        if (e == EWOULDBLOCK)
            error_set(err, GENOPS_EINVAL,
                      "the spool directory %s is in use by another pipeline (process %s); "
                      "give each process its own spool_dir",
                      dir, holder[0] ? holder : "unknown");
        else
            error_set(err, GENOPS_EIO, "cannot lock %s: %s", path, strerror(e));
        return -1;
    }
    char pid[24];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0) {
        /* The pid is only for the message above: the lock holds without it. */
    }
    return fd;
}

void spool_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}
