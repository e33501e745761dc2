/* Hostile load on a protected RPC server (loopback only, bounded in count and
 * time), with plain non-blocking sockets as the peers so each can misbehave
 * exactly. Prints RESULT lines:
 *   malformed: 10,000 malformed frames, 100 connections at a time (each
 *     malformed frame ends its connection, so 10,000 connections in all),
 *     each answered with the exact protocol error (or, for a broken CRC,
 *     closed without reply) while a well-behaved client is served throughout;
 *   abrupt: 1,000 clients resetting (SO_LINGER 0) mid-message and mid-stream;
 *   slowloris: 500 connections that never send CONNECT, all reaped by the
 *     CONNECT timeout;
 *   never_read: 100 clients sending requests and never reading; the server's
 *     RSS grows at most cap x connections + 16 MiB;
 *   echo: 1,000 concurrent connections echoing for HOSTILE_ECHO_SECS
 *     (default 2; 10 for the full run) with 1 and then 2 server loops, every
 *     reply checked;
 * then the tracing allocator at 0 bytes, and fds and threads back to their
 * baseline. Under valgrind (AWS_ES_UNDER_VALGRIND) every count is divided by 20. */
#include <aws/common/thread.h>
#include <aws/event-stream/event_stream_rpc_server.h>
#include <aws/event_stream_rs/rpc_server_ext.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc_test_util.h"

#define QUEUE_CAP (128 * 1024)
#define CONNECT_TIMEOUT_MS 300

static int s_scale = 1;
static int s_echo_secs = 2;

/* ---- the server: echo with TERMINATE_STREAM, except operation "hold" ---- */

struct load_server {
    struct aws_event_loop_group *group;
    struct aws_server_bootstrap *bootstrap;
    struct aws_event_stream_rpc_server_listener *listener;
    struct aws_socket_options socket_options;
    uint32_t port;
    int shutdowns;
    int streams_seen;
    int destroyed;
    int echo_send_failures;
};

static void s_on_continuation(struct aws_event_stream_rpc_server_continuation_token *token,
                              const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct load_server *s = user_data;
    if (args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM) {
        return;
    }
    struct aws_event_stream_rpc_message_args reply = {
        .payload = args->payload,
        .message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
        .message_flags = AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM,
    };
    if (aws_event_stream_rpc_server_continuation_send_message(token, &reply, NULL, NULL)) {
        /* A peer that does not read: the write-queue cap refuses the send. */
        aws_mutex_lock(&s_lock);
        s->echo_send_failures++;
        aws_mutex_unlock(&s_lock);
    }
}

static void s_on_closed(struct aws_event_stream_rpc_server_continuation_token *token, void *user_data) {
    (void)token;
    (void)user_data;
}

/* A stream with operation "hold" is never answered (a peer can die mid-stream). */
static void s_on_hold(struct aws_event_stream_rpc_server_continuation_token *token,
                      const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    (void)token;
    (void)args;
    (void)user_data;
}

static int s_on_incoming_stream(struct aws_event_stream_rpc_server_connection *connection,
                                struct aws_event_stream_rpc_server_continuation_token *token,
                                struct aws_byte_cursor operation,
                                struct aws_event_stream_rpc_server_stream_continuation_options *options,
                                void *user_data) {
    (void)connection;
    (void)token;
    struct load_server *s = user_data;
    bool hold = aws_byte_cursor_eq_c_str(&operation, "hold");
    options->on_continuation = hold ? s_on_hold : s_on_continuation;
    options->on_continuation_closed = s_on_closed;
    options->user_data = s;
    aws_mutex_lock(&s_lock);
    s->streams_seen++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    return AWS_OP_SUCCESS;
}

static void s_on_protocol_message(struct aws_event_stream_rpc_server_connection *connection,
                                  const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    (void)user_data;
    if (args->message_type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT) {
        struct aws_event_stream_rpc_message_args ack = {
            .message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK,
            .message_flags = AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED,
        };
        aws_event_stream_rpc_server_connection_send_protocol_message(connection, &ack, NULL, NULL);
    }
}

