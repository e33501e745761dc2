/* The streaming decoder's memory, seen through a tracing allocator: like
 * upstream's, it holds nothing between messages, so C programs that decode
 * whole messages and never call aws_event_stream_streaming_decoder_clean_up
 * do not leak. A pump that ends mid-message keeps state until the message
 * ends, fails, or clean-up runs. Also: the current_header the decoder hands
 * out is zero past the name and all zero between headers, as upstream's. */
#include <aws/common/common.h>
#include <aws/common/error.h>
#include <aws/event-stream/event_stream.h>

#include "test_helpers.h"

typedef struct aws_event_stream_header_value_pair pair_t;

static struct aws_allocator *s_tracer;

static size_t s_live(void) {
    return aws_mem_tracer_count(s_tracer);
}

static struct aws_byte_buf s_view(uint8_t *bytes, size_t len) {
    struct aws_byte_buf b;
    memset(&b, 0, sizeof(b));
    b.buffer = bytes;
    b.len = len;
    b.capacity = len;
    return b;
}

/* ---- the messages ----------------------------------------------------------------------- */

#define MSG_COUNT 4
#define BLOB_LEN 300
#define BIG_PAYLOAD 1000

static uint8_t s_blob[BLOB_LEN];
static uint8_t s_payload[BIG_PAYLOAD];

/* m0: three headers and 10 payload bytes; m1: empty; m2: a 300-byte
 * byte_buf header and 1000 payload bytes. The stream is m0 m1 m2 m0. */
static void s_encode(struct aws_event_stream_message *msg, int which) {
    struct aws_allocator *a = aws_default_allocator();
    struct aws_array_list headers;
    CHECK_INT_EQ(0, aws_event_stream_headers_list_init(&headers, a));
    size_t payload_len = 0;
    if (which == 0) {
        CHECK_INT_EQ(0, aws_event_stream_add_string_header(&headers, ":message-type", 13, "event", 5, 0));
        CHECK_INT_EQ(0, aws_event_stream_add_int32_header(&headers, "id", 2, 77));
        CHECK_INT_EQ(0, aws_event_stream_add_bool_header(&headers, "flag", 4, 1));
        payload_len = 10;
    } else if (which == 2) {
        CHECK_INT_EQ(0, aws_event_stream_add_bytebuf_header(&headers, "blob", 4, s_blob, BLOB_LEN, 0));
        payload_len = BIG_PAYLOAD;
    }
    struct aws_byte_buf payload = s_view(s_payload, payload_len);
    CHECK_INT_EQ(0, aws_event_stream_message_init(msg, a, &headers, &payload));
    aws_event_stream_headers_list_cleanup(&headers);
}

struct stream {
    struct aws_event_stream_message msgs[3];
    uint8_t bytes[4096];
    size_t len;
    size_t ends[MSG_COUNT]; /* offset just past each message */
};

static void s_stream_init(struct stream *s) {
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < 3; ++i) {
        s_encode(&s->msgs[i], i);
    }
    static const int order[MSG_COUNT] = {0, 1, 2, 0};
    for (int i = 0; i < MSG_COUNT; ++i) {
        struct aws_event_stream_message *m = &s->msgs[order[i]];
        size_t n = aws_event_stream_message_total_length(m);
        if (s->len + n > sizeof(s->bytes)) {
            CHECK(!"stream buffer too small");
            return;
        }
        memcpy(s->bytes + s->len, aws_event_stream_message_buffer(m), n);
        s->len += n;
        s->ends[i] = s->len;
    }
}

static void s_stream_clean_up(struct stream *s) {
    for (int i = 0; i < 3; ++i) {
        aws_event_stream_message_clean_up(&s->msgs[i]);
    }
}

/* ---- the callbacks ---------------------------------------------------------------------- */

struct recorder {
    int preludes;
    int headers;
    int completes;
    int errors;
    int last_error;
    size_t payload_bytes;
    int bad_header; /* a header whose bytes were not as upstream leaves them */
    int header_between; /* current_header not all zero outside on_header */
    int reentrant_rv;
    int reentrant_error;
    int pump_from_prelude;
    int clean_up_on_header;
};

static int s_all_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; ++i) {
        if (b[i]) {
            return 0;
        }
    }
    return 1;
}

