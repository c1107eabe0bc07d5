// The C epoll floor: what one connection-tick costs a server that does nothing but the system
// calls a lockstep server must make, measured on this host at this moment.
//
// `cfloor server` accepts ROOMS x PLAYERS loopback TCP connections on one thread and, for each
// room at each tick, sends every player one FRAME_BYTES message with `send` and reads every
// player's INPUT_BYTES input with `recv` as epoll reports it. `cfloor client` is the other side:
// one thread, one socket per player, an input sent for every frame received (as `lockstep
// bench`'s bots do). There is no protocol: no WebSocket, no decoding, no simulation, no replay.
// The server prints its CPU time per connection-tick over the measured seconds.
//
// Rooms tick either all at once (`aligned`: one wake-up per tick for every connection, the
// cheapest schedule) or at random phases grouped within WINDOW_US (`spread`: the schedule of
// `lockstep serve`, whose rooms keep their own phases); when the next tick is at most BATCH_US
// away the loop sleeps until then and reads what arrived meanwhile in one poll (as `serve
// --batch-window-us` does). `spread 200 500` is `lockstep serve`'s default schedule. See tools/c-floor.sh and docs/BENCHMARKS.md.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { FRAME_BYTES = 40, INPUT_BYTES = 20, EVENT_CAPACITY = 1024 };

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t cpu_ns(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return ((uint64_t)usage.ru_utime.tv_sec + (uint64_t)usage.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t)usage.ru_utime.tv_usec + (uint64_t)usage.ru_stime.tv_usec) * 1000u;
}

static void fail(const char *what) {
    fprintf(stderr, "cfloor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long parse(const char *text, const char *name, long low, long high) {
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || *end != 0 || value < low || value > high) {
        fprintf(stderr, "cfloor: %s must be an integer in %ld...%ld, not '%s'\n", name, low, high, text);
        exit(2);
    }
    return value;
}

static void no_delay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static void watch(int epfd, int fd, uint64_t data) {
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = data};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl");
}

// Reads what is there (one recv, level-triggered epoll reports the rest); 0 when the peer closed.
static int drain(int fd) {
    char buffer[4096];
    ssize_t count = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    return count != 0;
}

