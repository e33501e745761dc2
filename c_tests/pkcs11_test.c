/* PKCS#11: the pure helpers (CKR names, DER big integers, RSA DigestInfo
 * prefixes), aws_pkcs11_lib_new's failures, and, when SoftHSM 2 is installed
 * (the softhsm2 Debian package; TEST_PKCS11_LIB names another module path),
 * the whole path on a real token made at run time in a mkdtemp dir: slot and
 * key search, login, RSA and ECDSA signatures checked by `openssl dgst
 * -verify`, RSA decryption of what `openssl pkeyutl` encrypted, and the TLS
 * key-operation handler. Everything goes through a tracing allocator that
 * must end at 0 bytes. */
#include <aws/common/string.h>
#include <aws/io/io.h>
#include <aws/io/pkcs11.h>
#include <aws/io/tls_channel_handler.h>

#include "test_helpers.h"

#define CKR_OK 0UL
#define CKR_PIN_INCORRECT 0xA0UL
#define CKK_RSA 0UL
#define CKK_EC 3UL

static struct aws_allocator *s_alloc;
static char s_dir[64];
static char s_module[256];

/* A CK_FUNCTION_LIST starts with its CK_VERSION. */
struct CK_FUNCTION_LIST {
    unsigned char major;
    unsigned char minor;
};

static void test_ckr_names(void) {
    CHECK_STR_EQ("CKR_OK", aws_pkcs11_ckr_str(CKR_OK));
    CHECK_STR_EQ("CKR_PIN_INCORRECT", aws_pkcs11_ckr_str(CKR_PIN_INCORRECT));
    CHECK_STR_EQ("CKR_FUNCTION_REJECTED", aws_pkcs11_ckr_str(0x200));
    CHECK_STR_EQ("<UNKNOWN RETURN VALUE>", aws_pkcs11_ckr_str(0x4));
    CHECK_STR_EQ("<UNKNOWN RETURN VALUE>", aws_pkcs11_ckr_str(0x80000000UL));
}

static void check_ubigint(const uint8_t *in, size_t in_len, const uint8_t *want, size_t want_len) {
    struct aws_byte_buf buf;
    aws_byte_buf_init(&buf, s_alloc, 16);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_asn1_enc_ubigint(&buf, aws_byte_cursor_from_array(in, in_len)));
    CHECK_MEM_EQ(want, want_len, buf.buffer, buf.len);
    aws_byte_buf_clean_up(&buf);
}

static void test_asn1_ubigint(void) {
    const uint8_t padded[] = {0x00, 0x00, 0x12, 0x34};
    const uint8_t padded_der[] = {0x02, 0x02, 0x12, 0x34};
    check_ubigint(padded, sizeof(padded), padded_der, sizeof(padded_der));
    const uint8_t high[] = {0x00, 0x80, 0x01};
    const uint8_t high_der[] = {0x02, 0x03, 0x00, 0x80, 0x01};
    check_ubigint(high, sizeof(high), high_der, sizeof(high_der));
    const uint8_t zero[] = {0x00, 0x00};
    const uint8_t zero_der[] = {0x02, 0x01, 0x00};
    check_ubigint(zero, sizeof(zero), zero_der, sizeof(zero_der));
    check_ubigint(NULL, 0, zero_der, sizeof(zero_der));

    /* Too long for the short form, and too big for the buffer. */
    uint8_t big[200];
    memset(big, 0x11, sizeof(big));
    struct aws_byte_buf buf;
    aws_byte_buf_init(&buf, s_alloc, 512);
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_asn1_enc_ubigint(&buf, aws_byte_cursor_from_array(big, sizeof(big))));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_ENCODING_ERROR, aws_last_error());
    aws_byte_buf_clean_up(&buf);
    aws_byte_buf_init(&buf, s_alloc, 3);
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_asn1_enc_ubigint(&buf, aws_byte_cursor_from_array(big, 4)));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_ENCODING_ERROR, aws_last_error());
    aws_byte_buf_clean_up(&buf);
}