static void s_on_prelude(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    void *user) {
    struct recorder *r = user;
    (void)prelude;
    r->preludes++;
    if (!s_all_zero(&d->current_header, sizeof(d->current_header))) {
        r->header_between++;
    }
    if (r->pump_from_prelude) {
        uint8_t byte = 0;
        struct aws_byte_buf one = s_view(&byte, 1);
        aws_reset_error();
        r->reentrant_rv = aws_event_stream_streaming_decoder_pump(d, &one);
        r->reentrant_error = aws_last_error();
    }
}

static void s_on_header(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    pair_t *h,
    void *user) {
    struct recorder *r = user;
    (void)prelude;
    r->headers++;
    if (h != &d->current_header || h->header_name_len == 0 ||
        !s_all_zero(h->header_name + h->header_name_len, sizeof(h->header_name) - h->header_name_len)) {
        r->bad_header++;
    }
    switch (h->header_value_type) {
        case AWS_EVENT_STREAM_HEADER_STRING:
            if (h->header_value_len != 5 || memcmp(h->header_value.variable_len_val, "event", 5) != 0) {
                r->bad_header++;
            }
            break;
        case AWS_EVENT_STREAM_HEADER_INT32:
            if (aws_event_stream_header_value_as_int32(h) != 77 ||
                !s_all_zero(h->header_value.static_val + 4, sizeof(h->header_value.static_val) - 4)) {
                r->bad_header++;
            }
            break;
        case AWS_EVENT_STREAM_HEADER_BOOL_TRUE:
            if (h->header_value_len != 0 || h->header_value.static_val[0] != 1) {
                r->bad_header++;
            }
            break;
        case AWS_EVENT_STREAM_HEADER_BYTE_BUF:
            if (h->header_value_len != BLOB_LEN || memcmp(h->header_value.variable_len_val, s_blob, BLOB_LEN) != 0) {
                r->bad_header++;
            }
            break;
        default:
            r->bad_header++;
    }
    if (r->clean_up_on_header) {
        aws_event_stream_streaming_decoder_clean_up(d);
    }
}

static void s_on_payload(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_byte_buf *payload,
    int8_t final_segment,
    void *user) {
    struct recorder *r = user;
    (void)final_segment;
    r->payload_bytes += payload->len;
    if (!s_all_zero(&d->current_header, sizeof(d->current_header))) {
        r->header_between++;
    }
}

static void s_on_complete(struct aws_event_stream_streaming_decoder *d, uint32_t crc, void *user) {
    struct recorder *r = user;
    (void)d;
    (void)crc;
    r->completes++;
}

static void s_on_error(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    int code,
    const char *message,
    void *user) {
    struct recorder *r = user;
    (void)d;
    (void)prelude;
    (void)message;
    r->errors++;
    r->last_error = code;
}

static void s_init(struct aws_event_stream_streaming_decoder *d, struct recorder *r) {
    struct aws_event_stream_streaming_decoder_options options = {
        .on_payload_segment = s_on_payload,
        .on_prelude = s_on_prelude,
        .on_header = s_on_header,
        .on_complete = s_on_complete,
        .on_error = s_on_error,
        .user_data = r,
    };
    memset(r, 0, sizeof(*r));
    aws_event_stream_streaming_decoder_init_from_options(d, s_tracer, &options);
}

static int s_pump(struct aws_event_stream_streaming_decoder *d, uint8_t *bytes, size_t len) {
    struct aws_byte_buf b = s_view(bytes, len);
    aws_reset_error();
    return aws_event_stream_streaming_decoder_pump(d, &b);
}

/* Everything in the stream arrived, correctly. */
static void s_check_whole_stream(const struct recorder *r) {
    CHECK_INT_EQ(MSG_COUNT, r->preludes);
    CHECK_INT_EQ(3 + 0 + 1 + 3, r->headers);
    CHECK_INT_EQ(MSG_COUNT, r->completes);
    CHECK_INT_EQ(10 + 0 + BIG_PAYLOAD + 10, r->payload_bytes);
    CHECK_INT_EQ(0, r->errors);
    CHECK_INT_EQ(0, r->bad_header);
    CHECK_INT_EQ(0, r->header_between);
}

/* ---- the cases -------------------------------------------------------------------------- */

