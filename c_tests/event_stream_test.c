/* aws-c-event-stream message, header-list and streaming-decoder C API.
 *
 * Part 1 runs every golden vector (shared/vectors, through the manifest that
 * scripts/gen_vector_manifest.py writes next to this program): one-shot
 * decode, exact re-encode, the streaming decoder in chunks of 1, 7, 4096 and
 * all, and upstream's verdicts on the invalid ones. Part 2 covers the
 * functions and error paths the vectors do not reach. Everything allocates
 * through a counting allocator that must end at zero. */
#include <aws/event-stream/event_stream.h>

#include <aws/checksums/crc.h>

#include "test_helpers.h"

#include <limits.h>

/* ---- counting allocator ------------------------------------------------------ */

static long s_outstanding = 0;

static void *s_acquire(struct aws_allocator *a, size_t size) {
    (void)a;
    s_outstanding++;
    return malloc(size);
}

static void s_release(struct aws_allocator *a, void *p) {
    (void)a;
    s_outstanding--;
    free(p);
}

static struct aws_allocator s_alloc = {.mem_acquire = s_acquire, .mem_release = s_release};

/* ---- small helpers ------------------------------------------------------------- */

typedef struct aws_event_stream_header_value_pair pair_t;

static pair_t *s_item(struct aws_array_list *list, size_t i) {
    return (pair_t *)((uint8_t *)list->data + i * list->item_size);
}

static struct aws_byte_cursor s_cur(const char *s) {
    struct aws_byte_cursor c = {.len = strlen(s), .ptr = (uint8_t *)s};
    return c;
}

static struct aws_byte_buf s_view(uint8_t *bytes, size_t len) {
    struct aws_byte_buf b = {.len = len, .buffer = bytes, .capacity = len, .allocator = NULL};
    return b;
}

static int s_hexval(char c) {
    return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* "-" is empty; the result is malloc'd (at least 1 byte) and owned by the caller. */
static uint8_t *s_unhex(const char *hex, size_t *len) {
    size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
    uint8_t *out = malloc(n + 1);
    for (size_t i = 0; i < n; ++i) {
        out[i] = (uint8_t)(s_hexval(hex[2 * i]) << 4 | s_hexval(hex[2 * i + 1]));
    }
    *len = n;
    return out;
}

/* A header reduced to type, name and value bytes (wire form, no length prefix). */
struct hdr {
    int type;
    uint8_t *name;
    size_t name_len;
    uint8_t *value;
    size_t value_len;
};

struct msg {
    uint32_t total, headers_len, prelude_crc, message_crc;
    size_t n;
    struct hdr *h;
    uint8_t *payload;
    size_t payload_len;
};

static void s_msg_free(struct msg *m) {
    for (size_t i = 0; i < m->n; ++i) {
        free(m->h[i].name);
        free(m->h[i].value);
    }
    free(m->h);
    free(m->payload);
    memset(m, 0, sizeof(*m));
}

/* Reads a pair back through the aws_event_stream_header_* getters. */
static struct hdr s_hdr_of(pair_t *p) {
    struct hdr h = {.type = (int)p->header_value_type};
    struct aws_byte_buf name = aws_event_stream_header_name(p);
    h.name_len = name.len;
    h.name = malloc(name.len + 1);
    if (name.len) {
        memcpy(h.name, name.buffer, name.len);
    }
    uint8_t fixed[16];
    const uint8_t *src = fixed;
    size_t n = 0;
    switch (h.type) {
        case AWS_EVENT_STREAM_HEADER_BOOL_TRUE:
        case AWS_EVENT_STREAM_HEADER_BOOL_FALSE:
            CHECK_INT_EQ(h.type == AWS_EVENT_STREAM_HEADER_BOOL_TRUE, aws_event_stream_header_value_as_bool(p));
            break;
        case AWS_EVENT_STREAM_HEADER_BYTE:
            fixed[0] = (uint8_t)aws_event_stream_header_value_as_byte(p);
            n = 1;
            break;
        case AWS_EVENT_STREAM_HEADER_INT16: {
            uint16_t v = (uint16_t)aws_event_stream_header_value_as_int16(p);
            fixed[0] = (uint8_t)(v >> 8);
            fixed[1] = (uint8_t)v;
            n = 2;
            break;
        }
        case AWS_EVENT_STREAM_HEADER_INT32: {
            uint32_t v = (uint32_t)aws_event_stream_header_value_as_int32(p);
            for (int i = 0; i < 4; ++i) {
                fixed[i] = (uint8_t)(v >> (24 - 8 * i));
            }
            n = 4;
            break;
        }
        case AWS_EVENT_STREAM_HEADER_INT64:
        case AWS_EVENT_STREAM_HEADER_TIMESTAMP: {
            uint64_t v = (uint64_t)(h.type == AWS_EVENT_STREAM_HEADER_INT64
                                        ? aws_event_stream_header_value_as_int64(p)
                                        : aws_event_stream_header_value_as_timestamp(p));
            for (int i = 0; i < 8; ++i) {
                fixed[i] = (uint8_t)(v >> (56 - 8 * i));
            }
            n = 8;
            break;
        }
        case AWS_EVENT_STREAM_HEADER_BYTE_BUF:
        case AWS_EVENT_STREAM_HEADER_STRING: {
            struct aws_byte_buf v = h.type == AWS_EVENT_STREAM_HEADER_STRING
                                        ? aws_event_stream_header_value_as_string(p)
                                        : aws_event_stream_header_value_as_bytebuf(p);
            src = v.buffer;
            n = v.len;
            break;
        }
        case AWS_EVENT_STREAM_HEADER_UUID: {
            struct aws_byte_buf v = aws_event_stream_header_value_as_uuid(p);
            src = v.buffer;
            n = v.len;
            break;
        }
        default:
            break;
    }
    CHECK_INT_EQ(n, aws_event_stream_header_value_length(p));
    h.value = malloc(n + 1);
    if (n) {
        memcpy(h.value, src, n);
    }
    h.value_len = n;
    return h;
}

static int s_hdr_eq(const struct hdr *a, const struct hdr *b) {
    return a->type == b->type && a->name_len == b->name_len && a->value_len == b->value_len &&
           memcmp(a->name, b->name, a->name_len) == 0 && memcmp(a->value, b->value, a->value_len) == 0;
}

static void s_check_headers(const char *ctx, const struct msg *want, struct hdr *got, size_t n) {
    if (n != want->n) {
        fprintf(stderr, "%s: %zu headers, want %zu\n", ctx, n, want->n);
        g_test_failures++;
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        if (!s_hdr_eq(&want->h[i], &got[i])) {
            fprintf(stderr, "%s: header %zu differs (type %d vs %d)\n", ctx, i, got[i].type, want->h[i].type);
            g_test_failures++;
        }
    }
}

/* ---- manifest ------------------------------------------------------------------------ */

struct manifest {
    char *text;
    char **lines;
    size_t count, at;
};

static int s_load_manifest(struct manifest *m, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open manifest %s\n", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    m->text = malloc((size_t)size + 1);
    size_t got = fread(m->text, 1, (size_t)size, f);
    fclose(f);
    m->text[got] = 0;
    size_t cap = 1024;
    m->lines = malloc(cap * sizeof(char *));
    m->count = m->at = 0;
    char *save = NULL;
    for (char *line = strtok_r(m->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') {
            continue;
        }
        if (m->count == cap) {
            cap *= 2;
            m->lines = realloc(m->lines, cap * sizeof(char *));
        }
        m->lines[m->count++] = line;
    }
    return 0;
}

static char *s_next(struct manifest *m) {
    return m->at < m->count ? m->lines[m->at++] : NULL;
}

/* Splits a line in place into at most `max` space-separated tokens. */
static size_t s_tokens(char *line, char **tok, size_t max) {
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save)) {
        tok[n++] = t;
    }
    return n;
}