static int s_on_new_connection(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                               struct aws_event_stream_rpc_connection_options *options, void *user_data) {
    (void)connection;
    CHECK_INT_EQ(0, error_code);
    options->on_incoming_stream = s_on_incoming_stream;
    options->on_connection_protocol_message = s_on_protocol_message;
    options->user_data = user_data;
    return AWS_OP_SUCCESS;
}

static void s_on_connection_shutdown(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                                     void *user_data) {
    (void)connection;
    (void)error_code;
    struct load_server *s = user_data;
    aws_mutex_lock(&s_lock);
    s->shutdowns++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_on_destroy(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    (void)listener;
    struct load_server *s = user_data;
    aws_mutex_lock(&s_lock);
    s->destroyed++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static bool server_start(struct load_server *s, uint16_t loops) {
    AWS_ZERO_STRUCT(*s);
    struct aws_event_loop_group_options elg = {.loop_count = loops};
    s->group = aws_event_loop_group_new(s_alloc, &elg);
    s->bootstrap = aws_server_bootstrap_new(s_alloc, s->group);
    s->socket_options.type = AWS_SOCKET_STREAM;
    s->socket_options.domain = AWS_SOCKET_IPV4;
    s->socket_options.connect_timeout_ms = 5000;
    struct aws_event_stream_rpc_server_listener_options options = {
        .host_name = "127.0.0.1",
        .port = 0,
        .socket_options = &s->socket_options,
        .bootstrap = s->bootstrap,
        .on_new_connection = s_on_new_connection,
        .on_connection_shutdown = s_on_connection_shutdown,
        .on_destroy_callback = s_on_destroy,
        .user_data = s,
    };
    struct aws_es_rs_rpc_server_protection_options protection = {
        .connect_timeout_ms = CONNECT_TIMEOUT_MS,
        .max_connections = 4000,
        .max_message_size = 1024 * 1024,
        .max_queued_write_bytes = QUEUE_CAP,
        .auto_ping = true,
    };
    s->listener = aws_es_rs_rpc_server_new_listener_ext(s_alloc, &options, &protection);
    CHECK(s->listener != NULL);
    if (!s->listener) {
        return false;
    }
    s->port = aws_event_stream_rpc_server_listener_get_bound_port(s->listener);
    return true;
}

static struct aws_es_rs_rpc_server_counters server_counters(struct load_server *s) {
    struct aws_es_rs_rpc_server_counters c;
    aws_es_rs_rpc_server_listener_get_counters(s->listener, &c);
    return c;
}

/* Waits (bounded) until every connection accepted so far has shut down. */
static bool s_all_shut(void *arg) {
    struct load_server *s = arg;
    return (uint64_t)s->shutdowns >= server_counters(s).connections_accepted;
}

static void server_stop(struct load_server *s) {
    CHECK(s_wait(s_all_shut, s));
    aws_event_stream_rpc_server_listener_release(s->listener);
    CHECK(s_wait_count(&s->destroyed, 1));
    aws_server_bootstrap_release(s->bootstrap);
    aws_event_loop_group_release(s->group);
}

/* ---- peers: plain sockets ---- */

struct bytes {
    uint8_t *data;
    size_t len;
};

static struct bytes s_encode(int which, int32_t type, int32_t flags, int32_t stream, const char *op,
                             const char *payload) {
    struct aws_event_stream_message m;
    CHECK_INT_EQ(AWS_OP_SUCCESS, rpc_encode(&m, which, type, flags, stream, op, payload));
    struct bytes b = {.len = aws_event_stream_message_total_length(&m)};
    b.data = malloc(b.len);
    memcpy(b.data, aws_event_stream_message_buffer(&m), b.len);
    aws_event_stream_message_clean_up(&m);
    return b;
}

static int s_connect(uint32_t port, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    if (rcvbuf) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void s_reset(int fd) {
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    close(fd);
}

/* A peer connection driven by s_pump: output queued, frames parsed as they come. */
struct peer {
    int fd;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    uint8_t in[4096];
    size_t in_len;
    bool eof;
    int frames;
    int errors;
    int32_t next_stream;
    long replies;
    int kind;
    struct rpc_msg first, second;
    void *ctx;
};

static void s_queue(struct peer *p, const struct bytes *b) {
    if (p->out_len + b->len > p->out_cap) {
        p->out_cap = (p->out_len + b->len) * 2;
        p->out = realloc(p->out, p->out_cap);
    }
    memcpy(p->out + p->out_len, b->data, b->len);
    p->out_len += b->len;
}

typedef void(on_frame_fn)(struct peer *p, struct rpc_msg *m);

static uint32_t s_be32(const uint8_t *b) {
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* Parses whole frames out of p->in. */
static void s_frames(struct peer *p, on_frame_fn *on_frame) {
    while (p->in_len >= 12) {
        uint32_t total = s_be32(p->in);
        if (total > sizeof(p->in)) {
            p->errors++;
            p->in_len = 0;
            return;
        }
        if (p->in_len < total) {
            return;
        }
        struct aws_byte_buf buf = aws_byte_buf_from_array(p->in, total);
        struct aws_event_stream_message m;
        if (aws_event_stream_message_from_buffer(&m, s_alloc, &buf) == AWS_OP_SUCCESS) {
            struct rpc_msg msg;
            rpc_msg_from_message(&msg, &m);
            aws_event_stream_message_clean_up(&m);
            p->frames++;
            if (on_frame) {
                on_frame(p, &msg);
            }
        } else {
            p->errors++;
        }
        memmove(p->in, p->in + total, p->in_len - total);
        p->in_len -= total;
    }
}

/* Drives peers until `done(peers)` or the deadline: writes what is queued,
 * reads (unless read is false) and parses frames. `sample` runs each round. */
static void s_pump(struct peer *peers, int n, bool read, on_frame_fn *on_frame, bool (*done)(struct peer *, int),
                   uint64_t deadline_ns, void (*sample)(void)) {
    struct pollfd *pfd = calloc((size_t)n, sizeof(struct pollfd));
    uint64_t now = 0;
    while (!done(peers, n)) {
        aws_high_res_clock_get_ticks(&now);
        if (now > deadline_ns) {
            break;
        }
        for (int i = 0; i < n; ++i) {
            struct peer *p = &peers[i];
            pfd[i].fd = p->fd >= 0 && !p->eof ? p->fd : -1;
            pfd[i].events = (short)((read ? POLLIN : 0) | (p->out_off < p->out_len ? POLLOUT : 0));
            pfd[i].revents = 0;
        }
        poll(pfd, (nfds_t)n, 20);
        if (sample) {
            sample();
        }
        for (int i = 0; i < n; ++i) {
            struct peer *p = &peers[i];
            if (pfd[i].fd < 0) {
                continue;
            }
            if ((pfd[i].revents & POLLOUT) && p->out_off < p->out_len) {
                ssize_t w = send(p->fd, p->out + p->out_off, p->out_len - p->out_off, MSG_NOSIGNAL);
                if (w > 0) {
                    p->out_off += (size_t)w;
                    if (p->out_off == p->out_len) {
                        p->out_off = p->out_len = 0;
                    }
                } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                    p->eof = true;
                }
            }
            if (read && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t r = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len, 0);
                if (r > 0) {
                    p->in_len += (size_t)r;
                    s_frames(p, on_frame);
                } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    p->eof = true;
                }
            } else if (!read && (pfd[i].revents & (POLLHUP | POLLERR))) {
                p->eof = true;
            }
        }
    }
    free(pfd);
}

static void s_peer_free(struct peer *p) {
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    free(p->out);
    p->out = NULL;
}

static bool s_all_eof(struct peer *peers, int n) {
    for (int i = 0; i < n; ++i) {
        if (peers[i].fd >= 0 && !peers[i].eof) {
            return false;
        }
    }
    return true;
}

static uint64_t s_deadline(uint64_t secs) {
    uint64_t now = 0;
    aws_high_res_clock_get_ticks(&now);
    return now + secs * 1000000000ULL;
}

static double s_elapsed(uint64_t start) {
    uint64_t now = 0;
    aws_high_res_clock_get_ticks(&now);
    return (double)(now - start) / 1e9;
}

/* ---- the well-behaved client (its own thread, blocking) ---- */

struct good_client {
    uint32_t port;
    volatile int stop;
    long served;
    int errors;
    pthread_t thread;
};

static bool s_read_frame(int fd, struct rpc_msg *out) {
    uint8_t buf[4096];
    size_t have = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    for (int rounds = 0; rounds < 500; ++rounds) {
        if (have >= 12 && have >= s_be32(buf)) {
            break;
        }
        if (poll(&pfd, 1, 20) <= 0) {
            continue;
        }
        ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);
        if (r <= 0) {
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                continue;
            }
            return false;
        }
        have += (size_t)r;
    }
    if (have < 12 || have != s_be32(buf)) {
        return false;
    }
    struct aws_byte_buf b = aws_byte_buf_from_array(buf, have);
    struct aws_event_stream_message m;
    if (aws_event_stream_message_from_buffer(&m, s_alloc, &b)) {
        return false;
    }
    rpc_msg_from_message(out, &m);
    aws_event_stream_message_clean_up(&m);
    return true;
}

