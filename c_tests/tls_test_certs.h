/* Test certificates made at run time by the openssl command in a mkdtemp
 * directory (no key is committed): a CA (P-256), an RSA server leaf for
 * "localhost"/127.0.0.1 (PKCS#8 key), a P-256 client leaf (SEC1 key), an
 * unrelated second CA, and an OpenSSL-hashed directory holding the CA.
 * Also the shapes upstream's own test certificates have: an intermediate CA
 * with a "localhost" leaf named only by its common name (no subjectAltName;
 * cn_chain.pem = leaf + intermediate, key cn.key), a leaf whose
 * subjectAltName names only example.com though its CN is localhost
 * (san_other.pem, key cn.key), and a self-signed X.509 version 1 certificate
 * (v1.pem) whose key file (v1.key) starts with an EC PARAMETERS block, as
 * `openssl ecparam -genkey` writes it. */
#ifndef C_TESTS_TLS_TEST_CERTS_H
#define C_TESTS_TLS_TEST_CERTS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char s_dir[64];

static const char *path_of(const char *name) {
    static char paths[8][160];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", s_dir, name);
    return p;
}

/* Makes the files; 0 on success. */
static int make_certs(void) {
    snprintf(s_dir, sizeof(s_dir), "/tmp/aws-es-rs-tls-XXXXXX");
    if (!mkdtemp(s_dir)) {
        return -1;
    }
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && exec >gen.log 2>&1 && set -e && "
             "printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:localhost,IP:127.0.0.1\\n"
             "extendedKeyUsage=serverAuth,clientAuth\\n' > leaf.ext && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key && "
             "openssl req -x509 -new -key ca.key -subj /CN=test-ca -days 2 -out ca.pem && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other_ca.key && "
             "openssl req -x509 -new -key other_ca.key -subj /CN=other-ca -days 2 -out other_ca.pem && "
             "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server.key && "
             "openssl req -new -key server.key -subj /CN=localhost -out server.csr && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile leaf.ext -out server.pem && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.p8.key && "
             "openssl pkey -in client.p8.key -traditional -out client.key && "
             "openssl req -new -key client.key -subj /CN=client -out client.csr && "
             "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile leaf.ext -out client.pem && "
             "printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n' > ca.ext && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter.key && "
             "openssl req -new -key inter.key -subj /CN=test-intermediate -out inter.csr && "
             "openssl x509 -req -in inter.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile ca.ext -out inter.pem && "
             "printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > cn.ext && "
             "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cn.key && "
             "openssl req -new -key cn.key -subj /CN=localhost -out cn.csr && "
             "openssl x509 -req -in cn.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 2 "
             "-extfile cn.ext -out cn.pem && cat cn.pem inter.pem > cn_chain.pem && "
             "printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:example.com\\n' > san.ext && "
             "openssl x509 -req -in cn.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile san.ext -out san_other.pem && "
             "openssl ecparam -name prime256v1 -genkey -out v1.key && "
             "openssl req -new -key v1.key -subj /CN=v1 -out v1.csr && "
             "openssl x509 -req -in v1.csr -signkey v1.key -days 2 -out v1.pem && "
             "mkdir hashed && cp ca.pem hashed/$(openssl x509 -hash -noout -in ca.pem).0 && "
             "printf 'not a certificate\\n' > not_pem.txt",
             s_dir);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof(cmd), "cat '%s/gen.log' >&2", s_dir);
        (void)!system(cmd);
        return -1;
    }
    return 0;
}

static void remove_certs(void) {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    (void)!system(cmd);
}

/* A loopback TCP port that was free a moment ago, for a server run as another
 * process (openssl s_server); 0 if none could be found. */
static uint32_t s_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    uint32_t port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

/* Starts `openssl s_server` on 127.0.0.1 with server.pem/server.key, echoing
 * lines reversed (-rev), for one connection, killed after `timeout_s`;
 * `extra` adds options. Waits (bounded by that timeout) until it listens.
 * Returns its output (pclose it) with *port set, or NULL. */
static FILE *s_openssl_s_server(const char *extra, unsigned timeout_s, uint32_t *port) {
    *port = s_free_port();
    if (*port == 0) {
        return NULL;
    }
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "exec timeout %u openssl s_server %s -accept 127.0.0.1:%u -naccept 1 -cert '%s' -key '%s' -rev 2>&1",
             timeout_s, extra, (unsigned)*port, path_of("server.pem"), path_of("server.key"));
    FILE *p = popen(cmd, "r");
    if (!p) {
        return NULL;
    }
    /* It prints ACCEPT once it listens. */
    char line[512];
    bool listening = false;
    while (!listening && fgets(line, sizeof(line), p)) {
        listening = strncmp(line, "ACCEPT", 6) == 0;
    }
    if (!listening) {
        pclose(p);
        return NULL;
    }
    return p;
}

#endif