static void s_read_headers(struct manifest *mf, struct msg *m) {
    m->h = calloc(m->n + 1, sizeof(struct hdr));
    for (size_t i = 0; i < m->n; ++i) {
        char *tok[4];
        char *line = s_next(mf);
        if (!line || s_tokens(line, tok, 4) != 4 || strcmp(tok[0], "H") != 0) {
            fprintf(stderr, "manifest: bad header line\n");
            exit(2);
        }
        m->h[i].type = atoi(tok[1]);
        m->h[i].name = s_unhex(tok[2], &m->h[i].name_len);
        m->h[i].value = s_unhex(tok[3], &m->h[i].value_len);
    }
}

/* tok: total headers_len prelude_crc message_crc nheaders payload */
static void s_read_msg(struct manifest *mf, char **tok, struct msg *m) {
    memset(m, 0, sizeof(*m));
    m->total = (uint32_t)strtoul(tok[0], NULL, 10);
    m->headers_len = (uint32_t)strtoul(tok[1], NULL, 10);
    m->prelude_crc = (uint32_t)strtoul(tok[2], NULL, 10);
    m->message_crc = (uint32_t)strtoul(tok[3], NULL, 10);
    m->n = strtoul(tok[4], NULL, 10);
    m->payload = s_unhex(tok[5], &m->payload_len);
    s_read_headers(mf, m);
}

/* tok: nheaders payload */
static void s_read_decoded(struct manifest *mf, char **tok, struct msg *m) {
    memset(m, 0, sizeof(*m));
    m->n = strtoul(tok[0], NULL, 10);
    m->payload = s_unhex(tok[1], &m->payload_len);
    s_read_headers(mf, m);
}

static uint8_t *s_read_file(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)size + 1);
    *len = fread(data, 1, (size_t)size, f);
    fclose(f);
    return data;
}

/* ---- streaming recorder ------------------------------------------------------------- */

struct recorder {
    int preludes, completes, final_segments, errors;
    int error_code;
    char error_message[128];
    struct msg *done;
    size_t done_count, done_cap;
    struct msg current;
    size_t current_cap;
};

static void s_rec_free(struct recorder *r) {
    for (size_t i = 0; i < r->done_count; ++i) {
        s_msg_free(&r->done[i]);
    }
    free(r->done);
    s_msg_free(&r->current);
    memset(r, 0, sizeof(*r));
}

static void s_on_prelude(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    void *user) {
    struct recorder *r = user;
    CHECK(prelude == &d->prelude);
    r->preludes++;
    s_msg_free(&r->current);
    r->current_cap = 0;
    r->current.total = prelude->total_len;
    r->current.headers_len = prelude->headers_len;
    r->current.prelude_crc = prelude->prelude_crc;
}

static void s_on_header(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    pair_t *header,
    void *user) {
    struct recorder *r = user;
    CHECK(prelude == &d->prelude);
    CHECK(header == &d->current_header);
    if (r->current.n == r->current_cap) {
        r->current_cap = r->current_cap ? 2 * r->current_cap : 8;
        r->current.h = realloc(r->current.h, r->current_cap * sizeof(struct hdr));
    }
    r->current.h[r->current.n++] = s_hdr_of(header);
}

static void s_on_payload(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_byte_buf *payload,
    int8_t final_segment,
    void *user) {
    (void)d;
    struct recorder *r = user;
    CHECK(payload->len > 0);
    r->current.payload = realloc(r->current.payload, r->current.payload_len + payload->len + 1);
    memcpy(r->current.payload + r->current.payload_len, payload->buffer, payload->len);
    r->current.payload_len += payload->len;
    r->final_segments += final_segment;
}

static void s_on_complete(struct aws_event_stream_streaming_decoder *d, uint32_t crc, void *user) {
    (void)d;
    struct recorder *r = user;
    r->completes++;
    r->current.message_crc = crc;
    if (r->done_count == r->done_cap) {
        r->done_cap = r->done_cap ? 2 * r->done_cap : 4;
        r->done = realloc(r->done, r->done_cap * sizeof(struct msg));
    }
    r->done[r->done_count++] = r->current;
    memset(&r->current, 0, sizeof(r->current));
    r->current_cap = 0;
}

static void s_on_error(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    int code,
    const char *message,
    void *user) {
    (void)d;
    (void)prelude;
    struct recorder *r = user;
    CHECK_INT_EQ(code, aws_last_error()); /* raised before the callback */
    r->errors++;
    r->error_code = code;
    snprintf(r->error_message, sizeof(r->error_message), "%s", message);
}

static void s_decoder_init(struct aws_event_stream_streaming_decoder *d, struct recorder *r) {
    struct aws_event_stream_streaming_decoder_options options = {
        .on_payload_segment = s_on_payload,
        .on_prelude = s_on_prelude,
        .on_header = s_on_header,
        .on_complete = s_on_complete,
        .on_error = s_on_error,
        .user_data = r,
    };
    memset(r, 0, sizeof(*r));
    aws_event_stream_streaming_decoder_init_from_options(d, &s_alloc, &options);
}

/* Pumps `data` in pieces of `chunk` until the first failure; returns the pump result. */
static int s_pump(struct aws_event_stream_streaming_decoder *d, uint8_t *data, size_t len, size_t chunk) {
    aws_reset_error();
    for (size_t at = 0; at < len;) {
        size_t n = len - at < chunk ? len - at : chunk;
        struct aws_byte_buf piece = s_view(data + at, n);
        if (aws_event_stream_streaming_decoder_pump(d, &piece)) {
            return AWS_OP_ERR;
        }
        at += n;
    }
    return AWS_OP_SUCCESS;
}

static const size_t s_chunks[] = {1, 7, 4096, SIZE_MAX};

static void s_check_stream(const char *name, uint8_t *data, size_t len, struct msg *want, size_t count) {
    for (size_t c = 0; c < 4; ++c) {
        struct aws_event_stream_streaming_decoder d;
        struct recorder r;
        s_decoder_init(&d, &r);
        char ctx[256];
        snprintf(ctx, sizeof(ctx), "%s chunk %zu", name, s_chunks[c]);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_pump(&d, data, len, s_chunks[c]));
        CHECK_INT_EQ(0, r.errors);
        CHECK_INT_EQ(count, r.preludes);
        CHECK_INT_EQ(count, r.completes);
        CHECK_INT_EQ(count, r.done_count);
        size_t with_payload = 0;
        for (size_t i = 0; i < count && i < r.done_count; ++i) {
            with_payload += want[i].payload_len > 0;
            s_check_headers(ctx, &want[i], r.done[i].h, r.done[i].n);
            CHECK_MEM_EQ(want[i].payload, want[i].payload_len, r.done[i].payload, r.done[i].payload_len);
            CHECK_INT_EQ(want[i].message_crc, r.done[i].message_crc);
            CHECK_INT_EQ(want[i].total, r.done[i].total);
            CHECK_INT_EQ(want[i].prelude_crc, r.done[i].prelude_crc);
        }
        CHECK_INT_EQ(with_payload, r.final_segments);
        aws_event_stream_streaming_decoder_clean_up(&d);
        CHECK(d.on_header == NULL && d.user_context == NULL);
        s_rec_free(&r);
        CHECK_INT_EQ(0, s_outstanding);
    }
}

