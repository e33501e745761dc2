"""awsiotsdk's GreengrassCoreIPCClientV2 (awscrt's RPC client underneath) against examples/ipc_server.

The client finds the server the way a Greengrass component does: the socket path in
AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT and the auth token in SVCUID."""
import os
import queue

from awscrt.exceptions import AwsCrtError
from awsiot.eventstreamrpc import AccessDeniedError
from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2
from awsiot.greengrasscoreipc.model import (BinaryMessage, JsonMessage, PublishMessage, ResourceNotFoundError,
                                            SubscriptionResponseMessage)

from harness import Server, TempDir, get, loop_counts, result

TESTS = {}
TOKEN = "interop-token-0123456789"


def ipc_client(path, token=TOKEN):
    os.environ["AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT"] = path
    os.environ["SVCUID"] = token
    return GreengrassCoreIPCClientV2()


def variants(fn):
    for loops in loop_counts():
        def run(loops=loops):
            with TempDir() as tmp:
                path = tmp + "/ipc.sock"
                server = Server("ipc_server", "--unix", path, "--token", TOKEN, "--loops", str(loops))
                try:
                    fn(server, path)
                except BaseException:
                    server.kill()
                    print("server output:\n" + server.output())
                    raise
                server.stop()
        TESTS["%s[loops=%d]" % (fn.__name__, loops)] = run
    return fn


def close(client):
    result(client.close(), "client close")


@variants
def good_token_connects(server, path):
    client = ipc_client(path)
    server.wait_for_line(r"connection 1: CONNECT with the right token -> CONNECT_ACK accepted")
    close(client)
    server.wait_for_line(r"connection 1: shut down")


@variants
def bad_token_is_rejected(server, path):
    # The SDK reports AccessDeniedError if it handles the rejected CONNECT_ACK before it sees the server
    # close the socket, and the socket error otherwise; the server's log tells which ACK went out.
    try:
        client = ipc_client(path, token="not-the-token")
    except AccessDeniedError:
        pass
    except AwsCrtError as e:
        assert e.name == "AWS_IO_SOCKET_CLOSED", e
    else:
        close(client)
        raise AssertionError("a bad token was accepted")
    server.wait_for_line(r"connection 1: CONNECT bad token -> CONNECT_ACK rejected")
    server.wait_for_line(r"connection 1: shut down")


@variants
def publish_reaches_every_subscriber(server, path):
    subscribers = [ipc_client(path) for _ in range(3)]  # three connections, like three components
    publisher = ipc_client(path)
    events = [queue.Queue() for _ in subscribers]
    operations = []
    for client, q in zip(subscribers, events):
        response, operation = client.subscribe_to_topic(topic="test/topic", on_stream_event=q.put)
        assert response.topic_name == "test/topic", response
        operations.append(operation)
    # a subscriber of another topic hears nothing
    other = queue.Queue()
    _, other_operation = subscribers[0].subscribe_to_topic(topic="other/topic", on_stream_event=other.put)

    publisher.publish_to_topic(topic="test/topic",
                               publish_message=PublishMessage(json_message=JsonMessage(message={"n": 1, "s": "hi"})))
    publisher.publish_to_topic(topic="test/topic",
                               publish_message=PublishMessage(binary_message=BinaryMessage(message=b"\x00\x01bin")))
    for q in events:
        first = get(q, "the JSON event")
        assert isinstance(first, SubscriptionResponseMessage), first
        assert first.json_message.message == {"n": 1, "s": "hi"}, first
        assert first.json_message.context.topic == "test/topic", first
        second = get(q, "the binary event")
        assert second.binary_message.message == b"\x00\x01bin", second
        assert second.binary_message.context.topic == "test/topic", second
    assert other.empty()
    server.wait_for_lines(r'publish to "test/topic" -> 3 subscriber', 2)

    # closing one subscription leaves the others
    result(operations[0].close(), "subscription closed")
    server.wait_for_line(r"closed, unsubscribed")
    publisher.publish_to_topic(topic="test/topic",
                               publish_message=PublishMessage(json_message=JsonMessage(message={"n": 2})))
    for q in events[1:]:
        assert get(q, "the event after one unsubscribed").json_message.message == {"n": 2}
    server.wait_for_line(r'publish to "test/topic" -> 2 subscriber')
    assert events[0].empty()
    result(other_operation.close(), "other subscription closed")
    for client in subscribers + [publisher]:
        close(client)
    for i in range(1, 5):
        server.wait_for_line(r"connection %d: shut down" % i)


@variants
def configuration_read(server, path):
    client = ipc_client(path)
    whole = client.get_configuration(component_name="MyComponent")
    assert whole.component_name == "MyComponent", whole
    assert whole.value == {"greeting": "hello from ipc_server", "limits": {"maxItems": 3, "ratio": 0.5},
                           "tags": ["a", "b"]}, whole.value
    limits = client.get_configuration(key_path=["limits"])
    assert limits.value == {"maxItems": 3, "ratio": 0.5}, limits.value
    leaf = client.get_configuration(key_path=["limits", "maxItems"])
    assert leaf.value == {"maxItems": 3}, leaf.value
    try:
        client.get_configuration(key_path=["nope"])
    except ResourceNotFoundError as e:
        assert e.resource_name == "nope", e
    else:
        raise AssertionError("a missing key was found")
    close(client)
