#ifndef AWS_IO_FUTURE_H
#define AWS_IO_FUTURE_H
/*
 * Futures: aws_future_impl (declared in the generated header) plus the
 * AWS_FUTURE_T_* macros that give a result type T its own type-safe
 * aws_future_<T> API, as upstream's future.h does. The _DECLARATION macros
 * declare the API; the _IMPLEMENTATION macros (in one .c file) define it as
 * thin casts onto aws_future_impl. aws_future_void/bool/size are exported by
 * the library; their declarations come from the generated header.
 */
#include <aws/io/io.h>

/* ---- shared by every kind ---- */

#define AWS_FUTURE_T_DECLARATION_BEGIN(FUTURE, API) struct FUTURE;
#define AWS_FUTURE_T_IMPLEMENTATION_BEGIN(FUTURE)

#define AWS_FUTURE_T_DECLARATION_END(FUTURE, API)                                                                      \
    API struct FUTURE *FUTURE##_acquire(struct FUTURE *future);                                                        \
    API struct FUTURE *FUTURE##_release(struct FUTURE *future);                                                        \
    API void FUTURE##_set_error(struct FUTURE *future, int error_code);                                                \
    API bool FUTURE##_is_done(const struct FUTURE *future);                                                            \
    API int FUTURE##_get_error(const struct FUTURE *future);                                                           \
    API void FUTURE##_register_callback(struct FUTURE *future, aws_future_callback_fn *on_done, void *user_data);      \
    API bool FUTURE##_register_callback_if_not_done(                                                                   \
        struct FUTURE *future, aws_future_callback_fn *on_done, void *user_data);                                      \
    API void FUTURE##_register_event_loop_callback(                                                                    \
        struct FUTURE *future, struct aws_event_loop *event_loop, aws_future_callback_fn *on_done, void *user_data);   \
    API void FUTURE##_register_channel_callback(                                                                       \
        struct FUTURE *future, struct aws_channel *channel, aws_future_callback_fn *on_done, void *user_data);         \
    API bool FUTURE##_wait(struct FUTURE *future, uint64_t timeout_ns);

#define AWS_FUTURE_T_IMPL_(f) ((struct aws_future_impl *)(f))
#define AWS_FUTURE_T_CIMPL_(f) ((const struct aws_future_impl *)(f))

#define AWS_FUTURE_T_IMPLEMENTATION_END(FUTURE)                                                                        \
    struct FUTURE *FUTURE##_acquire(struct FUTURE *future) {                                                           \
        return (struct FUTURE *)aws_future_impl_acquire(AWS_FUTURE_T_IMPL_(future));                                   \
    }                                                                                                                  \
    struct FUTURE *FUTURE##_release(struct FUTURE *future) {                                                           \
        return (struct FUTURE *)aws_future_impl_release(AWS_FUTURE_T_IMPL_(future));                                   \
    }                                                                                                                  \
    void FUTURE##_set_error(struct FUTURE *future, int error_code) {                                                   \
        aws_future_impl_set_error(AWS_FUTURE_T_IMPL_(future), error_code);                                             \
    }                                                                                                                  \
    bool FUTURE##_is_done(const struct FUTURE *future) {                                                               \
        return aws_future_impl_is_done(AWS_FUTURE_T_CIMPL_(future));                                                   \
    }                                                                                                                  \
    int FUTURE##_get_error(const struct FUTURE *future) {                                                              \
        return aws_future_impl_get_error(AWS_FUTURE_T_CIMPL_(future));                                                 \
    }                                                                                                                  \
    void FUTURE##_register_callback(struct FUTURE *future, aws_future_callback_fn *on_done, void *user_data) {         \
        aws_future_impl_register_callback(AWS_FUTURE_T_IMPL_(future), on_done, user_data);                             \
    }                                                                                                                  \
    bool FUTURE##_register_callback_if_not_done(                                                                       \
        struct FUTURE *future, aws_future_callback_fn *on_done, void *user_data) {                                     \
        return aws_future_impl_register_callback_if_not_done(AWS_FUTURE_T_IMPL_(future), on_done, user_data);          \
    }                                                                                                                  \
    void FUTURE##_register_event_loop_callback(                                                                        \
        struct FUTURE *future, struct aws_event_loop *event_loop, aws_future_callback_fn *on_done, void *user_data) {  \
        aws_future_impl_register_event_loop_callback(AWS_FUTURE_T_IMPL_(future), event_loop, on_done, user_data);      \
    }                                                                                                                  \
    void FUTURE##_register_channel_callback(                                                                           \
        struct FUTURE *future, struct aws_channel *channel, aws_future_callback_fn *on_done, void *user_data) {        \
        aws_future_impl_register_channel_callback(AWS_FUTURE_T_IMPL_(future), channel, on_done, user_data);            \
    }                                                                                                                  \
    bool FUTURE##_wait(struct FUTURE *future, uint64_t timeout_ns) {                                                   \
        return aws_future_impl_wait(AWS_FUTURE_T_CIMPL_(future), timeout_ns);                                          \
    }

