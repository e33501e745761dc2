"""awscrt's event-stream RPC client (upstream's C client inside the Python package) against
examples/echo_rpc_server, over TCP on 127.0.0.1 and over a Unix socket."""
import queue
import socket
import struct
import zlib
from concurrent.futures import Future

from awscrt.eventstream import Header, HeaderType
from awscrt.eventstream.rpc import (ClientConnection, ClientConnectionHandler, ClientContinuationHandler,
                                    MessageFlag, MessageType)
from awscrt.io import SocketDomain, SocketOptions

from harness import Server, TempDir, get, loop_counts, result

TESTS = {}


class ConnectionEvents(ClientConnectionHandler):
    def __init__(self):
        self.connection = None
        self.protocol_messages = queue.Queue()
        self.shutdown = Future()

    def on_connection_setup(self, connection, error, **kwargs):
        self.connection = connection

    def on_connection_shutdown(self, reason, **kwargs):
        self.shutdown.set_result(reason)

    def on_protocol_message(self, headers, payload, message_type, flags, **kwargs):
        self.protocol_messages.put((message_type, flags, headers, payload))


class StreamEvents(ClientContinuationHandler):
    def __init__(self):
        self.messages = queue.Queue()
        self.closed = Future()

    def on_continuation_message(self, headers, payload, message_type, flags, **kwargs):
        self.messages.put((message_type, flags, headers, payload))

    def on_continuation_closed(self, **kwargs):
        self.closed.set_result(True)


def start_server(transport, tmp, loops=1):
    if transport == "unix":
        path = tmp + "/echo.sock"
        return Server("echo_rpc_server", "--unix", path, "--loops", str(loops)), path, 0
    server = Server("echo_rpc_server", "--port", "0", "--loops", str(loops))
    return server, "127.0.0.1", server.port


def open_connection(transport, host, port):
    options = SocketOptions()
    if transport == "unix":
        options.domain = SocketDomain.Local
    events = ConnectionEvents()
    result(ClientConnection.connect(handler=events, host_name=host, port=port, socket_options=options),
           "socket connection")
    return events


def handshake(events, payload=b"hello", headers=None):
    result(events.connection.send_protocol_message(message_type=MessageType.CONNECT, payload=payload,
                                                   headers=headers or []), "CONNECT written")
    message_type, flags, _, _ = get(events.protocol_messages, "CONNECT_ACK")
    assert message_type == MessageType.CONNECT_ACK, message_type
    return flags


def connected(transport, host, port):
    events = open_connection(transport, host, port)
    flags = handshake(events)
    assert flags & MessageFlag.CONNECTION_ACCEPTED, flags
    return events


def close(events):
    events.connection.close()
    assert result(events.shutdown, "connection shutdown") is None


def header_map(headers):
    return {h.name: h.value for h in headers}


def variants(fn):
    """Registers fn for TCP and Unix sockets, one and two server event loops."""
    for transport in ("tcp", "unix"):
        for loops in loop_counts():
            def run(transport=transport, loops=loops):
                with TempDir() as tmp:
                    server, host, port = start_server(transport, tmp, loops)
                    try:
                        fn(server, transport, host, port)
                    except BaseException:
                        server.kill()
                        print("server output:\n" + server.output())
                        raise
                    server.stop()
            TESTS["%s[%s,loops=%d]" % (fn.__name__, transport, loops)] = run
    return fn


@variants
def echo_on_concurrent_streams(server, transport, host, port):
    events = connected(transport, host, port)
    count = 4
    streams = [StreamEvents() for _ in range(count)]
    continuations = [events.connection.new_stream(s) for s in streams]
    flushes = []
    for i, c in enumerate(continuations):
        flushes.append(c.activate(operation="echo", message_type=MessageType.APPLICATION_MESSAGE,
                                  headers=[Header.from_string("x-name", "stream-%d" % i), Header.from_int32("x-n", i),
                                           Header.from_bool("x-flag", i % 2 == 0)],
                                  payload=b"first message of %d" % i))
    for f in flushes:
        result(f, "activation written")
    for i, s in enumerate(streams):
        message_type, flags, headers, payload = get(s.messages, "echo on stream %d" % i)
        assert message_type == MessageType.APPLICATION_MESSAGE, message_type
        assert payload == b"first message of %d" % i, payload
        got = header_map(headers)
        assert got["x-name"] == "stream-%d" % i and got["x-n"] == i and got["x-flag"] == (i % 2 == 0), got
        assert flags & MessageFlag.TERMINATE_STREAM == 0
    # a second round on every stream, then the client terminates each one
    for i, c in enumerate(continuations):
        result(c.send_message(message_type=MessageType.APPLICATION_MESSAGE, payload=b"x" * (1000 * (i + 1))),
               "second message written")
    for i, s in enumerate(streams):
        _, _, _, payload = get(s.messages, "second echo on stream %d" % i)
        assert payload == b"x" * (1000 * (i + 1)), len(payload)
    for c in continuations:
        result(c.send_message(message_type=MessageType.APPLICATION_MESSAGE, flags=MessageFlag.TERMINATE_STREAM),
               "TERMINATE_STREAM written")
    for s in streams:
        result(s.closed, "stream closed")
    for c in continuations:
        assert c.is_closed()
    for i in range(count):
        server.wait_for_line(r"stream %d: TERMINATE_STREAM from the client" % (i + 1))
        server.wait_for_line(r"stream %d: closed" % (i + 1))
    close(events)
    server.wait_for_line(r"connection 1: shut down")


