#!/usr/bin/env python3
"""Checks the built library's dynamic exports against shared/abi/symbols.tsv
and shared/abi/exports-all.tsv.

usage: check_exports.py [--require-all] symbols.tsv libaws-c-event-stream.so [exports-all.tsv]

Prints coverage per library and tier (symbols.tsv), then per library against
exports-all.tsv (every function and data object upstream's four libraries
export; default: next to symbols.tsv), naming what is missing. Fails if an
exported data symbol has the wrong size, if a symbol of a (library, tier) in
REQUIRED is missing, if any exports-all.tsv symbol of a library in
COMPLETE_LIBRARIES is missing, and, with --require-all, if any exports-all.tsv
symbol is missing.
"""
import collections
import os
import subprocess
import sys

# (library, tier) pairs that must be complete: a library joins once its issue lands.
REQUIRED = {("aws-checksums", "1"), ("aws-c-common", "1"), ("aws-c-common", "2"), ("aws-c-io", "1")}
# Libraries whose every upstream export (exports-all.tsv) must be present.
COMPLETE_LIBRARIES = {"aws-checksums", "aws-c-common", "aws-c-io", "aws-c-event-stream"}
# Event-stream messages/headers/decoder and the RPC header-name data symbols have
# landed; the RPC functions and the channel handler not yet.
def required_event_stream(name):
    if name.startswith("aws_event_stream_rpc_") and name.endswith("_name"):
        return True
    return "_rpc_" not in name and "_channel_handler_" not in name

args = [a for a in sys.argv[1:] if a != "--require-all"]
require_all = len(args) != len(sys.argv) - 1
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

# Sizes of upstream's exported data objects (nm -S); 16 unless listed.
DATA_SIZES = {
    "g_aws_channel_max_fragment_size": 8,
    "g_pipeline_logger_owned_vtable": 32,
    "aws_cli_optarg": 8,
    "aws_cli_optind": 4,
    "aws_cli_positional_arg": 8,
}


def check_data(name):
    got = exported[name]
    size = DATA_SIZES.get(name, 16)
    if got[0] not in "DBR" or got[1] != size:
        return f"{name}: exported as {got[0]} size {got[1]}, want D/B/R size {size}"
    return None


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
    if kind == "data" and check_data(name):
        bad.append(check_data(name))
    have[key] += 1

for key in sorted(total):
    library, tier = key
    print(f"{library:20} tier {tier}: {have[key]:3}/{total[key]:3} exported")
failed = False
for key in sorted(missing):
    library, tier = key
    if (library, tier) in REQUIRED or (library == "aws-c-event-stream" and "RPC" not in tier):
        failed = True
        print(f"MISSING {library} tier {tier}: {' '.join(missing[key])}")
# Everything upstream exports: reported per library; required for
# COMPLETE_LIBRARIES, and for all with --require-all.
if os.path.exists(exports_all_path):
    with open(exports_all_path) as f:
        every = [line.rstrip("\n").split("\t") for line in f][1:]
    all_total = collections.Counter()
    all_missing = collections.defaultdict(list)
    for name, library, kind in every:
        all_total[library] += 1
        if name not in exported:
            all_missing[library].append(name)
        elif kind == "data" and check_data(name) and check_data(name) not in bad:
            bad.append(check_data(name))
    for library in sorted(all_total):
        have_n = all_total[library] - len(all_missing[library])
        print(f"{library:20} exports-all: {have_n:3}/{all_total[library]:3} exported")
    for library in sorted(all_missing):
        names = all_missing[library]
        if not names:
            continue
        shown = " ".join(names[:40]) + (f" ... (+{len(names) - 40})" if len(names) > 40 else "")
        required = require_all or library in COMPLETE_LIBRARIES
        print(f"{'MISSING' if required else 'not yet'} {library} (exports-all): {shown}")
        failed = failed or required
else:
    print(f"exports-all: {exports_all_path} not found, skipped")
for b in bad:
    print("BAD", b)
failed = failed or bool(bad)
print("exports check", "FAILED" if failed else "passed")
sys.exit(1 if failed else 0)