/* ---- T by value, no destructor (bool, size_t, enums) ---- */

#define AWS_FUTURE_T_BY_VALUE_DECLARATION(FUTURE, T, API)                                                              \
    AWS_FUTURE_T_DECLARATION_BEGIN(FUTURE, API)                                                                        \
    API struct FUTURE *FUTURE##_new(struct aws_allocator *alloc);                                                      \
    API void FUTURE##_set_result(struct FUTURE *future, T result);                                                     \
    API T FUTURE##_get_result(const struct FUTURE *future);                                                            \
    AWS_FUTURE_T_DECLARATION_END(FUTURE, API)

#define AWS_FUTURE_T_BY_VALUE_IMPLEMENTATION(FUTURE, T)                                                                \
    AWS_FUTURE_T_IMPLEMENTATION_BEGIN(FUTURE)                                                                          \
    struct FUTURE *FUTURE##_new(struct aws_allocator *alloc) {                                                         \
        return (struct FUTURE *)aws_future_impl_new_by_value(alloc, sizeof(T));                                        \
    }                                                                                                                  \
    void FUTURE##_set_result(struct FUTURE *future, T result) {                                                        \
        aws_future_impl_set_result_by_move(AWS_FUTURE_T_IMPL_(future), &result);                                       \
    }                                                                                                                  \
    T FUTURE##_get_result(const struct FUTURE *future) {                                                               \
        return *(T *)aws_future_impl_get_result_address(AWS_FUTURE_T_CIMPL_(future));                                 \
    }                                                                                                                  \
    AWS_FUTURE_T_IMPLEMENTATION_END(FUTURE)

/* ---- T by value, freed with void CLEAN_UP_FN(T *) (aws_byte_buf) ---- */

#define AWS_FUTURE_T_BY_VALUE_WITH_CLEAN_UP_DECLARATION(FUTURE, T, API)                                                \
    AWS_FUTURE_T_DECLARATION_BEGIN(FUTURE, API)                                                                        \
    API struct FUTURE *FUTURE##_new(struct aws_allocator *alloc);                                                      \
    API void FUTURE##_set_result_by_move(struct FUTURE *future, T *value_address);                                     \
    API T *FUTURE##_peek_result(const struct FUTURE *future);                                                          \
    API T FUTURE##_get_result_by_move(struct FUTURE *future);                                                          \
    AWS_FUTURE_T_DECLARATION_END(FUTURE, API)

#define AWS_FUTURE_T_BY_VALUE_WITH_CLEAN_UP_IMPLEMENTATION(FUTURE, T, CLEAN_UP_FN)                                     \
    AWS_FUTURE_T_IMPLEMENTATION_BEGIN(FUTURE)                                                                          \
    struct FUTURE *FUTURE##_new(struct aws_allocator *alloc) {                                                         \
        void (*typed_clean_up)(T *) = CLEAN_UP_FN;                                                                     \
        return (struct FUTURE *)aws_future_impl_new_by_value_with_clean_up(                                            \
            alloc, sizeof(T), (aws_future_impl_result_clean_up_fn *)typed_clean_up);                                   \
    }                                                                                                                  \
    void FUTURE##_set_result_by_move(struct FUTURE *future, T *value_address) {                                        \
        aws_future_impl_set_result_by_move(AWS_FUTURE_T_IMPL_(future), value_address);                                 \
    }                                                                                                                  \
    T *FUTURE##_peek_result(const struct FUTURE *future) {                                                             \
        return (T *)aws_future_impl_get_result_address(AWS_FUTURE_T_CIMPL_(future));                                  \
    }                                                                                                                  \
    T FUTURE##_get_result_by_move(struct FUTURE *future) {                                                             \
        T value;                                                                                                       \
        aws_future_impl_get_result_by_move(AWS_FUTURE_T_IMPL_(future), &value);                                        \
        return value;                                                                                                  \
    }                                                                                                                  \
    AWS_FUTURE_T_IMPLEMENTATION_END(FUTURE)

/* ---- T *, no destructor ---- */

#define AWS_FUTURE_T_POINTER_DECLARATION(FUTURE, T, API)                                                               \
    AWS_FUTURE_T_DECLARATION_BEGIN(FUTURE, API)                                                                        \
    API struct FUTURE *FUTURE##_new(struct aws_allocator *alloc);                                                      \
    API void FUTURE##_set_result(struct FUTURE *future, T *result);                                                    \
    API T *FUTURE##_get_result(const struct FUTURE *future);                                                           \
    AWS_FUTURE_T_DECLARATION_END(FUTURE, API)