@variants
def server_streamed_responses_then_server_terminates(server, transport, host, port):
    events = connected(transport, host, port)
    stream = StreamEvents()
    continuation = events.connection.new_stream(stream)
    result(continuation.activate(operation="stream", message_type=MessageType.APPLICATION_MESSAGE, payload=b"5"),
           "activation")
    for i in range(1, 6):
        message_type, flags, _, payload = get(stream.messages, "response %d" % i)
        assert message_type == MessageType.APPLICATION_MESSAGE
        assert payload == b"response %d of 5" % i, payload
        assert bool(flags & MessageFlag.TERMINATE_STREAM) == (i == 5), (i, flags)
    result(stream.closed, "stream closed by the server")
    assert stream.messages.empty()
    server.wait_for_line(r"connection 1 stream 1: closed")
    close(events)


@variants
def ping_is_answered(server, transport, host, port):
    events = connected(transport, host, port)
    for i in range(3):
        result(events.connection.send_protocol_message(message_type=MessageType.PING, payload=b"ping %d" % i,
                                                       headers=[Header.from_string("x-ping", str(i))]), "PING")
        message_type, _, headers, payload = get(events.protocol_messages, "PING_RESPONSE")
        assert message_type == MessageType.PING_RESPONSE, message_type
        assert payload == b"ping %d" % i, payload
        assert header_map(headers)["x-ping"] == str(i)
    close(events)


@variants
def rejected_connect(server, transport, host, port):
    for how in ("payload", "header"):
        events = open_connection(transport, host, port)
        if how == "payload":
            flags = handshake(events, payload=b"reject")
        else:
            flags = handshake(events, payload=b"", headers=[Header.from_string("x-auth", "reject")])
        assert not flags & MessageFlag.CONNECTION_ACCEPTED, flags
        # the server closes a rejected connection once the CONNECT_ACK is out
        result(events.shutdown, "shutdown after a rejected CONNECT")
    server.wait_for_lines(r"connection \d: CONNECT .* -> CONNECT_ACK rejected", 2)
    server.wait_for_line(r"connection 2: shut down")
    assert server.count_lines(r"CONNECT_ACK accepted") == 0


@variants
def protocol_error_closes_the_connection(server, transport, host, port):
    events = connected(transport, host, port)
    # an application message on stream 0 is a protocol violation the server must answer with PROTOCOL_ERROR
    result(events.connection.send_protocol_message(message_type=MessageType.APPLICATION_MESSAGE, payload=b"bad"),
           "bad message written")
    message_type, _, _, _ = get(events.protocol_messages, "PROTOCOL_ERROR")
    assert message_type == MessageType.PROTOCOL_ERROR, message_type
    result(events.shutdown, "shutdown after the protocol error")
    server.wait_for_line(r"connection 1: shut down \(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR\)")


@variants
def server_initiated_close(server, transport, host, port):
    events = connected(transport, host, port)
    stream = StreamEvents()
    continuation = events.connection.new_stream(stream)
    result(continuation.activate(operation="close", message_type=MessageType.APPLICATION_MESSAGE), "activation")
    reason = result(events.shutdown, "shutdown initiated by the server")
    assert reason is not None  # not closed by us
    result(stream.closed, "stream closed with its connection")
    server.wait_for_line(r"connection 1: shut down")


# ---- raw bytes: what awscrt's client refuses to send ---------------------------------------------------------

def encode(headers, payload=b""):
    """One event-stream message; headers are (name, int32) pairs."""
    blob = b"".join(struct.pack(">B", len(n)) + n.encode() + struct.pack(">Bi", 4, v) for n, v in headers)
    total = 12 + len(blob) + len(payload) + 4
    prelude = struct.pack(">II", total, len(blob))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + blob + payload
    return body + struct.pack(">I", zlib.crc32(body))


def decode_headers(message):
    total, headers_len = struct.unpack(">II", message[:8])
    blob, out, i = message[12:12 + headers_len], {}, 0
    while i < len(blob):
        n = blob[i]
        name = blob[i + 1:i + 1 + n].decode()
        kind = blob[i + 1 + n]
        i += 2 + n
        if kind == HeaderType.INT32:
            out[name] = struct.unpack(">i", blob[i:i + 4])[0]
            i += 4
        elif kind == HeaderType.STRING:
            length = struct.unpack(">H", blob[i:i + 2])[0]
            out[name] = blob[i + 2:i + 2 + length].decode()
            i += 2 + length
        else:
            raise AssertionError("unexpected header type %d" % kind)
    return out


def read_all_until_closed(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


@variants
def raw_ping_before_connect_is_a_protocol_error(server, transport, host, port):
    family = socket.AF_UNIX if transport == "unix" else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(host if transport == "unix" else (host, port))
        sock.sendall(encode([(":message-type", int(MessageType.PING)), (":message-flags", 0), (":stream-id", 0)]))
        reply = read_all_until_closed(sock)
    assert len(reply) >= 16, reply
    headers = decode_headers(reply)
    assert headers[":message-type"] == MessageType.PROTOCOL_ERROR, headers
    server.wait_for_line(r"connection 1: shut down \(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR\)")
