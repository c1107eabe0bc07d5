// Test-only: counts heap allocations made by the calling thread, so tests can prove that a hot
// path allocates nothing in steady state. Linked into the test executable only.
#ifndef CALLOCATION_COUNTER_H
#define CALLOCATION_COUNTER_H
/// The number of malloc/calloc/realloc/aligned allocations made by the calling thread so far.
long long lockstep_thread_allocations(void);
#endif
