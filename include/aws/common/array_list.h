#ifndef AWS_COMMON_ARRAY_LIST_H
#define AWS_COMMON_ARRAY_LIST_H
/* Contiguous array of fixed-size items (struct aws_array_list, layout in the
 * generated header).
 *
 * Dynamic mode (init_dynamic, list->alloc set): storage grows through
 * aws_array_list_ensure_capacity when an item is stored past the end.
 * Static mode (init_static*, alloc NULL): storage is the caller's array and
 * never grows; storing past it fails with AWS_ERROR_LIST_EXCEEDS_MAX_SIZE
 * (push_back/push_front) or AWS_ERROR_INVALID_INDEX (set_at).
 *
 * Errors, all raised with aws_raise_error: reading an absent index ->
 * AWS_ERROR_INVALID_INDEX; front/back/pop on an empty list ->
 * AWS_ERROR_LIST_EMPTY; size arithmetic overflow ->
 * AWS_ERROR_OVERFLOW_DETECTED; allocation failure -> AWS_ERROR_OOM. */
#include <aws/common/common.h>
#include <aws/common/math.h>
#include <stdlib.h>
#include <string.h>

AWS_EXTERN_C_BEGIN

/* Bytes used by the first `n` items; the caller guarantees no overflow. */
AWS_STATIC_IMPL size_t aws_array_list_priv_bytes(const struct aws_array_list *list, size_t n) {
    return n * list->item_size;
}

/* Address of item `index`. */
AWS_STATIC_IMPL uint8_t *aws_array_list_priv_at(const struct aws_array_list *list, size_t index) {
    return (uint8_t *)list->data + aws_array_list_priv_bytes(list, index);
}

/* Internal consistency: item_size set, storage covers length items, and
 * data is NULL exactly when there is no storage. */
AWS_STATIC_IMPL bool aws_array_list_is_valid(const struct aws_array_list *AWS_RESTRICT list) {
    if (list == NULL || list->item_size == 0) {
        return false;
    }
    size_t used = 0;
    if (aws_mul_size_checked(list->length, list->item_size, &used)) {
        return false;
    }
    if (list->current_size < used) {
        return false;
    }
    return (list->current_size == 0) == (list->data == NULL);
}

/* Starts an empty dynamic list with room for initial_item_allocation items
 * of item_size bytes (no allocation when that is 0). On failure (overflow or
 * OOM) the list is left zeroed and AWS_OP_ERR returned. */
AWS_STATIC_IMPL int aws_array_list_init_dynamic(
    struct aws_array_list *AWS_RESTRICT list,
    struct aws_allocator *alloc,
    size_t initial_item_allocation,
    size_t item_size) {
    AWS_FATAL_PRECONDITION(list != NULL);
    AWS_FATAL_PRECONDITION(alloc != NULL);
    AWS_FATAL_PRECONDITION(item_size > 0);
    AWS_ZERO_STRUCT(*list);
    size_t bytes = 0;
    if (aws_mul_size_checked(initial_item_allocation, item_size, &bytes)) {
        return AWS_OP_ERR;
    }
    if (bytes > 0) {
        void *storage = aws_mem_acquire(alloc, bytes);
        if (storage == NULL) {
            return AWS_OP_ERR;
        }
#ifdef DEBUG_BUILD
        memset(storage, AWS_ARRAY_LIST_DEBUG_FILL, bytes);
#endif
        list->data = storage;
        list->current_size = bytes;
    }
    list->alloc = alloc;
    list->item_size = item_size;
    return AWS_OP_SUCCESS;
}

