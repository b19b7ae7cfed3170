/* test_budget_redis.c - the redis store (core/src/budget/budget_redis.c) against a real
 * redis-server on 127.0.0.1 and a free port, started here (skipped when Debian's
 * redis-server is not installed): exact totals from 4 threads, the key per period,
 * an unreachable server that reconciles once it starts, and the exit's last send. Run under TSan
 * too: the store's thread shares the cell and the pending count with the recording threads. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "budget/resp.h"
#include "testutil.h"

extern char **environ;

static char redis_path[256];

static bool find_redis(void)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof dirs, "%s", path ? path : "/usr/bin:/usr/sbin");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(redis_path, sizeof redis_path, "%s/redis-server", d);
        if (access(redis_path, X_OK) == 0)
            return true;
    }
    return false;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        return fd;
    close(fd);
    return -1;
}

static pid_t start_redis(int port)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    char *argv[] = {redis_path, "--port",       p,    "--bind",     "127.0.0.1", "--save",
                    "",         "--appendonly", "no", "--loglevel", "warning",   NULL};
    pid_t pid;
    posix_spawn_file_actions_t quiet; /* its start-up banner is not the test's output */
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
    assert_int_equal(posix_spawn(&pid, redis_path, &quiet, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&quiet);
    uint64_t t0 = clock_mono_ns();
    for (int fd; (fd = dial(port)) < 0;) {
        if (elapsed_ms(t0) > 10000)
            fail_msg("redis-server did not start on port %d", port);
        usleep(20000);
    }
    return pid;
}

static void stop_redis(pid_t pid)
{
    kill(pid, SIGTERM);
    assert_true(child_exit_within(pid, 10000) >= 0);
}

/* GET key as an integer (0 when absent), over a connection of our own. */
static int64_t redis_get(int port, const char *key)
{
    int fd = dial(port);
    assert_true(fd >= 0);
    const char *argv[] = {"GET", key};
    char cmd[256], buf[256];
    size_t n = resp_command(cmd, sizeof cmd, 2, argv);
    assert_int_equal(send(fd, cmd, n, 0), (ssize_t)n);
    size_t have = 0;
    struct resp_reply r;
    long used = 0;
    while ((used = resp_parse(buf, have, &r)) == 0) {
        ssize_t got = recv(fd, buf + have, sizeof buf - have, 0);
        assert_true(got > 0);
        have += (size_t)got;
    }
    close(fd);
    assert_true(used > 0);
    if (r.type == RESP_NIL)
        return 0;
    assert_int_equal(r.type, RESP_BULK);
    char text[32];
    snprintf(text, sizeof text, "%.*s", (int)r.len, r.text);
    return strtoll(text, NULL, 10);
}

static void day_key(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "genops:budget:%s:%lld", name, (long long)(time(NULL) / 86400));
}

static void define_redis(const char *name, int port)
{
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", port);
    genops_attribute kv[] = {
        {"name", {.type = GENOPS_TYPE_STRING, .len = strlen(name), .u.s = name}},
        A_DBL("limit", 1e6),
        {"store", {.type = GENOPS_TYPE_STRING, .len = strlen(url), .u.s = url}},
        A_STR("enforcement", "record")};
    genops_error err = {GENOPS_OK, ""};
    if (genops_budget_define(kv, COUNT(kv), &err))
        fail_msg("define: %s", err.message);
}

enum { THREADS = 4, OPS = 10000 };

static void *spend(void *arg)
{
    genops_pipeline *p = arg;
    genops_span s = genops_operation_start(p, "chat", NULL, NULL, NULL, NULL, 0, NULL);
    for (int i = 0; i < OPS; i++) {
        genops_attribute kv[] = {A_DBL("cost", (i % 7 + 1) * 0.0001)};
        genops_span_record_cost(s, kv, 1, NULL);
    }
    genops_span_end(s, NULL);
    return NULL;
}

