/* A struct aws_allocator whose acquire/release/realloc count live blocks and
 * can be told to fail, so tests can prove every allocation is freed and that
 * allocation failure aborts (run those in a child: see CHECK_ABORTS).
 * Single-threaded use only. */
#ifndef C_TESTS_COUNTING_ALLOCATOR_H
#define C_TESTS_COUNTING_ALLOCATOR_H

#include <aws/common/common.h>

#include <stdlib.h>

struct counting_allocator {
    struct aws_allocator base; /* first, so the aws_allocator * is the struct * */
    long live;                 /* blocks acquired and not yet released */
    long acquires;             /* acquire + realloc calls that succeeded */
    size_t fail_above;         /* requests larger than this fail (SIZE_MAX: never) */
};

static void *s_count_acquire(struct aws_allocator *a, size_t size) {
    struct counting_allocator *c = (struct counting_allocator *)a;
    if (size > c->fail_above) {
        return NULL;
    }
    void *p = malloc(size);
    if (p) {
        c->live++;
        c->acquires++;
    }
    return p;
}

static void s_count_release(struct aws_allocator *a, void *p) {
    struct counting_allocator *c = (struct counting_allocator *)a;
    if (p) {
        c->live--;
    }
    free(p);
}

static void *s_count_realloc(struct aws_allocator *a, void *old, size_t old_size, size_t new_size) {
    struct counting_allocator *c = (struct counting_allocator *)a;
    (void)old_size;
    if (new_size > c->fail_above) {
        return NULL;
    }
    void *p = realloc(old, new_size);
    if (p) {
        c->acquires++;
        if (!old) {
            c->live++;
        }
    }
    return p;
}

static void counting_allocator_init(struct counting_allocator *c) {
    memset(c, 0, sizeof(*c));
    c->base.mem_acquire = s_count_acquire;
    c->base.mem_release = s_count_release;
    c->base.mem_realloc = s_count_realloc;
    c->fail_above = (size_t)-1;
}

#endif