/* ---- vector checks ----------------------------------------------------------------------- */

static int s_add_expected(struct aws_array_list *list, const struct hdr *h, int variant) {
    const char *name = (const char *)h->name;
    uint8_t nl = (uint8_t)h->name_len;
    struct aws_byte_cursor nc = {.len = h->name_len, .ptr = h->name};
    int by_cursor = variant & 1 && h->name_len > 0;
    const uint8_t *v = h->value;
    int64_t x = 0;
    for (size_t i = 0; i < h->value_len && h->type != AWS_EVENT_STREAM_HEADER_UUID; ++i) {
        x = (int64_t)((uint64_t)x << 8 | v[i]);
    }
    switch (h->type) {
        case AWS_EVENT_STREAM_HEADER_BOOL_TRUE:
        case AWS_EVENT_STREAM_HEADER_BOOL_FALSE: {
            int8_t b = h->type == AWS_EVENT_STREAM_HEADER_BOOL_TRUE;
            return by_cursor ? aws_event_stream_add_bool_header_by_cursor(list, nc, b)
                             : aws_event_stream_add_bool_header(list, name, nl, b);
        }
        case AWS_EVENT_STREAM_HEADER_BYTE:
            return by_cursor ? aws_event_stream_add_byte_header_by_cursor(list, nc, (int8_t)x)
                             : aws_event_stream_add_byte_header(list, name, nl, (int8_t)x);
        case AWS_EVENT_STREAM_HEADER_INT16:
            return by_cursor ? aws_event_stream_add_int16_header_by_cursor(list, nc, (int16_t)x)
                             : aws_event_stream_add_int16_header(list, name, nl, (int16_t)x);
        case AWS_EVENT_STREAM_HEADER_INT32:
            return by_cursor ? aws_event_stream_add_int32_header_by_cursor(list, nc, (int32_t)x)
                             : aws_event_stream_add_int32_header(list, name, nl, (int32_t)x);
        case AWS_EVENT_STREAM_HEADER_INT64:
            return by_cursor ? aws_event_stream_add_int64_header_by_cursor(list, nc, x)
                             : aws_event_stream_add_int64_header(list, name, nl, x);
        case AWS_EVENT_STREAM_HEADER_TIMESTAMP:
            return by_cursor ? aws_event_stream_add_timestamp_header_by_cursor(list, nc, x)
                             : aws_event_stream_add_timestamp_header(list, name, nl, x);
        case AWS_EVENT_STREAM_HEADER_UUID: {
            struct aws_byte_cursor vc = {.len = h->value_len, .ptr = h->value};
            return by_cursor ? aws_event_stream_add_uuid_header_by_cursor(list, nc, vc)
                             : aws_event_stream_add_uuid_header(list, name, nl, v);
        }
        case AWS_EVENT_STREAM_HEADER_STRING: {
            struct aws_byte_cursor vc = {.len = h->value_len, .ptr = h->value};
            return by_cursor ? aws_event_stream_add_string_header_by_cursor(list, nc, vc)
                             : aws_event_stream_add_string_header(
                                   list, name, nl, (const char *)v, (uint16_t)h->value_len, (int8_t)(variant >> 1 & 1));
        }
        case AWS_EVENT_STREAM_HEADER_BYTE_BUF: {
            struct aws_byte_cursor vc = {.len = h->value_len, .ptr = h->value};
            return by_cursor ? aws_event_stream_add_byte_buf_header_by_cursor(list, nc, vc)
                             : aws_event_stream_add_bytebuf_header(
                                   list, name, nl, h->value, (uint16_t)h->value_len, (int8_t)(variant >> 1 & 1));
        }
        default:
            return AWS_OP_ERR;
    }
}

static void s_check_reencode(const char *name, const struct msg *m, const uint8_t *want, int variant) {
    struct aws_array_list list;
    CHECK_INT_EQ(0, aws_event_stream_headers_list_init(&list, &s_alloc));
    for (size_t i = 0; i < m->n; ++i) {
        CHECK_INT_EQ(0, s_add_expected(&list, &m->h[i], variant));
    }
    CHECK_INT_EQ(m->headers_len, aws_event_stream_compute_headers_required_buffer_len(&list));
    struct aws_byte_buf payload = s_view(m->payload, m->payload_len);
    struct aws_event_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    const struct aws_byte_buf *payload_arg = m->payload_len == 0 && (variant & 2) ? NULL : &payload;
    const struct aws_array_list *list_arg = m->n == 0 && (variant & 1) ? NULL : &list;
    CHECK_INT_EQ(0, aws_event_stream_message_init(&msg, &s_alloc, list_arg, payload_arg));
    if (msg.message_buffer.len != m->total || memcmp(msg.message_buffer.buffer, want, m->total) != 0) {
        fprintf(stderr, "%s: message_init (variant %d) differs from upstream's bytes\n", name, variant);
        g_test_failures++;
    }
    aws_event_stream_message_clean_up(&msg);
    aws_event_stream_headers_list_cleanup(&list);
    CHECK_INT_EQ(0, s_outstanding);
}

static void s_check_valid_message(const char *name, uint8_t *data, size_t len, struct msg *m) {
    struct aws_byte_buf buf = s_view(data, len);
    struct aws_event_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    CHECK_INT_EQ(0, aws_event_stream_message_from_buffer(&msg, &s_alloc, &buf));
    CHECK(aws_event_stream_message_buffer(&msg) == data);
    CHECK_INT_EQ(m->total, aws_event_stream_message_total_length(&msg));
    CHECK_INT_EQ(m->headers_len, aws_event_stream_message_headers_len(&msg));
    CHECK_INT_EQ(m->prelude_crc, aws_event_stream_message_prelude_crc(&msg));
    CHECK_INT_EQ(m->message_crc, aws_event_stream_message_message_crc(&msg));
    CHECK_MEM_EQ(m->payload, m->payload_len, aws_event_stream_message_payload(&msg),
                 aws_event_stream_message_payload_len(&msg));
    struct aws_array_list list;
    aws_event_stream_headers_list_init(&list, &s_alloc);
    CHECK_INT_EQ(0, aws_event_stream_message_headers(&msg, &list));
    struct hdr *got = calloc(list.length + 1, sizeof(struct hdr));
    for (size_t i = 0; i < list.length; ++i) {
        got[i] = s_hdr_of(s_item(&list, i));
    }
    s_check_headers(name, m, got, list.length);
    struct msg tmp = {.n = list.length, .h = got};
    s_msg_free(&tmp);
    aws_event_stream_headers_list_cleanup(&list);
    aws_event_stream_message_clean_up(&msg);

    struct aws_event_stream_message copy;
    CHECK_INT_EQ(0, aws_event_stream_message_from_buffer_copy(&copy, &s_alloc, &buf));
    CHECK(aws_event_stream_message_buffer(&copy) != data);
    CHECK_INT_EQ(1, s_outstanding);
    CHECK_MEM_EQ(data, len, aws_event_stream_message_buffer(&copy), copy.message_buffer.len);
    aws_event_stream_message_clean_up(&copy);
    CHECK_INT_EQ(0, s_outstanding);

    for (int variant = 0; variant < 4; ++variant) {
        s_check_reencode(name, m, data, variant);
    }
    s_check_stream(name, data, len, m, 1);
}

