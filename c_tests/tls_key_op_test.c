/* TLS client handshakes whose private key is used only through a custom
 * key-operation handler (aws_tls_ctx_options_init_client_mtls_with_custom_key_operations)
 * or a PKCS#11 token (aws_tls_ctx_options_init_client_mtls_with_pkcs11, on
 * SoftHSM 2 when installed), against servers that require a client
 * certificate: our own TLS server with verify_peer, and `openssl s_server
 * -Verify 1`, which prints the certificate it was shown.
 *
 * The test handler signs the operation's digest with `openssl pkeyutl` and
 * completes the operation inline, from a thread of its own, with an error
 * (which reaches the setup callback), or never (the handshake times out
 * with AWS_IO_TLS_NEGOTIATION_TIMEOUT; the operation is completed late and
 * freed then). Completing twice aborts. The handler's reference count: the
 * options hold one, the context one; it is destroyed once both are gone.
 * Certificates, keys and the token are made at run time; the tracing
 * allocator ends at 0 bytes. */
#include <aws/common/clock.h>
#include <aws/common/string.h>
#include <aws/io/pkcs11.h>
#include <aws/io/tls_channel_handler.h>

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "bootstrap_echo.h"
#include "tls_test_certs.h"

#define WAIT_NS (20LL * 1000 * 1000 * 1000)

static struct aws_event_loop_group *s_group;
static struct aws_host_resolver *s_resolver;
static struct aws_client_bootstrap *s_client_bootstrap;

static void s_start_globals(void) {
    s_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 8, .el_group = s_group};
    s_resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_group, .host_resolver = s_resolver};
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &bo);
}

static void s_stop_globals(void) {
    aws_client_bootstrap_release(s_client_bootstrap);
    aws_host_resolver_release(s_resolver);
    aws_event_loop_group_release(s_group);
}

/* Client keys of their own (their certificates issued by ca.pem): RSA
 * "keyop-rsa", P-256 "keyop-ec", P-384 "keyop-p384". 0 on success. */
static int s_make_client_keys(void) {
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && exec >>gen.log 2>&1 && set -e && "
             "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keyop-rsa.key && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out keyop-ec.key && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out keyop-p384.key && "
             "for k in keyop-rsa keyop-ec keyop-p384; do "
             "openssl req -new -key $k.key -subj /CN=$k -out $k.csr && "
             "openssl x509 -req -in $k.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile leaf.ext -out $k.pem; done",
             s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void s_read_file(const char *path, struct aws_byte_buf *out) {
    aws_byte_buf_init(out, s_alloc, 16 * 1024);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        out->len = fread(out->buffer, 1, out->capacity, f);
        fclose(f);
    }
}

/* ---- the test key-operation handler --------------------------------------------------- */

enum key_mode { SIGN_INLINE, SIGN_ON_A_THREAD, FAIL, NEVER, COMPLETE_TWICE };

struct key_handler {
    struct aws_custom_key_op_handler base;
    enum key_mode mode;
    char key_path[200];
    int fail_with;
    /* Under s_mutex: what the handler was asked, and its destruction. */
    int ops, destroyed;
    int type, signature, digest;
    size_t input_len;
    struct aws_tls_key_operation *held;
    pthread_t thread;
    bool thread_started;
};

