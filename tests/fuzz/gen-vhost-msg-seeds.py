#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-vhost-msg-seeds.py - seeds for fuzz_vhost_msg: QEMU's set-up
# sequence and malformed messages (layout in tests/fuzz/fuzz_vhost_msg.c:
# records { u8 nfds; le16 len; bytes }, fds: 1 = memfd, 2 = + eventfd).
import os, struct, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "vhost_msg")
os.makedirs(out, exist_ok=True)
UVA = 0x7f0000000000

def msg(req, payload=b"", flags=1, size=None):
    return struct.pack("<III", req, flags, len(payload) if size is None else size) + payload

def rec(m, nfds=0):
    return struct.pack("<BH", nfds, len(m)) + m

def u64(req, v, flags=1):
    return msg(req, struct.pack("<Q", v), flags)

def state(req, i, v, flags=9):
    return msg(req, struct.pack("<II", i, v), flags)

def memtable(n=1, size=65536, gpa=0, uva=UVA, off=0, count=None):
    regs = b"".join(struct.pack("<QQQQ", gpa + k * size, size, uva + k * size, off) for k in range(n))
    return msg(5, struct.pack("<II", n if count is None else count, 0) + regs, 9)

def addr(i, base):
    return msg(9, struct.pack("<IIQQQQ", i, 0, UVA + base, UVA + base + 0x2000, UVA + base + 0x1000, 0), 9)

def setup(features=(1 << 32) | (1 << 30) | (1 << 15) | 1 | (1 << 11)):
    s = rec(msg(1)) + rec(msg(15)) + rec(u64(16, 8)) + rec(msg(3)) + rec(u64(2, features, 9))
    s += rec(memtable(), 1)
    for i, base in ((0, 0x8000), (1, 0xc000)):
        s += rec(state(8, i, 256)) + rec(state(10, i, 0)) + rec(addr(i, base))
        s += rec(u64(12, i, 9), 2)[:0] + rec(msg(12, struct.pack("<Q", i), 9), 2)
        s += rec(msg(13, struct.pack("<Q", i), 9), 2)
        s += rec(state(18, i, 1))
    return s

def seed(name, data, mem=None):
    data = struct.pack("<H", len(data)) + data
    if mem:			# (offset, bytes) placed in the memfd image
        img = bytearray(data) + bytearray(max(0, max(o + len(b) for o, b in mem) - len(data)))
        for o, b in mem:
            img[o:o + len(b)] = b
        data = bytes(img)
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)

seed("qemu-setup", setup())
# transmit ring (queue 1 at 0xc000) with two frames, receive ring (queue 0
# at 0x8000) with two buffers: frames flow both ways
def desc(a, l, f, n):
    return struct.pack("<QIHH", a, l, f, n)
tx = desc(0x4000, 12, 1, 1) + desc(0x4010, 60, 0, 0) + desc(0x4100, 1000, 0, 0)
seed("qemu-frames", setup(), [
    (0xc000, tx), (0xd000, struct.pack("<HHHH", 0, 2, 0, 2)),
    (0x4010, bytes([0xff] * 6 + [2, 0, 0, 0, 0, 1, 0x88, 0xb5]) + bytes(46)),
    (0x8000, desc(0x5000, 2048, 2, 0) + desc(0x6000, 64, 2, 0)),
    (0x9000, struct.pack("<HHHH", 0, 2, 0, 1))])
seed("qemu-setup-stop", setup() + rec(state(11, 0, 0)) + rec(state(11, 1, 0)))
seed("qemu-setup-reset", setup() + rec(msg(4)) + setup())
seed("remap", setup() + rec(memtable(uva=UVA + 0x100000), 1))
seed("bad-version", rec(msg(1, flags=2)))
seed("too-long", rec(msg(1, size=100000)))
seed("memtable-9", rec(memtable(9), 1))
seed("memtable-0", rec(memtable(count=0), 1))
seed("memtable-fds", rec(memtable(2), 1))
seed("memtable-big", rec(memtable(size=1 << 30), 1))
seed("memtable-overflow", rec(memtable(gpa=0xffffffffffff0000), 1))
seed("memtable-short", rec(msg(5, b"\1\0\0\0", 9), 1))
seed("vring-index", rec(state(8, 5, 256)))
seed("vring-num-huge", rec(state(8, 0, 65536)))
seed("kick-nofd", rec(msg(12, struct.pack("<Q", 0x100), 9)))
seed("kick-missing-fd", rec(msg(12, struct.pack("<Q", 0), 9)))
seed("unknown-need-reply", rec(msg(15)) + rec(u64(16, 8)) + rec(msg(99, b"", 9)))
seed("get-base-early", rec(state(11, 1, 0)))
seed("features-unoffered", rec(u64(2, 1 << 63)))
seed("ring-outside", rec(u64(2, 1 << 32)) + rec(memtable(), 1) + rec(state(8, 0, 256)) +
     rec(msg(9, struct.pack("<IIQQQQ", 0, 0, 0x10, 0x20, 0x30, 0), 9)))
seed("ring-size-odd", setup()[:0] + rec(u64(2, 1 << 32)) + rec(memtable(), 1) + rec(state(8, 0, 100)) + rec(addr(0, 0x8000)))
seed("fds-everywhere", rec(msg(1), 3) + rec(msg(3), 2) + rec(msg(15), 1))