static void test_threads_share_a_redis_budget(void **state)
{
    (void)state;
    if (!find_redis())
        skip(); /* redis-server is not installed (tools/apt-packages.txt has it) */
    int port = free_port();
    pid_t server = start_redis(port);
    struct fixture f;
    fixture_open(&f);
    define_redis("threads", port);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, spend, f.pipeline), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int64_t want = 0;
    for (int i = 0; i < OPS; i++)
        want += (i % 7 + 1) * 100000;
    want *= THREADS;
    genops_budget_state st = {.struct_size = sizeof st};
    assert_int_equal(genops_budget_get("threads", &st, NULL), GENOPS_OK); /* sends */
    assert_string_equal(st.store, "redis");
    assert_true(st.spend == (double)want / 1e9);
    char key[64];
    day_key(key, sizeof key, "threads");
    assert_int_equal(redis_get(port, key), want);
    assert_int_equal(genops_budget_remove("threads", NULL), GENOPS_OK);
    fixture_close(&f);
    stop_redis(server);
}

static void test_unreachable_then_reconciled(void **state)
{
    (void)state;
    if (!find_redis())
        skip();
    int port = free_port(); /* nothing listens there yet */
    struct fixture f;
    fixture_open(&f);
    define_redis("later", port);
    genops_span s = genops_operation_start(f.pipeline, "chat", NULL, NULL, NULL, NULL, 0, NULL);
    genops_attribute kv[] = {A_DBL("cost", 1.25)};
    genops_span_record_cost(s, kv, 1, NULL);
    genops_span_end(s, NULL);
    genops_budget_state st = {.struct_size = sizeof st};
    assert_int_equal(genops_budget_get("later", &st, NULL), GENOPS_OK);
    assert_true(st.spend == 1.25); /* counted here meanwhile */
    pid_t server = start_redis(port);
    char key[64];
    day_key(key, sizeof key, "later");
    uint64_t t0 = clock_mono_ns();
    while (redis_get(port, key) != 1250000000 && elapsed_ms(t0) < 10000)
        usleep(50000);
    assert_int_equal(redis_get(port, key), 1250000000);
    assert_int_equal(genops_budget_remove("later", NULL), GENOPS_OK);
    fixture_close(&f);
    stop_redis(server);
}

/* A process that exits normally sends what it had not sent yet (atexit). */
static void test_exit_sends_what_is_pending(void **state)
{
    (void)state;
    SKIP_UNDER_TSAN();
    if (!find_redis())
        skip();
    int port = free_port();
    pid_t server = start_redis(port);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        genops_pipeline *p = genops_pipeline_new(NULL, NULL);
        define_redis("exiting", port);
        genops_span s = genops_operation_start(p, "chat", NULL, NULL, NULL, NULL, 0, NULL);
        genops_attribute kv[] = {A_DBL("cost", 0.75)};
        genops_span_record_cost(s, kv, 1, NULL);
        genops_span_end(s, NULL);
        exit(0); /* at once: within the store's 100 ms, nothing was sent yet */
    }
    assert_int_equal(child_exit_within(child, 30000), 0);
    char key[64];
    day_key(key, sizeof key, "exiting");
    assert_int_equal(redis_get(port, key), 750000000);
    stop_redis(server);
}

static void test_bad_urls(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "redis://",          "redis://:6379",   "redis://h:0/0",
        "redis://h:65536/0", "redis://h:12x/0", "redis://u:p@h/0",
        "redis://h/db",      "redis://[::1/0",  "redis://h:6379/12345"};
    for (size_t i = 0; i < COUNT(urls); i++) {
        genops_attribute kv[] = {
            A_STR("name", "u"),
            A_DBL("limit", 1.0),
            {"store", {.type = GENOPS_TYPE_STRING, .len = strlen(urls[i]), .u.s = urls[i]}}};
        genops_error err = {GENOPS_OK, ""};
        if (genops_budget_define(kv, COUNT(kv), &err) != GENOPS_EINVAL)
            fail_msg("'%s' was accepted", urls[i]);
        assert_non_null(strstr(err.message, "redis://host[:port][/db]"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_threads_share_a_redis_budget),
        cmocka_unit_test(test_unreachable_then_reconciled),
        cmocka_unit_test(test_exit_sends_what_is_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