struct bad {
    int from_buffer_err, headers_err, streaming_err, via, outcome, completed, started, partial_headers,
        partial_payload;
    char error_message[128];
    struct msg oneshot;
    int has_oneshot;
    struct msg *sdec;
    size_t sdec_count;
};

static void s_check_bad(const char *name, uint8_t *data, size_t len, struct bad *b) {
    struct aws_byte_buf buf = s_view(data, len);
    struct aws_event_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    aws_reset_error();
    int rv = aws_event_stream_message_from_buffer(&msg, &s_alloc, &buf);
    if (b->from_buffer_err) {
        CHECK_INT_EQ(AWS_OP_ERR, rv);
        CHECK_INT_EQ(b->from_buffer_err, aws_last_error());
        CHECK(msg.alloc == &s_alloc);
    } else {
        CHECK_INT_EQ(0, rv);
        struct aws_array_list list;
        aws_event_stream_headers_list_init(&list, &s_alloc);
        aws_reset_error();
        rv = aws_event_stream_message_headers(&msg, &list);
        if (b->headers_err) {
            CHECK_INT_EQ(AWS_OP_ERR, rv);
            CHECK_INT_EQ(b->headers_err, aws_last_error());
        } else {
            CHECK_INT_EQ(0, rv);
            if (b->has_oneshot) {
                struct hdr *got = calloc(list.length + 1, sizeof(struct hdr));
                for (size_t i = 0; i < list.length; ++i) {
                    got[i] = s_hdr_of(s_item(&list, i));
                }
                s_check_headers(name, &b->oneshot, got, list.length);
                struct msg tmp = {.n = list.length, .h = got};
                s_msg_free(&tmp);
                CHECK_MEM_EQ(b->oneshot.payload, b->oneshot.payload_len, aws_event_stream_message_payload(&msg),
                             aws_event_stream_message_payload_len(&msg));
            }
        }
        aws_event_stream_headers_list_cleanup(&list);
        aws_event_stream_message_clean_up(&msg);
    }
    CHECK_INT_EQ(0, s_outstanding);

    for (size_t c = 0; c < 4; ++c) {
        struct aws_event_stream_streaming_decoder d;
        struct recorder r;
        s_decoder_init(&d, &r);
        int result = s_pump(&d, data, len, s_chunks[c]);
        int last = aws_last_error();
        int before = g_test_failures;
        CHECK_INT_EQ(b->completed, r.completes);
        CHECK_INT_EQ(b->started, r.preludes > r.completes);
        if (b->started) {
            CHECK_INT_EQ(b->partial_headers, r.current.n);
            CHECK_INT_EQ(b->partial_payload, r.current.payload_len);
        }
        if (b->outcome == 0) {
            CHECK_INT_EQ(AWS_OP_ERR, result);
            CHECK_INT_EQ(b->streaming_err, last);
            if (b->via == 1) {
                CHECK_INT_EQ(1, r.errors);
                CHECK_INT_EQ(b->streaming_err, r.error_code);
                CHECK_STR_EQ(b->error_message, r.error_message);
            } else {
                CHECK_INT_EQ(0, r.errors);
            }
            /* Pumping on fails the same way, quietly. */
            int seen = r.preludes + r.errors + r.completes;
            struct aws_byte_buf again = s_view(data, len);
            aws_reset_error();
            CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_streaming_decoder_pump(&d, &again));
            CHECK_INT_EQ(b->streaming_err, aws_last_error());
            CHECK_INT_EQ(seen, r.preludes + r.errors + r.completes);
        } else {
            CHECK_INT_EQ(AWS_OP_SUCCESS, result);
            CHECK_INT_EQ(0, r.errors);
        }
        if (b->sdec_count) {
            CHECK_INT_EQ(b->sdec_count, r.done_count);
            for (size_t i = 0; i < b->sdec_count && i < r.done_count; ++i) {
                s_check_headers(name, &b->sdec[i], r.done[i].h, r.done[i].n);
                CHECK_MEM_EQ(b->sdec[i].payload, b->sdec[i].payload_len, r.done[i].payload, r.done[i].payload_len);
            }
        }
        if (g_test_failures != before) {
            fprintf(stderr, "  (in %s, chunk %zu)\n", name, s_chunks[c]);
        }
        aws_event_stream_streaming_decoder_clean_up(&d);
        s_rec_free(&r);
        CHECK_INT_EQ(0, s_outstanding);
    }
}

static const char *s_manifest_path;
static const char *s_vectors_dir;

static void vectors_from_manifest(void) {
    struct manifest mf;
    if (!s_vectors_dir || s_load_manifest(&mf, s_manifest_path)) {
        fprintf(stderr, "vectors: AWS_ES_VECTORS_DIR and the manifest are required\n");
        g_test_failures++;
        return;
    }
    int valid = 0, streams = 0, bad = 0;
    char *line;
    while ((line = s_next(&mf)) != NULL) {
        char *tok[16];
        size_t n = s_tokens(line, tok, 16);
        if (n >= 9 && strcmp(tok[0], "MSG") == 0) {
            struct msg m;
            s_read_msg(&mf, tok + 3, &m);
            size_t len;
            uint8_t *data = s_read_file(s_vectors_dir, tok[2], &len);
            CHECK_INT_EQ(m.total, len);
            s_check_valid_message(tok[1], data, len, &m);
            free(data);
            s_msg_free(&m);
            valid++;
        } else if (n == 4 && strcmp(tok[0], "STREAM") == 0) {
            size_t count = strtoul(tok[3], NULL, 10);
            struct msg *ms = calloc(count + 1, sizeof(struct msg));
            size_t len, at = 0;
            uint8_t *data = s_read_file(s_vectors_dir, tok[2], &len);
            for (size_t i = 0; i < count; ++i) {
                char *t[8];
                if (s_tokens(s_next(&mf), t, 8) != 7) {
                    exit(2);
                }
                s_read_msg(&mf, t + 1, &ms[i]);
                s_check_reencode(tok[1], &ms[i], data + at, (int)i);
                at += ms[i].total;
            }
            CHECK_INT_EQ(len, at);
            s_check_stream(tok[1], data, len, ms, count);
            for (size_t i = 0; i < count; ++i) {
                s_msg_free(&ms[i]);
            }
            free(ms);
            free(data);
            streams++;
        } else if (n == 12 && strcmp(tok[0], "BAD") == 0) {
            struct bad b;
            memset(&b, 0, sizeof(b));
            int *fields[] = {&b.from_buffer_err, &b.headers_err, &b.streaming_err, &b.via, &b.outcome,
                             &b.completed, &b.started, &b.partial_headers, &b.partial_payload};
            for (size_t i = 0; i < 9; ++i) {
                *fields[i] = atoi(tok[3 + i]);
            }
            char name[128], file[128];
            snprintf(name, sizeof(name), "%s", tok[1]);
            snprintf(file, sizeof(file), "%s", tok[2]);
            char *extra;
            while ((extra = s_next(&mf)) != NULL && strcmp(extra, "END") != 0) {
                char *t[4];
                if (strncmp(extra, "ERRMSG ", 7) == 0) {
                    snprintf(b.error_message, sizeof(b.error_message), "%s", extra + 7);
                } else if (strncmp(extra, "ODEC ", 5) == 0 && s_tokens(extra, t, 4) == 3) {
                    s_read_decoded(&mf, t + 1, &b.oneshot);
                    b.has_oneshot = 1;
                } else if (strncmp(extra, "SDEC ", 5) == 0 && s_tokens(extra, t, 4) == 2) {
                    b.sdec_count = strtoul(t[1], NULL, 10);
                    b.sdec = calloc(b.sdec_count + 1, sizeof(struct msg));
                    for (size_t i = 0; i < b.sdec_count; ++i) {
                        if (s_tokens(s_next(&mf), t, 4) != 3) {
                            exit(2);
                        }
                        s_read_decoded(&mf, t + 1, &b.sdec[i]);
                    }
                }
            }
            size_t len;
            uint8_t *data = s_read_file(s_vectors_dir, file, &len);
            s_check_bad(name, data, len, &b);
            free(data);
            s_msg_free(&b.oneshot);
            for (size_t i = 0; i < b.sdec_count; ++i) {
                s_msg_free(&b.sdec[i]);
            }
            free(b.sdec);
            bad++;
            continue;
        } else if (strcmp(tok[0], "END") == 0) {
            continue;
        } else {
            fprintf(stderr, "manifest: unexpected line %s\n", tok[0]);
            g_test_failures++;
            break;
        }
    }
    fprintf(stderr, "vectors: %d messages, %d streams, %d invalid\n", valid, streams, bad);
    CHECK(valid >= 40 && streams >= 10 && bad >= 20);
    free(mf.lines);
    free(mf.text);
}