/* One pump per message, never cleaned up: nothing is held after any pump. */
static void whole_messages_one_pump_each(void) {
    struct stream s;
    s_stream_init(&s);
    struct aws_event_stream_streaming_decoder d;
    struct recorder r;
    s_init(&d, &r);
    CHECK_INT_EQ(0, s_live()); /* init allocates nothing */
    size_t at = 0;
    for (int i = 0; i < MSG_COUNT; ++i) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes + at, s.ends[i] - at));
        CHECK_INT_EQ(i + 1, r.completes);
        CHECK_INT_EQ(0, s_live());
        at = s.ends[i];
    }
    s_check_whole_stream(&r);
    s_stream_clean_up(&s);
}

/* The whole stream in one pump, then in pumps of two messages each. */
static void whole_messages_batched(void) {
    struct stream s;
    s_stream_init(&s);
    struct aws_event_stream_streaming_decoder d;
    struct recorder r;
    s_init(&d, &r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes, s.len));
    CHECK_INT_EQ(0, s_live());
    s_check_whole_stream(&r);

    s_init(&d, &r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes, s.ends[1]));
    CHECK_INT_EQ(0, s_live());
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes + s.ends[1], s.len - s.ends[1]));
    CHECK_INT_EQ(0, s_live());
    s_check_whole_stream(&r);
    s_stream_clean_up(&s);
}

/* Each message in small pieces: state is held while a message is partly
 * received and let go when the pump that ends it returns. */
static void split_pumps_ending_on_boundaries(void) {
    static const size_t pieces[] = {1, 5, 13, 64};
    struct stream s;
    s_stream_init(&s);
    for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); ++p) {
        struct aws_event_stream_streaming_decoder d;
        struct recorder r;
        s_init(&d, &r);
        size_t at = 0;
        for (int i = 0; i < MSG_COUNT; ++i) {
            while (at < s.ends[i]) {
                size_t n = s.ends[i] - at < pieces[p] ? s.ends[i] - at : pieces[p];
                CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes + at, n));
                at += n;
                CHECK_INT_EQ(at < s.ends[i] ? 1 : 0, s_live());
            }
        }
        s_check_whole_stream(&r);
        CHECK_INT_EQ(0, s_live());
    }
    s_stream_clean_up(&s);
}

/* Ending mid-message keeps state (in the prelude, in a header value split
 * across pumps, in the payload); clean-up frees it. */
static void mid_message_then_clean_up(void) {
    struct stream s;
    s_stream_init(&s);
    size_t m2 = s.ends[1];
    const size_t stops[] = {5, 13, 12 + 2 + 4 + 1 + 2 + 100, s.ends[2] - m2 - 8};
    for (size_t k = 0; k < sizeof(stops) / sizeof(stops[0]); ++k) {
        struct aws_event_stream_streaming_decoder d;
        struct recorder r;
        s_init(&d, &r);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes, m2 + stops[k]));
        CHECK_INT_EQ(2, r.completes);
        CHECK_INT_EQ(1, s_live());
        aws_event_stream_streaming_decoder_clean_up(&d);
        CHECK_INT_EQ(0, s_live());
        CHECK(d.on_header == NULL && d.user_context == NULL);
    }
    s_stream_clean_up(&s);
}

/* A failed decoder keeps failing with the same error, without callbacks and
 * without holding memory, whether it failed at a boundary or mid-message. */