static void s_key_handler_destroy(void *object) {
    struct key_handler *h = object;
    aws_mutex_lock(&s_mutex);
    h->destroyed++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static const char *s_digest_name(int digest) {
    switch (digest) {
        case AWS_TLS_HASH_SHA256:
            return "sha256";
        case AWS_TLS_HASH_SHA384:
            return "sha384";
        case AWS_TLS_HASH_SHA512:
            return "sha512";
        default:
            return "unknown";
    }
}

/* Signs the operation's digest with the handler's key file (PKCS#1 v1.5
 * with the DigestInfo for RSA, DER for ECDSA, as TLS wants), then completes
 * it; an openssl failure completes it with AWS_ERROR_INVALID_STATE. */
static void s_sign_and_complete(struct key_handler *h, struct aws_tls_key_operation *op) {
    static int counter;
    int n = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
    char in_path[200], sig_path[200], cmd[1024];
    snprintf(in_path, sizeof(in_path), "%s/op-%d.in", s_dir, n);
    snprintf(sig_path, sizeof(sig_path), "%s/op-%d.sig", s_dir, n);
    struct aws_byte_cursor input = aws_tls_key_operation_get_input(op);
    FILE *f = fopen(in_path, "wb");
    bool ok = f != NULL && fwrite(input.ptr, 1, input.len, f) == input.len;
    if (f) {
        fclose(f);
    }
    snprintf(cmd, sizeof(cmd), "openssl pkeyutl -sign -inkey '%s' -in '%s' -out '%s' -pkeyopt digest:%s 2>/dev/null",
             h->key_path, in_path, sig_path, s_digest_name(aws_tls_key_operation_get_digest_algorithm(op)));
    ok = ok && system(cmd) == 0;
    if (!ok) {
        aws_tls_key_operation_complete_with_error(op, AWS_ERROR_INVALID_STATE);
        return;
    }
    struct aws_byte_buf sig;
    s_read_file(sig_path, &sig);
    aws_tls_key_operation_complete(op, aws_byte_cursor_from_buf(&sig));
    aws_byte_buf_clean_up(&sig);
}

static void *s_sign_thread(void *arg) {
    struct key_handler *h = arg;
    aws_mutex_lock(&s_mutex);
    struct aws_tls_key_operation *op = h->held;
    h->held = NULL;
    aws_mutex_unlock(&s_mutex);
    s_sign_and_complete(h, op);
    return NULL;
}

static void s_on_key_operation(struct aws_custom_key_op_handler *base, struct aws_tls_key_operation *op) {
    struct key_handler *h = base->impl;
    aws_mutex_lock(&s_mutex);
    h->ops++;
    h->type = aws_tls_key_operation_get_type(op);
    h->signature = aws_tls_key_operation_get_signature_algorithm(op);
    h->digest = aws_tls_key_operation_get_digest_algorithm(op);
    h->input_len = aws_tls_key_operation_get_input(op).len;
    if (h->mode == NEVER || h->mode == SIGN_ON_A_THREAD) {
        h->held = op;
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
    switch (h->mode) {
        case SIGN_INLINE:
            s_sign_and_complete(h, op);
            break;
        case SIGN_ON_A_THREAD:
            h->thread_started = pthread_create(&h->thread, NULL, s_sign_thread, h) == 0;
            CHECK(h->thread_started);
            break;
        case FAIL:
            aws_tls_key_operation_complete_with_error(op, h->fail_with);
            break;
        case NEVER:
            break;
        case COMPLETE_TWICE:
            aws_tls_key_operation_complete_with_error(op, AWS_ERROR_INVALID_STATE);
            aws_tls_key_operation_complete_with_error(op, AWS_ERROR_INVALID_STATE);
            break;
    }
}

static const struct aws_custom_key_op_handler_vtable s_key_vtable = {.on_key_operation = s_on_key_operation};

/* A handler (one reference, the test's) signing with `name`.key. */
static void s_key_handler_init(struct key_handler *h, enum key_mode mode, const char *name) {
    memset(h, 0, sizeof(*h));
    h->base.impl = h;
    h->base.vtable = &s_key_vtable;
    aws_ref_count_init(&h->base.ref_count, h, s_key_handler_destroy);
    h->mode = mode;
    snprintf(h->key_path, sizeof(h->key_path), "%s/%s.key", s_dir, name);
}

static bool s_key_handler_destroyed(void *arg) {
    return ((struct key_handler *)arg)->destroyed > 0;
}

/* Destroyed exactly once; the last reference may be a channel's, dropped
 * on its loop thread after the shutdown callback, so this waits (bounded). */
static bool s_key_handler_gone(struct key_handler *h) {
    bool gone = s_wait_for(WAIT_NS, s_key_handler_destroyed, h);
    aws_mutex_lock(&s_mutex);
    gone = gone && h->destroyed == 1;
    aws_mutex_unlock(&s_mutex);
    return gone;
}

/* ---- contexts -------------------------------------------------------------------------------- */

/* A client context whose key is `h`'s and whose certificate is `name`.pem;
 * the options' reference is dropped before returning. */
static struct aws_tls_ctx *s_key_op_ctx(struct key_handler *h, const char *name, enum aws_tls_versions minimum) {
    char file[64];
    snprintf(file, sizeof(file), "%s.pem", name);
    struct aws_byte_buf pem;
    s_read_file(path_of(file), &pem);
    struct aws_byte_cursor cur = aws_byte_cursor_from_buf(&pem);
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(&o, s_alloc, &h->base, &cur));
    aws_byte_buf_clean_up(&pem);
    CHECK(o.custom_key_op_handler == &h->base);
    CHECK(o.private_key.len == 0 && o.certificate.len > 0);
    aws_tls_ctx_options_set_minimum_tls_version(&o, minimum);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of("ca.pem")));
    struct aws_tls_ctx *ctx = aws_tls_client_ctx_new(s_alloc, &o);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