/* Wraps the caller's array of item_count items as an empty static list. */
AWS_STATIC_IMPL void aws_array_list_init_static(
    struct aws_array_list *AWS_RESTRICT list,
    void *raw_array,
    size_t item_count,
    size_t item_size) {
    AWS_FATAL_PRECONDITION(list != NULL);
    AWS_FATAL_PRECONDITION(raw_array != NULL);
    AWS_FATAL_PRECONDITION(item_count > 0);
    AWS_FATAL_PRECONDITION(item_size > 0);
    size_t bytes = 0;
    int overflowed = aws_mul_size_checked(item_count, item_size, &bytes);
    AWS_FATAL_PRECONDITION(!overflowed);
    AWS_ZERO_STRUCT(*list);
    list->current_size = bytes;
    list->item_size = item_size;
    list->data = raw_array;
}

/* As init_static, but the array's items already count as elements: the
 * list starts full. */
AWS_STATIC_IMPL void aws_array_list_init_static_from_initialized(
    struct aws_array_list *AWS_RESTRICT list,
    void *raw_array,
    size_t item_count,
    size_t item_size) {
    aws_array_list_init_static(list, raw_array, item_count, item_size);
    list->length = item_count;
}

/* Frees dynamic storage and zeroes the list (a zeroed list is accepted). */
AWS_STATIC_IMPL void aws_array_list_clean_up(struct aws_array_list *AWS_RESTRICT list) {
    AWS_PRECONDITION(AWS_IS_ZEROED(*list) || aws_array_list_is_valid(list));
    if (list->alloc != NULL && list->data != NULL) {
        aws_mem_release(list->alloc, list->data);
    }
    AWS_ZERO_STRUCT(*list);
}

/* As clean_up, wiping the storage with aws_secure_zero before freeing it. */
AWS_STATIC_IMPL void aws_array_list_clean_up_secure(struct aws_array_list *AWS_RESTRICT list) {
    AWS_PRECONDITION(AWS_IS_ZEROED(*list) || aws_array_list_is_valid(list));
    if (list->alloc != NULL && list->data != NULL) {
        aws_secure_zero(list->data, list->current_size);
        aws_mem_release(list->alloc, list->data);
    }
    AWS_ZERO_STRUCT(*list);
}

/* Number of items the current storage holds. */
AWS_STATIC_IMPL size_t aws_array_list_capacity(const struct aws_array_list *AWS_RESTRICT list) {
    AWS_FATAL_PRECONDITION(list->item_size != 0);
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    return list->current_size / list->item_size;
}

/* Number of items stored. */
AWS_STATIC_IMPL size_t aws_array_list_length(const struct aws_array_list *AWS_RESTRICT list) {
    AWS_FATAL_PRECONDITION(list->length == 0 || list->data != NULL);
    AWS_PRECONDITION(AWS_IS_ZEROED(*list) || aws_array_list_is_valid(list));
    return list->length;
}

/* Forgets all items; keeps the storage. */
AWS_STATIC_IMPL void aws_array_list_clear(struct aws_array_list *AWS_RESTRICT list) {
    AWS_PRECONDITION(AWS_IS_ZEROED(*list) || aws_array_list_is_valid(list));
    if (list->data != NULL) {
#ifdef DEBUG_BUILD
        memset(list->data, AWS_ARRAY_LIST_DEBUG_FILL, list->current_size);
#endif
        list->length = 0;
    }
}

/* Makes slot `index` addressable, with aws_array_list_ensure_capacity's
 * outcome: the cases that need no memory (slot already there; static list too
 * small) are decided inline, growing a dynamic list goes to the library. */
AWS_STATIC_IMPL int aws_array_list_priv_reserve(struct aws_array_list *AWS_RESTRICT list, size_t index) {
    if (index < aws_array_list_capacity(list)) {
        return AWS_OP_SUCCESS;
    }
    if (list->alloc != NULL) {
        return aws_array_list_ensure_capacity(list, index);
    }
    /* Sizing the request overflows before it can be found too big. */
    size_t slots = 0;
    size_t bytes = 0;
    if (aws_add_size_checked(index, 1, &slots) || aws_mul_size_checked(slots, list->item_size, &bytes)) {
        return AWS_OP_ERR;
    }
    return aws_raise_error(AWS_ERROR_INVALID_INDEX);
}