static bool s_write_all(int fd, const struct bytes *b) {
    size_t off = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    for (int rounds = 0; rounds < 500 && off < b->len; ++rounds) {
        ssize_t w = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return false;
        } else {
            poll(&pfd, 1, 20);
        }
    }
    return off == b->len;
}

static void *s_good_client(void *arg) {
    struct good_client *g = arg;
    int fd = s_connect(g->port, 0);
    struct bytes connect_msg = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    struct rpc_msg m;
    if (fd < 0 || !s_write_all(fd, &connect_msg) || !s_read_frame(fd, &m) ||
        m.type != AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK) {
        g->errors++;
    }
    free(connect_msg.data);
    for (int32_t id = 1; !g->stop && g->errors == 0 && id < 1000000; ++id) {
        char payload[64];
        snprintf(payload, sizeof(payload), "good-%d", (int)id);
        struct bytes req =
            s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, id, "echo", payload);
        bool ok = s_write_all(fd, &req) && s_read_frame(fd, &m) && m.stream_id == id &&
                  m.type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE &&
                  m.flags == AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM && strcmp(m.payload, payload) == 0;
        free(req.data);
        if (!ok) {
            g->errors++;
            break;
        }
        g->served++;
    }
    if (fd >= 0) {
        close(fd);
    }
    return NULL;
}