static struct aws_tls_ctx *s_server_ctx(void) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("server.pem"),
                                                                                    path_of("server.key")));
    aws_tls_ctx_options_set_verify_peer(&o, true);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of("ca.pem")));
    struct aws_tls_ctx *ctx = aws_tls_server_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

/* ---- connections ------------------------------------------------------------------------------ */

struct negotiation {
    int calls, error;
};

static void s_on_negotiation(struct aws_channel_handler *handler, struct aws_channel_slot *slot, int error_code,
                             void *user_data) {
    (void)handler, (void)slot;
    struct negotiation *n = user_data;
    aws_mutex_lock(&s_mutex);
    n->calls++;
    n->error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_server_closed(void *arg) {
    return ((struct echo_server *)arg)->shutdowns > 0;
}

static bool s_incoming_over(void *arg) {
    struct echo_server *s = arg;
    return s->incoming_err > 0 || s->shutdowns > 0;
}

static void s_server_start(struct echo_server *server, struct aws_tls_ctx *ctx) {
    struct aws_tls_connection_options tls;
    aws_tls_connection_options_init_from_ctx(&tls, ctx);
    memset(server, 0, sizeof(*server));
    server->group = s_group;
    server->bootstrap = aws_server_bootstrap_new(s_alloc, s_group);
    CHECK(s_start_tls_listener(server, &tls) != NULL);
    aws_tls_connection_options_clean_up(&tls);
}

static void s_server_stop(struct echo_server *server) {
    CHECK(s_stop_listener(server, WAIT_NS));
    aws_server_bootstrap_release(server->bootstrap);
}

/* Connects with `ctx` (timeout_ms for the negotiation) and waits until the
 * connection is over (bounded). */
static void s_connect_and_wait(struct aws_tls_ctx *ctx, uint32_t port, uint32_t timeout_ms, struct echo_conn *c,
                               struct negotiation *n) {
    struct aws_tls_connection_options tls;
    aws_tls_connection_options_init_from_ctx(&tls, ctx);
    struct aws_byte_cursor name = aws_byte_cursor_from_c_str("localhost");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_server_name(&tls, s_alloc, &name));
    aws_tls_connection_options_set_callbacks(&tls, s_on_negotiation, NULL, NULL, n);
    tls.timeout_ms = timeout_ms;
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4,
                                         .connect_timeout_ms = 10000};
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = port,
        .socket_options = &options,
        .tls_options = &tls,
        .creation_callback = s_client_creation,
        .setup_callback = s_client_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = c,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    aws_tls_connection_options_clean_up(&tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, c));
}

/* The handler was asked for exactly one signature, as `name`'s key type wants. */
static void s_check_one_sign(struct key_handler *h, int signature, int digest, size_t digest_len) {
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(1, h->ops);
    CHECK_INT_EQ(AWS_TLS_KEY_OPERATION_SIGN, h->type);
    CHECK_INT_EQ(signature, h->signature);
    CHECK_INT_EQ(digest, h->digest);
    CHECK_INT_EQ(digest_len, h->input_len);
    aws_mutex_unlock(&s_mutex);
}

/* An echo through our verifying server, signed by `h`; returns the setup
 * error (0 when the echo went through). */
