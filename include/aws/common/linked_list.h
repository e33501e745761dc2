#ifndef AWS_COMMON_LINKED_LIST_H
#define AWS_COMMON_LINKED_LIST_H
/* Intrusive doubly linked list with sentinel head and tail nodes embedded in
 * struct aws_linked_list (layout in the generated header). Embed a struct
 * aws_linked_list_node in your own struct and get back to it with
 * AWS_CONTAINER_OF.
 *
 * Iteration:
 *   for (n = aws_linked_list_begin(l); n != aws_linked_list_end(l); n = aws_linked_list_next(n))
 *   for (n = aws_linked_list_rbegin(l); n != aws_linked_list_rend(l); n = aws_linked_list_prev(n))
 * Removed nodes have next == prev == NULL. front/back/pop_* on an empty list
 * are a programming error (checked only in DEBUG_BUILD, as upstream). */
#include <aws/common/common.h>
#include <stddef.h>

AWS_EXTERN_C_BEGIN

/* Sets both links of a node to NULL (the "not in a list" state). */
AWS_STATIC_IMPL void aws_linked_list_node_reset(struct aws_linked_list_node *node) {
    AWS_PRECONDITION(node != NULL);
    node->next = NULL;
    node->prev = NULL;
}

/* Turns `list` into an empty list: head and tail point at each other. */
AWS_STATIC_IMPL void aws_linked_list_init(struct aws_linked_list *list) {
    AWS_PRECONDITION(list != NULL);
    list->head.prev = NULL;
    list->head.next = &list->tail;
    list->tail.prev = &list->head;
    list->tail.next = NULL;
}

AWS_STATIC_IMPL bool aws_linked_list_empty(const struct aws_linked_list *list) {
    AWS_PRECONDITION(list != NULL);
    return list->head.next == &list->tail;
}

/* node->next exists and links back to node. */
AWS_STATIC_IMPL bool aws_linked_list_node_next_is_valid(const struct aws_linked_list_node *node) {
    return node != NULL && node->next != NULL && node->next->prev == node;
}

/* node->prev exists and links forward to node. */
AWS_STATIC_IMPL bool aws_linked_list_node_prev_is_valid(const struct aws_linked_list_node *node) {
    return node != NULL && node->prev != NULL && node->prev->next == node;
}

/* Walks from head to tail checking every link in both directions. Does not
 * terminate on a corrupted, circular list (as upstream). */
AWS_STATIC_IMPL bool aws_linked_list_is_valid_deep(const struct aws_linked_list *list) {
    if (list == NULL) {
        return false;
    }
    const struct aws_linked_list_node *node = &list->head;
    while (node != &list->tail) {
        if (!aws_linked_list_node_next_is_valid(node)) {
            return false;
        }
        node = node->next;
    }
    return true;
}

/* Cheap shape check of the sentinels; the full walk only with AWS_DEEP_CHECKS. */
AWS_STATIC_IMPL bool aws_linked_list_is_valid(const struct aws_linked_list *list) {
    if (list == NULL || list->head.next == NULL || list->head.prev != NULL || list->tail.prev == NULL ||
        list->tail.next != NULL) {
        return false;
    }
#if defined(AWS_DEEP_CHECKS) && (AWS_DEEP_CHECKS == 1)
    return aws_linked_list_is_valid_deep(list);
#else
    return true;
#endif
}

/* First element (or end() when empty). */
AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_begin(const struct aws_linked_list *list) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    return list->head.next;
}

/* One past the last element: the tail sentinel. */
AWS_STATIC_IMPL const struct aws_linked_list_node *aws_linked_list_end(const struct aws_linked_list *list) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    return &list->tail;
}

/* Last element (or rend() when empty). */
AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_rbegin(const struct aws_linked_list *list) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    return list->tail.prev;
}

/* One before the first element: the head sentinel. */
AWS_STATIC_IMPL const struct aws_linked_list_node *aws_linked_list_rend(const struct aws_linked_list *list) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    return &list->head;
}

AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_next(const struct aws_linked_list_node *node) {
    AWS_PRECONDITION(aws_linked_list_node_next_is_valid(node));
    return node->next;
}

AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_prev(const struct aws_linked_list_node *node) {
    AWS_PRECONDITION(aws_linked_list_node_prev_is_valid(node));
    return node->prev;
}

/* Links `to_add` in right after `after`. */
AWS_STATIC_IMPL void aws_linked_list_insert_after(
    struct aws_linked_list_node *after,
    struct aws_linked_list_node *to_add) {
    AWS_PRECONDITION(aws_linked_list_node_next_is_valid(after));
    AWS_PRECONDITION(to_add != NULL);
    struct aws_linked_list_node *following = after->next;
    to_add->prev = after;
    to_add->next = following;
    following->prev = to_add;
    after->next = to_add;
}

/* Links `to_add` in right before `before`. */
AWS_STATIC_IMPL void aws_linked_list_insert_before(
    struct aws_linked_list_node *before,
    struct aws_linked_list_node *to_add) {
    AWS_PRECONDITION(aws_linked_list_node_prev_is_valid(before));
    AWS_PRECONDITION(to_add != NULL);
    struct aws_linked_list_node *preceding = before->prev;
    to_add->next = before;
    to_add->prev = preceding;
    preceding->next = to_add;
    before->prev = to_add;
}

/* Exchanges the positions of two linked nodes (same list or two lists,
 * adjacent or not). */
AWS_STATIC_IMPL void aws_linked_list_swap_nodes(struct aws_linked_list_node *a, struct aws_linked_list_node *b) {
    AWS_PRECONDITION(aws_linked_list_node_prev_is_valid(a) && aws_linked_list_node_next_is_valid(a));
    AWS_PRECONDITION(aws_linked_list_node_prev_is_valid(b) && aws_linked_list_node_next_is_valid(b));
    if (a == b) {
        return;
    }
    /* Re-point the neighbours first, reading b's links before they change
     * (when a and b are adjacent, a's neighbour is b itself). */
    struct aws_linked_list_node b_links = *b;
    a->prev->next = b;
    a->next->prev = b;
    b_links.prev->next = a;
    b_links.next->prev = a;
    /* Then exchange the nodes' own links. */
    struct aws_linked_list_node a_links = *a;
    *a = *b;
    *b = a_links;
}

/* Unlinks `node` from whatever list holds it and resets its links. */
AWS_STATIC_IMPL void aws_linked_list_remove(struct aws_linked_list_node *node) {
    AWS_PRECONDITION(aws_linked_list_node_prev_is_valid(node));
    AWS_PRECONDITION(aws_linked_list_node_next_is_valid(node));
    node->prev->next = node->next;
    node->next->prev = node->prev;
    aws_linked_list_node_reset(node);
}

AWS_STATIC_IMPL void aws_linked_list_push_back(struct aws_linked_list *list, struct aws_linked_list_node *node) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    aws_linked_list_insert_before(&list->tail, node);
}

AWS_STATIC_IMPL void aws_linked_list_push_front(struct aws_linked_list *list, struct aws_linked_list_node *node) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    aws_linked_list_insert_after(&list->head, node);
}

AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_back(const struct aws_linked_list *list) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    AWS_PRECONDITION(!aws_linked_list_empty(list));
    return list->tail.prev;
}

AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_front(const struct aws_linked_list *list) {
    AWS_PRECONDITION(aws_linked_list_is_valid(list));
    AWS_PRECONDITION(!aws_linked_list_empty(list));
    return list->head.next;
}

/* Unlinks and returns the last element. */
AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_pop_back(struct aws_linked_list *list) {
    struct aws_linked_list_node *node = aws_linked_list_back(list);
    aws_linked_list_remove(node);
    return node;
}