/* ---- phase 1: malformed frames ---- */

static void s_malformed_frame(struct peer *p, struct rpc_msg *m) {
    if (p->frames == 1) {
        p->first = *m;
    } else if (p->frames == 2) {
        p->second = *m;
    }
}

static bool s_is_protocol_error(const struct rpc_msg *m, const char *text) {
    return m->type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR && m->stream_id == 0 && m->flags == 0 &&
           strcmp(m->content_type, "application/json") == 0 && strcmp(m->payload, text) == 0;
}

/* Kind 0: a stream before CONNECT; 1: PING on a stream after the handshake;
 * 2: no :message-type; 3: a broken message CRC (no reply, just closed). */
static bool s_malformed_ok(struct peer *p) {
    switch (p->kind) {
        case 0:
            return p->frames == 1 && s_is_protocol_error(&p->first, RPC_ERR_CONNECT_NOT_COMPLETED);
        case 1:
            return p->frames == 2 && p->first.type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK &&
                   s_is_protocol_error(&p->second, RPC_ERR_INVALID_STREAM_ID);
        case 2:
            return p->frames == 1 && s_is_protocol_error(&p->first, RPC_ERR_INVALID_MESSAGE);
        default:
            return p->frames == 0;
    }
}

static void phase_malformed(struct load_server *s) {
    const int total = 10000 / s_scale, at_once = 100;
    struct bytes connect_msg = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    struct bytes kinds[4] = {
        s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, 1, "op", "x"),
        s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, 0, 1, NULL, ""),
        s_encode(RPC_HDR_FLAGS | RPC_HDR_STREAM_ID, 0, 0, 0, NULL, ""),
        s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, 0, 0, NULL, "crc"),
    };
    kinds[3].data[kinds[3].len - 6] ^= 0x55; /* payload byte: the message CRC no longer matches */
    struct good_client good = {.port = s->port};
    pthread_create(&good.thread, NULL, s_good_client, &good);
    struct aws_es_rs_rpc_server_counters before = server_counters(s);
    uint64_t start = 0;
    aws_high_res_clock_get_ticks(&start);
    int answered_right = 0, connect_failures = 0;
    struct peer *peers = calloc(at_once, sizeof(struct peer));
    for (int done = 0; done < total; done += at_once) {
        int batch = total - done < at_once ? total - done : at_once;
        for (int i = 0; i < batch; ++i) {
            struct peer *p = &peers[i];
            memset(p, 0, sizeof(*p));
            p->kind = (done + i) % 4;
            p->fd = s_connect(s->port, 0);
            connect_failures += p->fd < 0;
            if (p->kind == 1) {
                s_queue(p, &connect_msg);
            }
            s_queue(p, &kinds[p->kind]);
        }
        s_pump(peers, batch, true, s_malformed_frame, s_all_eof, s_deadline(30), NULL);
        for (int i = 0; i < batch; ++i) {
            answered_right += peers[i].eof && s_malformed_ok(&peers[i]);
            s_peer_free(&peers[i]);
        }
    }
    double secs = s_elapsed(start);
    good.stop = 1;
    pthread_join(good.thread, NULL);
    CHECK(s_wait(s_all_shut, s));
    struct aws_es_rs_rpc_server_counters after = server_counters(s);
    uint64_t errors_sent = after.protocol_errors_sent - before.protocol_errors_sent;
    printf("RESULT hostile=malformed frames=%d answered_right=%d protocol_errors_sent=%llu connect_failures=%d "
           "good_client_served=%ld good_client_errors=%d seconds=%.2f\n",
           total, answered_right, (unsigned long long)errors_sent, connect_failures, good.served, good.errors, secs);
    CHECK_INT_EQ(total, answered_right);
    CHECK_INT_EQ(0, connect_failures);
    CHECK_INT_EQ(total - total / 4, (int)errors_sent);
    CHECK_INT_EQ(0, good.errors);
    CHECK(good.served > 0);
    CHECK_INT_EQ(0, (int)after.live_connections);
    free(peers);
    free(connect_msg.data);
    for (int i = 0; i < 4; ++i) {
        free(kinds[i].data);
    }
}

