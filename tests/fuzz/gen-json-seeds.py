#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-json-seeds.py - write the seed corpus of fuzz_json
#
# Input: mode byte (even: one string; odd: a program of writer calls), data.
# Strings: quotes, backslashes, every control byte, DEL, valid UTF-8 of each
# length, stray continuation bytes, overlongs, surrogates, > U+10FFFF,
# truncated sequences, FF/FE. Programs: nested objects/arrays with keys,
# numbers from raw bits (NaN, Inf, -0), misuse (missing keys, extra closes).
import os
import struct

top = os.path.dirname(os.path.abspath(__file__))
d = os.path.join(top, "corpus", "json")
os.makedirs(d, exist_ok=True)


def put(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


strings = {
    "empty": b"",
    "quotes": b'say "hi" \\ back\\slash /',
    "controls": bytes(range(0, 32)) + b"\x7f",
    "utf8": "é€😀 naïve".encode(),
    "stray": b"\x80\xbf",
    "overlong": b"\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf",
    "surrogate": b"\xed\xa0\x80\xed\xbf\xbf",
    "too-big": b"\xf4\x90\x80\x80\xf5\x80",
    "truncated": b"a\xe2\x82",
    "truncated4": b"\xf0\x9f\x98",
    "fffe": b"\xff\xfe",
    "mixed": b"ok\"\\\n\x00\xc3\xa9\xc3",
}
for name, s in strings.items():
    put("str-" + name, b"\x00" + s)

OBJ, OBJEND, ARR, ARREND, STR, U64, DBL, BOOL, NULL, I64, NULLSTR = range(11)
KEY = 0x80


def key(op, k):
    return bytes([op | KEY, len(k)]) + k


progs = {
    "nested": key(OBJ, b"")[:0] + bytes([OBJ]) + key(ARR, b"list") + bytes([U64]) +
    struct.pack("<Q", 2**64 - 1) + bytes([OBJ, OBJEND, ARREND]) + key(STR, b"s") +
    bytes([5]) + b"a\"\x01\xff" + bytes([OBJEND]),
    "doubles": bytes([ARR]) + bytes([DBL]) + struct.pack("<d", float("nan")) +
    bytes([DBL]) + struct.pack("<d", float("inf")) + bytes([DBL]) +
    struct.pack("<d", -0.0) + bytes([DBL]) + struct.pack("<d", 1e-300) +
    bytes([I64]) + struct.pack("<q", -2**63) + bytes([ARREND]),
    "misuse": bytes([OBJ, U64]) + struct.pack("<Q", 1) + bytes([ARREND, OBJEND, OBJEND]),
    "keyinarray": bytes([ARR]) + key(BOOL | 0x10, b"k") + bytes([NULL, ARREND]),
    "deep": bytes([ARR] * 40 + [ARREND] * 40),
    "badkey": bytes([OBJ]) + key(NULLSTR, b"\xc3\x28\"\\") + bytes([OBJEND]),
}
for name, p in progs.items():
    put("prog-" + name, b"\x01" + p)
