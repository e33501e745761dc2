/* Event-stream codec throughput, measured through the public C API only.
 *
 * The same source builds against this project's headers and against the
 * upstream aws-c-event-stream headers, so one binary can be timed on either
 * library (swap the .so with LD_LIBRARY_PATH) and the numbers compared.
 *
 * Cases (each bounded in time: 0.5 s, or 0.1 s with BENCH_QUICK=1):
 *   encode  - build a 4-entry header list with aws_event_stream_add_*_header,
 *             aws_event_stream_message_init, then clean both up: the full cost
 *             of producing one wire message from C.
 *   decode  - aws_event_stream_message_from_buffer (validates both CRCs) plus
 *             aws_event_stream_message_headers into a fresh list.
 *   stream  - a streaming decoder fed a batch of back-to-back messages in
 *             16 KiB reads (the socket handler's read size).
 * for a small message (4 headers, 64-byte payload) and a 64 KiB payload.
 *
 * BENCH_FILTER=<text> runs only the cases whose name contains <text>
 * (e.g. "small", "stream_64k"), handy under a profiler.
 *
 * Output: one line per case,
 *   RESULT bench=c_<op>_<size> impl=<name> msgs_per_s=<n> mb_per_s=<n>
 * where MB/s counts encoded wire bytes (10^6 bytes). The impl name is argv[1],
 * else $BENCH_IMPL, else "unknown". Exits non-zero if any call fails or a
 * decoded message does not match what was encoded. */
/* event_stream.h brings in aws_array_list and aws_byte_buf, as upstream's does. */
#include <aws/common/common.h>
#include <aws/common/error.h>
#include <aws/event-stream/event_stream.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SMALL_PAYLOAD 64
#define LARGE_PAYLOAD (64 * 1024)
#define READ_SIZE (16 * 1024)
/* Enough back-to-back messages per streaming pass to amortise the decoder
 * reset, small enough to stay cache-resident. */
#define STREAM_BATCH_BYTES (1024 * 1024)
/* Iterations between clock reads: keeps timing overhead out of tiny cases. */
#define CLOCK_STRIDE 64
/* Hard cap so a broken implementation cannot spin for ever. */
#define MAX_ITERATIONS 200000000ull

static struct aws_allocator *s_alloc;
static const char *s_impl;
static const char *s_filter;
static double s_budget_s;

static double s_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void s_die(const char *what) {
    int err = aws_last_error();
    fprintf(stderr, "codec_bench: %s failed: %d (%s)\n", what, err, aws_error_name(err));
    exit(1);
}

static struct aws_byte_buf s_wrap(uint8_t *bytes, size_t len) {
    /* Field-wise rather than aws_byte_buf_from_array: a non-owning view. */
    struct aws_byte_buf buf;
    memset(&buf, 0, sizeof(buf));
    buf.buffer = bytes;
    buf.len = len;
    buf.capacity = len;
    return buf;
}

/* ---- the message under test ------------------------------------------- */

static const char s_type_name[] = ":message-type";
static const char s_type_value[] = "event";
static const char s_event_name[] = ":event-type";
static const char s_event_value[] = "SubscribeToTopic";
static const char s_stream_name[] = ":stream-id";
static const char s_flags_name[] = ":message-flags";
#define HEADER_COUNT 4
#define STREAM_ID 42
#define FLAGS_VALUE 2

static void s_build_headers(struct aws_array_list *headers) {
    if (aws_event_stream_headers_list_init(headers, s_alloc)) {
        s_die("aws_event_stream_headers_list_init");
    }
    if (aws_event_stream_add_string_header(
            headers,
            s_type_name,
            (uint8_t)(sizeof(s_type_name) - 1),
            s_type_value,
            (uint16_t)(sizeof(s_type_value) - 1),
            0)) {
        s_die("aws_event_stream_add_string_header");
    }
    if (aws_event_stream_add_string_header(
            headers,
            s_event_name,
            (uint8_t)(sizeof(s_event_name) - 1),
            s_event_value,
            (uint16_t)(sizeof(s_event_value) - 1),
            0)) {
        s_die("aws_event_stream_add_string_header");
    }
    if (aws_event_stream_add_int32_header(headers, s_stream_name, (uint8_t)(sizeof(s_stream_name) - 1), STREAM_ID)) {
        s_die("aws_event_stream_add_int32_header");
    }
    if (aws_event_stream_add_int32_header(headers, s_flags_name, (uint8_t)(sizeof(s_flags_name) - 1), FLAGS_VALUE)) {
        s_die("aws_event_stream_add_int32_header");
    }
}