/* Copies `val` (item_size bytes) into slot `index`, growing a dynamic list
 * as needed. Storing at or past the end extends the length to index + 1.
 * Static list too small: AWS_ERROR_INVALID_INDEX. */
AWS_STATIC_IMPL int aws_array_list_set_at(struct aws_array_list *AWS_RESTRICT list, const void *val, size_t index) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    if (aws_array_list_priv_reserve(list, index)) {
        return AWS_OP_ERR;
    }
    AWS_FATAL_PRECONDITION(list->data != NULL);
    memcpy(aws_array_list_priv_at(list, index), val, list->item_size);
    if (index >= list->length) {
        /* Cannot overflow: index < capacity <= SIZE_MAX. */
        list->length = index + 1;
    }
    return AWS_OP_SUCCESS;
}

/* Appends a copy of `val`. A full static list: AWS_ERROR_LIST_EXCEEDS_MAX_SIZE. */
AWS_STATIC_IMPL int aws_array_list_push_back(struct aws_array_list *AWS_RESTRICT list, const void *val) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    if (aws_array_list_set_at(list, val, aws_array_list_length(list)) == AWS_OP_SUCCESS) {
        return AWS_OP_SUCCESS;
    }
    if (list->alloc == NULL && aws_last_error() == AWS_ERROR_INVALID_INDEX) {
        return aws_raise_error(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE);
    }
    return AWS_OP_ERR;
}

/* Inserts a copy of `val` before the first item, shifting the rest up by one.
 * A full static list: AWS_ERROR_LIST_EXCEEDS_MAX_SIZE. */
AWS_STATIC_IMPL int aws_array_list_push_front(struct aws_array_list *AWS_RESTRICT list, const void *val) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    const size_t len = aws_array_list_length(list);
    if (aws_array_list_priv_reserve(list, len)) {
        if (list->alloc == NULL && aws_last_error() == AWS_ERROR_INVALID_INDEX) {
            return aws_raise_error(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE);
        }
        return AWS_OP_ERR;
    }
    if (len > 0) {
        memmove(aws_array_list_priv_at(list, 1), list->data, aws_array_list_priv_bytes(list, len));
    }
    memcpy(list->data, val, list->item_size);
    list->length = len + 1;
    return AWS_OP_SUCCESS;
}

/* Copies item `index` into *val. Absent: AWS_ERROR_INVALID_INDEX. */
AWS_STATIC_IMPL int aws_array_list_get_at(const struct aws_array_list *AWS_RESTRICT list, void *val, size_t index) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    if (index >= aws_array_list_length(list)) {
        return aws_raise_error(AWS_ERROR_INVALID_INDEX);
    }
    memcpy(val, aws_array_list_priv_at(list, index), list->item_size);
    return AWS_OP_SUCCESS;
}

/* Stores the address of item `index` in *val. Absent: AWS_ERROR_INVALID_INDEX
 * and *val untouched. */
AWS_STATIC_IMPL int aws_array_list_get_at_ptr(
    const struct aws_array_list *AWS_RESTRICT list,
    void **val,
    size_t index) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    if (index >= aws_array_list_length(list)) {
        return aws_raise_error(AWS_ERROR_INVALID_INDEX);
    }
    *val = aws_array_list_priv_at(list, index);
    return AWS_OP_SUCCESS;
}

/* Copies the first item into *val. Empty: AWS_ERROR_LIST_EMPTY. */
AWS_STATIC_IMPL int aws_array_list_front(const struct aws_array_list *AWS_RESTRICT list, void *val) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    if (aws_array_list_length(list) == 0) {
        return aws_raise_error(AWS_ERROR_LIST_EMPTY);
    }
    memcpy(val, list->data, list->item_size);
    return AWS_OP_SUCCESS;
}

