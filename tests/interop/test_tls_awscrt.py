"""awscrt's event-stream RPC client over TLS (upstream's C client and its TLS stack inside the Python
package) against examples/echo_rpc_server with --tls-cert/--tls-key (our rustls handler), on 127.0.0.1.
Certificates are made per test with the openssl command: a CA and a "localhost" server certificate."""
import subprocess

from awscrt.eventstream import Header
from awscrt.eventstream.rpc import ClientConnection, MessageFlag, MessageType
from awscrt.io import ClientTlsContext, TlsContextOptions

from harness import Server, TempDir, exception, get, loop_counts, result
from test_echo_awscrt import ConnectionEvents, StreamEvents, close, handshake, header_map

TESTS = {}


def make_certs(tmp):
    """ca.pem, and server.pem/server.key (RSA) for localhost and 127.0.0.1 signed by it; other_ca.pem unrelated."""
    script = """
set -e
printf 'basicConstraints=CA:FALSE\\nsubjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > leaf.ext
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
openssl req -x509 -new -key ca.key -subj /CN=interop-ca -days 2 -out ca.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other_ca.key
openssl req -x509 -new -key other_ca.key -subj /CN=other-ca -days 2 -out other_ca.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server.key
openssl req -new -key server.key -subj /CN=localhost -out server.csr
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile leaf.ext -out server.pem
"""
    subprocess.run(["sh", "-c", script], cwd=tmp, check=True, capture_output=True, timeout=60)


def tls_options(tmp, ca):
    options = TlsContextOptions()
    options.override_default_trust_store_from_path(None, tmp + "/" + ca)
    connection_options = ClientTlsContext(options).new_connection_options()
    connection_options.set_server_name("localhost")
    return connection_options


def connect(server, tmp, ca="ca.pem"):
    events = ConnectionEvents()
    future = ClientConnection.connect(handler=events, host_name="127.0.0.1", port=server.port,
                                      tls_connection_options=tls_options(tmp, ca))
    return events, future


def tls_variants(fn, loop_choices=None):
    for loops in loop_choices or loop_counts():
        def run(loops=loops):
            with TempDir() as tmp:
                make_certs(tmp)
                server = Server("echo_rpc_server", "--port", "0", "--loops", str(loops),
                                "--tls-cert", tmp + "/server.pem", "--tls-key", tmp + "/server.key")
                try:
                    fn(server, tmp)
                except BaseException:
                    server.kill()
                    print("server output:\n" + server.output())
                    raise
                server.stop()
        TESTS["%s[tls,loops=%d]" % (fn.__name__, loops)] = run
    return fn


@tls_variants
def echo_over_tls(server, tmp):
    events, future = connect(server, tmp)
    result(future, "TLS connection")
    assert handshake(events) & MessageFlag.CONNECTION_ACCEPTED
    payloads = [b"x" * 20000, b"", b"tls" * 7]
    for payload in payloads:
        stream_events = StreamEvents()
        stream = events.connection.new_stream(stream_events)
        headers = [Header.from_string("note", "over tls")]
        result(stream.activate(operation="echo", headers=headers, payload=payload,
                               message_type=MessageType.APPLICATION_MESSAGE), "activate")
        message_type, _, echoed_headers, echoed = get(stream_events.messages, "echo")
        assert message_type == MessageType.APPLICATION_MESSAGE, message_type
        assert echoed == payload, (len(echoed), len(payload))
        assert header_map(echoed_headers).get("note") == "over tls"
        result(stream.send_message(message_type=MessageType.APPLICATION_MESSAGE, flags=MessageFlag.TERMINATE_STREAM),
               "TERMINATE_STREAM written")
        result(stream_events.closed, "stream closed")
    close(events)
    server.wait_for_line(r"connection 1: shut down")


def untrusted_server_certificate_fails_setup(server, tmp):
    """s2n holds its failure back for its blinding delay (10-30 s) before the client hears of it; our
    server gives up on the silent client after its 10 s negotiation timeout."""
    _, future = connect(server, tmp, ca="other_ca.pem")
    error = exception(future, "failed TLS connection", timeout=45)
    assert getattr(error, "name", None) == "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE", error
    server.wait_for_line(r"incoming connection failed: AWS_IO_TLS_NEGOTIATION_TIMEOUT")


tls_variants(untrusted_server_certificate_fails_setup, loop_choices=[1])


@tls_variants
def c_client_over_tls(server, tmp):
    """examples/echo_rpc_client with --tls-ca: the whole conversation over TLS (with --upstream/--abi, one side
    may be upstream's s2n build)."""
    from test_c_client import run_client
    run_client("--port", str(server.port), "--tls-ca", tmp + "/ca.pem", "--streams", "3", "--responses", "4")
    server.wait_for_line(r"connection 1: shut down")