/* ---- API paths the vectors do not reach -------------------------------------------------- */

static void add_header_limits(void) {
    struct aws_array_list list;
    CHECK_INT_EQ(0, aws_event_stream_headers_list_init(&list, &s_alloc));
    CHECK_INT_EQ(4 * sizeof(pair_t), list.current_size);
    CHECK_INT_EQ(sizeof(pair_t), list.item_size);
    char name[257];
    memset(name, 'n', sizeof(name));
    struct aws_byte_cursor n255 = {.len = 255, .ptr = (uint8_t *)name};
    struct aws_byte_cursor n256 = {.len = 256, .ptr = (uint8_t *)name};
    CHECK_INT_EQ(0, aws_event_stream_add_int32_header_by_cursor(&list, n255, 7));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_int32_header_by_cursor(&list, n256, 7));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_bool_header_by_cursor(&list, n256, true));
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_string_header_by_cursor(&list, n256, s_cur("v")));
    CHECK_INT_EQ(1, list.length);
    CHECK_INT_EQ(255, s_item(&list, 0)->header_name_len);

    static uint8_t big[32768];
    memset(big, 'v', sizeof(big));
    struct aws_byte_cursor v_ok = {.len = 32767, .ptr = big};
    struct aws_byte_cursor v_big = {.len = 32768, .ptr = big};
    CHECK_INT_EQ(0, aws_event_stream_add_string_header_by_cursor(&list, s_cur("s"), v_ok));
    CHECK_INT_EQ(0, aws_event_stream_add_byte_buf_header_by_cursor(&list, s_cur("b"), v_ok));
    CHECK_INT_EQ(0, aws_event_stream_add_string_header(&list, "s", 1, (const char *)big, 32767, 0));
    CHECK_INT_EQ(0, aws_event_stream_add_bytebuf_header(&list, "b", 1, big, 32767, 1));
    CHECK_INT_EQ(5, list.length);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_string_header_by_cursor(&list, s_cur("s"), v_big));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_byte_buf_header_by_cursor(&list, s_cur("b"), v_big));
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_string_header(&list, "s", 1, (const char *)big, 32768, 1));
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_bytebuf_header(&list, "b", 1, big, 65535, 0));
    struct aws_byte_cursor uuid15 = {.len = 15, .ptr = big};
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_uuid_header_by_cursor(&list, s_cur("u"), uuid15));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN, aws_last_error());
    CHECK_INT_EQ(5, list.length);
    /* Growth past the initial 4 items went through the allocator. */
    CHECK(list.current_size >= 5 * sizeof(pair_t));
    /* Owned copies: two cursor forms and the copy=1 pointer form. */
    CHECK_INT_EQ(1 + 3, s_outstanding);
    aws_event_stream_headers_list_cleanup(&list);
    CHECK_INT_EQ(0, s_outstanding);

    /* A static list (no allocator) that is full. */
    pair_t storage[1];
    struct aws_array_list fixed = {
        .alloc = NULL, .current_size = sizeof(storage), .length = 0, .item_size = sizeof(pair_t), .data = storage};
    CHECK_INT_EQ(0, aws_event_stream_add_bool_header(&fixed, "a", 1, 1));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_add_bool_header(&fixed, "b", 1, 1));
    CHECK_INT_EQ(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE, aws_last_error());
    CHECK_INT_EQ(1, fixed.length);
}