static int s_echo_through_our_server(struct key_handler *h, const char *name, uint32_t timeout_ms,
                                     struct negotiation *n) {
    struct aws_tls_ctx *server_ctx = s_server_ctx();
    struct aws_tls_ctx *client_ctx = s_key_op_ctx(h, name, AWS_IO_TLS_VER_SYS_DEFAULTS);
    CHECK(client_ctx != NULL);
    /* The options gave their reference back; the context holds one. */
    aws_custom_key_op_handler_release(&h->base);
    CHECK_INT_EQ(0, h->destroyed);
    struct echo_server server;
    s_server_start(&server, server_ctx);
    struct echo_conn c = {.group = s_group, .messages = 4, .message_size = 1000};
    s_fill_pattern(&c, 3);
    s_connect_and_wait(client_ctx, s_listener_port(server.listener), timeout_ms, &c, n);
    int setup_error = c.setup_error;
    if (setup_error == 0) {
        s_check_echoed(&c);
        CHECK(s_wait_for(WAIT_NS, s_server_closed, &server));
        CHECK_INT_EQ(1, server.incoming_ok);
    } else {
        CHECK_INT_EQ(0, c.shutdown_calls);
        CHECK(s_wait_for(WAIT_NS, s_incoming_over, &server));
        CHECK_INT_EQ(0, server.incoming_ok);
    }
    s_server_stop(&server);
    if (h->thread_started) {
        pthread_join(h->thread, NULL);
        h->thread_started = false;
    }
    s_conn_clean_up(&c);
    aws_tls_ctx_release(server_ctx);
    aws_tls_ctx_release(client_ctx);
    return setup_error;
}

/* ---- custom key operations against our server ------------------------------------------ */

static void test_rsa_signed_inline(void) {
    struct key_handler h;
    s_key_handler_init(&h, SIGN_INLINE, "keyop-rsa");
    struct negotiation n = {0};
    CHECK_INT_EQ(0, s_echo_through_our_server(&h, "keyop-rsa", 10000, &n));
    CHECK_INT_EQ(1, n.calls);
    CHECK_INT_EQ(0, n.error);
    s_check_one_sign(&h, AWS_TLS_SIGNATURE_RSA, AWS_TLS_HASH_SHA256, 32);
    /* The context (or its last connection) was the last holder. */
    CHECK(s_key_handler_gone(&h));
}

static void test_ecdsa_signed_on_another_thread(void) {
    struct key_handler h;
    s_key_handler_init(&h, SIGN_ON_A_THREAD, "keyop-ec");
    struct negotiation n = {0};
    CHECK_INT_EQ(0, s_echo_through_our_server(&h, "keyop-ec", 10000, &n));
    CHECK_INT_EQ(0, n.error);
    s_check_one_sign(&h, AWS_TLS_SIGNATURE_ECDSA, AWS_TLS_HASH_SHA256, 32);
    CHECK(s_key_handler_gone(&h));

    /* A P-384 key signs SHA-384 digests. */
    s_key_handler_init(&h, SIGN_ON_A_THREAD, "keyop-p384");
    CHECK_INT_EQ(0, s_echo_through_our_server(&h, "keyop-p384", 10000, &n));
    s_check_one_sign(&h, AWS_TLS_SIGNATURE_ECDSA, AWS_TLS_HASH_SHA384, 48);
    CHECK(s_key_handler_gone(&h));
}

/* As upstream: the handler's error code reaches the setup callback, and
 * on_negotiation_result is not called. */
static void test_handler_error_reaches_setup(void) {
    struct key_handler h;
    s_key_handler_init(&h, FAIL, "keyop-rsa");
    h.fail_with = AWS_ERROR_PKCS11_CKR_DEVICE_ERROR;
    struct negotiation n = {0};
    CHECK_INT_EQ(AWS_ERROR_PKCS11_CKR_DEVICE_ERROR, s_echo_through_our_server(&h, "keyop-rsa", 10000, &n));
    CHECK_INT_EQ(0, n.calls);
    s_check_one_sign(&h, AWS_TLS_SIGNATURE_RSA, AWS_TLS_HASH_SHA256, 32);
    CHECK(s_key_handler_gone(&h));

    /* No error code given: AWS_ERROR_UNKNOWN, as upstream. */
    s_key_handler_init(&h, FAIL, "keyop-ec");
    h.fail_with = 0;
    CHECK_INT_EQ(AWS_ERROR_UNKNOWN, s_echo_through_our_server(&h, "keyop-ec", 10000, &n));
    CHECK(s_key_handler_gone(&h));
}

/* A handler that never completes: the handshake gives up at its deadline
 * with AWS_IO_TLS_NEGOTIATION_TIMEOUT; the late completion frees the
 * operation (valgrind and the tracing allocator see it go). */
