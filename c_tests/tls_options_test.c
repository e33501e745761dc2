/* TLS context options, contexts and connection options against our headers:
 * every aws_tls_ctx_options_* initializer and setter with the fields upstream
 * stores (sanitized PEM, strings, flags), each documented failure with
 * upstream's error code (missing file, text without PEM, trust store set
 * twice, platform-only variants), client and server contexts (plain, mutual
 * TLS, hashed CA directory) and their failures (old TLS versions, cipher
 * preferences rustls cannot honour, mismatched key, non-UTF-8 PEM, bad ALPN
 * lists), X.509 v1 certificates, EC keys after an EC PARAMETERS block and
 * chain files, ref counting, and connection options init/copy/clean up. The
 * certificates are made at run time by the openssl command in a mkdtemp
 * directory; the tracing allocator ends at 0 bytes. */
#include <aws/common/string.h>
#include <aws/io/channel.h>
#include <aws/io/io.h>
#include <aws/io/tls_channel_handler.h>

#include "test_helpers.h"
#include "tls_test_certs.h"

static struct aws_allocator *s_alloc;
/* The file's bytes in a buffer from the tracing allocator. */
static struct aws_byte_buf read_file(const char *name) {
    struct aws_byte_buf buf;
    AWS_ZERO_STRUCT(buf);
    FILE *f = fopen(path_of(name), "rb");
    CHECK(f != NULL);
    if (!f) {
        return buf;
    }
    aws_byte_buf_init(&buf, s_alloc, 8192);
    buf.len = fread(buf.buffer, 1, buf.capacity, f);
    fclose(f);
    return buf;
}

static bool starts_with(const struct aws_byte_buf *buf, const char *prefix) {
    size_t n = strlen(prefix);
    return buf->len >= n && memcmp(buf->buffer, prefix, n) == 0;
}

static bool is_zeroed(const struct aws_tls_ctx_options *o) {
    struct aws_tls_ctx_options zero;
    memset(&zero, 0, sizeof(zero));
    return o->allocator == NULL && o->ca_file.buffer == NULL && o->ca_file.allocator == NULL && o->ca_path == NULL &&
           o->alpn_list == NULL && o->certificate.buffer == NULL && o->private_key.buffer == NULL &&
           o->minimum_tls_version == 0 && o->verify_peer == false && o->max_fragment_size == 0 &&
           o->custom_key_op_handler == NULL && o->ctx_options_extension == NULL;
}

static size_t ref_count_of(struct aws_tls_ctx *ctx) {
    return (size_t)ctx->ref_count.ref_count.value;
}

static void test_init_default_client(void) {
    struct aws_tls_ctx_options o;
    memset(&o, 0xAB, sizeof(o));
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    CHECK(o.allocator == s_alloc);
    CHECK_INT_EQ(AWS_IO_TLS_VER_SYS_DEFAULTS, o.minimum_tls_version);
    CHECK_INT_EQ(AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT, o.cipher_pref);
    CHECK(o.verify_peer);
    CHECK_INT_EQ(g_aws_channel_max_fragment_size, o.max_fragment_size);
    CHECK(o.ca_file.allocator == NULL && o.certificate.allocator == NULL && o.private_key.allocator == NULL);
    CHECK(o.ca_path == NULL && o.alpn_list == NULL && o.custom_key_op_handler == NULL);
    CHECK(!o.no_certificate_revocation);
    aws_tls_ctx_options_clean_up(&o);
    CHECK(is_zeroed(&o));
}