static void test_rsa_prefixes(void) {
    const uint8_t sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                              0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    struct aws_byte_cursor prefix = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_get_prefix_to_rsa_sig(AWS_TLS_HASH_SHA256, &prefix));
    CHECK_MEM_EQ(sha256, sizeof(sha256), prefix.ptr, prefix.len);
    const enum aws_tls_hash_algorithm algs[] = {
        AWS_TLS_HASH_SHA1, AWS_TLS_HASH_SHA224, AWS_TLS_HASH_SHA384, AWS_TLS_HASH_SHA512};
    const size_t lens[] = {15, 19, 19, 19};
    const uint8_t digest_lens[] = {20, 28, 48, 64};
    for (size_t i = 0; i < 4; i++) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_get_prefix_to_rsa_sig(algs[i], &prefix));
        CHECK_INT_EQ(lens[i], prefix.len);
        CHECK_INT_EQ(digest_lens[i], prefix.ptr[prefix.len - 1]);
    }
    struct aws_byte_cursor untouched = aws_byte_cursor_from_c_str("x");
    CHECK_INT_EQ(AWS_OP_ERR, aws_get_prefix_to_rsa_sig(AWS_TLS_HASH_UNKNOWN, &untouched));
    CHECK_INT_EQ(AWS_IO_TLS_DIGEST_ALGORITHM_UNSUPPORTED, aws_last_error());
    CHECK_INT_EQ(1, untouched.len);
}

static struct aws_pkcs11_lib *new_lib(const char *file, int behavior) {
    struct aws_pkcs11_lib_options options = {
        .filename = file ? aws_byte_cursor_from_c_str(file) : (struct aws_byte_cursor){0},
        .initialize_finalize_behavior = behavior,
    };
    return aws_pkcs11_lib_new(s_alloc, &options);
}

static void test_lib_new_failures(void) {
    CHECK(new_lib("/nonexistent/libpkcs11.so", 7) == NULL);
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(new_lib("/nonexistent/libpkcs11.so", AWS_PKCS11_LIB_DEFAULT_BEHAVIOR) == NULL);
    CHECK_INT_EQ(AWS_IO_SHARED_LIBRARY_LOAD_FAILURE, aws_last_error());
    /* A library, but not a PKCS#11 module. */
    CHECK(new_lib("libm.so.6", AWS_PKCS11_LIB_DEFAULT_BEHAVIOR) == NULL);
    CHECK_INT_EQ(AWS_IO_SHARED_LIBRARY_FIND_SYMBOL_FAILURE, aws_last_error());
    /* The program itself has no C_GetFunctionList either. */
    CHECK(new_lib(NULL, AWS_PKCS11_LIB_OMIT_INITIALIZE) == NULL);
    CHECK_INT_EQ(AWS_IO_SHARED_LIBRARY_FIND_SYMBOL_FAILURE, aws_last_error());
    aws_pkcs11_lib_release(NULL);
}

static int run(const char *fmt, const char *arg) {
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg, arg, arg);
    return system(cmd);
}

/* A SoftHSM token "test-token" (user PIN 1111) holding an RSA key "rsa-key"
 * and a P-256 key "ec-key", plus their public keys, a message and its
 * SHA-256 digest, and an RSA-encrypted secret. 0 on success. */
