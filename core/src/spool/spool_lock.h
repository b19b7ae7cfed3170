/* spool_lock.h - one process per spool directory.
 *
 * <spool_dir>/lock is held with flock(LOCK_EX | LOCK_NB) for the pipeline's life: a
 * second process (or a second pipeline of this process) on the same directory is
 * refused with an error that names the directory and the holder's pid, written into
 * the file. The kernel releases the lock when the holder exits, however it exits, so
 * a crash leaves nothing to clean up. A forked child shares its parent's lock (flock
 * locks belong to the open file, which fork shares): its pipelines do not spool
 * (spool_after_fork_child). */
#ifndef GENOPS_SPOOL_LOCK_H
#define GENOPS_SPOOL_LOCK_H

#include "genops.h"

/* Create dir (mode 0700) when needed and take its lock: the lock's fd, or -1 with err
 * set (GENOPS_EIO; GENOPS_EINVAL when another holds it). */
int spool_lock(const char *dir, genops_error *err);
/* Release (close) it; -1 is ignored. */
void spool_unlock(int fd);

#endif