static void test_init_mtls_and_server(void) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("client.pem"),
                                                                path_of("client.key")));
    CHECK(o.verify_peer);
    CHECK(o.certificate.allocator == s_alloc && o.private_key.allocator == s_alloc);
    CHECK(starts_with(&o.certificate, "-----BEGIN CERTIFICATE-----"));
    CHECK(starts_with(&o.private_key, "-----BEGIN EC PRIVATE KEY-----"));
    aws_tls_ctx_options_clean_up(&o);

    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("server.pem"),
                                                                   path_of("server.key")));
    CHECK(!o.verify_peer);
    CHECK(starts_with(&o.private_key, "-----BEGIN PRIVATE KEY-----"));
    aws_tls_ctx_options_clean_up(&o);

    /* From memory, with text around the PEM blocks: only the blocks are kept. */
    struct aws_byte_buf cert = read_file("server.pem");
    struct aws_byte_buf key = read_file("server.key");
    struct aws_byte_buf noisy;
    aws_byte_buf_init(&noisy, s_alloc, cert.len + 64);
    struct aws_byte_cursor prefix = aws_byte_cursor_from_c_str("subject=CN = localhost\r\n");
    struct aws_byte_cursor body = aws_byte_cursor_from_buf(&cert);
    struct aws_byte_cursor suffix = aws_byte_cursor_from_c_str("trailing words\n");
    aws_byte_buf_append(&noisy, &prefix);
    aws_byte_buf_append(&noisy, &body);
    aws_byte_buf_append(&noisy, &suffix);
    struct aws_byte_cursor noisy_cur = aws_byte_cursor_from_buf(&noisy);
    struct aws_byte_cursor key_cur = aws_byte_cursor_from_buf(&key);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_client_mtls(&o, s_alloc, &noisy_cur, &key_cur));
    CHECK(o.verify_peer);
    CHECK_MEM_EQ(cert.buffer, cert.len, o.certificate.buffer, o.certificate.len);
    aws_tls_ctx_options_clean_up(&o);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_default_server(&o, s_alloc, &noisy_cur, &key_cur));
    CHECK(!o.verify_peer);
    CHECK_MEM_EQ(key.buffer, key.len, o.private_key.buffer, o.private_key.len);
    aws_tls_ctx_options_clean_up(&o);
    aws_byte_buf_clean_up(&noisy);
    aws_byte_buf_clean_up(&cert);
    aws_byte_buf_clean_up(&key);
}

