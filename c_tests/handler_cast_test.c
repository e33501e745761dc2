/* The checked cast from an aws_channel_handler * to one of the library's own
 * handlers: a handler written in C (its own vtable), a zeroed block and NULL
 * handed to aws_socket_handler_get_socket abort with a message naming the
 * function, as upstream's fatal assert would, instead of being read as a
 * socket handler. */
#include <aws/io/channel.h>
#include <aws/io/socket_channel_handler.h>

#include "test_helpers.h"

static size_t s_window(struct aws_channel_handler *handler) {
    (void)handler;
    return 1;
}

static struct aws_channel_handler_vtable s_c_vtable = {
    .initial_window_size = s_window,
};

struct c_handler {
    struct aws_channel_handler base;
    void *socket_lookalike; /* where a careless cast might look for a socket */
};

static void test_c_handler_is_not_a_socket_handler(void) {
    struct c_handler h = {.base = {.vtable = &s_c_vtable}, .socket_lookalike = (void *)0x1};
    h.base.impl = &h;
    CHECK_ABORTS("aws_socket_handler_get_socket", (void)aws_socket_handler_get_socket(&h.base));
}

static void test_zeroed_block_is_not_a_socket_handler(void) {
    struct aws_channel_handler zero;
    memset(&zero, 0, sizeof(zero));
    CHECK_ABORTS("not a", (void)aws_socket_handler_get_socket(&zero));
}

static void test_null_is_not_a_socket_handler(void) {
    CHECK_ABORTS("aws_socket_handler_get_socket", (void)aws_socket_handler_get_socket(NULL));
}

int main(void) {
    RUN_TEST(test_c_handler_is_not_a_socket_handler);
    RUN_TEST(test_zeroed_block_is_not_a_socket_handler);
    RUN_TEST(test_null_is_not_a_socket_handler);
    return TEST_RESULT();
}