static void header_values_by_type(void) {
    struct aws_array_list list;
    aws_event_stream_headers_list_init(&list, &s_alloc);
    uint8_t uuid[16];
    for (int i = 0; i < 16; ++i) {
        uuid[i] = (uint8_t)(0xf0 + i);
    }
    char value[] = "value";
    CHECK_INT_EQ(0, aws_event_stream_add_bool_header(&list, "t", 1, 5));
    CHECK_INT_EQ(0, aws_event_stream_add_bool_header(&list, "f", 1, 0));
    CHECK_INT_EQ(0, aws_event_stream_add_byte_header(&list, "b", 1, -2));
    CHECK_INT_EQ(0, aws_event_stream_add_int16_header(&list, "i16", 3, -12345));
    CHECK_INT_EQ(0, aws_event_stream_add_int32_header(&list, "i32", 3, INT32_MIN));
    CHECK_INT_EQ(0, aws_event_stream_add_int64_header(&list, "i64", 3, INT64_MAX));
    CHECK_INT_EQ(0, aws_event_stream_add_timestamp_header(&list, "ts", 2, 1700000000123LL));
    CHECK_INT_EQ(0, aws_event_stream_add_uuid_header(&list, "u", 1, uuid));
    CHECK_INT_EQ(0, aws_event_stream_add_string_header(&list, "s", 1, value, 5, 0));
    CHECK_INT_EQ(0, aws_event_stream_add_string_header(&list, "sc", 2, value, 5, 1));
    CHECK_INT_EQ(0, aws_event_stream_add_bytebuf_header(&list, "e", 1, (uint8_t *)value, 0, 1));
    CHECK_INT_EQ(11, list.length);

    CHECK_INT_EQ(AWS_EVENT_STREAM_HEADER_BOOL_TRUE, s_item(&list, 0)->header_value_type);
    CHECK_INT_EQ(1, aws_event_stream_header_value_as_bool(s_item(&list, 0)));
    CHECK_INT_EQ(AWS_EVENT_STREAM_HEADER_BOOL_FALSE, s_item(&list, 1)->header_value_type);
    CHECK_INT_EQ(0, aws_event_stream_header_value_as_bool(s_item(&list, 1)));
    CHECK_INT_EQ(-2, aws_event_stream_header_value_as_byte(s_item(&list, 2)));
    CHECK_INT_EQ(1, aws_event_stream_header_value_length(s_item(&list, 2)));
    CHECK_INT_EQ(-12345, aws_event_stream_header_value_as_int16(s_item(&list, 3)));
    CHECK_INT_EQ(INT32_MIN, aws_event_stream_header_value_as_int32(s_item(&list, 4)));
    /* static_val holds the wire (big-endian) bytes */
    CHECK_INT_EQ(0x80, s_item(&list, 4)->header_value.static_val[0]);
    CHECK(aws_event_stream_header_value_as_int64(s_item(&list, 5)) == INT64_MAX);
    CHECK(aws_event_stream_header_value_as_timestamp(s_item(&list, 6)) == 1700000000123LL);
    struct aws_byte_buf u = aws_event_stream_header_value_as_uuid(s_item(&list, 7));
    CHECK_MEM_EQ(uuid, 16, u.buffer, u.len);
    CHECK(u.buffer == s_item(&list, 7)->header_value.static_val);
    struct aws_byte_buf s = aws_event_stream_header_value_as_string(s_item(&list, 8));
    CHECK(s.buffer == (uint8_t *)value && s.len == 5 && s.allocator == NULL);
    CHECK_INT_EQ(0, s_item(&list, 8)->value_owned);
    struct aws_byte_buf sc = aws_event_stream_header_value_as_string(s_item(&list, 9));
    CHECK(sc.buffer != (uint8_t *)value);
    CHECK_MEM_EQ(value, 5, sc.buffer, sc.len);
    CHECK_INT_EQ(1, s_item(&list, 9)->value_owned);
    /* empty values are never copied */
    CHECK_INT_EQ(0, s_item(&list, 10)->value_owned);
    CHECK_INT_EQ(0, aws_event_stream_header_value_as_bytebuf(s_item(&list, 10)).len);
    struct aws_byte_buf name = aws_event_stream_header_name(s_item(&list, 3));
    CHECK_MEM_EQ("i16", 3, name.buffer, name.len);

    /* create_* build pairs by value; add_header copies string values. */
    pair_t cs = aws_event_stream_create_string_header(s_cur("cs"), s_cur("hello"));
    CHECK_INT_EQ(AWS_EVENT_STREAM_HEADER_STRING, cs.header_value_type);
    CHECK_INT_EQ(0, cs.value_owned);
    CHECK_INT_EQ(5, cs.header_value_len);
    pair_t ci = aws_event_stream_create_int32_header(s_cur("ci"), -5);
    CHECK_INT_EQ(-5, aws_event_stream_header_value_as_int32(&ci));
    CHECK_INT_EQ(4, ci.header_value_len);
    CHECK_INT_EQ(0, aws_event_stream_add_header(&list, &cs));
    CHECK_INT_EQ(0, aws_event_stream_add_header(&list, &ci));
    CHECK_INT_EQ(1, s_item(&list, 11)->value_owned);
    CHECK(s_item(&list, 11)->header_value.variable_len_val != cs.header_value.variable_len_val);
    struct aws_byte_buf copied = aws_event_stream_header_value_as_string(s_item(&list, 11));
    CHECK_MEM_EQ("hello", 5, copied.buffer, copied.len);
    CHECK_INT_EQ(-5, aws_event_stream_header_value_as_int32(s_item(&list, 12)));

    /* wire sizes: 2 + name + value (+2 for string/byte_buf) */
    uint32_t want = 0;
    want += 3 + 3;          /* t, f */
    want += 3 + 1;          /* b */
    want += 5 + 2 + 5 + 4 + 5 + 8 + 4 + 8; /* i16 i32 i64 ts */
    want += 3 + 16;         /* u */
    want += 3 + 2 + 5 + 4 + 2 + 5 + 3 + 2; /* s sc e */
    want += 4 + 2 + 5 + 4 + 4; /* cs ci */
    CHECK_INT_EQ(want, aws_event_stream_compute_headers_required_buffer_len(&list));
    CHECK_INT_EQ(0, aws_event_stream_compute_headers_required_buffer_len(NULL));
    CHECK_INT_EQ(1 + 2, s_outstanding);
    aws_event_stream_headers_list_cleanup(&list);
    CHECK_INT_EQ(0, s_outstanding);
}

static void write_and_read_header_blocks(void) {
    struct aws_array_list list;
    aws_event_stream_headers_list_init(&list, &s_alloc);
    aws_event_stream_add_string_header(&list, "name", 4, "value", 5, 1);
    aws_event_stream_add_int32_header(&list, "n", 1, 0x01020304);
    aws_event_stream_add_bool_header(&list, "yes", 3, 1);
    uint32_t need = aws_event_stream_compute_headers_required_buffer_len(&list);
    CHECK_INT_EQ(6 + 2 + 5 + 3 + 4 + 5, need);
    static const uint8_t want[] = {4, 'n', 'a', 'm', 'e', 7, 0, 5, 'v', 'a', 'l', 'u', 'e', 1, 'n',
                                   4, 1, 2, 3, 4, 3, 'y', 'e', 's', 0};
    CHECK_INT_EQ(sizeof(want), need);

    uint8_t out[64];
    memset(out, 0xee, sizeof(out));
    struct aws_byte_buf exact = {.len = 0, .buffer = out, .capacity = need, .allocator = NULL};
    CHECK_INT_EQ(0, aws_event_stream_write_headers_to_buffer_safe(&list, &exact));
    CHECK_MEM_EQ(want, sizeof(want), out, exact.len);
    CHECK_INT_EQ(0xee, out[need]);

    /* One byte short: INSUFFICIENT_BUFFER_LEN, never past the capacity. */
    memset(out, 0xee, sizeof(out));
    struct aws_byte_buf small = {.len = 0, .buffer = out, .capacity = need - 1, .allocator = NULL};
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_write_headers_to_buffer_safe(&list, &small));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_INSUFFICIENT_BUFFER_LEN, aws_last_error());
    CHECK(small.len < need);
    CHECK_MEM_EQ(want, small.len, out, small.len);
    CHECK_INT_EQ(0xee, out[need - 1]);
    struct aws_byte_buf none = {.len = 0, .buffer = out, .capacity = 0, .allocator = NULL};
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_write_headers_to_buffer_safe(&list, &none));
    CHECK_INT_EQ(0, none.len);
    CHECK_INT_EQ(0, aws_event_stream_write_headers_to_buffer_safe(NULL, &none));

    memset(out, 0xee, sizeof(out));
    CHECK_INT_EQ(need, aws_event_stream_write_headers_to_buffer(&list, out));
    CHECK_MEM_EQ(want, sizeof(want), out, need);

    /* Reading back: values point into the block. */
    struct aws_array_list back;
    aws_event_stream_headers_list_init(&back, &s_alloc);
    CHECK_INT_EQ(0, aws_event_stream_read_headers_from_buffer(&back, out, need));
    CHECK_INT_EQ(3, back.length);
    CHECK(s_item(&back, 0)->header_value.variable_len_val == out + 8);
    CHECK_INT_EQ(0, s_item(&back, 0)->value_owned);
    CHECK_INT_EQ(0x01020304, aws_event_stream_header_value_as_int32(s_item(&back, 1)));
    CHECK_INT_EQ(1, aws_event_stream_header_value_as_bool(s_item(&back, 2)));
    CHECK_INT_EQ(1, s_item(&back, 2)->header_value.static_val[0]);
    aws_event_stream_headers_list_cleanup(&back);

    /* Truncated anywhere inside a header: BUFFER_LENGTH_MISMATCH; the headers
     * before the cut stay in the list. */
    for (size_t cut = 1; cut < need; ++cut) {
        int boundary = cut == 13 || cut == 20;
        aws_event_stream_headers_list_init(&back, &s_alloc);
        aws_reset_error();
        int rv = aws_event_stream_read_headers_from_buffer(&back, out, cut);
        if (boundary) {
            CHECK_INT_EQ(0, rv);
        } else {
            CHECK_INT_EQ(AWS_OP_ERR, rv);
            CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH, aws_last_error());
        }
        CHECK_INT_EQ(cut >= 20 ? 2 : cut >= 13 ? 1 : 0, back.length);
        aws_event_stream_headers_list_cleanup(&back);
    }
    /* A string length above INT16_MAX, and a block above 24 MiB. */
    uint8_t long_value[] = {1, 'a', 7, 0x80, 0x00, 'x'};
    aws_event_stream_headers_list_init(&back, &s_alloc);
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_read_headers_from_buffer(&back, long_value, sizeof(long_value)));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_read_headers_from_buffer(&back, out, AWS_EVENT_STREAM_MAX_HEADERS_SIZE + 1));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED, aws_last_error());
    CHECK_INT_EQ(0, back.length);
    /* 1025 headers: the 1025th is refused. */
    static uint8_t many[2 * 1025];
    memset(many, 0, sizeof(many)); /* empty name, BOOL_TRUE */
    CHECK_INT_EQ(0, aws_event_stream_read_headers_from_buffer(&back, many, 2 * 1024));
    CHECK_INT_EQ(1024, back.length);
    aws_event_stream_headers_list_cleanup(&back);
    aws_event_stream_headers_list_init(&back, &s_alloc);
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_read_headers_from_buffer(&back, many, sizeof(many)));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS, aws_last_error());
    CHECK_INT_EQ(1024, back.length);
    aws_event_stream_headers_list_cleanup(&back);
    aws_event_stream_headers_list_cleanup(&list);
    CHECK_INT_EQ(0, s_outstanding);
}

