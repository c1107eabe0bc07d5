// Linux declarations that Glibc's Swift module does not export: epoll, eventfd, timerfd.
#ifndef CLOCKSTEP_SYSTEM_H
#define CLOCKSTEP_SYSTEM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

// The epoll flags as plain integers (the header declares them as an enum and macros).
static const uint32_t CLockstep_EPOLLIN = EPOLLIN;
static const uint32_t CLockstep_EPOLLOUT = EPOLLOUT;
static const uint32_t CLockstep_EPOLLERR = EPOLLERR;
static const uint32_t CLockstep_EPOLLHUP = EPOLLHUP;
static const uint32_t CLockstep_EPOLLRDHUP = EPOLLRDHUP;
static const int CLockstep_EFD_NONBLOCK = EFD_NONBLOCK;
static const int CLockstep_EFD_CLOEXEC = EFD_CLOEXEC;
static const int CLockstep_TFD_NONBLOCK = TFD_NONBLOCK;
static const int CLockstep_TFD_CLOEXEC = TFD_CLOEXEC;
static const int CLockstep_TFD_TIMER_ABSTIME = TFD_TIMER_ABSTIME;
static const int CLockstep_EPOLL_CLOEXEC = EPOLL_CLOEXEC;
// Names the calling thread (pthread_setname_np needs _GNU_SOURCE, set in the .c file).
int CLockstep_setCurrentThreadName(const char *name);
// accept4(2), which glibc declares only under _GNU_SOURCE.
int CLockstep_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
// Enables SO_TIMESTAMPNS on a socket: the kernel then stamps what it receives.
int CLockstep_enableReceiveTimestamps(int fd);
// recvmsg(2) into `buffer`, reading the kernel's receive time of the newest bytes read
// (CLOCK_REALTIME, ns) into `*realtimeNanoseconds` when the socket has SO_TIMESTAMPNS on;
// sets it to 0 when data came without a timestamp. Returns what recvmsg returns.
ssize_t CLockstep_readTimestamped(int fd, void *buffer, size_t length, uint64_t *realtimeNanoseconds);
// Pins the calling thread to one CPU (sched_setaffinity); 0 on success, else -1 with errno.
int CLockstep_pinCurrentThread(int cpu);
// Gives the calling thread SCHED_FIFO at `priority` and a 1 ns timer slack; 0 on success.
int CLockstep_makeCurrentThreadRealtime(int priority);
// Writes the CPUs the calling thread may run on (its affinity mask) into `cpus`, at most
// `capacity` of them; returns how many, or -1 with errno.
int CLockstep_allowedCPUs(int *cpus, int capacity);
// Fixes glibc's mmap threshold at `bytes` (mallopt M_MMAP_THRESHOLD, which also stops its
// dynamic raising): larger blocks are mapped on their own and unmapped when freed. 1 on success.
int CLockstep_setMmapThreshold(int bytes);
// Sleeps until `deadlineNanoseconds` on CLOCK_MONOTONIC (clock_nanosleep, TIMER_ABSTIME).
int CLockstep_sleepUntil(uint64_t deadlineNanoseconds);
// Waits on an epoll set: not at all when `block` is 0; else until `deadlineNanoseconds`
// (CLOCK_MONOTONIC, absolute), or for ever when it is 0. Uses epoll_pwait2 with a nanosecond timeout, or epoll_wait with the timeout
// rounded up to a millisecond where the kernel lacks epoll_pwait2 (ENOSYS). Returns what they return.
int CLockstep_epollWaitUntil(int epfd, struct epoll_event *events, int capacity, uint64_t deadlineNanoseconds, int block);
// send(2) and recv(2) as bare system calls (syscall(2)), not glibc's wrappers: those are
// pthread cancellation points, and in a process with more than one thread each call toggles
// the thread's asynchronous-cancellation state (two atomic operations around the system call).
// Event loops never use cancellation. Same results and errno as send/recv.
ssize_t CLockstep_send(int fd, const void *buffer, size_t length, int flags);

/// Asks the CPU to start loading the cache lines of `bytes` bytes from `address` (a hint: no
/// fault, no effect on results). Inline, so a call costs the prefetch instructions alone.
static inline void CLockstep_prefetch(const void *address, long bytes) {
    const char *line = (const char *)address;
    for (long offset = 0; offset < bytes; offset += 64) __builtin_prefetch(line + offset, 1, 3);
}
ssize_t CLockstep_recv(int fd, void *buffer, size_t length, int flags);
// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK); 0 on success.
int CLockstep_setTimerSlack(unsigned long nanoseconds);
#endif