static void test_never_completed_times_out(void) {
    struct key_handler h;
    s_key_handler_init(&h, NEVER, "keyop-ec");
    /* Our own reference, so the late completion can still be made. */
    aws_custom_key_op_handler_acquire(&h.base);
    struct negotiation n = {0};
    uint64_t start = 0, end = 0;
    aws_high_res_clock_get_ticks(&start);
    CHECK_INT_EQ(AWS_IO_TLS_NEGOTIATION_TIMEOUT, s_echo_through_our_server(&h, "keyop-ec", 400, &n));
    aws_high_res_clock_get_ticks(&end);
    CHECK(end - start >= 300ULL * 1000 * 1000);
    CHECK_INT_EQ(0, n.calls);
    CHECK_INT_EQ(0, h.destroyed);
    aws_mutex_lock(&s_mutex);
    struct aws_tls_key_operation *late = h.held;
    aws_mutex_unlock(&s_mutex);
    CHECK(late != NULL);
    if (late) {
        CHECK_INT_EQ(AWS_TLS_KEY_OPERATION_SIGN, aws_tls_key_operation_get_type(late));
        aws_tls_key_operation_complete_with_error(late, AWS_ERROR_INVALID_STATE);
    }
    aws_custom_key_op_handler_release(&h.base);
    CHECK(s_key_handler_gone(&h));
}

/* Completing an operation twice aborts, as upstream's fatal assert. Runs in
 * a forked child with its own event loops. */
static void s_complete_twice_in_a_child(void) {
    s_start_globals();
    struct key_handler h;
    s_key_handler_init(&h, COMPLETE_TWICE, "keyop-rsa");
    struct negotiation n = {0};
    s_echo_through_our_server(&h, "keyop-rsa", 10000, &n);
}

static void test_completing_twice_aborts(void) {
    CHECK_ABORTS("marked complete multiple times", s_complete_twice_in_a_child());
}

/* ---- options and contexts ------------------------------------------------------------------ */

static void test_options_and_contexts(void) {
    struct key_handler h;
    s_key_handler_init(&h, SIGN_INLINE, "keyop-rsa");
    /* A TLS 1.3 minimum cannot be met with custom key operations (upstream's
     * s2n build: TLS 1.2 policies only). */
    CHECK(s_key_op_ctx(&h, "keyop-rsa", AWS_IO_TLSv1_3) == NULL);
    CHECK_INT_EQ(AWS_IO_TLS_VERSION_UNSUPPORTED, aws_last_error());
    /* A server context with a handler is not made here. */
    struct aws_byte_buf pem;
    s_read_file(path_of("keyop-rsa.pem"), &pem);
    struct aws_byte_cursor cur = aws_byte_cursor_from_buf(&pem);
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(&o, s_alloc, &h.base, &cur));
    CHECK(aws_tls_server_ctx_new(s_alloc, &o) == NULL);
    CHECK_INT_EQ(AWS_ERROR_UNIMPLEMENTED, aws_last_error());
    aws_tls_ctx_options_clean_up(&o);
    /* No PEM in the certificate: the options are cleaned up (and let go of the handler). */
    struct aws_byte_cursor junk = aws_byte_cursor_from_c_str("not a certificate");
    CHECK_INT_EQ(AWS_OP_ERR,
                 aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(&o, s_alloc, &h.base, &junk));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(o.custom_key_op_handler == NULL && o.certificate.buffer == NULL);
    aws_byte_buf_clean_up(&pem);
    CHECK_INT_EQ(0, h.destroyed);
    aws_custom_key_op_handler_release(&h.base);
    CHECK(s_key_handler_gone(&h));

    /* A handler without on_key_operation, or none at all, aborts. */
    static const struct aws_custom_key_op_handler_vtable empty = {0};
    struct aws_custom_key_op_handler bare = {.vtable = &empty};
    CHECK_ABORTS("precondition failed",
                 aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(&o, s_alloc, &bare, &junk));
    CHECK_ABORTS("precondition failed",
                 aws_tls_ctx_options_init_client_mtls_with_custom_key_operations(&o, s_alloc, NULL, &junk));
    /* NULL operations are logged and ignored by the completions, and read as nothing. */
    aws_tls_key_operation_complete(NULL, junk);
    aws_tls_key_operation_complete_with_error(NULL, AWS_ERROR_UNKNOWN);
    CHECK_INT_EQ(0, aws_tls_key_operation_get_input(NULL).len);
    CHECK_INT_EQ(AWS_TLS_KEY_OPERATION_UNKNOWN, aws_tls_key_operation_get_type(NULL));
}

/* ---- interop: openssl s_server -Verify 1 sees our certificate ---------------------------------- */

