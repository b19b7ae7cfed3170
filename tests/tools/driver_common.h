/* driver_common.h - what the exporter test drivers (otlp_driver.c, hec_driver.c) share:
 * the options every driver takes, the GenOps-shaped spans they record, the JSON they
 * print, and the run itself (rounds, flushes, --fork, timing). Each driver keeps its
 * exporter's options and counters. Only the public API (genops.h) is used; one thread.
 *
 * Common options: [--spans N] [--rounds R] [--attrs K] [--big-span BYTES] [--batch B]
 * [--queue Q] [--flush-ms T] [--fork] [--fork-queued] [--past-s S] (--fork-queued: --fork,
 * but the child is forked before the first round's flush, with the parent's spans still
 * queued; --past-s: the spans of the rounds after the first start S seconds before now,
 * with ids of their own, and end 1 ms after their start, as if the wall clock had jumped
 * back). */
#ifndef GENOPS_DRIVER_COMMON_H
#define GENOPS_DRIVER_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "genops.h"

struct driver_args {
    int spans, rounds, attrs, big_span, batch, queue, flush_ms, past_s;
    bool fork, fork_queued;
};

/* A driver's own option k. Called first with v == NULL: when k is a flag of the driver,
 * set it and return true. Otherwise, when a value follows k, called again with it: take
 * it and return true. False: k is unknown (or its value is not acceptable). */
typedef bool (*driver_option_fn)(void *ctx, const char *k, const char *v);

/* Read the command line: common options into *a (after the defaults), the others through
 * fn(ctx, ...). False on anything unknown or incomplete. Values point into argv. */
bool driver_parse(int argc, char **argv, struct driver_args *a, driver_option_fn fn, void *ctx);

/* Print "usage: see the comment at the top of tests/tools/<file>" on stderr; returns 2,
 * the exit status for a bad command line. */
int driver_usage(const char *file);

/* Print s as a JSON string (the messages are ASCII or UTF-8 already). */
void driver_print_json_string(FILE *f, const char *s);

/* Under ThreadSanitizer, which cannot start threads in a forked child, print
 * {"skip": ...} for --fork and return true: the driver exits 0 without running. */
bool driver_fork_unsupported(const struct driver_args *a);

/* A pipeline (service name `service`; export_timeout_ms, 0 for the default) with the
 * exporter e, which it takes over (freed here on failure). NULL, with *err filled,
 * when e is NULL (its constructor failed and filled *err) or the pipeline fails. The
 * caller frees the result (genops_pipeline_free). */
genops_pipeline *driver_open(const struct driver_args *a, const char *service,
                             uint32_t export_timeout_ms, genops_exporter *e, genops_error *err);

/* Print members after the pipeline's "stats" for the exporter's own counters, each as
 * `, "name": value`; ctx is the driver's. */
typedef void (*driver_print_fn)(FILE *f, void *ctx);

/* Run the driver and print its one JSON object on stdout. With p NULL (driver_open
 * failed): {"created": false, "code": n, "error": "..."} from *err. Otherwise a->rounds
 * rounds of recording a->spans spans and flushing (the first round's middle span carries
 * the --big-span string), the first round followed, with --fork, by a child that records
 * spans of its own and reports through a pipe (preceded with --fork-queued); then {"created": true,
 * "code", "error", "seconds", "stats", <extra>, "child"}. extra may be NULL. Leaves p running: the
 * caller shuts it down and frees it. Returns the exit status (1 when no pipe). */
int driver_run(const struct driver_args *a, genops_pipeline *p, genops_error *err,
               driver_print_fn extra, void *ctx);

#endif
