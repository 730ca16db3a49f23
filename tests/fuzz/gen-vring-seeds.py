#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-vring-seeds.py - seeds for fuzz_vring: valid rings and
# each malformed case (see tests/fuzz/fuzz_vring.c for the layout).
# Image: 8 KiB, two regions of 4 KiB (gpa 0x10000 and 0x7fff0000);
# rings in region 0, buffers in both.
import os, struct, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "vring")
GPA0, GPA1, HALF = 0x10000, 0x7fff0000, 4096
DESC, AVAIL, USED = 0, 0x400, 0x800

def gpa(off):
    return GPA0 + off if off < HALF else GPA1 + off - HALF

def seed(name, num=16, base=0, flags=0, maxlen=0, mut=0, descs=(), heads=(), avail_idx=None,
         used_idx=None, desc_off=DESC, avail_off=AVAIL, used_off=USED):
    img = bytearray(2 * HALF)
    for i, (addr, ln, fl, nxt) in enumerate(descs):
        struct.pack_into("<QIHH", img, desc_off + 16 * i, addr, ln, fl, nxt)
    for k, h in enumerate(heads):
        struct.pack_into("<H", img, avail_off + 4 + 2 * ((base + k) % max(num, 1)), h)
    if avail_off + 4 <= len(img):
        struct.pack_into("<H", img, avail_off + 2, (base + len(heads)) & 0xffff if avail_idx is None else avail_idx)
    if used_off + 4 <= len(img):
        struct.pack_into("<H", img, used_off + 2, base if used_idx is None else used_idx)
    hdr = struct.pack("<BHHHHBHI", num, base, desc_off, avail_off, used_off, flags, maxlen, mut)
    with open(os.path.join(out, name), "wb") as f:
        f.write(hdr + bytes(img))

os.makedirs(out, exist_ok=True)
B0, B1 = gpa(0x1000), gpa(HALF + 0x100)
seed("valid-tx", descs=[(B0, 12, 1, 1), (B0 + 12, 60, 0, 0), (B1, 100, 0, 0)], heads=[0, 2])
seed("valid-rx", flags=1, descs=[(B0, 1024, 2, 0), (B1, 2048, 2, 0)], heads=[0, 1])
seed("valid-unpop-mutate", flags=2, mut=0xdeadbeef, descs=[(B0, 64, 0, 0)] * 16, heads=list(range(16)))
seed("wrap", base=65534, descs=[(B0, 64, 0, 0), (B1, 64, 0, 0), (B0 + 64, 64, 0, 0)], heads=[0, 1, 2])
seed("addr-outside", descs=[(0x1000, 64, 0, 0)], heads=[0])
seed("addr-overflow", descs=[(0xfffffffffffffff0, 64, 0, 0)], heads=[0])
seed("straddle", descs=[(GPA0 + HALF - 8, 64, 0, 0)], heads=[0])
seed("len-huge", descs=[(B0, 0xffffffff, 0, 0)], heads=[0])
seed("len-over-max", maxlen=100, descs=[(B0, 64, 1, 1), (B0, 64, 0, 0)], heads=[0])
seed("loop", descs=[(B0, 8, 1, 1), (B0, 8, 1, 0)], heads=[0])
seed("self-loop", descs=[(B0, 0, 1, 0)], heads=[0])
seed("long", num=128, descs=[(B0, 1, 1, i + 1) for i in range(100)] + [(B0, 1, 0, 0)], heads=[0])
seed("next-out-of-range", descs=[(B0, 8, 1, 40)], heads=[0])
seed("head-out-of-range", heads=[200])
seed("index-ahead", descs=[(B0, 8, 0, 0)], heads=[0], avail_idx=40)
seed("indirect", descs=[(B0, 16, 4, 0)], heads=[0])
seed("write-in-tx", descs=[(B0, 16, 2, 0)], heads=[0])
seed("ro-in-rx", flags=1, descs=[(B0, 16, 0, 0)], heads=[0])
seed("size-not-pow2", num=12, heads=[0])
seed("size-zero", num=0)
seed("misaligned", desc_off=8, descs=[(B0, 8, 0, 0)], heads=[0])
seed("ring-outside", avail_off=0xfff0)
seed("inflight-resubmit", base=5, used_idx=3, descs=[(B0, 8, 0, 0)] * 8, heads=[0] * 8)
