"""examples/echo_rpc_client (C, built on the library under test) against examples/echo_rpc_server."""
import subprocess

from harness import WAIT, Server, TempDir, bin_path, c_env, loop_counts, valgrind_prefix

TESTS = {}


def run_client(*args):
    proc = subprocess.run([*valgrind_prefix(), bin_path("echo_rpc_client"), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=3 * WAIT, stdin=subprocess.DEVNULL, env=c_env())
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("echo_rpc_client OK"), proc.stdout
    return proc.stdout


def case(name, client_args, expect_lines):
    for transport in ("tcp", "unix"):
        for loops in loop_counts():
            def run(transport=transport, loops=loops):
                with TempDir() as tmp:
                    if transport == "unix":
                        path = tmp + "/echo.sock"
                        server = Server("echo_rpc_server", "--unix", path, "--loops", str(loops))
                        where = ["--unix", path]
                    else:
                        server = Server("echo_rpc_server", "--port", "0", "--loops", str(loops))
                        where = ["--port", str(server.port)]
                    try:
                        run_client(*where, *client_args)
                        for pattern in expect_lines:
                            server.wait_for_line(pattern)
                    except BaseException:
                        server.kill()
                        print("server output:\n" + server.output())
                        raise
                    server.stop()
            TESTS["%s[%s,loops=%d]" % (name, transport, loops)] = run


case("c_client_full_conversation", ["--streams", "5", "--responses", "4"],
     [r"stream 5: TERMINATE_STREAM from the client", r"stream 6: sending 4 responses", r"connection 1: shut down"])
case("c_client_server_close", ["--server-close"],
     [r"closing the connection as asked", r"connection 1: shut down \(clean\)"])
case("c_client_rejected_connect", ["--connect-payload", "reject"],
     [r"CONNECT_ACK rejected", r"connection 1: shut down"])