/* ---- phase 2: abrupt resets mid-message and mid-stream ---- */

static bool s_got_ack(struct peer *peers, int n) {
    for (int i = 0; i < n; ++i) {
        if (peers[i].frames < 1 && !peers[i].eof) {
            return false;
        }
    }
    return true;
}

static void phase_abrupt(struct load_server *s) {
    const int total = 1000 / s_scale, at_once = 100;
    struct bytes connect_msg = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    struct bytes hold = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, 1, "hold", "");
    struct bytes partial = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, 1, "echo",
                                    "a payload the peer never finishes sending");
    partial.len = 30;
    struct aws_es_rs_rpc_server_counters before = server_counters(s);
    int streams_before = s->streams_seen;
    uint64_t start = 0;
    aws_high_res_clock_get_ticks(&start);
    struct peer *peers = calloc(at_once, sizeof(struct peer));
    int mid_stream = 0, connect_failures = 0;
    for (int done = 0; done < total; done += at_once) {
        int batch = total - done < at_once ? total - done : at_once;
        for (int i = 0; i < batch; ++i) {
            struct peer *p = &peers[i];
            memset(p, 0, sizeof(*p));
            p->kind = (done + i) % 2;
            p->fd = s_connect(s->port, 0);
            connect_failures += p->fd < 0;
            s_queue(p, &connect_msg);
            s_queue(p, p->kind ? &hold : &partial);
            mid_stream += p->kind;
        }
        /* The CONNECT_ACK shows the server read the CONNECT; the stream
         * opened is seen by on_incoming_stream. */
        s_pump(peers, batch, true, NULL, s_got_ack, s_deadline(30), NULL);
        CHECK(s_wait_count(&s->streams_seen, streams_before + mid_stream));
        for (int i = 0; i < batch; ++i) {
            s_reset(peers[i].fd);
            peers[i].fd = -1;
            s_peer_free(&peers[i]);
        }
    }
    CHECK(s_wait(s_all_shut, s));
    double secs = s_elapsed(start);
    struct aws_es_rs_rpc_server_counters after = server_counters(s);
    printf("RESULT hostile=abrupt_reset clients=%d mid_stream=%d mid_message=%d accepted=%llu live_after=%llu "
           "streams_opened=%llu streams_closed=%llu seconds=%.2f\n",
           total, mid_stream, total - mid_stream,
           (unsigned long long)(after.connections_accepted - before.connections_accepted),
           (unsigned long long)after.live_connections,
           (unsigned long long)(after.streams_opened - before.streams_opened),
           (unsigned long long)(after.streams_closed - before.streams_closed), secs);
    CHECK_INT_EQ(0, connect_failures);
    CHECK_INT_EQ(total, (int)(after.connections_accepted - before.connections_accepted));
    CHECK_INT_EQ(0, (int)after.live_connections);
    CHECK_INT_EQ(mid_stream, (int)(after.streams_opened - before.streams_opened));
    CHECK_INT_EQ(after.streams_opened, after.streams_closed);
    free(peers);
    free(connect_msg.data);
    free(hold.data);
    free(partial.data);
}