static void test_init_failures(void) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("missing.pem"),
                                                                            path_of("client.key")));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
    CHECK(is_zeroed(&o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("server.pem"),
                                                                               path_of("missing.key")));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
    CHECK(is_zeroed(&o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("hashed"),
                                                                            path_of("client.key")));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, "", path_of("client.key")));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());

    /* Text without a PEM block, or an unterminated one. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("not_pem.txt"),
                                                                            path_of("client.key")));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(is_zeroed(&o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("server.pem"),
                                                                               path_of("not_pem.txt")));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(is_zeroed(&o));
    struct aws_byte_cursor good = aws_byte_cursor_from_c_str("-----BEGIN X-----\nQUJD\n-----END X-----\n");
    struct aws_byte_cursor cut = aws_byte_cursor_from_c_str("-----BEGIN CERTIFICATE-----\nQUJD\n");
    struct aws_byte_cursor empty = aws_byte_cursor_from_array(NULL, 0);
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls(&o, s_alloc, &cut, &good));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_default_server(&o, s_alloc, &good, &empty));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(is_zeroed(&o));
}

static void test_setters(void) {
    struct aws_tls_ctx_options o;
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_set_alpn_list(&o, "h2;http/1.1"));
    CHECK_STR_EQ("h2;http/1.1", aws_string_c_str(o.alpn_list));
    CHECK(o.alpn_list->allocator == s_alloc);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_set_alpn_list(&o, "x-amzn-mqtt-ca"));
    CHECK_STR_EQ("x-amzn-mqtt-ca", aws_string_c_str(o.alpn_list));
    aws_tls_ctx_options_set_verify_peer(&o, false);
    CHECK(!o.verify_peer);
    aws_tls_ctx_options_set_minimum_tls_version(&o, AWS_IO_TLSv1_3);
    CHECK_INT_EQ(AWS_IO_TLSv1_3, o.minimum_tls_version);
    aws_tls_ctx_options_set_tls_cipher_preference(&o, AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07);
    CHECK_INT_EQ(AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07, o.cipher_pref);
    int marker = 0;
    aws_tls_ctx_options_set_extension_data(&o, &marker);
    CHECK(o.ctx_options_extension == &marker);
    aws_tls_ctx_options_set_no_certificate_revocation(&o, true);
    CHECK(o.no_certificate_revocation);
    aws_tls_ctx_options_clean_up(&o);
    CHECK(is_zeroed(&o));
}

static void test_override_trust_store(void) {
    struct aws_tls_ctx_options o;
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    struct aws_byte_buf ca = read_file("ca.pem");
    struct aws_byte_cursor ca_cur = aws_byte_cursor_from_buf(&ca);
    struct aws_byte_cursor junk = aws_byte_cursor_from_c_str("no pem here");
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_override_default_trust_store(&o, &junk));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(o.ca_file.allocator == NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store(&o, &ca_cur));
    CHECK_MEM_EQ(ca.buffer, ca.len, o.ca_file.buffer, o.ca_file.len);
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_override_default_trust_store(&o, &ca_cur));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of("ca.pem")));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
    /* The directory can still be set. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store_from_path(&o, path_of("hashed"), NULL));
    CHECK_STR_EQ(path_of("hashed"), aws_string_c_str(o.ca_path));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_override_default_trust_store_from_path(&o, path_of("hashed"), NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
    aws_tls_ctx_options_clean_up(&o);

    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    /* A failing file leaves the directory unset too. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_override_default_trust_store_from_path(&o, path_of("hashed"),
                                                                                        path_of("missing.pem")));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
    CHECK(o.ca_path == NULL && o.ca_file.allocator == NULL);
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL,
                                                                                        path_of("not_pem.txt")));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store_from_path(&o, path_of("hashed"),
                                                                                            path_of("ca.pem")));
    CHECK_MEM_EQ(ca.buffer, ca.len, o.ca_file.buffer, o.ca_file.len);
    CHECK(o.ca_path != NULL);
    aws_tls_ctx_options_clean_up(&o);
    aws_byte_buf_clean_up(&ca);
}

static void test_platform_only_options(void) {
    struct aws_tls_ctx_options o;
    struct aws_byte_cursor cur = aws_byte_cursor_from_c_str("x");
    struct aws_tls_ctx_pkcs11_options pkcs11;
    memset(&pkcs11, 0, sizeof(pkcs11));

    /* PKCS#11 and custom key operations work as in upstream's Linux build
     * (tls_key_op_test); without a PKCS#11 library the options are zeroed. */
    memset(&o, 0xAB, sizeof(o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_with_pkcs11(&o, s_alloc, &pkcs11));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(is_zeroed(&o));
    memset(&o, 0xAB, sizeof(o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_from_system_path(&o, s_alloc, "CurrentUser\\MY\\x"));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK(is_zeroed(&o));
    memset(&o, 0xAB, sizeof(o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_default_server_from_system_path(&o, s_alloc, "x"));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK(is_zeroed(&o));
    memset(&o, 0xAB, sizeof(o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_pkcs12_from_path(&o, s_alloc, "x.p12", &cur));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK(is_zeroed(&o));
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_client_mtls_pkcs12(&o, s_alloc, &cur, &cur));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_server_pkcs12_from_path(&o, s_alloc, "x.p12", &cur));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_init_server_pkcs12(&o, s_alloc, &cur, &cur));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK(is_zeroed(&o));

    /* The setters leave the options as they were. */
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_set_keychain_path(&o, &cur));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    struct aws_secitem_options secitem = {
        .cert_label = aws_string_new_from_c_str(s_alloc, "cert"),
        .key_label = aws_string_new_from_c_str(s_alloc, "key"),
    };
    CHECK_INT_EQ(AWS_OP_ERR, aws_tls_ctx_options_set_secitem_options(&o, &secitem));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK(o.allocator == s_alloc && o.verify_peer);
    aws_tls_secitem_options_clean_up(&secitem);
    aws_tls_secitem_options_clean_up(NULL);
    aws_tls_ctx_options_clean_up(&o);
}

static struct aws_tls_ctx *client_ctx_trusting(const char *ca) {
    struct aws_tls_ctx_options o;
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of(ca)));
    struct aws_tls_ctx *ctx = aws_tls_client_ctx_new(s_alloc, &o);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