static void message_edge_cases(void) {
    /* NULL headers and payload: the 16-byte empty message. */
    static const uint8_t empty[] = {0, 0, 0, 0x10, 0, 0, 0, 0, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff};
    struct aws_event_stream_message msg;
    CHECK_INT_EQ(0, aws_event_stream_message_init(&msg, &s_alloc, NULL, NULL));
    CHECK_MEM_EQ(empty, sizeof(empty), aws_event_stream_message_buffer(&msg), msg.message_buffer.len);
    CHECK(msg.alloc == &s_alloc && msg.message_buffer.allocator == &s_alloc);
    CHECK_INT_EQ(0, aws_event_stream_message_payload_len(&msg));
    CHECK_INT_EQ(0x7d98c8ff, aws_event_stream_message_message_crc(&msg));
    CHECK_INT_EQ(1, s_outstanding);
    aws_event_stream_message_clean_up(&msg);
    CHECK_INT_EQ(0, s_outstanding);
    CHECK(msg.message_buffer.buffer == NULL);

    /* Too large: refused before anything is read or allocated. */
    uint8_t tiny = 0;
    struct aws_byte_buf huge = {.len = AWS_EVENT_STREAM_MAX_MESSAGE_SIZE, .buffer = &tiny, .capacity = 1};
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_message_init(&msg, &s_alloc, NULL, &huge));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED, aws_last_error());
    huge.len = SIZE_MAX - 8;
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_message_init(&msg, &s_alloc, NULL, &huge));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(0, s_outstanding);

    /* Shorter than prelude + trailer. */
    uint8_t short_buf[12];
    memcpy(short_buf, empty, sizeof(short_buf));
    struct aws_byte_buf sb = s_view(short_buf, sizeof(short_buf));
    memset(&msg, 0, sizeof(msg));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_message_from_buffer(&msg, &s_alloc, &sb));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH, aws_last_error());
    CHECK(msg.alloc == &s_alloc);
    struct aws_byte_buf nothing = {0};
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_message_from_buffer_copy(&msg, &s_alloc, &nothing));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH, aws_last_error());

    /* headers_length larger than the message (CRCs valid): the message is zeroed. */
    uint8_t bad[20] = {0, 0, 0, 20, 0, 0, 0, 5};
    uint32_t pcrc = aws_checksums_crc32(bad, 8, 0);
    for (int i = 0; i < 4; ++i) {
        bad[8 + i] = (uint8_t)(pcrc >> (24 - 8 * i));
    }
    uint32_t mcrc = aws_checksums_crc32(bad + 8, 8, pcrc);
    for (int i = 0; i < 4; ++i) {
        bad[16 + i] = (uint8_t)(mcrc >> (24 - 8 * i));
    }
    struct aws_byte_buf bb = s_view(bad, sizeof(bad));
    msg.message_buffer = bb;
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_message_from_buffer(&msg, &s_alloc, &bb));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN, aws_last_error());
    CHECK(msg.message_buffer.buffer == NULL && msg.message_buffer.len == 0);
    CHECK_INT_EQ(0, s_outstanding);
}

