// The few symbols Embedded Swift needs on wasm32-unknown-none-wasm that nothing in the toolchain
// provides there (no libc, no compiler-rt builtins): an allocator, mem*, and 128-bit integer
// division and multiplication (Fixed's exact products and quotients use Int128).
//
// Built by tools/build-wasm.sh with the toolchain's clang:
//   clang --target=wasm32-unknown-unknown -O2 -nostdlib -fno-builtin -mbulk-memory -c runtime.c
// Everything here is deterministic: no clock, no randomness, allocation order alone decides
// addresses. The 128-bit helpers work on two 64-bit halves so that clang emits no calls to the
// (also missing) 128-bit shift helpers.

typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned char uint8_t;

// MARK: - Memory

void *memcpy(void *destination, const void *source, size_t count) {
    // memory.copy (bulk memory); handles overlap, so memmove is the same instruction.
    __builtin_memcpy(destination, source, count);
    return destination;
}

void *memmove(void *destination, const void *source, size_t count) {
    __builtin_memmove(destination, source, count);
    return destination;
}

void *memset(void *destination, int value, size_t count) {
    __builtin_memset(destination, value, count);
    return destination;
}

int memcmp(const void *left, const void *right, size_t count) {
    const uint8_t *a = left, *b = right;
    for (size_t index = 0; index < count; index++) {
        if (a[index] != b[index]) return a[index] < b[index] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *text) {
    size_t length = 0;
    while (text[length]) length++;
    return length;
}

// MARK: - Allocator

// Power-of-two size classes with one free list each, carved from the heap above __heap_base and
// grown with memory.grow. Every block starts with a 16-byte header holding its class, so every
// payload is 16-byte aligned. The simulation allocates only at creation and when arrays grow, so
// a simple allocator is enough; freed blocks are reused by the next request of the same class.
extern unsigned char __heap_base;

enum { headerSize = 16, smallestClass = 5, classCount = 32, pageSize = 65536 };

typedef struct FreeBlock { struct FreeBlock *next; } FreeBlock;

static FreeBlock *freeLists[classCount];
static uintptr_t heapTop;

static int classFor(size_t size) {
    if (size > ((size_t)1 << 30) - headerSize) return -1;
    size_t needed = size + headerSize;
    int sizeClass = smallestClass;
    while (((size_t)1 << sizeClass) < needed) sizeClass++;
    return sizeClass;
}

static void *carve(int sizeClass) {
    if (heapTop == 0) heapTop = ((uintptr_t)&__heap_base + 15) & ~(uintptr_t)15;
    uintptr_t block = heapTop;
    uintptr_t end = block + ((uintptr_t)1 << sizeClass);
    if (end < block) return 0;
    uintptr_t available = __builtin_wasm_memory_size(0) * pageSize;
    if (end > available) {
        uintptr_t pages = (end - available + pageSize - 1) / pageSize;
        if (__builtin_wasm_memory_grow(0, pages) == (uintptr_t)-1) return 0;
    }
    heapTop = end;
    return (void *)block;
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    // Payloads are 16-byte aligned; nothing the simulation allocates asks for more.
    if (alignment > headerSize) return 22;  // EINVAL
    int sizeClass = classFor(size);
    if (sizeClass < 0) return 12;  // ENOMEM
    uint8_t *block;
    if (freeLists[sizeClass]) {
        block = (uint8_t *)freeLists[sizeClass];
        freeLists[sizeClass] = freeLists[sizeClass]->next;
    } else {
        block = carve(sizeClass);
        if (!block) return 12;
    }
    *(uint32_t *)block = (uint32_t)sizeClass;
    *result = block + headerSize;
    return 0;
}

void *malloc(size_t size) {
    void *result = 0;
    return posix_memalign(&result, headerSize, size) == 0 ? result : 0;
}

void free(void *pointer) {
    if (!pointer) return;
    uint8_t *block = (uint8_t *)pointer - headerSize;
    uint32_t sizeClass = *(uint32_t *)block;
    FreeBlock *freed = (FreeBlock *)block;
    freed->next = freeLists[sizeClass];
    freeLists[sizeClass] = freed;
}

// MARK: - 128-bit integers on two 64-bit halves

typedef union {
    unsigned __int128 all;
    struct { uint64_t low, high; } half;  // wasm32 is little-endian
} U128;

typedef union {
    __int128 all;
    struct { uint64_t low; int64_t high; } half;
} I128;

// The full 128-bit product of two 64-bit values, from 32-bit pieces.
static U128 multiply64(uint64_t a, uint64_t b) {
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t middle = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    U128 result;
    result.half.low = (middle << 32) | (p00 & 0xFFFFFFFFu);
    result.half.high = p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32);
    return result;
}