static void test_contexts(void) {
    struct aws_tls_ctx *client = client_ctx_trusting("ca.pem");
    CHECK(client != NULL);
    if (client) {
        CHECK(client->alloc == s_alloc);
        CHECK(client->impl != NULL);
        CHECK_INT_EQ(1, ref_count_of(client));
        CHECK(aws_tls_ctx_acquire(client) == client);
        CHECK_INT_EQ(2, ref_count_of(client));
        aws_tls_ctx_release(client);
        CHECK_INT_EQ(1, ref_count_of(client));
        aws_tls_ctx_release(client);
    }
    CHECK(aws_tls_ctx_acquire(NULL) == NULL);
    aws_tls_ctx_release(NULL);

    /* Server, plain and with required client certificates from a hashed CA directory. */
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("server.pem"),
                                                                                   path_of("server.key")));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_set_alpn_list(&o, "h2;http/1.1"));
    struct aws_tls_ctx *server = aws_tls_server_ctx_new(s_alloc, &o);
    CHECK(server != NULL);
    aws_tls_ctx_release(server);
    aws_tls_ctx_options_set_verify_peer(&o, true);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_override_default_trust_store_from_path(&o, path_of("hashed"), NULL));
    server = aws_tls_server_ctx_new(s_alloc, &o);
    CHECK(server != NULL);
    aws_tls_ctx_release(server);
    aws_tls_ctx_options_clean_up(&o);

    /* Mutual TLS client, TLS 1.3 only, the 2025 TLS 1.2 policy. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("client.pem"),
                                                                                path_of("client.key")));
    aws_tls_ctx_options_set_verify_peer(&o, false);
    aws_tls_ctx_options_set_minimum_tls_version(&o, AWS_IO_TLSv1_3);
    client = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(client != NULL);
    aws_tls_ctx_release(client);
    aws_tls_ctx_options_set_tls_cipher_preference(&o, AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07);
    client = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(client != NULL);
    aws_tls_ctx_release(client);
    aws_tls_ctx_options_clean_up(&o);

    CHECK(aws_tls_is_alpn_available());
    CHECK(aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_SYSTEM_DEFAULT));
    CHECK(aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_TLSV1_2_2025_07));
    CHECK(aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_NON_PQ_DEFAULT));
    CHECK(aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT));
    CHECK(aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_PQ_TLSV1_2_2024_10));
    CHECK(!aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_TLSV1_0_2023_06));
    CHECK(!aws_tls_is_cipher_pref_supported(AWS_IO_TLS_CIPHER_PREF_KMS_PQ_TLSv1_0_2019_06));
}

/* Server options from our certificate and key (or a swapped key), with `edit` applied. */
static int server_ctx_error(const char *key, void (*edit)(struct aws_tls_ctx_options *)) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("server.pem"), path_of(key)));
    if (edit) {
        edit(&o);
    }
    aws_reset_error();
    struct aws_tls_ctx *ctx = aws_tls_server_ctx_new(s_alloc, &o);
    int error = ctx ? 0 : aws_last_error();
    aws_tls_ctx_release(ctx);
    aws_tls_ctx_options_clean_up(&o);
    return error;
}

static void s_tls_1_0(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_minimum_tls_version(o, AWS_IO_TLSv1);
}
static void s_tls_1_1(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_minimum_tls_version(o, AWS_IO_TLSv1_1);
}
static void s_ssl_3(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_minimum_tls_version(o, AWS_IO_SSLv3);
}
static void s_pq(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_tls_cipher_preference(o, AWS_IO_TLS_CIPHER_PREF_PQ_DEFAULT);
}
static void s_tls10_policy(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_tls_cipher_preference(o, AWS_IO_TLS_CIPHER_PREF_TLSV1_0_2023_06);
}
static void s_five_alpn(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_alpn_list(o, "a;b;c;d;e");
}
static void s_empty_alpn_entry(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_alpn_list(o, "h2;;http/1.1");
}
static void s_latin1_cert(struct aws_tls_ctx_options *o) {
    /* A byte that is not UTF-8 inside the PEM block. */
    o->certificate.buffer[30] = 0xE9;
}
static void s_missing_ca_dir(struct aws_tls_ctx_options *o) {
    aws_tls_ctx_options_set_verify_peer(o, true);
    aws_tls_ctx_options_override_default_trust_store_from_path(o, path_of("no-such-dir"), NULL);
}
static void s_not_a_ca(struct aws_tls_ctx_options *o) {
    struct aws_byte_cursor junk = aws_byte_cursor_from_c_str("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n");
    aws_tls_ctx_options_set_verify_peer(o, true);
    aws_tls_ctx_options_override_default_trust_store(o, &junk);
}

