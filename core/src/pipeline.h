/* pipeline.h - the process's fork and exit hooks. */
#ifndef GENOPS_PIPELINE_H
#define GENOPS_PIPELINE_H

/* Register the process's fork and exit hooks, once (later calls return at once). The
 * first pipeline does it, and so does anything else whose state must survive fork
 * (genops_log_capture): one registration takes every lock in one order. Any thread. */
void pipeline_process_hooks_install(void);

#endif