/* ---- phase 3: slowloris ---- */

static void phase_slowloris(struct load_server *s) {
    const int total = 500 / s_scale;
    struct aws_es_rs_rpc_server_counters before = server_counters(s);
    struct peer *peers = calloc((size_t)total, sizeof(struct peer));
    uint64_t start = 0;
    aws_high_res_clock_get_ticks(&start);
    int connect_failures = 0;
    for (int i = 0; i < total; ++i) {
        peers[i].fd = s_connect(s->port, 0);
        connect_failures += peers[i].fd < 0;
    }
    /* Nothing is sent: each is closed by the server at the CONNECT timeout. */
    s_pump(peers, total, true, NULL, s_all_eof, s_deadline(30), NULL);
    double secs = s_elapsed(start);
    int closed = 0;
    for (int i = 0; i < total; ++i) {
        closed += peers[i].eof;
        s_peer_free(&peers[i]);
    }
    CHECK(s_wait(s_all_shut, s));
    struct aws_es_rs_rpc_server_counters after = server_counters(s);
    printf("RESULT hostile=slowloris connections=%d closed_by_server=%d handshake_timeouts=%llu timeout_ms=%d "
           "seconds=%.2f\n",
           total, closed, (unsigned long long)(after.handshake_timeouts - before.handshake_timeouts),
           CONNECT_TIMEOUT_MS, secs);
    CHECK_INT_EQ(0, connect_failures);
    CHECK_INT_EQ(total, closed);
    CHECK_INT_EQ(total, (int)(after.handshake_timeouts - before.handshake_timeouts));
    CHECK_INT_EQ(0, (int)after.live_connections);
    free(peers);
}

/* ---- phase 4: clients that never read ---- */

static long s_rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return kb;
}

static long s_rss_peak_kb;
static void s_sample_rss(void) {
    long kb = s_rss_kb();
    if (kb > s_rss_peak_kb) {
        s_rss_peak_kb = kb;
    }
}

/* Keeps each never-reading peer's output topped up with requests. */
static struct bytes *s_requests;
static int s_request_count;
static bool s_refill(struct peer *peers, int n) {
    bool all_closed = true;
    for (int i = 0; i < n; ++i) {
        struct peer *p = &peers[i];
        if (p->eof) {
            continue;
        }
        all_closed = false;
        if (p->out_len == 0 && p->next_stream < s_request_count) {
            s_queue(p, &s_requests[p->next_stream++]);
        }
    }
    return all_closed;
}

