#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-cable-cookie-seeds.py - seeds for fuzz_cable_cookie (programs of
# operations, see the top of tests/fuzz/fuzz_cable_cookie.c). Run from the top
# of the tree; rewrites tests/fuzz/corpus/cable_cookie/ but keeps the found-*
# inputs (found by libFuzzer runs: harness invariants that needed fixing).
import os
import struct

D = "tests/fuzz/corpus/cable_cookie"
os.makedirs(D, exist_ok=True)
for old in os.listdir(D):
    if not old.startswith(("found-", "cov-")):	# kept finds of libFuzzer
        os.unlink(os.path.join(D, old))


def w(name, data):
    with open(os.path.join(D, name), "wb") as f:
        f.write(data)


AUTO, ALWAYS = b"\x00", b"\x01"
start = b"\x01"
a_to_b = b"\x02\x00"
a_to_b_other = b"\x02\x01"


def b_to_a(i=0, how=0, arg=0):
    return b"\x03" + bytes([i]) + struct.pack("<H", (arg << 2) | how)


def clock(s):
    return b"\x06" + bytes([s])


def init(src, mac2=None, body=bytes(112)):
    ip, port = src
    return b"\x05" + bytes([1 if mac2 else 0]) + bytes(ip) + struct.pack("<H", port) + body + (mac2 or b"")


hs = start + a_to_b + b_to_a() + a_to_b + b_to_a()
w("always-handshake", ALWAYS + hs)
w("always-replay-elsewhere", ALWAYS + start + a_to_b + b_to_a() + a_to_b_other + a_to_b + b_to_a())
w("always-rotation", ALWAYS + hs + clock(200) + start + a_to_b + b_to_a() + a_to_b + b_to_a() +
  clock(255) + clock(255) + start + a_to_b + b_to_a() + a_to_b + b_to_a())
w("forged-reply", ALWAYS + start + b"\x04" + bytes(range(56)) + a_to_b + b_to_a() + b"\x04" + bytes(56))
w("flipped-replies", ALWAYS + b"".join(start + a_to_b + b_to_a(0, 2, k) + clock(6) for k in (0, 70, 200, 511)))
w("truncated-replies", ALWAYS + b"".join(start + a_to_b + b_to_a(0, 1, k) + clock(6) for k in (0, 1, 63)))
w("twice-same-reply", ALWAYS + start + a_to_b + b"\x02\x00" + b_to_a(0) + b_to_a(0) + a_to_b)
w("auto-flood-then-client", AUTO + b"\x07\x28" + init(((1, 2, 3, 4), 5)) + hs + clock(2) + hs)
w("auto-quiet", AUTO + hs + init(((9, 9, 9, 9), 7)))
w("random-mac2", AUTO + init(((1, 1, 1, 1), 1), bytes(range(16))) + ALWAYS +
  init(((1, 1, 1, 1), 1), b"\xff" * 16))
w("raw-to-a", AUTO + start + b"".join(b"\x00" + bytes([n]) + bytes(n) for n in (0, 1, 4, 63, 64, 65)))
w("empty", b"")
