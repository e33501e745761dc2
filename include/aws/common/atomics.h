#ifndef AWS_COMMON_ATOMICS_H
#define AWS_COMMON_ATOMICS_H
/* Atomic operations on struct aws_atomic_var (one pointer-sized word that
 * holds either a size_t or a void *), built on the GCC/Clang __atomic
 * builtins. The non-_explicit forms are sequentially consistent. Every
 * read-modify-write returns the value held before the operation. */
#include <aws/common/common.h>

#if !defined(__GNUC__) && !defined(__clang__)
#    error "aws/common/atomics.h needs the GCC/Clang __atomic builtins"
#endif

/* Memory orderings, with upstream's values (consume is not offered). */
enum aws_memory_order {
    aws_memory_order_relaxed = 0,
    aws_memory_order_acquire = 2,
    aws_memory_order_release,
    aws_memory_order_acq_rel,
    aws_memory_order_seq_cst
};

/* The integer view of an aws_atomic_var. may_alias: the same word is also
 * accessed as a void *. */
typedef size_t __attribute__((may_alias)) aws_atomic_impl_int_t;

/* Direct (non-atomic) access to the stored value, as upstream's helpers. */
#define AWS_ATOMIC_VAR_PTRVAL(var) ((var)->value)
#define AWS_ATOMIC_VAR_INTVAL(var) (*(aws_atomic_impl_int_t *)(var))

/* Static initialisers: struct aws_atomic_var v = AWS_ATOMIC_INIT_INT(0); */
#define AWS_ATOMIC_INIT_INT(x) {(void *)(uintptr_t)(x)}
#define AWS_ATOMIC_INIT_PTR(x) {(void *)(x)}

AWS_EXTERN_C_BEGIN

/* Maps an aws_memory_order onto the compiler's __ATOMIC_* constant; an
 * unknown order is a programming error and aborts. */
static inline int aws_atomic_priv_xlate_order(enum aws_memory_order order) {
    switch (order) {
        case aws_memory_order_relaxed:
            return __ATOMIC_RELAXED;
        case aws_memory_order_acquire:
            return __ATOMIC_ACQUIRE;
        case aws_memory_order_release:
            return __ATOMIC_RELEASE;
        case aws_memory_order_acq_rel:
            return __ATOMIC_ACQ_REL;
        case aws_memory_order_seq_cst:
            return __ATOMIC_SEQ_CST;
    }
    abort();
}

/* Address of the word, as the integer or the pointer it holds. The casts
 * drop const only to share one helper; loads never write through them. */
static inline volatile aws_atomic_impl_int_t *aws_atomic_priv_int(volatile const struct aws_atomic_var *var) {
    return (volatile aws_atomic_impl_int_t *)(uintptr_t)&var->value;
}
static inline void *volatile *aws_atomic_priv_ptr(volatile const struct aws_atomic_var *var) {
    return (void *volatile *)(uintptr_t)&var->value;
}

/* Initialisation is a plain store: do it before the variable is shared. */
AWS_STATIC_IMPL void aws_atomic_init_int(volatile struct aws_atomic_var *var, size_t n) {
    *aws_atomic_priv_int(var) = n;
}
AWS_STATIC_IMPL void aws_atomic_init_ptr(volatile struct aws_atomic_var *var, void *p) {
    *aws_atomic_priv_ptr(var) = p;
}

AWS_STATIC_IMPL size_t
    aws_atomic_load_int_explicit(volatile const struct aws_atomic_var *var, enum aws_memory_order memory_order) {
    return __atomic_load_n(aws_atomic_priv_int(var), aws_atomic_priv_xlate_order(memory_order));
}
AWS_STATIC_IMPL void *aws_atomic_load_ptr_explicit(
    volatile const struct aws_atomic_var *var,
    enum aws_memory_order memory_order) {
    return __atomic_load_n(aws_atomic_priv_ptr(var), aws_atomic_priv_xlate_order(memory_order));
}

AWS_STATIC_IMPL void aws_atomic_store_int_explicit(
    volatile struct aws_atomic_var *var,
    size_t n,
    enum aws_memory_order memory_order) {
    __atomic_store_n(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(memory_order));
}
AWS_STATIC_IMPL void aws_atomic_store_ptr_explicit(
    volatile struct aws_atomic_var *var,
    void *p,
    enum aws_memory_order memory_order) {
    __atomic_store_n(aws_atomic_priv_ptr(var), p, aws_atomic_priv_xlate_order(memory_order));
}

AWS_STATIC_IMPL size_t aws_atomic_exchange_int_explicit(
    volatile struct aws_atomic_var *var,
    size_t n,
    enum aws_memory_order memory_order) {
    return __atomic_exchange_n(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(memory_order));
}
AWS_STATIC_IMPL void *aws_atomic_exchange_ptr_explicit(
    volatile struct aws_atomic_var *var,
    void *p,
    enum aws_memory_order memory_order) {
    return __atomic_exchange_n(aws_atomic_priv_ptr(var), p, aws_atomic_priv_xlate_order(memory_order));
}