#define AWS_FUTURE_T_POINTER_IMPLEMENTATION(FUTURE, T)                                                                 \
    AWS_FUTURE_T_IMPLEMENTATION_BEGIN(FUTURE)                                                                          \
    struct FUTURE *FUTURE##_new(struct aws_allocator *alloc) {                                                         \
        return (struct FUTURE *)aws_future_impl_new_pointer(alloc);                                                    \
    }                                                                                                                  \
    void FUTURE##_set_result(struct FUTURE *future, T *result) {                                                       \
        aws_future_impl_set_result_by_move(AWS_FUTURE_T_IMPL_(future), &result);                                       \
    }                                                                                                                  \
    T *FUTURE##_get_result(const struct FUTURE *future) {                                                              \
        return *(T **)aws_future_impl_get_result_address(AWS_FUTURE_T_CIMPL_(future));                                \
    }                                                                                                                  \
    AWS_FUTURE_T_IMPLEMENTATION_END(FUTURE)

/* ---- T *, freed with void DESTROY_FN(T *) or T *RELEASE_FN(T *) ---- */

#define AWS_FUTURE_T_POINTER_OWNED_DECLARATION_(FUTURE, T, API)                                                        \
    AWS_FUTURE_T_DECLARATION_BEGIN(FUTURE, API)                                                                        \
    API struct FUTURE *FUTURE##_new(struct aws_allocator *alloc);                                                      \
    API void FUTURE##_set_result_by_move(struct FUTURE *future, T **pointer_address);                                  \
    API T *FUTURE##_get_result_by_move(struct FUTURE *future);                                                         \
    API T *FUTURE##_peek_result(const struct FUTURE *future);                                                          \
    AWS_FUTURE_T_DECLARATION_END(FUTURE, API)

#define AWS_FUTURE_T_POINTER_OWNED_IMPLEMENTATION_(FUTURE, T)                                                          \
    void FUTURE##_set_result_by_move(struct FUTURE *future, T **pointer_address) {                                     \
        aws_future_impl_set_result_by_move(AWS_FUTURE_T_IMPL_(future), pointer_address);                               \
    }                                                                                                                  \
    T *FUTURE##_get_result_by_move(struct FUTURE *future) {                                                            \
        T *value;                                                                                                      \
        aws_future_impl_get_result_by_move(AWS_FUTURE_T_IMPL_(future), &value);                                        \
        return value;                                                                                                  \
    }                                                                                                                  \
    T *FUTURE##_peek_result(const struct FUTURE *future) {                                                             \
        return *(T **)aws_future_impl_get_result_address(AWS_FUTURE_T_CIMPL_(future));                                 \
    }                                                                                                                  \
    AWS_FUTURE_T_IMPLEMENTATION_END(FUTURE)

#define AWS_FUTURE_T_POINTER_WITH_DESTROY_DECLARATION(FUTURE, T, API)                                                  \
    AWS_FUTURE_T_POINTER_OWNED_DECLARATION_(FUTURE, T, API)

#define AWS_FUTURE_T_POINTER_WITH_DESTROY_IMPLEMENTATION(FUTURE, T, DESTROY_FN)                                        \
    AWS_FUTURE_T_IMPLEMENTATION_BEGIN(FUTURE)                                                                          \
    struct FUTURE *FUTURE##_new(struct aws_allocator *alloc) {                                                         \
        void (*typed_destroy)(T *) = DESTROY_FN;                                                                       \
        return (struct FUTURE *)aws_future_impl_new_pointer_with_destroy(                                              \
            alloc, (aws_future_impl_result_destroy_fn *)typed_destroy);                                                \
    }                                                                                                                  \
    AWS_FUTURE_T_POINTER_OWNED_IMPLEMENTATION_(FUTURE, T)

#define AWS_FUTURE_T_POINTER_WITH_RELEASE_DECLARATION(FUTURE, T, API)                                                  \
    AWS_FUTURE_T_POINTER_OWNED_DECLARATION_(FUTURE, T, API)

#define AWS_FUTURE_T_POINTER_WITH_RELEASE_IMPLEMENTATION(FUTURE, T, RELEASE_FN)                                        \
    AWS_FUTURE_T_IMPLEMENTATION_BEGIN(FUTURE)                                                                          \
    struct FUTURE *FUTURE##_new(struct aws_allocator *alloc) {                                                         \
        T *(*typed_release)(T *) = RELEASE_FN;                                                                         \
        return (struct FUTURE *)aws_future_impl_new_pointer_with_release(                                              \
            alloc, (aws_future_impl_result_release_fn *)typed_release);                                                \
    }                                                                                                                  \
    AWS_FUTURE_T_POINTER_OWNED_IMPLEMENTATION_(FUTURE, T)

#endif /* AWS_IO_FUTURE_H */
