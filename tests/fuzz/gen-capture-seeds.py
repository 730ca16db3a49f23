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


# fuzz_capreq: requests, replies, headers (capture/capreq.h)
def request(port, vlan, snap, path, descr):
    sun = struct.pack("=H", 1) + path.ljust(108, b"\0")
    return (struct.pack("<III", 0xFEEDFACE, 3, 2 | port << 8) + sun +
            struct.pack("<HHI", 1, vlan, snap) + descr)


def reply(path, hdrlen=24):
    return struct.pack("=H", 1) + path.ljust(108, b"\0") + struct.pack("<IHH", 0x50414356, 1, hdrlen)


def header(extra, d, vlan, port, seq, orig, ts, frame):
    return bytes([extra]) + struct.pack("<BBHIIIQ", 1, d, vlan, port, seq, orig, ts) + \
        bytes(extra) + frame


capreq = {
    "req-all": request(0, 0xFFFF, 0, b"/tmp/sw/.1-0c", b"vdecapture PID=1"),
    "req-port": request(7, 10, 96, b"/tmp/sw/.1-0c", b""),
    "req-max": request(0xFFFFFF, 4095, 2**32 - 1, b"/" + b"a" * 106, b"d" * 120),
    "req-long": request(1, 1, 1, b"/x", b"d" * 121),
    "req-vlan4096": request(1, 4096, 0, b"/x", b"x"),
    "req-nopath": request(1, 1, 0, b"", b"x"),
    "req-ctl": request(1, 1, 0, b"/x", b"a\x01\x00b"),
    "reply": reply(b"/tmp/sw/cap.7"),
    "reply-hdr32": reply(b"/tmp/sw/cap.7", 32) + b"x",
    "reply-bare": reply(b"/tmp/sw/cap.7")[:110],
    "hdr-in": header(0, 1, 0, 1, 0, 60, 10**18, bytes(60)),
    "hdr-cut": header(0, 2, 5, 3, 2**32 - 1, 100, 1, bytes(60)),
    "hdr-extra": header(8, 1, 0xFFFF, 0, 7, 0, 0, b""),
    "hdr-long": header(0, 1, 0, 1, 0, 10, 0, bytes(11)),
    "hdr-dir3": header(0, 3, 0, 1, 0, 60, 0, bytes(60)),
}
d = os.path.join(top, "corpus", "capreq")
os.makedirs(d, exist_ok=True)
for name, data in capreq.items():
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