static void phase_never_read(struct load_server *s) {
    const int total = 100 / s_scale;
    const int per_client_mib = 8;
    char *payload = malloc(32 * 1024 + 1);
    memset(payload, 'r', 32 * 1024);
    payload[32 * 1024] = '\0';
    s_request_count = per_client_mib * 1024 / 32;
    s_requests = calloc((size_t)s_request_count + 1, sizeof(struct bytes));
    s_requests[0] = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    for (int i = 1; i < s_request_count; ++i) {
        s_requests[i] =
            s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, i, "echo", payload);
    }
    free(payload);
    struct aws_es_rs_rpc_server_counters before = server_counters(s);
    long rss_before = s_rss_kb();
    s_rss_peak_kb = rss_before;
    struct peer *peers = calloc((size_t)total, sizeof(struct peer));
    int connect_failures = 0;
    for (int i = 0; i < total; ++i) {
        peers[i].fd = s_connect(s->port, 4096);
        connect_failures += peers[i].fd < 0;
    }
    uint64_t start = 0;
    aws_high_res_clock_get_ticks(&start);
    /* Write only; a write error (the server closed) ends a peer. */
    s_pump(peers, total, false, NULL, s_refill, s_deadline(60), s_sample_rss);
    double secs = s_elapsed(start);
    long sent_mib = 0;
    for (int i = 0; i < total; ++i) {
        sent_mib += peers[i].next_stream;
        s_peer_free(&peers[i]);
    }
    sent_mib = sent_mib * 32 / 1024;
    CHECK(s_wait(s_all_shut, s));
    struct aws_es_rs_rpc_server_counters after = server_counters(s);
    long growth_kb = s_rss_peak_kb - rss_before;
    long bound_kb = (long)total * QUEUE_CAP / 1024 + 16 * 1024;
    printf("RESULT hostile=never_read clients=%d requests_sent_mib=%ld write_queue_overflows=%llu "
           "rss_before_kb=%ld rss_peak_kb=%ld rss_growth_kb=%ld bound_kb=%ld cap_bytes=%d seconds=%.2f\n",
           total, sent_mib, (unsigned long long)(after.write_queue_overflows - before.write_queue_overflows),
           rss_before, s_rss_peak_kb, growth_kb, bound_kb, QUEUE_CAP, secs);
    CHECK_INT_EQ(0, connect_failures);
    CHECK_INT_EQ(total, (int)(after.write_queue_overflows - before.write_queue_overflows));
    CHECK(growth_kb <= bound_kb);
    CHECK_INT_EQ(0, (int)after.live_connections);
    free(peers);
    for (int i = 0; i < s_request_count; ++i) {
        free(s_requests[i].data);
    }
    free(s_requests);
}

/* ---- phase 5: 1,000 concurrent echo connections ---- */

static uint64_t s_echo_deadline;
static bool s_echo_stop;

static void s_echo_next(struct peer *p) {
    char payload[64];
    snprintf(payload, sizeof(payload), "c%p-s%d", (void *)p, (int)p->next_stream);
    struct bytes req = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0,
                                p->next_stream, "echo", payload);
    s_queue(p, &req);
    free(req.data);
}

static void s_echo_frame(struct peer *p, struct rpc_msg *m) {
    if (m->type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK) {
        p->next_stream = 1;
    } else {
        char want[64];
        snprintf(want, sizeof(want), "c%p-s%d", (void *)p, (int)p->next_stream);
        bool ok = m->type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE && m->stream_id == p->next_stream &&
                  m->flags == AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM && strcmp(m->payload, want) == 0;
        p->errors += !ok;
        p->replies += ok;
        p->next_stream++;
    }
    if (!s_echo_stop) {
        s_echo_next(p);
    }
}

static bool s_echo_done(struct peer *peers, int n) {
    (void)peers;
    (void)n;
    uint64_t now = 0;
    aws_high_res_clock_get_ticks(&now);
    return now >= s_echo_deadline;
}