static int make_token(void) {
    snprintf(s_dir, sizeof(s_dir), "/tmp/aws-es-rs-pkcs11-XXXXXX");
    if (!mkdtemp(s_dir)) {
        return -1;
    }
    char conf[128];
    snprintf(conf, sizeof(conf), "%s/softhsm2.conf", s_dir);
    setenv("SOFTHSM2_CONF", conf, 1);
    int rc = run("cd '%s' && exec >gen.log 2>&1 && set -e && mkdir tokens && "
                 "printf 'directories.tokendir = %s/tokens\\nobjectstore.backend = file\\nlog.level = ERROR\\n' "
                 "> softhsm2.conf && "
                 "softhsm2-util --init-token --free --label test-token --pin 1111 --so-pin 2222 && "
                 "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key && "
                 "openssl pkey -in rsa.key -pubout -out rsa.pub && "
                 "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key && "
                 "openssl pkey -in ec.key -pubout -out ec.pub && "
                 "softhsm2-util --import rsa.key --token test-token --label rsa-key --id 01 --pin 1111 && "
                 "softhsm2-util --import ec.key --token test-token --label ec-key --id 02 --pin 1111 && "
                 "printf 'message to sign' > msg && openssl dgst -sha256 -binary msg > msg.sha256 && "
                 "printf 'the secret' > secret && "
                 "openssl pkeyutl -encrypt -pubin -inkey rsa.pub -in secret -out secret.enc",
                 s_dir);
    if (rc != 0) {
        run("cat '%s/gen.log' >&2", s_dir);
        return -1;
    }
    return 0;
}

static void remove_token(void) {
    run("rm -rf '%s'", s_dir);
}

static void read_file(const char *name, struct aws_byte_buf *out) {
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", s_dir, name);
    aws_byte_buf_init(out, s_alloc, 1024);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        out->len = fread(out->buffer, 1, out->capacity, f);
        fclose(f);
    }
}

static void write_file(const char *name, struct aws_byte_cursor data) {
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", s_dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT_EQ(data.len, fwrite(data.ptr, 1, data.len, f));
        fclose(f);
    }
}

/* openssl verifies `sig_file` over the message with `pub_file`. */
static int verified(const char *pub_file, const char *sig_file) {
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "cd '%s' && openssl dgst -sha256 -verify %s -signature %s msg >/dev/null 2>&1", s_dir,
             pub_file, sig_file);
    return system(cmd) == 0;
}