static void test_context_failures(void) {
    CHECK_INT_EQ(0, server_ctx_error("server.key", NULL));
    CHECK_INT_EQ(AWS_IO_TLS_VERSION_UNSUPPORTED, server_ctx_error("server.key", s_tls_1_0));
    CHECK_INT_EQ(AWS_IO_TLS_VERSION_UNSUPPORTED, server_ctx_error("server.key", s_tls_1_1));
    CHECK_INT_EQ(AWS_IO_TLS_VERSION_UNSUPPORTED, server_ctx_error("server.key", s_ssl_3));
    CHECK_INT_EQ(0, server_ctx_error("server.key", s_pq));
    CHECK_INT_EQ(AWS_IO_TLS_CIPHER_PREF_UNSUPPORTED, server_ctx_error("server.key", s_tls10_policy));
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, server_ctx_error("client.key", NULL));
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, server_ctx_error("server.key", s_five_alpn));
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, server_ctx_error("server.key", s_empty_alpn_entry));
    CHECK_INT_EQ(AWS_IO_FILE_VALIDATION_FAILURE, server_ctx_error("server.key", s_latin1_cert));
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, server_ctx_error("server.key", s_missing_ca_dir));
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, server_ctx_error("server.key", s_not_a_ca));
}

/* Upstream's test certificates include X.509 version 1 ones and keys written
 * by `openssl ecparam -genkey` (EC PARAMETERS before the key): both import,
 * client and server side, and the key must still match the certificate. */
