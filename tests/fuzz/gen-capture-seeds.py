#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-capture-seeds.py - write the seed corpus of fuzz_pcapw
# (tests/fuzz/corpus/pcapw/). Script format: see tests/fuzz/fuzz_pcapw.c.
# Run from anywhere: python3 tests/fuzz/gen-capture-seeds.py
import os
import struct

top = os.path.dirname(os.path.abspath(__file__))


def head(ng, snaplen):
    return bytes([1 if ng else 0]) + struct.pack("<I", snaplen)


def idb(name):
    return b"\x00" + bytes([len(name)]) + name


def frame(direction, ifid, ts, length, comment=b"", extra=0):
    return (b"\x01" + bytes([direction, ifid]) + struct.pack("<Q", ts) +
            struct.pack("<H", length & 0xffff) + bytes([(length >> 16) & 1, len(comment)]) +
            struct.pack("<H", extra) + comment)


def isb(recv, drop):
    return b"\x02" + struct.pack("<QQ", recv, drop)


seeds = {
    "pcap-basic": head(0, 262144) + frame(0, 0, 1700000000123456789, 60),
    "pcap-snap": head(0, 14) + frame(1, 0, 5, 1514) + frame(2, 0, 6, 0) + frame(0, 0, 7, 13),
    "pcap-snap1": head(0, 1) + frame(0, 0, 2**64 - 1, 1),
    "ng-basic": head(1, 0) + idb(b"cable") + frame(2, 0, 1, 60) + frame(1, 0, 2, 61),
    "ng-padding": head(1, 0) + idb(b"a") + idb(b"abcd") + idb(b"abcde") +
    frame(1, 1, 3, 1, b"c") + frame(2, 2, 4, 2, b"co") + frame(1, 0, 5, 3, b"com") +
    frame(0, 0, 6, 4, b"comm"),
    "ng-snaplen": head(1, 64) + idb(b"p") + frame(1, 0, 1, 1514) + frame(2, 0, 2, 64) +
    frame(2, 0, 3, 65) + frame(0, 0, 4, 0),
    "ng-jumbo": head(1, 0) + idb(b"") + frame(1, 0, 2**63, 9234) + frame(2, 0, 0, 65535) +
    frame(1, 0, 1, 70000),
    "ng-baddir": head(1, 0) + idb(b"x") + frame(3, 0, 1, 60) + frame(1, 0, 1, 60),
    "ng-isb": head(1, 0) + idb(b"x") + frame(1, 0, 1, 60) + isb(10, 2**64 - 1),
    "ng-nul-comment": head(1, 0) + idb(b"x\x00y") + frame(1, 0, 1, 60, b"a\x00b"),
    "ng-long-comment": head(1, 0) + idb(bytes(range(1, 256))) +
    frame(2, 0, 1, 60, bytes(range(1, 256))),
    "cut-copies": head(1, 32) + idb(b"p1") + frame(1, 0, 1, 60, b"", 40) +
    frame(2, 0, 2, 0, b"x", 65535) + head(0, 0)[:0] + frame(1, 0, 3, 70000, b"", 1),
    "pcap-cut": head(0, 16) + frame(0, 0, 1, 20, b"", 80),
    "truncated": head(1, 7) + b"\x01\x02",
}

d = os.path.join(top, "corpus", "pcapw")
os.makedirs(d, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