/* Runs `openssl s_server -Verify 1` (client certificate required, checked
 * against ca.pem), connects with `ctx`, sends a line and checks the reversed
 * echo; `expect_cn` must appear in what s_server printed. */
static void s_against_openssl_s_server(struct aws_tls_ctx *ctx, const char *expect_cn) {
    char extra[256];
    snprintf(extra, sizeof(extra), "-Verify 1 -verify_return_error -CAfile '%s'", path_of("ca.pem"));
    uint32_t port = 0;
    FILE *p = s_openssl_s_server(extra, 20, &port);
    CHECK(p != NULL);
    if (!p) {
        return;
    }

    struct negotiation n = {0};
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 6};
    aws_byte_buf_init(&c.sent, s_alloc, 6);
    struct aws_byte_cursor hello = aws_byte_cursor_from_c_str("hello\n");
    aws_byte_buf_append(&c.sent, &hello);
    aws_byte_buf_init(&c.received, s_alloc, 16);
    s_connect_and_wait(ctx, port, 10000, &c, &n);
    CHECK_INT_EQ(0, c.setup_error);
    CHECK_INT_EQ(0, n.error);
    CHECK_MEM_EQ("olleh\n", 6, c.received.buffer, c.received.len);
    /* The rest of s_server's output, until it exits. */
    char line[512];
    bool seen = false;
    while (fgets(line, sizeof(line), p)) {
        seen = seen || strstr(line, expect_cn) != NULL;
    }
    CHECK(seen);
    pclose(p);
    s_conn_clean_up(&c);
}

static void test_openssl_s_server_sees_our_certificate(void) {
    struct key_handler h;
    s_key_handler_init(&h, SIGN_INLINE, "keyop-rsa");
    struct aws_tls_ctx *ctx = s_key_op_ctx(&h, "keyop-rsa", AWS_IO_TLSv1_2);
    aws_custom_key_op_handler_release(&h.base);
    CHECK(ctx != NULL);
    if (ctx) {
        s_against_openssl_s_server(ctx, "keyop-rsa");
        aws_tls_ctx_release(ctx);
    }
    s_check_one_sign(&h, AWS_TLS_SIGNATURE_RSA, AWS_TLS_HASH_SHA256, 32);
    CHECK(s_key_handler_gone(&h));
}

/* ---- PKCS#11 on SoftHSM ------------------------------------------------------------------------ */

static char s_module[256];

/* A token "keyop-token" (PIN 1111) holding the RSA and P-256 client keys. */
static int s_make_token(void) {
    char conf[160], cmd[2048];
    snprintf(conf, sizeof(conf), "%s/softhsm2.conf", s_dir);
    setenv("SOFTHSM2_CONF", conf, 1);
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && exec >>gen.log 2>&1 && set -e && mkdir tokens && "
             "printf 'directories.tokendir = %s/tokens\\nobjectstore.backend = file\\nlog.level = ERROR\\n' "
             "> softhsm2.conf && "
             "softhsm2-util --init-token --free --label keyop-token --pin 1111 --so-pin 2222 && "
             "softhsm2-util --import keyop-rsa.key --token keyop-token --label rsa-key --id 01 --pin 1111 && "
             "softhsm2-util --import keyop-ec.key --token keyop-token --label ec-key --id 02 --pin 1111",
             s_dir, s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct aws_tls_ctx *s_pkcs11_ctx(struct aws_pkcs11_lib *lib, const char *key_label, const char *cert_name,
                                        bool by_path, struct aws_byte_buf *pem) {
    char file[64];
    snprintf(file, sizeof(file), "%s.pem", cert_name);
    struct aws_tls_ctx_pkcs11_options p = {
        .pkcs11_lib = lib,
        .user_pin = aws_byte_cursor_from_c_str("1111"),
        .token_label = aws_byte_cursor_from_c_str("keyop-token"),
        .private_key_object_label = aws_byte_cursor_from_c_str(key_label),
    };
    if (by_path) {
        p.cert_file_path = aws_byte_cursor_from_c_str(path_of(file));
    } else {
        s_read_file(path_of(file), pem);
        p.cert_file_contents = aws_byte_cursor_from_buf(pem);
    }
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_client_mtls_with_pkcs11(&o, s_alloc, &p));
    CHECK(o.custom_key_op_handler != NULL && o.private_key.len == 0);
    aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of("ca.pem"));
    struct aws_tls_ctx *ctx = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

