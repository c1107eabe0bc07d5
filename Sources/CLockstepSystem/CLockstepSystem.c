#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include "CLockstepSystem.h"

int CLockstep_setCurrentThreadName(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int CLockstep_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int CLockstep_enableReceiveTimestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

ssize_t CLockstep_readTimestamped(int fd, void *buffer, size_t length, uint64_t *realtimeNanoseconds) {
    struct iovec vector = { .iov_base = buffer, .iov_len = length };
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof control.bytes;
    ssize_t result = recvmsg(fd, &message, 0);
    if (result <= 0) return result;
    // A read that brings no timestamp reports none, never the previous read's.
    *realtimeNanoseconds = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS
            && header->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec stamp;
            memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
            *realtimeNanoseconds = (uint64_t)stamp.tv_sec * 1000000000u + (uint64_t)stamp.tv_nsec;
        }
    }
    return result;
}

int CLockstep_pinCurrentThread(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -1;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int CLockstep_makeCurrentThreadRealtime(int priority) {
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    struct sched_param parameter = { .sched_priority = priority };
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameter);
}

int CLockstep_sleepUntil(uint64_t deadlineNanoseconds) {
    struct timespec until = {
        .tv_sec = (time_t)(deadlineNanoseconds / 1000000000u),
        .tv_nsec = (long)(deadlineNanoseconds % 1000000000u),
    };
    return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
}

int CLockstep_allowedCPUs(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int count = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && count < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[count++] = cpu;
    }
    return count;
}

int CLockstep_setMmapThreshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

int CLockstep_epollWaitUntil(int epfd, struct epoll_event *events, int capacity, uint64_t deadlineNanoseconds, int block) {
    static int noPwait2 = 0;  // set once when the kernel answers ENOSYS; every loop may read it
    if (!block) return epoll_wait(epfd, events, capacity, 0);
    if (deadlineNanoseconds == 0) return epoll_wait(epfd, events, capacity, -1);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t nowNanoseconds = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    uint64_t remaining = deadlineNanoseconds > nowNanoseconds ? deadlineNanoseconds - nowNanoseconds : 0;
    if (!__atomic_load_n(&noPwait2, __ATOMIC_RELAXED)) {
        struct timespec timeout = { .tv_sec = (time_t)(remaining / 1000000000u), .tv_nsec = (long)(remaining % 1000000000u) };
        int result = epoll_pwait2(epfd, events, capacity, &timeout, NULL);
        if (result >= 0 || errno != ENOSYS) return result;
        __atomic_store_n(&noPwait2, 1, __ATOMIC_RELAXED);
    }
    uint64_t milliseconds = (remaining + 999999u) / 1000000u;
    if (milliseconds > 0x7fffffff) milliseconds = 0x7fffffff;
    return epoll_wait(epfd, events, capacity, (int)milliseconds);
}

ssize_t CLockstep_send(int fd, const void *buffer, size_t length, int flags) {
    return syscall(SYS_sendto, fd, buffer, length, flags, NULL, 0);
}

ssize_t CLockstep_recv(int fd, void *buffer, size_t length, int flags) {
    return syscall(SYS_recvfrom, fd, buffer, length, flags, NULL, NULL);
}

int CLockstep_setTimerSlack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}
