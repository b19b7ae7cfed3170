/* test_isolation.c - a dead backend delays only its own exporter (issue 12, item 1). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "testutil.h"

/* A blackholed backend: it listens on 127.0.0.1 (the kernel completes the handshake)
 * and never accepts nor answers. Returns the socket; *port gets its port. */
static int blackhole(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Milliseconds from a span's end until the memory exporter (second) has it, with an
 * OTLP exporter first at the given endpoint (NULL: none). */
static double live_delivery_ms(const char *dead_endpoint)
{
    genops_error err;
    genops_pipeline_options po;
    genops_pipeline_options_init(&po);
    po.schedule_delay_ms = 50;
    po.exit_flush_timeout_ms = -1;
    genops_pipeline *p = genops_pipeline_new(&po, &err);
    assert_non_null(p);
    if (dead_endpoint) {
        genops_otlp_options o;
        genops_otlp_options_init(&o);
        o.endpoint = dead_endpoint;
        o.timeout_ms = 3000;
        genops_exporter *otlp = genops_otlp_exporter_new(&o, &err);
        assert_non_null(otlp);
        assert_int_equal(genops_pipeline_add_exporter(p, otlp, &err), GENOPS_OK);
    }
    genops_exporter *mem = genops_memory_exporter_new(&err);
    assert_int_equal(genops_pipeline_add_exporter(p, mem, &err), GENOPS_OK);

    genops_span s = genops_span_start(p, "isolated", NULL, &err);
    uint64_t t0 = clock_mono_ns();
    genops_span_end(s, &err);
    while (genops_memory_exporter_count(mem) == 0 && elapsed_ms(t0) < 5000)
        usleep(1000);
    double ms = elapsed_ms(t0);
    assert_int_equal(genops_memory_exporter_count(mem), 1);
    genops_pipeline_shutdown(p, 0, NULL);
    genops_pipeline_free(p);
    return ms;
}

static void test_dead_backend_does_not_delay_the_live_one(void **state)
{
    (void)state;
    int port, fd = blackhole(&port);
    char blackholed[64], refused[64];
    snprintf(blackholed, sizeof blackholed, "http://127.0.0.1:%d/v1/traces", port);
    /* A port nothing listens on: bind one, note it, close it. */
    int rport, rfd = blackhole(&rport);
    close(rfd);
    snprintf(refused, sizeof refused, "http://127.0.0.1:%d/v1/traces", rport);

    double healthy = live_delivery_ms(NULL);
    double with_blackhole = live_delivery_ms(blackholed);
    double with_refused = live_delivery_ms(refused);
    printf("live delivery: healthy %.1f ms, blackholed %.1f ms, refused %.1f ms\n", healthy,
           with_blackhole, with_refused);
    /* Within one batch delay (50 ms) of the healthy case, with slack for a loaded CI. */
    assert_true(with_blackhole < healthy + 50 + 100);
    assert_true(with_refused < healthy + 50 + 100);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dead_backend_does_not_delay_the_live_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
