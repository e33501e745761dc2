#!/usr/bin/env python3
"""Checks the built library's dynamic exports against shared/abi/symbols.tsv
and shared/abi/exports-all.tsv.

usage: check_exports.py [--require-all[=LIB,...]] symbols.tsv libaws-c-event-stream.so [exports-all.tsv]

Prints coverage per library and tier (symbols.tsv), then per library against
exports-all.tsv (every function and data object upstream's four libraries
export; default: next to symbols.tsv), naming what is missing. Fails if an
exported data symbol has the wrong size, if a symbol of a (library, tier) in
REQUIRED is missing, and, with --require-all, if any exports-all.tsv symbol is
missing (with --require-all=LIB,..., any of those libraries).
"""
import collections
import os
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

args = [a for a in sys.argv[1:] if not a.startswith("--require-all")]
# None: nothing required; an empty set: every library.
require_all = None
for a in sys.argv[1:]:
    if a.startswith("--require-all"):
        require_all = set(filter(None, a.partition("=")[2].split(",")))
symbols_path, lib = args[0:2]
exports_all_path = args[2] if len(args) > 2 else os.path.join(os.path.dirname(symbols_path), "exports-all.tsv")
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

# Everything upstream exports: reported per library; required only with --require-all.
if os.path.exists(exports_all_path):
    with open(exports_all_path) as f:
        every = [line.rstrip("\n").split("\t") for line in f][1:]
    all_total = collections.Counter()
    all_missing = collections.defaultdict(list)
    for name, library, _kind in every:
        all_total[library] += 1
        if name not in exported:
            all_missing[library].append(name)
    for library in sorted(all_total):
        have_n = all_total[library] - len(all_missing[library])
        print(f"{library:20} exports-all: {have_n:3}/{all_total[library]:3} exported")
    for library in sorted(all_missing):
        names = all_missing[library]
        if not names:
            continue
        shown = " ".join(names[:40]) + (f" ... (+{len(names) - 40})" if len(names) > 40 else "")
        required = require_all is not None and (not require_all or library in require_all)
        print(f"{'MISSING' if required else 'not yet'} {library} (exports-all): {shown}")
        failed = failed or required
else:
    print(f"exports-all: {exports_all_path} not found, skipped")
print("exports check", "FAILED" if failed else "passed")
sys.exit(1 if failed else 0)
