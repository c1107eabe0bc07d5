// Linux declarations that Glibc's Swift module does not export: epoll, eventfd, timerfd.
#ifndef CLOCKSTEP_SYSTEM_H
#define CLOCKSTEP_SYSTEM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#endif