static void test_certificate_forms(void) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("v1.pem"), path_of("v1.key")));
    struct aws_tls_ctx *ctx = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_release(ctx);
    /* The same options twice: a second import of the same pair works too. */
    ctx = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_release(ctx);
    aws_tls_ctx_options_clean_up(&o);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of("v1.pem"),
                                                                                   path_of("v1.key")));
    ctx = aws_tls_server_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_release(ctx);
    aws_tls_ctx_options_clean_up(&o);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_client_mtls_from_path(&o, s_alloc, path_of("v1.pem"),
                                                                                path_of("client.key")));
    aws_reset_error();
    CHECK(aws_tls_client_ctx_new(s_alloc, &o) == NULL);
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, aws_last_error());
    aws_tls_ctx_options_clean_up(&o);

    /* A chain file (leaf, then intermediate) with its leaf's key. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_default_server_from_path(
                                     &o, s_alloc, path_of("cn_chain.pem"), path_of("cn.key")));
    ctx = aws_tls_server_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_release(ctx);
    aws_tls_ctx_options_clean_up(&o);
}

static void s_on_negotiation(struct aws_channel_handler *h, struct aws_channel_slot *s, int e, void *u) {
    (void)h, (void)s, (void)e, (void)u;
}
static void s_on_data(struct aws_channel_handler *h, struct aws_channel_slot *s, struct aws_byte_buf *b, void *u) {
    (void)h, (void)s, (void)b, (void)u;
}
static void s_on_error(struct aws_channel_handler *h, struct aws_channel_slot *s, int e, const char *m, void *u) {
    (void)h, (void)s, (void)e, (void)m, (void)u;
}

static void test_connection_options(void) {
    struct aws_tls_ctx *ctx = client_ctx_trusting("ca.pem");
    CHECK(ctx != NULL);
    if (!ctx) {
        return;
    }
    struct aws_tls_connection_options a;
    memset(&a, 0xAB, sizeof(a));
    aws_tls_connection_options_init_from_ctx(&a, ctx);
    CHECK(a.ctx == ctx);
    CHECK_INT_EQ(2, ref_count_of(ctx));
    CHECK_INT_EQ(10000, a.timeout_ms);
    CHECK(a.alpn_list == NULL && a.server_name == NULL && a.user_data == NULL && !a.advertise_alpn_message);
    CHECK(a.on_negotiation_result == NULL && a.on_data_read == NULL && a.on_error == NULL);

    struct aws_byte_cursor name = aws_byte_cursor_from_c_str("localhost");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_server_name(&a, s_alloc, &name));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_server_name(&a, s_alloc, &name));
    CHECK_STR_EQ("localhost", aws_string_c_str(a.server_name));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_alpn_list(&a, s_alloc, "h2"));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_alpn_list(&a, s_alloc, "x-amzn-http-ca;h2"));
    CHECK_STR_EQ("x-amzn-http-ca;h2", aws_string_c_str(a.alpn_list));
    int user = 0;
    aws_tls_connection_options_set_callbacks(&a, s_on_negotiation, s_on_data, s_on_error, &user);
    CHECK(a.on_negotiation_result == s_on_negotiation && a.on_data_read == s_on_data && a.on_error == s_on_error);
    CHECK(a.user_data == &user);
    a.advertise_alpn_message = true;
    a.timeout_ms = 1234;

    /* Copy into options that already hold strings and a context reference. */
    struct aws_tls_connection_options b;
    aws_tls_connection_options_init_from_ctx(&b, ctx);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_server_name(&b, s_alloc, &name));
    CHECK_INT_EQ(3, ref_count_of(ctx));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_copy(&b, &a));
    CHECK_INT_EQ(3, ref_count_of(ctx));
    CHECK(b.ctx == ctx);
    CHECK(b.server_name != a.server_name && b.alpn_list != a.alpn_list);
    CHECK_STR_EQ("localhost", aws_string_c_str(b.server_name));
    CHECK_STR_EQ("x-amzn-http-ca;h2", aws_string_c_str(b.alpn_list));
    CHECK(b.on_error == s_on_error && b.user_data == &user && b.advertise_alpn_message);
    CHECK_INT_EQ(1234, b.timeout_ms);

    aws_tls_connection_options_clean_up(&a);
    CHECK(a.ctx == NULL && a.alpn_list == NULL && a.server_name == NULL && a.timeout_ms == 0);
    CHECK_INT_EQ(2, ref_count_of(ctx));
    aws_tls_connection_options_clean_up(&b);
    CHECK_INT_EQ(1, ref_count_of(ctx));
    aws_tls_ctx_release(ctx);

    /* Options without a context copy and clean up too. */
    struct aws_tls_connection_options c, d;
    aws_tls_connection_options_init_from_ctx(&c, NULL);
    aws_tls_connection_options_init_from_ctx(&d, NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_copy(&d, &c));
    CHECK(d.ctx == NULL && d.alpn_list == NULL);
    aws_tls_connection_options_clean_up(&c);
    aws_tls_connection_options_clean_up(&d);
}

static int s_key_op_handler_destroyed;
static int s_key_ops_performed;
static void s_key_op_destroy(void *object) {
    (void)object;
    s_key_op_handler_destroyed++;
}
static void s_on_key_operation(struct aws_custom_key_op_handler *h, struct aws_tls_key_operation *op) {
    (void)h, (void)op;
    s_key_ops_performed++;
}