struct fixture {
    const char *size_name;
    uint8_t *payload;
    size_t payload_len;
    uint8_t *wire; /* one encoded message */
    size_t wire_len;
    uint8_t *batch; /* back-to-back copies of `wire` for the streaming decoder */
    size_t batch_len;
    size_t batch_msgs;
};

static void s_fixture_init(struct fixture *f, const char *size_name, size_t payload_len) {
    memset(f, 0, sizeof(*f));
    f->size_name = size_name;
    f->payload_len = payload_len;
    f->payload = malloc(payload_len);
    if (!f->payload) {
        fprintf(stderr, "codec_bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < payload_len; ++i) {
        f->payload[i] = (uint8_t)(i * 131u + 7u);
    }

    struct aws_array_list headers;
    s_build_headers(&headers);
    struct aws_byte_buf payload = s_wrap(f->payload, payload_len);
    struct aws_event_stream_message msg;
    if (aws_event_stream_message_init(&msg, s_alloc, &headers, &payload)) {
        s_die("aws_event_stream_message_init");
    }
    f->wire_len = aws_event_stream_message_total_length(&msg);
    f->wire = malloc(f->wire_len);
    f->batch_msgs = STREAM_BATCH_BYTES / f->wire_len;
    if (f->batch_msgs < 4) {
        f->batch_msgs = 4;
    }
    f->batch_len = f->batch_msgs * f->wire_len;
    f->batch = malloc(f->batch_len);
    if (!f->wire || !f->batch) {
        fprintf(stderr, "codec_bench: out of memory\n");
        exit(1);
    }
    memcpy(f->wire, aws_event_stream_message_buffer(&msg), f->wire_len);
    for (size_t i = 0; i < f->batch_msgs; ++i) {
        memcpy(f->batch + i * f->wire_len, f->wire, f->wire_len);
    }
    aws_event_stream_message_clean_up(&msg);
    aws_event_stream_headers_list_cleanup(&headers);
}

static void s_fixture_clean_up(struct fixture *f) {
    free(f->payload);
    free(f->wire);
    free(f->batch);
}

/* ---- timing ------------------------------------------------------------- */

typedef void(op_fn)(struct fixture *f);

/* Runs `op` for the time budget (after a short warm-up) and prints a RESULT
 * line; `msgs_per_op` and `bytes_per_op` say what one call processes. */
static void s_run(const char *op_name, op_fn *op, struct fixture *f, size_t msgs_per_op, size_t bytes_per_op) {
    char name[64];
    snprintf(name, sizeof(name), "c_%s_%s", op_name, f->size_name);
    if (s_filter && !strstr(name, s_filter)) {
        return;
    }
    double warm_end = s_now() + s_budget_s * 0.1;
    for (unsigned long long i = 0; i < MAX_ITERATIONS; ++i) {
        op(f);
        if (i % CLOCK_STRIDE == 0 && s_now() >= warm_end) {
            break;
        }
    }

    unsigned long long calls = 0;
    double start = s_now();
    double elapsed = 0.0;
    while (calls < MAX_ITERATIONS) {
        op(f);
        ++calls;
        /* Big operations check the clock every time, small ones every stride. */
        if (bytes_per_op >= READ_SIZE || calls % CLOCK_STRIDE == 0) {
            elapsed = s_now() - start;
            if (elapsed >= s_budget_s) {
                break;
            }
        }
    }
    if (elapsed <= 0.0) {
        elapsed = s_now() - start;
    }
    double msgs = (double)calls * (double)msgs_per_op;
    double bytes = (double)calls * (double)bytes_per_op;
    printf(
        "RESULT bench=%s impl=%s msgs_per_s=%.0f mb_per_s=%.1f\n",
        name,
        s_impl,
        msgs / elapsed,
        bytes / elapsed / 1e6);
    fflush(stdout);
}

/* ---- encode --------------------------------------------------------------- */

static void s_op_encode(struct fixture *f) {
    struct aws_array_list headers;
    s_build_headers(&headers);
    struct aws_byte_buf payload = s_wrap(f->payload, f->payload_len);
    struct aws_event_stream_message msg;
    if (aws_event_stream_message_init(&msg, s_alloc, &headers, &payload)) {
        s_die("aws_event_stream_message_init");
    }
    if (aws_event_stream_message_total_length(&msg) != f->wire_len) {
        fprintf(stderr, "codec_bench: encoded length changed\n");
        exit(1);
    }
    aws_event_stream_message_clean_up(&msg);
    aws_event_stream_headers_list_cleanup(&headers);
}

/* ---- one-shot decode ------------------------------------------------------ */

/* Reads the list through its public fields rather than the aws_array_list
 * inline helpers, so the bench needs nothing beyond event_stream.h. */
static void s_check_headers(struct aws_array_list *headers) {
    if (headers->length != HEADER_COUNT || headers->item_size != sizeof(struct aws_event_stream_header_value_pair)) {
        fprintf(stderr, "codec_bench: decoded %zu headers, want %d\n", headers->length, HEADER_COUNT);
        exit(1);
    }
    struct aws_event_stream_header_value_pair *stream_id = (struct aws_event_stream_header_value_pair *)headers->data + 2;
    if (stream_id->header_name_len != 10 ||
        memcmp(stream_id->header_name, s_stream_name, 10) != 0 ||
        aws_event_stream_header_value_as_int32(stream_id) != STREAM_ID) {
        fprintf(stderr, "codec_bench: decoded :stream-id header is wrong\n");
        exit(1);
    }
}

static void s_op_decode(struct fixture *f) {
    struct aws_byte_buf wire = s_wrap(f->wire, f->wire_len);
    struct aws_event_stream_message msg;
    if (aws_event_stream_message_from_buffer(&msg, s_alloc, &wire)) {
        s_die("aws_event_stream_message_from_buffer");
    }
    struct aws_array_list headers;
    if (aws_event_stream_headers_list_init(&headers, s_alloc)) {
        s_die("aws_event_stream_headers_list_init");
    }
    if (aws_event_stream_message_headers(&msg, &headers)) {
        s_die("aws_event_stream_message_headers");
    }
    if (aws_event_stream_message_payload_len(&msg) != f->payload_len) {
        fprintf(stderr, "codec_bench: decoded payload length is wrong\n");
        exit(1);
    }
    aws_event_stream_headers_list_cleanup(&headers);
    aws_event_stream_message_clean_up(&msg);
}

static void s_verify_decode(struct fixture *f) {
    struct aws_byte_buf wire = s_wrap(f->wire, f->wire_len);
    struct aws_event_stream_message msg;
    if (aws_event_stream_message_from_buffer(&msg, s_alloc, &wire)) {
        s_die("aws_event_stream_message_from_buffer");
    }
    struct aws_array_list headers;
    if (aws_event_stream_headers_list_init(&headers, s_alloc) || aws_event_stream_message_headers(&msg, &headers)) {
        s_die("decoding headers");
    }
    s_check_headers(&headers);
    if (memcmp(aws_event_stream_message_payload(&msg), f->payload, f->payload_len) != 0) {
        fprintf(stderr, "codec_bench: decoded payload differs\n");
        exit(1);
    }
    aws_event_stream_headers_list_cleanup(&headers);
    aws_event_stream_message_clean_up(&msg);
}

/* ---- streaming decode ----------------------------------------------------- */

struct stream_counts {
    size_t messages;
    size_t headers;
    size_t payload_bytes;
    int errors;
};

static void s_on_payload(
    struct aws_event_stream_streaming_decoder *decoder,
    struct aws_byte_buf *payload,
    int8_t final_segment,
    void *user_data) {
    (void)decoder;
    (void)final_segment;
    struct stream_counts *c = user_data;
    c->payload_bytes += payload->len;
}

static void s_on_prelude(
    struct aws_event_stream_streaming_decoder *decoder,
    struct aws_event_stream_message_prelude *prelude,
    void *user_data) {
    (void)decoder;
    (void)prelude;
    (void)user_data;
}

static void s_on_header(
    struct aws_event_stream_streaming_decoder *decoder,
    struct aws_event_stream_message_prelude *prelude,
    struct aws_event_stream_header_value_pair *header,
    void *user_data) {
    (void)decoder;
    (void)prelude;
    (void)header;
    struct stream_counts *c = user_data;
    c->headers += 1;
}

static void s_on_complete(struct aws_event_stream_streaming_decoder *decoder, uint32_t message_crc, void *user_data) {
    (void)decoder;
    (void)message_crc;
    struct stream_counts *c = user_data;
    c->messages += 1;
}

static void s_on_error(
    struct aws_event_stream_streaming_decoder *decoder,
    struct aws_event_stream_message_prelude *prelude,
    int error_code,
    const char *message,
    void *user_data) {
    (void)decoder;
    (void)prelude;
    struct stream_counts *c = user_data;
    c->errors += 1;
    fprintf(stderr, "codec_bench: streaming decoder error %d (%s): %s\n", error_code, aws_error_name(error_code), message);
}

static void s_op_stream(struct fixture *f) {
    struct stream_counts counts;
    memset(&counts, 0, sizeof(counts));
    struct aws_event_stream_streaming_decoder_options options;
    memset(&options, 0, sizeof(options));
    options.on_payload_segment = s_on_payload;
    options.on_prelude = s_on_prelude;
    options.on_header = s_on_header;
    options.on_complete = s_on_complete;
    options.on_error = s_on_error;
    options.user_data = &counts;

    struct aws_event_stream_streaming_decoder decoder;
    aws_event_stream_streaming_decoder_init_from_options(&decoder, s_alloc, &options);
    for (size_t off = 0; off < f->batch_len; off += READ_SIZE) {
        size_t n = f->batch_len - off < READ_SIZE ? f->batch_len - off : READ_SIZE;
        struct aws_byte_buf chunk = s_wrap(f->batch + off, n);
        if (aws_event_stream_streaming_decoder_pump(&decoder, &chunk)) {
            s_die("aws_event_stream_streaming_decoder_pump");
        }
    }
    aws_event_stream_streaming_decoder_clean_up(&decoder);
    if (counts.errors || counts.messages != f->batch_msgs || counts.headers != f->batch_msgs * HEADER_COUNT ||
        counts.payload_bytes != f->batch_msgs * f->payload_len) {
        fprintf(
            stderr,
            "codec_bench: streaming decoder saw %zu messages, %zu headers, %zu payload bytes; want %zu, %zu, %zu\n",
            counts.messages,
            counts.headers,
            counts.payload_bytes,
            f->batch_msgs,
            f->batch_msgs * HEADER_COUNT,
            f->batch_msgs * f->payload_len);
        exit(1);
    }
}

/* ---- main ----------------------------------------------------------------- */

static void s_bench_size(const char *size_name, size_t payload_len) {
    struct fixture f;
    s_fixture_init(&f, size_name, payload_len);
    s_verify_decode(&f);
    s_run("encode", s_op_encode, &f, 1, f.wire_len);
    s_run("decode", s_op_decode, &f, 1, f.wire_len);
    s_run("stream", s_op_stream, &f, f.batch_msgs, f.batch_len);
    s_fixture_clean_up(&f);
}

int main(int argc, char **argv) {
    s_impl = argc > 1 ? argv[1] : getenv("BENCH_IMPL");
    if (!s_impl || !*s_impl) {
        s_impl = "unknown";
    }
    s_filter = getenv("BENCH_FILTER");
    if (s_filter && !*s_filter) {
        s_filter = NULL;
    }
    const char *quick = getenv("BENCH_QUICK");
    s_budget_s = (quick && *quick && strcmp(quick, "0") != 0) ? 0.1 : 0.5;

    s_alloc = aws_default_allocator();
    aws_event_stream_library_init(s_alloc);
    s_bench_size("small", SMALL_PAYLOAD);
    s_bench_size("64k", LARGE_PAYLOAD);
    aws_event_stream_library_clean_up();
    return 0;
}