static void phase_echo(uint16_t loops, int connections) {
    struct load_server s;
    if (!server_start(&s, loops)) {
        return;
    }
    struct bytes connect_msg = s_encode(RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    struct peer *peers = calloc((size_t)connections, sizeof(struct peer));
    int connect_failures = 0;
    for (int i = 0; i < connections; ++i) {
        peers[i].fd = s_connect(s.port, 0);
        connect_failures += peers[i].fd < 0;
        s_queue(&peers[i], &connect_msg);
    }
    s_echo_stop = false;
    s_echo_deadline = s_deadline((uint64_t)s_echo_secs);
    uint64_t start = 0;
    aws_high_res_clock_get_ticks(&start);
    s_pump(peers, connections, true, s_echo_frame, s_echo_done, s_echo_deadline + 1, NULL);
    double secs = s_elapsed(start);
    long replies = 0;
    int errors = 0, dropped = 0, silent = 0;
    for (int i = 0; i < connections; ++i) {
        replies += peers[i].replies;
        errors += peers[i].errors;
        dropped += peers[i].eof;
        silent += peers[i].replies == 0;
        s_peer_free(&peers[i]);
    }
    struct aws_es_rs_rpc_server_counters c = server_counters(&s);
    printf("RESULT hostile=echo loops=%d connections=%d seconds=%.2f replies=%ld replies_per_s=%.0f errors=%d "
           "dropped_by_server=%d connections_without_reply=%d server_messages_in=%llu server_messages_out=%llu\n",
           loops, connections, secs, replies, (double)replies / secs, errors, dropped, silent,
           (unsigned long long)c.messages_received, (unsigned long long)c.messages_sent);
    CHECK_INT_EQ(0, connect_failures);
    CHECK_INT_EQ(0, errors);
    CHECK_INT_EQ(0, dropped);
    CHECK_INT_EQ(0, silent);
    CHECK(replies > 0);
    free(peers);
    free(connect_msg.data);
    server_stop(&s);
}

/* ---- process-wide baselines ---- */

static int s_fd_count(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (d && readdir(d)) {
        n++;
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static int s_thread_count(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int n = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "Threads: %d", &n) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return n;
}

static void s_raise_nofile(rlim_t need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (getenv("AWS_ES_UNDER_VALGRIND")) {
        s_scale = 20;
        s_echo_secs = 1;
    }
    if (getenv("HOSTILE_ECHO_SECS")) {
        s_echo_secs = atoi(getenv("HOSTILE_ECHO_SECS"));
        s_echo_secs = s_echo_secs < 1 ? 1 : s_echo_secs > 120 ? 120 : s_echo_secs;
    }
    s_raise_nofile(4096);
    int fds_before = s_fd_count();
    int threads_before = s_thread_count();
    rpc_test_begin();
    struct load_server s;
    if (server_start(&s, 2)) {
        phase_malformed(&s);
        phase_abrupt(&s);
        phase_slowloris(&s);
        phase_never_read(&s);
        struct aws_es_rs_rpc_server_counters c = server_counters(&s);
        CHECK_INT_EQ(c.streams_opened, c.streams_closed);
        server_stop(&s);
    }
    phase_echo(1, 1000 / s_scale);
    phase_echo(2, 1000 / s_scale);
    aws_thread_join_all_managed();
    aws_event_stream_library_clean_up();
    long bytes = (long)aws_mem_tracer_bytes(s_alloc);
    int fds_after = s_fd_count();
    int threads_after = s_thread_count();
    printf("RESULT hostile=cleanup tracing_allocator_bytes=%ld fds_before=%d fds_after=%d threads_before=%d "
           "threads_after=%d\n",
           bytes, fds_before, fds_after, threads_before, threads_after);
    CHECK_INT_EQ(0, bytes);
    CHECK_INT_EQ(fds_before, fds_after);
    CHECK_INT_EQ(threads_before, threads_after);
    if (aws_mem_tracer_count(s_alloc)) {
        aws_mem_tracer_dump(s_alloc);
    }
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
