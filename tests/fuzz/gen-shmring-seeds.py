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
    # indices off a record boundary: published after a garbage record, or
    # written by the peer before we attach (tests/fuzz/regressions/shmring)
    "tail-misaligned": bytes([0]) + struct.pack("<I", 16) + peer_write(0, b"\xff" * 8) + bytes([0]) + struct.pack("<I", 262144 - 4) + consume(4, 2000) + bytes([0]) + struct.pack("<I", 262144 + 12) + consume(4, 2000),
    "attach-misaligned": bytes([0x80]) + struct.pack("<I", 262144 - 4) + consume(4, 2000) + bytes([0x83]) + struct.pack("<I", 5 * 262144 - 4) + bytes([4]) + struct.pack("<HB", 100, 3),
    "msg-request": bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 1, 0, 0, 0, 0, b"/tmp/sw/001.6"),
    "msg-unterminated": bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 1, 0, 0, 0, 0, b"a" * 108),
}
# doorbell pipes (FASTPATH_FEAT_PIPES, bit 1): asked in a REQUEST, granted
# in an OFFER; never valid in a region header
seeds["msg-request-pipes"] = bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 1, 0, 0, 2, 0, b"/tmp/sw/001.6")
seeds["msg-offer-pipes"] = bytes([9, 132]) + struct.pack("<IHHiIII108s", 0x50464456, 1, 2, 0, 262144, 2, 0, b"")
seeds["header-pipes-bit"] = bytes([8]) + struct.pack("<IIIIIIQ", 0x50464456, 1, 262144, 65600, 2, 0, 8192 + 2 * 262144)


def vconsume(k, cap, op=0x82):   # consume behind a 12-byte header place (VNET consumer)
    return bytes([op, k]) + struct.pack("<H", cap // 2)


def sconsume(k, cap):   # consume with a VNET record's header apart (shmring_consume_vnet)
    return vconsume(k, cap, 0x42)


def odd(data):          # odd length: rings with VNET granted
    return data if len(data) % 2 else data + bytes([5])


# a VNET record written by the peer: record header (len, flags VNET), a
# 12-byte virtio_net_hdr_v1 (TSO on IPv4), then an Ethernet/IPv4/TCP frame
tcp = (b"\x02" * 12 + b"\x08\x00" + b"\x45\x00" + struct.pack(">H", 40 + 1448 * 3) +
       b"\x00" * 5 + b"\x06" + b"\x00" * 10 + b"\x00" * 12 + b"\x50\x10" + b"\x00" * 6)
vhdr = struct.pack("<BBHHHHH", 1, 1, 54, 1448, 34, 16, 0)
rec = struct.pack("<IHH", 12 + len(tcp), 2, 0) + vhdr + tcp
rec += b"\x00" * (-len(rec) % 8)
seeds.update({
    "vnet-good-roundtrip": odd(good(60) + good(1500) + vconsume(8, 2000)),
    "vnet-record": odd(bytes([0]) + struct.pack("<I", len(rec)) + peer_write(0, rec) + vconsume(4, 2000)),
    "vnet-record-ungranted": (lambda d: d if len(d) % 2 == 0 else d + bytes([5]))(
        bytes([0]) + struct.pack("<I", len(rec)) + peer_write(0, rec) + vconsume(4, 2000)),
    "vnet-short": odd(bytes([0]) + struct.pack("<I", 16) + peer_write(0, struct.pack("<IHH", 4, 2, 0) + b"abcd") + vconsume(4, 2000)),
    "vnet-garbage-hdr": odd(bytes([0]) + struct.pack("<I", len(rec)) +
                            peer_write(0, rec[:8] + b"\xff" * 12 + rec[20:]) + vconsume(4, 100)),
    "split-good-roundtrip": odd(good(60) + good(1500) + sconsume(8, 2000)),
    "split-record": odd(bytes([0]) + struct.pack("<I", len(rec)) + peer_write(0, rec) + sconsume(4, 2000)),
    "split-record-tight": odd(bytes([0]) + struct.pack("<I", len(rec)) + peer_write(0, rec) +
                              sconsume(1, len(tcp))),
    "split-short": odd(bytes([0]) + struct.pack("<I", 16) + peer_write(0, struct.pack("<IHH", 4, 2, 0) + b"abcd") + sconsume(4, 2000)),
    "split-truncate": odd(good(1500) + sconsume(1, 100)),
})
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