__int128 __multi3(__int128 a, __int128 b) {
    // The low 128 bits of the product are the same for signed and unsigned operands.
    U128 x = {.all = (unsigned __int128)a}, y = {.all = (unsigned __int128)b};
    // Fast path: both operands are 32-bit signed values, sign-extended (most of the arena's
    // Fixed products), so the product fits 64 bits. (__builtin_mul_overflow would call __multi3.)
    int64_t lowX = (int64_t)x.half.low, lowY = (int64_t)y.half.low;
    if (x.half.high == (uint64_t)(lowX >> 63) && y.half.high == (uint64_t)(lowY >> 63)
        && lowX == (int64_t)(int32_t)lowX && lowY == (int64_t)(int32_t)lowY) {
        int64_t product = lowX * lowY;
        U128 small = {.half = {(uint64_t)product, (uint64_t)(product >> 63)}};
        return (__int128)small.all;
    }
    U128 result = multiply64(x.half.low, y.half.low);
    result.half.high += x.half.low * y.half.high + x.half.high * y.half.low;
    return (__int128)result.all;
}

static int leadingZeros(U128 value) {
    if (value.half.high) return __builtin_clzll(value.half.high);
    if (value.half.low) return 64 + __builtin_clzll(value.half.low);
    return 128;
}

static U128 shiftLeft(U128 value, int count) {
    if (count == 0) return value;
    U128 result;
    if (count >= 64) {
        result.half.high = value.half.low << (count - 64);
        result.half.low = 0;
    } else {
        result.half.high = (value.half.high << count) | (value.half.low >> (64 - count));
        result.half.low = value.half.low << count;
    }
    return result;
}

static U128 shiftRight(U128 value, int count) {
    if (count == 0) return value;
    U128 result;
    if (count >= 64) {
        result.half.low = value.half.high >> (count - 64);
        result.half.high = 0;
    } else {
        result.half.low = (value.half.low >> count) | (value.half.high << (64 - count));
        result.half.high = value.half.high >> count;
    }
    return result;
}

// Shifts by a variable count in [0, 127] (Fixed.squareRoot's 128-bit path).
__int128 __ashlti3(__int128 a, int count) {
    U128 value = {.all = (unsigned __int128)a};
    return (__int128)shiftLeft(value, count).all;
}

__int128 __lshrti3(__int128 a, int count) {
    U128 value = {.all = (unsigned __int128)a};
    return (__int128)shiftRight(value, count).all;
}

static int lessThan(U128 a, U128 b) {
    return a.half.high < b.half.high || (a.half.high == b.half.high && a.half.low < b.half.low);
}

static U128 subtract(U128 a, U128 b) {
    U128 result;
    result.half.low = a.half.low - b.half.low;
    result.half.high = a.half.high - b.half.high - (a.half.low < b.half.low);
    return result;
}

// Unsigned division with remainder (divisor != 0: Swift checks before dividing).
static void divide(U128 dividend, U128 divisor, U128 *quotient, U128 *remainder) {
    U128 q = {.all = 0};
    if (dividend.half.high == 0 && divisor.half.high == 0) {
        q.half.low = dividend.half.low / divisor.half.low;
        dividend.half.low = dividend.half.low % divisor.half.low;
        *quotient = q;
        *remainder = dividend;
        return;
    }
    if (lessThan(dividend, divisor)) {
        *quotient = q;
        *remainder = dividend;
        return;
    }
    // Shift-subtract, starting at the highest useful bit only.
    int shift = leadingZeros(divisor) - leadingZeros(dividend);
    U128 shifted = shiftLeft(divisor, shift);
    for (int bit = shift; bit >= 0; bit--) {
        if (!lessThan(dividend, shifted)) {
            dividend = subtract(dividend, shifted);
            if (bit >= 64) q.half.high |= (uint64_t)1 << (bit - 64);
            else q.half.low |= (uint64_t)1 << bit;
        }
        shifted.half.low = (shifted.half.low >> 1) | (shifted.half.high << 63);
        shifted.half.high >>= 1;
    }
    *quotient = q;
    *remainder = dividend;
}

static U128 negate(U128 value) {
    U128 zero = {.all = 0};
    return subtract(zero, value);
}

static U128 magnitude(__int128 value, int *negative) {
    I128 signedValue = {.all = value};
    U128 result = {.all = (unsigned __int128)value};
    *negative = signedValue.half.high < 0;
    return *negative ? negate(result) : result;
}

unsigned __int128 __udivti3(unsigned __int128 a, unsigned __int128 b) {
    U128 q, r, x = {.all = a}, y = {.all = b};
    divide(x, y, &q, &r);
    return q.all;
}

unsigned __int128 __umodti3(unsigned __int128 a, unsigned __int128 b) {
    U128 q, r, x = {.all = a}, y = {.all = b};
    divide(x, y, &q, &r);
    return r.all;
}

__int128 __divti3(__int128 a, __int128 b) {
    int negativeA, negativeB;
    U128 q, r;
    divide(magnitude(a, &negativeA), magnitude(b, &negativeB), &q, &r);
    return (__int128)(negativeA != negativeB ? negate(q) : q).all;
}

__int128 __modti3(__int128 a, __int128 b) {
    // The remainder takes the dividend's sign (truncating division, as Swift's %).
    int negativeA, negativeB;
    U128 q, r;
    divide(magnitude(a, &negativeA), magnitude(b, &negativeB), &q, &r);
    return (__int128)(negativeA ? negate(r) : r).all;
}