/* Unlinks and returns the first element. */
AWS_STATIC_IMPL struct aws_linked_list_node *aws_linked_list_pop_front(struct aws_linked_list *list) {
    struct aws_linked_list_node *node = aws_linked_list_front(list);
    aws_linked_list_remove(node);
    return node;
}

/* Re-anchors the chain first..last between `list`'s sentinels, or makes
 * `list` empty when first is NULL. */
AWS_STATIC_IMPL void aws_linked_list_priv_adopt(
    struct aws_linked_list *list,
    struct aws_linked_list_node *first,
    struct aws_linked_list_node *last) {
    if (first == NULL) {
        aws_linked_list_init(list);
        return;
    }
    list->head.prev = NULL;
    list->head.next = first;
    first->prev = &list->head;
    list->tail.next = NULL;
    list->tail.prev = last;
    last->next = &list->tail;
}

/* Exchanges the elements of two different lists. */
AWS_STATIC_IMPL void aws_linked_list_swap_contents(
    struct aws_linked_list *AWS_RESTRICT a,
    struct aws_linked_list *AWS_RESTRICT b) {
    AWS_PRECONDITION(aws_linked_list_is_valid(a));
    AWS_PRECONDITION(aws_linked_list_is_valid(b));
    AWS_PRECONDITION(a != b);
    struct aws_linked_list_node *a_first = aws_linked_list_empty(a) ? NULL : a->head.next;
    struct aws_linked_list_node *a_last = a->tail.prev;
    struct aws_linked_list_node *b_first = aws_linked_list_empty(b) ? NULL : b->head.next;
    struct aws_linked_list_node *b_last = b->tail.prev;
    aws_linked_list_priv_adopt(a, b_first, b_last);
    aws_linked_list_priv_adopt(b, a_first, a_last);
}

/* Moves every element of `src` to the back of `dst`, keeping their order;
 * `src` ends up empty. */
AWS_STATIC_IMPL void aws_linked_list_move_all_back(
    struct aws_linked_list *AWS_RESTRICT dst,
    struct aws_linked_list *AWS_RESTRICT src) {
    AWS_PRECONDITION(aws_linked_list_is_valid(src));
    AWS_PRECONDITION(aws_linked_list_is_valid(dst));
    AWS_PRECONDITION(dst != src);
    if (aws_linked_list_empty(src)) {
        return;
    }
    struct aws_linked_list_node *first = src->head.next;
    struct aws_linked_list_node *last = src->tail.prev;
    struct aws_linked_list_node *dst_last = dst->tail.prev;
    dst_last->next = first;
    first->prev = dst_last;
    last->next = &dst->tail;
    dst->tail.prev = last;
    aws_linked_list_init(src);
}

/* Moves every element of `src` to the front of `dst`, keeping their order;
 * `src` ends up empty. */
AWS_STATIC_IMPL void aws_linked_list_move_all_front(
    struct aws_linked_list *AWS_RESTRICT dst,
    struct aws_linked_list *AWS_RESTRICT src) {
    AWS_PRECONDITION(aws_linked_list_is_valid(src));
    AWS_PRECONDITION(aws_linked_list_is_valid(dst));
    AWS_PRECONDITION(dst != src);
    if (aws_linked_list_empty(src)) {
        return;
    }
    struct aws_linked_list_node *first = src->head.next;
    struct aws_linked_list_node *last = src->tail.prev;
    struct aws_linked_list_node *dst_first = dst->head.next;
    dst->head.next = first;
    first->prev = &dst->head;
    last->next = dst_first;
    dst_first->prev = last;
    aws_linked_list_init(src);
}

/* True when the node is linked into a list (both links consistent). */
AWS_STATIC_IMPL bool aws_linked_list_node_is_in_list(struct aws_linked_list_node *node) {
    return aws_linked_list_node_prev_is_valid(node) && aws_linked_list_node_next_is_valid(node);
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_LINKED_LIST_H */