/* Copies the last item into *val. Empty: AWS_ERROR_LIST_EMPTY. */
AWS_STATIC_IMPL int aws_array_list_back(const struct aws_array_list *AWS_RESTRICT list, void *val) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    AWS_PRECONDITION(val != NULL);
    const size_t len = aws_array_list_length(list);
    if (len == 0) {
        return aws_raise_error(AWS_ERROR_LIST_EMPTY);
    }
    memcpy(val, aws_array_list_priv_at(list, len - 1), list->item_size);
    return AWS_OP_SUCCESS;
}

/* Drops the last item (its slot is zeroed). Empty: AWS_ERROR_LIST_EMPTY. */
AWS_STATIC_IMPL int aws_array_list_pop_back(struct aws_array_list *AWS_RESTRICT list) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    const size_t len = aws_array_list_length(list);
    if (len == 0) {
        return aws_raise_error(AWS_ERROR_LIST_EMPTY);
    }
    AWS_FATAL_PRECONDITION(list->data != NULL);
    memset(aws_array_list_priv_at(list, len - 1), 0, list->item_size);
    list->length = len - 1;
    return AWS_OP_SUCCESS;
}

/* Drops the first n items, shifting the rest down; n >= length clears. */
AWS_STATIC_IMPL void aws_array_list_pop_front_n(struct aws_array_list *AWS_RESTRICT list, size_t n) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    const size_t len = aws_array_list_length(list);
    if (n >= len) {
        aws_array_list_clear(list);
        return;
    }
    if (n == 0) {
        return;
    }
    const size_t remaining = len - n;
    memmove(list->data, aws_array_list_priv_at(list, n), aws_array_list_priv_bytes(list, remaining));
#ifdef DEBUG_BUILD
    memset(aws_array_list_priv_at(list, remaining), AWS_ARRAY_LIST_DEBUG_FILL, aws_array_list_priv_bytes(list, n));
#endif
    list->length = remaining;
}

/* Drops the first item, shifting the rest down. Empty: AWS_ERROR_LIST_EMPTY. */
AWS_STATIC_IMPL int aws_array_list_pop_front(struct aws_array_list *AWS_RESTRICT list) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    if (aws_array_list_length(list) == 0) {
        return aws_raise_error(AWS_ERROR_LIST_EMPTY);
    }
    aws_array_list_pop_front_n(list, 1);
    return AWS_OP_SUCCESS;
}

/* Removes item `index`, shifting later items down by one; the freed last
 * slot is zeroed. Absent: AWS_ERROR_INVALID_INDEX. */
AWS_STATIC_IMPL int aws_array_list_erase(struct aws_array_list *AWS_RESTRICT list, size_t index) {
    AWS_PRECONDITION(aws_array_list_is_valid(list));
    const size_t len = aws_array_list_length(list);
    if (index >= len) {
        return aws_raise_error(AWS_ERROR_INVALID_INDEX);
    }
    if (index == 0) {
        return aws_array_list_pop_front(list);
    }
    const size_t after = len - index - 1;
    if (after > 0) {
        memmove(
            aws_array_list_priv_at(list, index),
            aws_array_list_priv_at(list, index + 1),
            aws_array_list_priv_bytes(list, after));
    }
    return aws_array_list_pop_back(list);
}

/* Exchanges the contents of two dynamic lists that share an allocator and
 * item size. */
AWS_STATIC_IMPL void aws_array_list_swap_contents(
    struct aws_array_list *AWS_RESTRICT list_a,
    struct aws_array_list *AWS_RESTRICT list_b) {
    AWS_FATAL_PRECONDITION(list_a->alloc != NULL);
    AWS_FATAL_PRECONDITION(list_a->alloc == list_b->alloc);
    AWS_FATAL_PRECONDITION(list_a->item_size == list_b->item_size);
    AWS_FATAL_PRECONDITION(list_a != list_b);
    AWS_PRECONDITION(aws_array_list_is_valid(list_a));
    AWS_PRECONDITION(aws_array_list_is_valid(list_b));
    struct aws_array_list held = *list_a;
    *list_a = *list_b;
    *list_b = held;
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_ARRAY_LIST_H */