static void s_render(const struct aws_event_stream_message *msg, char *out, size_t cap) {
    FILE *f = tmpfile();
    CHECK_INT_EQ(0, aws_event_stream_message_to_debug_str(f, msg));
    rewind(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    fclose(f);
}

static void debug_str_output(void) {
    static char got[8192], want[8192];
    struct aws_event_stream_message msg;
    aws_event_stream_message_init(&msg, &s_alloc, NULL, NULL);
    s_render(&msg, got, sizeof(got));
    CHECK_STR_EQ("{\n  \"total_length\": 16,\n  \"headers_length\": 0,\n  \"prelude_crc\": 96618731,\n"
                 "  \"headers\": [  ],\n  \"payload\": \"\",\n  \"message_crc\": 2107164927\n}\n",
                 got);
    aws_event_stream_message_clean_up(&msg);

    struct aws_array_list list;
    aws_event_stream_headers_list_init(&list, &s_alloc);
    uint8_t uuid[16] = {0xff, 0xfe, 0x9b};
    aws_event_stream_add_bool_header(&list, "t", 1, 1);
    aws_event_stream_add_bool_header(&list, "f", 1, 0);
    aws_event_stream_add_byte_header(&list, "b", 1, -3);
    aws_event_stream_add_int16_header(&list, "h", 1, -300);
    aws_event_stream_add_int32_header(&list, "i", 1, -70000);
    aws_event_stream_add_int64_header(&list, "l", 1, -5000000000LL);
    aws_event_stream_add_timestamp_header(&list, "ts", 2, 1700000000123LL);
    aws_event_stream_add_string_header(&list, "s", 1, "foob", 4, 0);
    aws_event_stream_add_bytebuf_header(&list, "bb", 2, (uint8_t *)"fo", 2, 1);
    aws_event_stream_add_uuid_header(&list, "u", 1, uuid);
    uint8_t payload[] = "foobar";
    struct aws_byte_buf pb = s_view(payload, 6);
    CHECK_INT_EQ(0, aws_event_stream_message_init(&msg, &s_alloc, &list, &pb));
    const uint8_t *buf = aws_event_stream_message_buffer(&msg);
    uint32_t total = (uint32_t)msg.message_buffer.len;
    uint32_t pcrc = aws_checksums_crc32(buf, 8, 0);
    uint32_t mcrc = aws_checksums_crc32(buf + 8, (int)total - 12, pcrc);
    snprintf(want, sizeof(want),
             "{\n  \"total_length\": %d,\n  \"headers_length\": %d,\n  \"prelude_crc\": %d,\n"
             "  \"headers\": ["
             "    {\n      \"name\": \"t\",\n      \"type\": 0,\n      \"value\": true\n    },\n"
             "    {\n      \"name\": \"f\",\n      \"type\": 1,\n      \"value\": false\n    },\n"
             "    {\n      \"name\": \"b\",\n      \"type\": 2,\n      \"value\": -3\n    },\n"
             "    {\n      \"name\": \"h\",\n      \"type\": 3,\n      \"value\": -300\n    },\n"
             "    {\n      \"name\": \"i\",\n      \"type\": 4,\n      \"value\": -70000\n    },\n"
             "    {\n      \"name\": \"l\",\n      \"type\": 5,\n      \"value\": -5000000000\n    },\n"
             "    {\n      \"name\": \"ts\",\n      \"type\": 8,\n      \"value\": 1700000000123\n    },\n"
             "    {\n      \"name\": \"s\",\n      \"type\": 7,\n      \"value\": \"Zm9vYg==\"\n    },\n"
             "    {\n      \"name\": \"bb\",\n      \"type\": 6,\n      \"value\": \"Zm8=\"\n    },\n"
             "    {\n      \"name\": \"u\",\n      \"type\": 9,\n      \"value\": \"//6bAAAAAAAAAAAAAAAAAA==\"\n    }\n"
             "  ],\n  \"payload\": \"Zm9vYmFy\",\n  \"message_crc\": %d\n}\n",
             (int)total, (int)aws_event_stream_compute_headers_required_buffer_len(&list), (int)pcrc, (int)mcrc);
    s_render(&msg, got, sizeof(got));
    CHECK_STR_EQ(want, got);
    aws_event_stream_message_clean_up(&msg);
    aws_event_stream_headers_list_cleanup(&list);
    CHECK_INT_EQ(0, s_outstanding);
}

static void s_cleanup_in_callback(
    struct aws_event_stream_streaming_decoder *d,
    struct aws_event_stream_message_prelude *prelude,
    pair_t *header,
    void *user) {
    (void)prelude;
    (void)header;
    ++*(int *)user;
    aws_event_stream_streaming_decoder_clean_up(d);
}

static void s_nop_prelude(struct aws_event_stream_streaming_decoder *d, struct aws_event_stream_message_prelude *p, void *u) {
    (void)d;
    (void)p;
    (void)u;
}

static void decoder_clean_up_paths(void) {
    /* A 20000-byte string header split across pumps, then clean-up while the
     * value is half received: everything is freed. */
    static uint8_t value[20000];
    memset(value, 'q', sizeof(value));
    struct aws_array_list list;
    aws_event_stream_headers_list_init(&list, &s_alloc);
    aws_event_stream_add_string_header(&list, "big", 3, (const char *)value, sizeof(value), 0);
    aws_event_stream_add_int32_header(&list, "after", 5, 9);
    struct aws_event_stream_message msg;
    aws_event_stream_message_init(&msg, &s_alloc, &list, NULL);
    uint8_t *bytes = msg.message_buffer.buffer;
    size_t len = msg.message_buffer.len;

    struct aws_event_stream_streaming_decoder d;
    struct recorder r;
    s_decoder_init(&d, &r);
    CHECK_INT_EQ(0, s_outstanding - 2); /* init allocates nothing */
    CHECK_INT_EQ(0, s_pump(&d, bytes, 12 + 7 + 5000, SIZE_MAX));
    CHECK_INT_EQ(1, r.preludes);
    CHECK_INT_EQ(0, r.current.n);
    CHECK_INT_EQ(3, s_outstanding); /* message, list, decoder state */
    aws_event_stream_streaming_decoder_clean_up(&d);
    CHECK_INT_EQ(2, s_outstanding);
    s_rec_free(&r);

    /* The same split, completed: the straddling value comes from the decoder
     * (value_owned), the next one points into the pumped bytes. */
    s_decoder_init(&d, &r);
    CHECK_INT_EQ(0, s_pump(&d, bytes, 12 + 7 + 5000, SIZE_MAX));
    struct aws_byte_buf rest = s_view(bytes + 12 + 7 + 5000, len - (12 + 7 + 5000));
    CHECK_INT_EQ(0, aws_event_stream_streaming_decoder_pump(&d, &rest));
    CHECK_INT_EQ(1, r.completes);
    CHECK_INT_EQ(2, r.done_count ? r.done[0].n : 0);
    if (r.done_count && r.done[0].n == 2) {
        CHECK_MEM_EQ(value, sizeof(value), r.done[0].h[0].value, r.done[0].h[0].value_len);
    }
    aws_event_stream_streaming_decoder_clean_up(&d);
    s_rec_free(&r);

    /* Clean-up from inside a callback: the pump stops reporting, nothing leaks. */
    int calls = 0;
    struct aws_event_stream_streaming_decoder_options options = {
        .on_payload_segment = s_on_payload,
        .on_prelude = s_nop_prelude,
        .on_header = s_cleanup_in_callback,
        .on_error = s_on_error,
        .user_data = &calls,
    };
    aws_event_stream_streaming_decoder_init_from_options(&d, &s_alloc, &options);
    struct aws_byte_buf all = s_view(bytes, len);
    CHECK_INT_EQ(0, aws_event_stream_streaming_decoder_pump(&d, &all));
    CHECK_INT_EQ(1, calls);
    CHECK(d.on_header == NULL);
    CHECK_INT_EQ(2, s_outstanding);
    /* The deprecated init works the same (no on_complete). */
    aws_event_stream_streaming_decoder_init(&d, &s_alloc, s_on_payload, s_on_prelude, s_on_header, s_on_error, &r);
    memset(&r, 0, sizeof(r));
    CHECK(d.on_complete == NULL && d.user_context == &r && d.alloc == &s_alloc);
    CHECK_INT_EQ(0, aws_event_stream_streaming_decoder_pump(&d, &all));
    CHECK_INT_EQ(1, r.preludes);
    CHECK_INT_EQ(2, r.current.n);
    /* Empty or NULL-buffer pumps do nothing. */
    struct aws_byte_buf empty = {0};
    CHECK_INT_EQ(0, aws_event_stream_streaming_decoder_pump(&d, &empty));
    aws_event_stream_streaming_decoder_clean_up(&d);
    s_rec_free(&r);

    aws_event_stream_message_clean_up(&msg);
    aws_event_stream_headers_list_cleanup(&list);
    CHECK_INT_EQ(0, s_outstanding);
}

static void library_init_clean_up(void) {
    aws_event_stream_library_init(&s_alloc);
    aws_event_stream_library_init(&s_alloc);
    CHECK_STR_EQ("AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS",
                 aws_error_name(AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS));
    aws_event_stream_library_clean_up();
    aws_event_stream_library_clean_up();
    CHECK_INT_EQ(0, s_outstanding);
}

int main(int argc, char **argv) {
    (void)argc;
    static char default_manifest[4096];
    s_vectors_dir = getenv("AWS_ES_VECTORS_DIR");
    s_manifest_path = getenv("AWS_ES_VECTOR_MANIFEST");
    if (!s_manifest_path) {
        /* next to this program, where the build writes it */
        snprintf(default_manifest, sizeof(default_manifest), "%s", argv[0]);
        char *slash = strrchr(default_manifest, '/');
        size_t at = slash ? (size_t)(slash - default_manifest + 1) : 0;
        snprintf(default_manifest + at, sizeof(default_manifest) - at, "es_vectors.manifest");
        s_manifest_path = default_manifest;
    }
    RUN_TEST(vectors_from_manifest);
    RUN_TEST(add_header_limits);
    RUN_TEST(header_values_by_type);
    RUN_TEST(write_and_read_header_blocks);
    RUN_TEST(message_edge_cases);
    RUN_TEST(debug_str_output);
    RUN_TEST(decoder_clean_up_paths);
    RUN_TEST(library_init_clean_up);
    CHECK_INT_EQ(0, s_outstanding);
    return TEST_RESULT();
}
