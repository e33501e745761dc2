#!/usr/bin/env python3
"""Checks the built library's dynamic exports against shared/abi/symbols.tsv.

usage: check_exports.py symbols.tsv libaws-c-event-stream.so

Prints coverage per library and tier. Fails if an exported data symbol has the
wrong size, or if a symbol of a (library, tier) in REQUIRED is missing.
"""
import collections
import subprocess
import sys

# (library, tier) pairs that must be complete: a library joins once its issue lands.
REQUIRED = {("aws-checksums", "1"), ("aws-c-common", "1"), ("aws-c-common", "2"), ("aws-c-io", "1")}
# Event-stream messages/headers/decoder and the RPC header-name data symbols have
# landed; the RPC functions and the channel handler not yet.
def required_event_stream(name):
    if name.startswith("aws_event_stream_rpc_") and name.endswith("_name"):
        return True
    return "_rpc_" not in name and "_channel_handler_" not in name

symbols_path, lib = sys.argv[1:3]
with open(symbols_path) as f:
    wanted = [line.rstrip("\n").split("\t") for line in f][1:]
nm = subprocess.run(["nm", "-D", "--defined-only", "-S", lib], check=True, capture_output=True, text=True).stdout
exported = {}
for line in nm.splitlines():
    parts = line.split()
    if len(parts) == 4:
        _, size, kind, name = parts
        exported[name] = (kind, int(size, 16))
    elif len(parts) == 3:
        _, kind, name = parts
        exported[name] = (kind, 0)

DATA_SIZES = {"g_aws_channel_max_fragment_size": 8}
total = collections.Counter()
have = collections.Counter()
missing = collections.defaultdict(list)
bad = []
for name, library, kind, tier in wanted:
    key = (library, tier)
    if library == "aws-c-event-stream" and not required_event_stream(name):
        key = (library, tier + " (RPC, not yet)")
    total[key] += 1
    got = exported.get(name)
    if got is None:
        missing[key].append(name)
        continue
    if kind == "function" and got[0] != "T":
        bad.append(f"{name}: exported as {got[0]}, want T")
    if kind == "data":
        size = DATA_SIZES.get(name, 16)
        if got[0] not in "DBR" or got[1] != size:
            bad.append(f"{name}: exported as {got[0]} size {got[1]}, want D/B/R size {size}")
    have[key] += 1

for key in sorted(total):
    library, tier = key
    print(f"{library:20} tier {tier}: {have[key]:3}/{total[key]:3} exported")
failed = bool(bad)
for key in sorted(missing):
    library, tier = key
    if (library, tier) in REQUIRED or (library == "aws-c-event-stream" and "RPC" not in tier):
        failed = True
        print(f"MISSING {library} tier {tier}: {' '.join(missing[key])}")
for b in bad:
    print("BAD", b)
print("exports check", "FAILED" if failed else "passed")
sys.exit(1 if failed else 0)
