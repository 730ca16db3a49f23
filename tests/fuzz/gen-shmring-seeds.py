#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-shmring-seeds.py - seeds for fuzz_shmring (operation
# programs, see the harness's header comment)
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "shmring")
os.makedirs(out, exist_ok=True)


def good(n):            # a well-behaved frame of 4 + n bytes
    return bytes([6]) + struct.pack("<H", n)


def consume(k, cap):
    return bytes([2, k]) + struct.pack("<H", cap // 2)


def peer_write(off8, data):
    return bytes([1]) + struct.pack("<HB", off8, len(data)) + data


seeds = {
    "good-roundtrip": good(60) + good(1500) + consume(8, 2000),
    "good-wrap": (good(2990) * 40 + consume(16, 4000)) * 4,
    "truncate": good(1500) + consume(1, 100),
    "tail-beyond": good(60) + bytes([0]) + struct.pack("<I", 0x7fffffff) + consume(4, 2000),
    "tail-behind": good(60) + bytes([0]) + struct.pack("<I", 0xfffffff8) + consume(4, 2000),
    "zero-len-record": bytes([0]) + struct.pack("<I", 16) + peer_write(0, struct.pack("<II", 0, 0)) + consume(4, 2000),
    "huge-len-record": bytes([0]) + struct.pack("<I", 16) + peer_write(0, struct.pack("<II", 0xffffffff, 0)) + consume(4, 2000),
    "pad-at-zero": bytes([0]) + struct.pack("<I", 64) + peer_write(0, struct.pack("<II", 0, 1)) + consume(4, 2000),
    "bad-flags": bytes([0]) + struct.pack("<I", 16) + peer_write(0, struct.pack("<II", 4, 0xff02)) + consume(4, 2000),
    "len-past-tail": bytes([0]) + struct.pack("<I", 16) + peer_write(0, struct.pack("<II", 500, 0)) + consume(4, 2000),
    "head-garbage": bytes([3]) + struct.pack("<I", 0x80000000) + bytes([4]) + struct.pack("<HB", 1500, 7),
    "produce-full": (bytes([4]) + struct.pack("<HB", 65000, 7)) * 6 + bytes([3]) + struct.pack("<I", 0) + bytes([4]) + struct.pack("<HB", 100, 3),
    "flags-arm": bytes([7]) + struct.pack("<II", 1, 1) + bytes([5, 1, 5, 6]) + good(60) + bytes([5, 1]) + consume(2, 100),
    "header": bytes([8]) + struct.pack("<IIIIIIQ", 0x50464456, 1, 262144, 65600, 0, 0, 8192 + 2 * 262144),
    "header-bad": bytes([8]) + struct.pack("<IIIIIIQ", 0x50464456, 1, 131072, 65600, 0, 0, 8192 + 2 * 131072),
    "msg-request": bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 1, 0, 0, 0, 0, b"/tmp/sw/001.6"),
    "msg-unterminated": bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 1, 0, 0, 0, 0, b"a" * 108),
}
# doorbell pipes (FASTPATH_FEAT_PIPES, bit 1): asked in a REQUEST, granted
# in an OFFER; never valid in a region header
seeds["msg-request-pipes"] = bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 1, 0, 0, 2, 0, b"/tmp/sw/001.6")
seeds["msg-offer-pipes"] = bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 2, 0, 262144, 2, 0, b"")
seeds["header-pipes-bit"] = bytes([8]) + struct.pack("<IIIIIIQ", 0x50464456, 1, 262144, 65600, 2, 0, 8192 + 2 * 262144)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