static void test_token(void) {
    struct aws_pkcs11_lib *lib = new_lib(s_module, AWS_PKCS11_LIB_STRICT_INITIALIZE_FINALIZE);
    CHECK(lib != NULL);
    if (!lib) {
        return;
    }
    CHECK(aws_pkcs11_lib_acquire(lib) == lib);
    aws_pkcs11_lib_release(lib);
    struct CK_FUNCTION_LIST *functions = aws_pkcs11_lib_get_function_list(lib);
    CHECK(functions != NULL && functions->major == 2);

    struct aws_string *label = aws_string_new_from_c_str(s_alloc, "test-token");
    struct aws_string *other = aws_string_new_from_c_str(s_alloc, "no-such-token");
    unsigned long slot = 0;
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_find_slot_with_token(lib, NULL, other, &slot));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_TOKEN_NOT_FOUND, aws_last_error());
    /* --free leaves an empty slot with an uninitialized token beside ours. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_find_slot_with_token(lib, NULL, label, &slot));
    uint64_t wrong_slot = (uint64_t)slot + 12345;
    unsigned long again = 0;
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_find_slot_with_token(lib, &wrong_slot, label, &again));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_TOKEN_NOT_FOUND, aws_last_error());
    uint64_t right_slot = slot;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_find_slot_with_token(lib, &right_slot, NULL, &again));
    CHECK_INT_EQ(slot, again);

    unsigned long session = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_open_session(lib, slot, &session));
    CHECK(session != 0);
    struct aws_string *bad_pin = aws_string_new_from_c_str(s_alloc, "9999");
    struct aws_string *pin = aws_string_new_from_c_str(s_alloc, "1111");
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_login_user(lib, session, bad_pin));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_CKR_PIN_INCORRECT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_login_user(lib, session, pin));
    /* Already logged in counts as success. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_login_user(lib, session, pin));

    unsigned long key = 0, key_type = 99;
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_find_private_key(lib, session, NULL, &key, &key_type));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_KEY_NOT_FOUND, aws_last_error()); /* two keys match */
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_find_private_key(lib, session, other, &key, &key_type));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_KEY_NOT_FOUND, aws_last_error());

    struct aws_byte_buf digest, secret, encrypted, out;
    read_file("msg.sha256", &digest);
    read_file("secret", &secret);
    read_file("secret.enc", &encrypted);
    CHECK_INT_EQ(32, digest.len);

    struct aws_string *rsa_label = aws_string_new_from_c_str(s_alloc, "rsa-key");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_find_private_key(lib, session, rsa_label, &key, &key_type));
    CHECK_INT_EQ(CKK_RSA, key_type);
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_pkcs11_lib_sign(lib, session, key, key_type, aws_byte_cursor_from_buf(&digest), s_alloc,
                                     AWS_TLS_HASH_SHA256, AWS_TLS_SIGNATURE_RSA, &out));
    CHECK_INT_EQ(256, out.len);
    write_file("rsa.sig", aws_byte_cursor_from_buf(&out));
    CHECK(verified("rsa.pub", "rsa.sig"));
    aws_byte_buf_clean_up(&out);
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_sign(lib, session, key, key_type, aws_byte_cursor_from_buf(&digest),
                                                 s_alloc, AWS_TLS_HASH_SHA256, AWS_TLS_SIGNATURE_ECDSA, &out));
    CHECK_INT_EQ(AWS_IO_TLS_SIGNATURE_ALGORITHM_UNSUPPORTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_sign(lib, session, key, key_type, aws_byte_cursor_from_buf(&digest),
                                                 s_alloc, AWS_TLS_HASH_UNKNOWN, AWS_TLS_SIGNATURE_RSA, &out));
    CHECK_INT_EQ(AWS_IO_TLS_DIGEST_ALGORITHM_UNSUPPORTED, aws_last_error());
    CHECK(out.buffer == NULL && out.len == 0);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_decrypt(lib, session, key, key_type,
                                                        aws_byte_cursor_from_buf(&encrypted), s_alloc, &out));
    CHECK_MEM_EQ(secret.buffer, secret.len, out.buffer, out.len);
    aws_byte_buf_clean_up(&out);
    /* Garbage does not decrypt: the token's error comes back as its AWS code. */
    CHECK_INT_EQ(AWS_OP_ERR,
                 aws_pkcs11_lib_decrypt(lib, session, key, key_type, aws_byte_cursor_from_buf(&secret), s_alloc, &out));
    CHECK(aws_last_error() >= AWS_ERROR_PKCS11_CKR_CANCEL && aws_last_error() <= AWS_ERROR_PKCS11_CKR_FUNCTION_REJECTED);
    CHECK(out.buffer == NULL);

    struct aws_string *ec_label = aws_string_new_from_c_str(s_alloc, "ec-key");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pkcs11_lib_find_private_key(lib, session, ec_label, &key, &key_type));
    CHECK_INT_EQ(CKK_EC, key_type);
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_pkcs11_lib_sign(lib, session, key, key_type, aws_byte_cursor_from_buf(&digest), s_alloc,
                                     AWS_TLS_HASH_SHA256, AWS_TLS_SIGNATURE_ECDSA, &out));
    CHECK(out.len >= 8 && out.buffer[0] == 0x30 && out.buffer[1] == out.len - 2);
    write_file("ec.sig", aws_byte_cursor_from_buf(&out));
    CHECK(verified("ec.pub", "ec.sig"));
    aws_byte_buf_clean_up(&out);
    CHECK_INT_EQ(AWS_OP_ERR, aws_pkcs11_lib_decrypt(lib, session, key, key_type,
                                                    aws_byte_cursor_from_buf(&encrypted), s_alloc, &out));
    CHECK_INT_EQ(AWS_ERROR_PKCS11_KEY_TYPE_UNSUPPORTED, aws_last_error());

    aws_pkcs11_lib_close_session(lib, session);

    /* The TLS key-operation handler does the same search on its own session. */
    struct aws_byte_cursor pin_cur = aws_byte_cursor_from_c_str("1111");
    struct aws_byte_cursor bad_pin_cur = aws_byte_cursor_from_c_str("9999");
    struct aws_byte_cursor token_cur = aws_byte_cursor_from_c_str("test-token");
    struct aws_byte_cursor key_cur = aws_byte_cursor_from_c_str("ec-key");
    struct aws_byte_cursor none = {0};
    struct aws_custom_key_op_handler *handler =
        aws_pkcs11_tls_op_handler_new(s_alloc, lib, &pin_cur, &token_cur, &key_cur, NULL);
    CHECK(handler != NULL && handler->vtable != NULL && handler->vtable->on_key_operation != NULL);
    CHECK(aws_custom_key_op_handler_acquire(handler) == handler);
    aws_custom_key_op_handler_release(handler);
    aws_custom_key_op_handler_release(handler);
    CHECK(aws_pkcs11_tls_op_handler_new(s_alloc, lib, &bad_pin_cur, &token_cur, &key_cur, NULL) == NULL);
    CHECK_INT_EQ(AWS_ERROR_PKCS11_CKR_PIN_INCORRECT, aws_last_error());
    CHECK(aws_pkcs11_tls_op_handler_new(s_alloc, lib, &pin_cur, &token_cur, &none, NULL) == NULL);
    CHECK_INT_EQ(AWS_ERROR_PKCS11_KEY_NOT_FOUND, aws_last_error());
    CHECK(aws_pkcs11_tls_op_handler_new(s_alloc, NULL, &pin_cur, &token_cur, &key_cur, NULL) == NULL);
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    aws_byte_buf_clean_up(&digest);
    aws_byte_buf_clean_up(&secret);
    aws_byte_buf_clean_up(&encrypted);
    aws_string_destroy(label);
    aws_string_destroy(other);
    aws_string_destroy(pin);
    aws_string_destroy(bad_pin);
    aws_string_destroy(rsa_label);
    aws_string_destroy(ec_label);
    aws_pkcs11_lib_release(lib);
}

