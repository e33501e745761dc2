/* The RPC data symbols and types of <aws/event-stream/event_stream_rpc.h>:
 * the four header-name cursors (read as upstream programs do, and used to
 * build a message a server would accept), the message type and flag values,
 * and the message-args layout. */
#include <aws/event-stream/event_stream_rpc.h>

#include <stddef.h>

#include "test_helpers.h"

static void s_check_cursor(struct aws_byte_cursor cur, const char *want) {
    CHECK_INT_EQ(strlen(want), cur.len);
    CHECK(cur.ptr != NULL && memcmp(cur.ptr, want, cur.len) == 0);
}

static void test_header_name_cursors(void) {
    s_check_cursor(aws_event_stream_rpc_message_type_name, ":message-type");
    s_check_cursor(aws_event_stream_rpc_message_flags_name, ":message-flags");
    s_check_cursor(aws_event_stream_rpc_stream_id_name, ":stream-id");
    s_check_cursor(aws_event_stream_rpc_operation_name, "operation");
    CHECK_INT_EQ(16, sizeof(aws_event_stream_rpc_operation_name));
}

static void test_message_with_rpc_headers(void) {
    struct aws_allocator *allocator = aws_default_allocator();
    struct aws_array_list headers;
    CHECK(aws_event_stream_headers_list_init(&headers, allocator) == AWS_OP_SUCCESS);
    CHECK(
        aws_event_stream_add_int32_header(
            &headers,
            (const char *)aws_event_stream_rpc_message_type_name.ptr,
            (uint8_t)aws_event_stream_rpc_message_type_name.len,
            AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK) == AWS_OP_SUCCESS);
    CHECK(
        aws_event_stream_add_int32_header(
            &headers,
            (const char *)aws_event_stream_rpc_message_flags_name.ptr,
            (uint8_t)aws_event_stream_rpc_message_flags_name.len,
            AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED) == AWS_OP_SUCCESS);
    CHECK(
        aws_event_stream_add_int32_header(
            &headers,
            (const char *)aws_event_stream_rpc_stream_id_name.ptr,
            (uint8_t)aws_event_stream_rpc_stream_id_name.len,
            0) == AWS_OP_SUCCESS);
    struct aws_byte_buf payload = aws_byte_buf_from_c_str("{}");
    struct aws_event_stream_message message;
    CHECK(aws_event_stream_message_init(&message, allocator, &headers, &payload) == AWS_OP_SUCCESS);
    /* rpc_connect_ack_accepted.bin: 73 bytes, headers 55. */
    CHECK_INT_EQ(73, aws_event_stream_message_total_length(&message));
    CHECK_INT_EQ(55, aws_event_stream_message_headers_len(&message));
    aws_event_stream_message_clean_up(&message);
    aws_event_stream_headers_list_cleanup(&headers);
}

static void test_enum_values_and_args_layout(void) {
    CHECK_INT_EQ(0, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE);
    CHECK_INT_EQ(4, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT);
    CHECK_INT_EQ(7, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_INTERNAL_ERROR);
    CHECK_INT_EQ(8, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_COUNT);
    CHECK_INT_EQ(1, AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED);
    CHECK_INT_EQ(2, AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM);
    CHECK_INT_EQ(24, offsetof(struct aws_event_stream_rpc_message_args, message_type));
    CHECK_INT_EQ(28, offsetof(struct aws_event_stream_rpc_message_args, message_flags));
    CHECK_INT_EQ(32, sizeof(struct aws_event_stream_rpc_message_args));
}

int main(void) {
    RUN_TEST(test_header_name_cursors);
    RUN_TEST(test_message_with_rpc_headers);
    RUN_TEST(test_enum_values_and_args_layout);
    return TEST_RESULT();
}