static void test_pkcs11(void) {
    struct aws_pkcs11_lib_options lo = {.filename = aws_byte_cursor_from_c_str(s_module)};
    struct aws_pkcs11_lib *lib = aws_pkcs11_lib_new(s_alloc, &lo);
    CHECK(lib != NULL);
    if (!lib) {
        return;
    }
    /* Failures first, while no session of ours is logged in: the token's
     * errors, and certificate contents and path together. */
    struct aws_tls_ctx_pkcs11_options p = {
        .pkcs11_lib = lib,
        .user_pin = aws_byte_cursor_from_c_str("9999"),
        .token_label = aws_byte_cursor_from_c_str("keyop-token"),
        .private_key_object_label = aws_byte_cursor_from_c_str("rsa-key"),
        .cert_file_path = aws_byte_cursor_from_c_str(path_of("keyop-rsa.pem")),
    };
    struct aws_tls_ctx_options o;
    memset(&o, 0xAB, sizeof(o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_with_pkcs11(&o, s_alloc, &p));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_CKR_PIN_INCORRECT, aws_last_error());
    CHECK(o.custom_key_op_handler == NULL && o.allocator == NULL);
    p.user_pin = aws_byte_cursor_from_c_str("1111");
    p.cert_file_contents = aws_byte_cursor_from_c_str("x");
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_with_pkcs11(&o, s_alloc, &p));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(o.custom_key_op_handler == NULL);
    p.cert_file_contents = (struct aws_byte_cursor){0};
    p.cert_file_path = aws_byte_cursor_from_c_str(path_of("no-such.pem"));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_with_pkcs11(&o, s_alloc, &p));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
    /* RSA key, certificate by path: s_server sees keyop-rsa. */
    struct aws_byte_buf pem = {0};
    struct aws_tls_ctx *ctx = s_pkcs11_ctx(lib, "rsa-key", "keyop-rsa", true, &pem);
    if (ctx) {
        s_against_openssl_s_server(ctx, "keyop-rsa");
        aws_tls_ctx_release(ctx);
    }
    /* P-256 key, certificate by contents, against our server. */
    ctx = s_pkcs11_ctx(lib, "ec-key", "keyop-ec", false, &pem);
    aws_byte_buf_clean_up(&pem);
    if (ctx) {
        struct aws_tls_ctx *server_ctx = s_server_ctx();
        struct echo_server server;
        s_server_start(&server, server_ctx);
        struct echo_conn c = {.group = s_group, .messages = 2, .message_size = 500};
        s_fill_pattern(&c, 5);
        struct negotiation n = {0};
        s_connect_and_wait(ctx, s_listener_port(server.listener), 10000, &c, &n);
        s_check_echoed(&c);
        CHECK(s_wait_for(WAIT_NS, s_server_closed, &server));
        s_server_stop(&server);
        s_conn_clean_up(&c);
        aws_tls_ctx_release(server_ctx);
        aws_tls_ctx_release(ctx);
    }

    aws_pkcs11_lib_release(lib);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    if (make_certs() != 0 || s_make_client_keys() != 0) {
        fprintf(stderr, "could not make test certificates with the openssl command\n");
        return 1;
    }
    /* Before any thread of ours exists: the forked children start their own. */
    RUN_TEST(test_completing_twice_aborts);
    RUN_TEST(test_options_and_contexts);

    s_start_globals();
    RUN_TEST(test_rsa_signed_inline);
    RUN_TEST(test_ecdsa_signed_on_another_thread);
    RUN_TEST(test_handler_error_reaches_setup);
    RUN_TEST(test_never_completed_times_out);
    RUN_TEST(test_openssl_s_server_sees_our_certificate);

    const char *module = getenv("TEST_PKCS11_LIB");
    snprintf(s_module, sizeof(s_module), "%s", module ? module : "/usr/lib/softhsm/libsofthsm2.so");
    if (access(s_module, R_OK) != 0 || system("command -v softhsm2-util >/dev/null") != 0) {
        fprintf(stderr, "SKIP PKCS#11 tests: no PKCS#11 module at %s or no softhsm2-util\n", s_module);
    } else if (s_make_token() != 0) {
        CHECK(!"could not make the SoftHSM token");
    } else {
        RUN_TEST(test_pkcs11);
    }

    s_stop_globals();
    remove_certs();
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
