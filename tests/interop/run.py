"""Runs the interop tests, each in its own process with a time limit.

    python run.py --bin DIR [--timeout SECONDS] [SUBSTRING ...]

DIR holds the example binaries (echo_rpc_server, echo_rpc_client, ipc_server), built against
upstream's libraries or ours; --client-bin DIR2 takes echo_rpc_client from elsewhere, so a client
built on one library can be tested against servers built on the other. Each test_*.py module next to this file exports TESTS, a dict of
name -> function; a SUBSTRING selects the tests whose name contains it. Ends with a plain
"N passed, N failed" line; exits non-zero if anything failed.
"""
import argparse
import glob
import importlib
import os
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def modules():
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "test_*.py")))


def run_one(module, name):
    tests = importlib.import_module(module).TESTS
    try:
        tests[name]()
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.environ.get("INTEROP_BIN_DIR"), help="directory of the example binaries")
    parser.add_argument("--client-bin", help="directory of echo_rpc_client if not --bin (e.g. one built on upstream)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("--one", nargs=2, metavar=("MODULE", "TEST"), help=argparse.SUPPRESS)
    parser.add_argument("select", nargs="*")
    args = parser.parse_args()
    if not args.bin:
        parser.error("--bin DIR or INTEROP_BIN_DIR is required")
    os.environ["INTEROP_BIN_DIR"] = os.path.abspath(args.bin)
    if args.client_bin:
        os.environ["INTEROP_CLIENT_BIN_DIR"] = os.path.abspath(args.client_bin)
    sys.path.insert(0, HERE)

    if args.one:
        sys.exit(run_one(*args.one))

    passed, failed = 0, []
    for module in modules():
        for name in importlib.import_module(module).TESTS:
            if args.select and not any(s in "%s.%s" % (module, name) for s in args.select):
                continue
            start = time.monotonic()
            cmd = [sys.executable, os.path.abspath(__file__), "--bin", args.bin, "--one", module, name]
            if args.client_bin:
                cmd[4:4] = ["--client-bin", args.client_bin]
            # its own process group, so a timeout also takes down the servers it started
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                output, _ = proc.communicate(timeout=args.timeout)
                ok = proc.returncode == 0
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                output, _ = proc.communicate()
                ok, output = False, output + "\nTIMEOUT after %.0f s" % args.timeout
            took = time.monotonic() - start
            if ok:
                passed += 1
                print("PASS %s.%s (%.1f s)" % (module, name, took), flush=True)
            else:
                failed.append("%s.%s" % (module, name))
                print("FAIL %s.%s (%.1f s)\n%s" % (module, name, took, output.rstrip()), flush=True)
    for name in failed:
        print("failed: " + name)
    print("%d passed, %d failed" % (passed, len(failed)))
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