static void errors_hold_nothing(void) {
    struct stream s;
    s_stream_init(&s);
    struct aws_event_stream_streaming_decoder d;
    struct recorder r;

    /* A bad prelude CRC in the first message. */
    uint8_t bad[4096];
    memcpy(bad, s.bytes, s.len);
    bad[8] ^= 0x5a;
    s_init(&d, &r);
    CHECK_INT_EQ(AWS_OP_ERR, s_pump(&d, bad, s.ends[0]));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE, aws_last_error());
    CHECK_INT_EQ(1, r.errors);
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE, r.last_error);
    CHECK_INT_EQ(0, s_live());
    CHECK_INT_EQ(AWS_OP_ERR, s_pump(&d, s.bytes, s.ends[0]));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE, aws_last_error());
    CHECK_INT_EQ(1, r.errors);
    CHECK_INT_EQ(0, r.preludes);
    CHECK_INT_EQ(0, s_live());
    /* Clean-up and init give a working decoder again. */
    aws_event_stream_streaming_decoder_clean_up(&d);
    s_init(&d, &r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes, s.len));
    s_check_whole_stream(&r);
    CHECK_INT_EQ(0, s_live());

    /* A bad message CRC on m2, after half of it was held between pumps. */
    memcpy(bad, s.bytes, s.len);
    bad[s.ends[2] - 1] ^= 0x01;
    size_t half = s.ends[1] + (s.ends[2] - s.ends[1]) / 2;
    s_init(&d, &r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, bad, half));
    CHECK_INT_EQ(1, s_live());
    CHECK_INT_EQ(AWS_OP_ERR, s_pump(&d, bad + half, s.len - half));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE, aws_last_error());
    CHECK_INT_EQ(1, r.errors);
    CHECK_INT_EQ(2, r.completes);
    CHECK_INT_EQ(0, s_live());
    CHECK_INT_EQ(AWS_OP_ERR, s_pump(&d, s.bytes, s.ends[0]));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE, aws_last_error());
    CHECK_INT_EQ(1, r.errors);
    CHECK_INT_EQ(3, r.preludes);
    CHECK_INT_EQ(0, s_live());

    /* A header-level fault (unknown type byte), reported by return value only. */
    memcpy(bad, s.bytes, s.len);
    bad[12 + 1 + 13] = 0x7f; /* type byte of m0's first header */
    s_init(&d, &r);
    CHECK_INT_EQ(AWS_OP_ERR, s_pump(&d, bad, s.len));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_UNKNOWN_HEADER_TYPE, aws_last_error());
    CHECK_INT_EQ(0, r.errors);
    CHECK_INT_EQ(0, s_live());
    CHECK_INT_EQ(AWS_OP_ERR, s_pump(&d, s.bytes, s.len));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_UNKNOWN_HEADER_TYPE, aws_last_error());
    CHECK_INT_EQ(1, r.preludes);
    CHECK_INT_EQ(0, s_live());
    s_stream_clean_up(&s);
}

/* Clean-up from a callback while the decoder holds state: freed by the pump
 * that was running, nothing more reported. */
static void clean_up_from_callback_while_held(void) {
    struct stream s;
    s_stream_init(&s);
    struct aws_event_stream_streaming_decoder d;
    struct recorder r;
    s_init(&d, &r);
    size_t m2 = s.ends[1];
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes, m2 + 30)); /* into m2's blob */
    CHECK_INT_EQ(1, s_live());
    r.clean_up_on_header = 1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes + m2 + 30, s.len - (m2 + 30)));
    CHECK_INT_EQ(3 + 1, r.headers);
    CHECK_INT_EQ(2, r.completes);
    CHECK_INT_EQ(10, r.payload_bytes);
    CHECK(d.on_header == NULL && d.user_context == NULL);
    CHECK_INT_EQ(0, s_live());
    s_stream_clean_up(&s);
}

/* Pumping from one of the decoder's own callbacks fails; decoding goes on. */
static void reentrant_pump_refused(void) {
    struct stream s;
    s_stream_init(&s);
    struct aws_event_stream_streaming_decoder d;
    struct recorder r;
    s_init(&d, &r);
    r.pump_from_prelude = 1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, s.bytes, s.len));
    CHECK_INT_EQ(AWS_OP_ERR, r.reentrant_rv);
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_PARSER_ILLEGAL_STATE, r.reentrant_error);
    s_check_whole_stream(&r);
    CHECK_INT_EQ(0, s_live());
    s_stream_clean_up(&s);
}

int main(void) {
    for (size_t i = 0; i < BLOB_LEN; ++i) {
        s_blob[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t i = 0; i < BIG_PAYLOAD; ++i) {
        s_payload[i] = (uint8_t)(i * 13 + 5);
    }
    aws_event_stream_library_init(aws_default_allocator());
    s_tracer = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    RUN_TEST(whole_messages_one_pump_each);
    RUN_TEST(whole_messages_batched);
    RUN_TEST(split_pumps_ending_on_boundaries);
    RUN_TEST(mid_message_then_clean_up);
    RUN_TEST(errors_hold_nothing);
    RUN_TEST(clean_up_from_callback_while_held);
    RUN_TEST(reentrant_pump_refused);
    CHECK_INT_EQ(0, s_live());
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_tracer));
    aws_mem_tracer_destroy(s_tracer);
    aws_event_stream_library_clean_up();
    return TEST_RESULT();
}
