"""Helpers shared by the interop tests: start/stop the C example servers, wait on futures and queues.

The example binaries come from INTEROP_BIN_DIR (run.py --bin); echo_rpc_client from INTEROP_CLIENT_BIN_DIR
(run.py --client-bin) if set.
Every wait is bounded; a test that blocks anyway is killed by run.py's per-test timeout.
"""
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading

WAIT = 10.0  # seconds any single expected event may take


def loop_counts():
    """Server event-loop counts to test, from INTEROP_LOOPS (default "1 2")."""
    return [int(n) for n in os.environ.get("INTEROP_LOOPS", "1 2").split()]


def bin_path(name):
    where = os.environ.get("INTEROP_CLIENT_BIN_DIR") if name == "echo_rpc_client" else None
    path = os.path.join(where or os.environ["INTEROP_BIN_DIR"], name)
    if not os.access(path, os.X_OK):
        raise AssertionError("missing executable " + path)
    return path


def c_env():
    """Environment of the C programs: INTEROP_LD_LIBRARY_PATH, if set, picks the library they load at run time
    (e.g. programs built on upstream's headers and libraries, run on ours)."""
    env = dict(os.environ)
    if os.environ.get("INTEROP_LD_LIBRARY_PATH"):
        env["LD_LIBRARY_PATH"] = os.environ["INTEROP_LD_LIBRARY_PATH"]
    return env


def valgrind_prefix():
    """INTEROP_VALGRIND=1 runs the C programs under valgrind; any error fails the test through the exit code."""
    if not os.environ.get("INTEROP_VALGRIND"):
        return []
    return ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite"]


class Server:
    """A C example server in a child process; stdout lines are collected as they arrive."""

    def __init__(self, name, *args):
        self.name = name
        self.lines = []
        self._new_line = threading.Condition()
        self.proc = subprocess.Popen([*valgrind_prefix(), bin_path(name), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=c_env())
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        first = self.wait_for_line(r"^listening on ")
        match = re.search(r"127\.0\.0\.1:(\d+)", first)
        self.port = int(match.group(1)) if match else 0

    def _read(self):
        for line in self.proc.stdout:
            with self._new_line:
                self.lines.append(line.rstrip("\n"))
                self._new_line.notify_all()
        with self._new_line:
            self.lines.append(None)  # EOF marker
            self._new_line.notify_all()

    def wait_for_line(self, pattern, timeout=WAIT):
        """The first output line matching `pattern` (regex), waiting for it if need be."""
        return self.wait_for_lines(pattern, 1, timeout)[0]

    def wait_for_lines(self, pattern, count, timeout=WAIT):
        """The first `count` output lines matching `pattern`, waiting for them if need be
        (the reader thread may lag behind what the server has already printed)."""
        regex = re.compile(pattern)

        def found():
            return [line for line in self.lines if line is not None and regex.search(line)]

        with self._new_line:
            if not self._new_line.wait_for(lambda: len(found()) >= count or None in self.lines, timeout):
                raise AssertionError("%s: not %d line(s) matching %r in %.0f s; output so far:\n%s"
                                     % (self.name, count, pattern, timeout, self.output()))
            lines = found()
            if len(lines) < count:
                raise AssertionError("%s exited without printing %d line(s) matching %r; output:\n%s"
                                     % (self.name, count, pattern, self.output()))
            return lines[:count]

    def count_lines(self, pattern):
        """How many lines matching `pattern` arrived so far (use after waiting for something later)."""
        regex = re.compile(pattern)
        with self._new_line:
            return sum(1 for line in self.lines if line is not None and regex.search(line))

    def output(self):
        return "\n".join(line for line in self.lines if line is not None)

    def stop(self):
        """SIGTERM, then require a clean exit: every connection closed, listener gone, no bytes leaked."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("%s did not exit after SIGTERM; output:\n%s" % (self.name, self.output()))
        self._reader.join(WAIT)
        if code != 0:
            raise AssertionError("%s exited with %d; output:\n%s" % (self.name, code, self.output()))
        if "bytes still allocated at exit: 0" not in self.output():
            raise AssertionError("%s: no clean leak check; output:\n%s" % (self.name, self.output()))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class TempDir:
    """A mkdtemp directory for Unix sockets, removed on exit."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="es-interop-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def get(q, what, timeout=WAIT):
    """Next item of a queue.Queue, or a clear failure."""
    try:
        return q.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError("timed out waiting for " + what) from None


def result(future, what, timeout=WAIT):
    """Result of a concurrent.futures.Future (its exception propagates), bounded in time."""
    try:
        return future.result(timeout)
    except TimeoutError:
        raise AssertionError("timed out waiting for " + what) from None


def exception(future, what, timeout=WAIT):
    try:
        return future.exception(timeout)
    except TimeoutError:
        raise AssertionError("timed out waiting for " + what) from None