static void test_errors_and_key_operations(void) {
    CHECK(aws_error_code_is_tls(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE));
    CHECK(aws_error_code_is_tls(AWS_IO_TLS_CTX_ERROR));
    CHECK(aws_error_code_is_tls(AWS_IO_TLS_NEGOTIATION_TIMEOUT));
    CHECK(aws_error_code_is_tls(AWS_IO_TLS_HOST_NAME_MISMATCH));
    CHECK(aws_error_code_is_tls(AWS_IO_TLS_CLOSED_GRACEFUL));
    CHECK(!aws_error_code_is_tls(AWS_IO_TLS_ERROR_DEFAULT_TRUST_STORE_NOT_FOUND));
    CHECK(!aws_error_code_is_tls(AWS_IO_SOCKET_TIMEOUT));
    CHECK(!aws_error_code_is_tls(0));

    CHECK_STR_EQ("SHA256", aws_tls_hash_algorithm_str(AWS_TLS_HASH_SHA256));
    CHECK_STR_EQ("<UNKNOWN HASH ALGORITHM>", aws_tls_hash_algorithm_str(AWS_TLS_HASH_UNKNOWN));
    CHECK_STR_EQ("ECDSA", aws_tls_signature_algorithm_str(AWS_TLS_SIGNATURE_ECDSA));
    CHECK_STR_EQ("<UNKNOWN SIGNATURE ALGORITHM>", aws_tls_signature_algorithm_str(AWS_TLS_SIGNATURE_UNKNOWN));
    CHECK_STR_EQ("DECRYPT", aws_tls_key_operation_type_str(AWS_TLS_KEY_OPERATION_DECRYPT));
    CHECK_STR_EQ("<UNKNOWN OPERATION TYPE>", aws_tls_key_operation_type_str(AWS_TLS_KEY_OPERATION_UNKNOWN));

    /* NULL operations: empty answers, and completions are logged and ignored. */
    CHECK_INT_EQ(0, aws_tls_key_operation_get_input(NULL).len);
    CHECK_INT_EQ(AWS_TLS_KEY_OPERATION_UNKNOWN, aws_tls_key_operation_get_type(NULL));
    CHECK_INT_EQ(AWS_TLS_SIGNATURE_UNKNOWN, aws_tls_key_operation_get_signature_algorithm(NULL));
    CHECK_INT_EQ(AWS_TLS_HASH_UNKNOWN, aws_tls_key_operation_get_digest_algorithm(NULL));
    aws_tls_key_operation_complete(NULL, aws_byte_cursor_from_c_str("x"));
    aws_tls_key_operation_complete_with_error(NULL, AWS_ERROR_UNKNOWN);

    static const struct aws_custom_key_op_handler_vtable vtable = {.on_key_operation = s_on_key_operation};
    struct aws_custom_key_op_handler handler = {.impl = NULL, .vtable = &vtable};
    aws_ref_count_init(&handler.ref_count, &handler, s_key_op_destroy);
    CHECK(aws_custom_key_op_handler_acquire(&handler) == &handler);
    aws_custom_key_op_handler_perform_operation(&handler, NULL);
    CHECK_INT_EQ(1, s_key_ops_performed);
    CHECK(aws_custom_key_op_handler_release(&handler) == NULL);
    CHECK_INT_EQ(0, s_key_op_handler_destroyed);
    /* Options hold a reference that clean up drops. */
    struct aws_tls_ctx_options o;
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    o.custom_key_op_handler = &handler;
    aws_tls_ctx_options_clean_up(&o);
    CHECK_INT_EQ(1, s_key_op_handler_destroyed);
    CHECK(aws_custom_key_op_handler_acquire(NULL) == NULL);
    CHECK(aws_custom_key_op_handler_release(NULL) == NULL);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    if (make_certs() != 0) {
        fprintf(stderr, "could not make test certificates with the openssl command\n");
        return 1;
    }
    RUN_TEST(test_init_default_client);
    RUN_TEST(test_init_mtls_and_server);
    RUN_TEST(test_init_failures);
    RUN_TEST(test_setters);
    RUN_TEST(test_override_trust_store);
    RUN_TEST(test_platform_only_options);
    RUN_TEST(test_contexts);
    RUN_TEST(test_context_failures);
    RUN_TEST(test_certificate_forms);
    RUN_TEST(test_connection_options);
    RUN_TEST(test_errors_and_key_operations);
    remove_certs();
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return g_test_failures == 0 ? 0 : 1;
}