/* In STRICT mode a second lib's C_Initialize meets an initialized module; by
 * default that is accepted, and only STRICT finalizes. */
static void test_initialize_behaviors(void) {
    struct aws_pkcs11_lib *strict = new_lib(s_module, AWS_PKCS11_LIB_STRICT_INITIALIZE_FINALIZE);
    CHECK(strict != NULL);
    CHECK(new_lib(s_module, AWS_PKCS11_LIB_STRICT_INITIALIZE_FINALIZE) == NULL);
    CHECK_INT_EQ(AWS_ERROR_PKCS11_CKR_CRYPTOKI_ALREADY_INITIALIZED, aws_last_error());
    struct aws_pkcs11_lib *relaxed = new_lib(s_module, AWS_PKCS11_LIB_DEFAULT_BEHAVIOR);
    CHECK(relaxed != NULL);
    struct aws_pkcs11_lib *omit = new_lib(s_module, AWS_PKCS11_LIB_OMIT_INITIALIZE);
    CHECK(omit != NULL);
    aws_pkcs11_lib_release(omit);
    aws_pkcs11_lib_release(relaxed);
    aws_pkcs11_lib_release(strict);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    RUN_TEST(test_ckr_names);
    RUN_TEST(test_asn1_ubigint);
    RUN_TEST(test_rsa_prefixes);
    RUN_TEST(test_lib_new_failures);

    const char *module = getenv("TEST_PKCS11_LIB");
    snprintf(s_module, sizeof(s_module), "%s", module ? module : "/usr/lib/softhsm/libsofthsm2.so");
    if (access(s_module, R_OK) != 0 || system("command -v softhsm2-util >/dev/null") != 0) {
        fprintf(stderr, "SKIP token tests: no PKCS#11 module at %s or no softhsm2-util\n", s_module);
    } else if (make_token() != 0) {
        CHECK(!"could not make the SoftHSM token");
    } else {
        RUN_TEST(test_token);
        RUN_TEST(test_initialize_behaviors);
        remove_token();
    }

    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