/* Strong compare-and-swap: if the variable equals *expected, store desired
 * and return true; otherwise copy the current value into *expected and
 * return false. */
AWS_STATIC_IMPL bool aws_atomic_compare_exchange_int_explicit(
    volatile struct aws_atomic_var *var,
    size_t *expected,
    size_t desired,
    enum aws_memory_order order_success,
    enum aws_memory_order order_failure) {
    return __atomic_compare_exchange_n(
        aws_atomic_priv_int(var),
        expected,
        desired,
        false,
        aws_atomic_priv_xlate_order(order_success),
        aws_atomic_priv_xlate_order(order_failure));
}
AWS_STATIC_IMPL bool aws_atomic_compare_exchange_ptr_explicit(
    volatile struct aws_atomic_var *var,
    void **expected,
    void *desired,
    enum aws_memory_order order_success,
    enum aws_memory_order order_failure) {
    return __atomic_compare_exchange_n(
        aws_atomic_priv_ptr(var),
        expected,
        desired,
        false,
        aws_atomic_priv_xlate_order(order_success),
        aws_atomic_priv_xlate_order(order_failure));
}

AWS_STATIC_IMPL size_t
    aws_atomic_fetch_add_explicit(volatile struct aws_atomic_var *var, size_t n, enum aws_memory_order order) {
    return __atomic_fetch_add(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(order));
}
AWS_STATIC_IMPL size_t
    aws_atomic_fetch_sub_explicit(volatile struct aws_atomic_var *var, size_t n, enum aws_memory_order order) {
    return __atomic_fetch_sub(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(order));
}
AWS_STATIC_IMPL size_t
    aws_atomic_fetch_or_explicit(volatile struct aws_atomic_var *var, size_t n, enum aws_memory_order order) {
    return __atomic_fetch_or(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(order));
}
AWS_STATIC_IMPL size_t
    aws_atomic_fetch_and_explicit(volatile struct aws_atomic_var *var, size_t n, enum aws_memory_order order) {
    return __atomic_fetch_and(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(order));
}
AWS_STATIC_IMPL size_t
    aws_atomic_fetch_xor_explicit(volatile struct aws_atomic_var *var, size_t n, enum aws_memory_order order) {
    return __atomic_fetch_xor(aws_atomic_priv_int(var), n, aws_atomic_priv_xlate_order(order));
}

AWS_STATIC_IMPL void aws_atomic_thread_fence(enum aws_memory_order order) {
    __atomic_thread_fence(aws_atomic_priv_xlate_order(order));
}

/* Sequentially consistent shorthands. */
AWS_STATIC_IMPL size_t aws_atomic_load_int(volatile const struct aws_atomic_var *var) {
    return aws_atomic_load_int_explicit(var, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL void *aws_atomic_load_ptr(volatile const struct aws_atomic_var *var) {
    return aws_atomic_load_ptr_explicit(var, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL void aws_atomic_store_int(volatile struct aws_atomic_var *var, size_t n) {
    aws_atomic_store_int_explicit(var, n, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL void aws_atomic_store_ptr(volatile struct aws_atomic_var *var, void *p) {
    aws_atomic_store_ptr_explicit(var, p, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL size_t aws_atomic_exchange_int(volatile struct aws_atomic_var *var, size_t n) {
    return aws_atomic_exchange_int_explicit(var, n, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL void *aws_atomic_exchange_ptr(volatile struct aws_atomic_var *var, void *p) {
    return aws_atomic_exchange_ptr_explicit(var, p, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL bool aws_atomic_compare_exchange_int(volatile struct aws_atomic_var *var, size_t *expected, size_t desired) {
    return aws_atomic_compare_exchange_int_explicit(
        var, expected, desired, aws_memory_order_seq_cst, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL bool aws_atomic_compare_exchange_ptr(volatile struct aws_atomic_var *var, void **expected, void *desired) {
    return aws_atomic_compare_exchange_ptr_explicit(
        var, expected, desired, aws_memory_order_seq_cst, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL size_t aws_atomic_fetch_add(volatile struct aws_atomic_var *var, size_t n) {
    return aws_atomic_fetch_add_explicit(var, n, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL size_t aws_atomic_fetch_sub(volatile struct aws_atomic_var *var, size_t n) {
    return aws_atomic_fetch_sub_explicit(var, n, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL size_t aws_atomic_fetch_and(volatile struct aws_atomic_var *var, size_t n) {
    return aws_atomic_fetch_and_explicit(var, n, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL size_t aws_atomic_fetch_or(volatile struct aws_atomic_var *var, size_t n) {
    return aws_atomic_fetch_or_explicit(var, n, aws_memory_order_seq_cst);
}
AWS_STATIC_IMPL size_t aws_atomic_fetch_xor(volatile struct aws_atomic_var *var, size_t n) {
    return aws_atomic_fetch_xor_explicit(var, n, aws_memory_order_seq_cst);
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_ATOMICS_H */