static int server(int argc, char **argv) {
    if (argc != 10) {
        fprintf(stderr, "usage: cfloor server PORT ROOMS PLAYERS RATE aligned|spread WINDOW_US BATCH_US SECONDS\n");
        return 2;
    }
    int port = (int)parse(argv[2], "PORT", 1, 65535);
    long rooms = parse(argv[3], "ROOMS", 1, 100000);
    long players = parse(argv[4], "PLAYERS", 1, 64);
    long rate = parse(argv[5], "RATE", 1, 1000);
    int spread = strcmp(argv[6], "spread") == 0;
    if (!spread && strcmp(argv[6], "aligned") != 0) {
        fprintf(stderr, "cfloor: the schedule is aligned or spread, not '%s'\n", argv[6]);
        return 2;
    }
    uint64_t window = (uint64_t)parse(argv[7], "WINDOW_US", 0, 1000000) * 1000u;
    uint64_t batch = (uint64_t)parse(argv[8], "BATCH_US", 0, 1000000) * 1000u;
    long seconds = parse(argv[9], "SECONDS", 1, 3600);
    long connections = rooms * players;
    uint64_t period = 1000000000u / (uint64_t)rate;

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) fail("socket");
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) fail("bind");
    if (listen(listener, 4096) != 0) fail("listen");
    printf("listening\n");
    fflush(stdout);

    int *fds = calloc((size_t)connections, sizeof *fds);
    uint64_t *phase = calloc((size_t)rooms, sizeof *phase);
    uint64_t *next = calloc((size_t)rooms, sizeof *next);
    if (!fds || !phase || !next) fail("calloc");
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) fail("epoll_create1");
    for (long index = 0; index < connections; index++) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) fail("accept4");
        no_delay(fd);
        fds[index] = fd;
        watch(epfd, fd, (uint64_t)index);
    }
    srand(1);
    uint64_t start = now_ns() + 100000000u;
    for (long room = 0; room < rooms; room++) {
        phase[room] = spread ? (uint64_t)rand() % period : 0;
        next[room] = start + phase[room];
    }
    char frame[FRAME_BYTES];
    memset(frame, 7, sizeof frame);
    struct epoll_event events[EVENT_CAPACITY];
    uint64_t warmup_end = start + 2000000000u, end = warmup_end + (uint64_t)seconds * 1000000000u;
    uint64_t cpu_start = 0, ticks_sent = 0, wakeups = 0;
    int measuring = 0;
    for (;;) {
        uint64_t current = now_ns();
        if (!measuring && current >= warmup_end) {
            measuring = 1;
            cpu_start = cpu_ns();
            ticks_sent = 0;
            wakeups = 0;
        }
        if (current >= end) break;
        // The earliest deadline, then the latest one within the window after it: one wake-up.
        uint64_t earliest = UINT64_MAX;
        for (long room = 0; room < rooms; room++) if (next[room] < earliest) earliest = next[room];
        uint64_t target = earliest;
        for (long room = 0; room < rooms; room++) {
            if (next[room] <= earliest + window && next[room] > target) target = next[room];
        }
        int count;
        if (target > current && target - current <= batch) {
            // Close enough: sleep through the gap and take what arrived meanwhile in one poll.
            struct timespec until = {.tv_sec = (time_t)(target / 1000000000u), .tv_nsec = (long)(target % 1000000000u)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
            count = epoll_wait(epfd, events, EVENT_CAPACITY, 0);
        } else if (target > current) {
            uint64_t wait = target - current;
            struct timespec timeout = {.tv_sec = (time_t)(wait / 1000000000u), .tv_nsec = (long)(wait % 1000000000u)};
            count = epoll_pwait2(epfd, events, EVENT_CAPACITY, &timeout, NULL);
        } else {
            count = epoll_wait(epfd, events, EVENT_CAPACITY, 0);
        }
        wakeups += 1;
        for (int index = 0; index < count; index++) {
            int fd = fds[events[index].data.u64];
            if (!drain(fd)) {
                fprintf(stderr, "cfloor: a client closed its connection\n");
                return 1;
            }
        }
        current = now_ns();
        for (long room = 0; room < rooms; room++) {
            if (next[room] > current) continue;
            for (long player = 0; player < players; player++) {
                if (send(fds[room * players + player], frame, sizeof frame, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN) fail("send");
            }
            next[room] += period;
            ticks_sent += (uint64_t)players;
        }
    }
    uint64_t cpu = cpu_ns() - cpu_start;
    printf("connections %ld  rate %ld  schedule %s  window_us %llu  batch_us %llu  seconds %ld  connection_ticks %llu  wakeups_per_second %.0f  cpu_ms %.1f  us_per_connection_tick %.2f\n",
           connections, rate, spread ? "spread" : "aligned", (unsigned long long)(window / 1000u), (unsigned long long)(batch / 1000u), seconds,
           (unsigned long long)ticks_sent, (double)wakeups / (double)seconds, (double)cpu / 1e6, ticks_sent ? (double)cpu / 1e3 / (double)ticks_sent : 0.0);
    return 0;
}

static int client(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: cfloor client PORT CONNECTIONS\n");
        return 2;
    }
    int port = (int)parse(argv[2], "PORT", 1, 65535);
    long connections = parse(argv[3], "CONNECTIONS", 1, 1000000);
    int *fds = calloc((size_t)connections, sizeof *fds);
    if (!fds) fail("calloc");
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) fail("epoll_create1");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (long index = 0; index < connections; index++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) fail("socket");
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) fail("connect");
        no_delay(fd);
        fds[index] = fd;
        watch(epfd, fd, (uint64_t)index);
    }
    char input[INPUT_BYTES];
    memset(input, 3, sizeof input);
    struct epoll_event events[EVENT_CAPACITY];
    for (;;) {
        int count = epoll_wait(epfd, events, EVENT_CAPACITY, -1);
        if (count < 0 && errno != EINTR) fail("epoll_wait");
        for (int index = 0; index < count; index++) {
            int fd = fds[events[index].data.u64];
            if (!drain(fd)) return 0;  // the server is done
            send(fd, input, sizeof input, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
    }
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "server") == 0) return server(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "client") == 0) return client(argc, argv);
    fprintf(stderr, "usage: cfloor server PORT ROOMS PLAYERS RATE aligned|spread WINDOW_US BATCH_US SECONDS\n"
                    "       cfloor client PORT CONNECTIONS\n");
    return 2;
}
