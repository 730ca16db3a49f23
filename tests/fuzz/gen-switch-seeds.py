#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-switch-seeds.py - write the seed corpora of fuzz_ctlreq and
# fuzz_switch_frame (the inputs listed in testing.md's fuzz table).
# Usage: gen-switch-seeds.py [TOPDIR]   (default: the source tree)
import os, struct, sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
MAGIC = 0xfeedface

def out(name, files):
    d = os.path.join(top, "tests", "fuzz", "corpus", name)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if not old.startswith("cov-"):	# kept finds of libFuzzer
            os.unlink(os.path.join(d, old))
    for fn, data in files.items():
        with open(os.path.join(d, fn), "wb") as f:
            f.write(data)

def sun(path, family=1):
    p = path[:108]
    return struct.pack("<H", family) + p + b"\0" * (108 - len(p))

def v3(port=0, rt=0, path=b"/tmp/vde.ctl/.00001-00000", descr=b"probe user=root PID=1", ver=3,
       magic=MAGIC, family=1):
    return struct.pack("<III", magic, ver, (rt + (port << 8)) & 0xffffffff) + sun(path, family) + descr

def v1(rt=0, path=b"/tmp/vde.ctl/.00001-00000", descr=b"old"):
    return struct.pack("<II", MAGIC, rt) + b"\0" * 6 + sun(path) + descr

c = {}
good = v3(descr=b"t.c user=root PID=18897")
for n in range(0, 252):
    if n in (0, 1, 3, 4, 7, 8, 11, 12, 13, 121, 122, 123, 124, 144, 145, 146, 249, 250, 251) or n % 37 == 0:
        c["len%03d" % n] = (good + b"x" * 200)[:n]
c["v3_port4"] = v3(port=4, descr=b"t.c user=root PID=18897")
c["v3_port0_req"] = v3(rt=1)
c["v3_vdeplug4"] = v3(descr=b"vdeplug: user=root pid=10736")
c["v3_nodescr"] = v3(descr=b"")
c["v3_descr128"] = v3(descr=b"d" * 128)
c["v3_descr129"] = v3(descr=b"d" * 129)
c["v3_descr_nul"] = v3(descr=b"abc\0def")
c["v3_descr_ctl"] = v3(descr=b"a\nb\x1b[31m\xff")
c["bad_magic"] = v3(magic=0xfeedfacf)
c["no_magic_v0"] = b"\0" * 130
for ver in (0, 1, 2, 4, 0xffffffff):
    c["version_%x" % ver] = v3(ver=ver)
for port in (-1, 0, 32, 33, 0x7fffff, 0xffffff, 2**31 - 1):
    c["port_%x" % (port & 0xffffffff)] = v3(port=port)
for rt in (2, 3, 0xff):
    c["type_%x" % rt] = v3(rt=rt)
c["path108_nonul"] = v3(path=b"/" + b"a" * 107)
c["path_relative"] = v3(path=b"relative/sock")
c["path_abstract"] = v3(path=b"\0abstract")
c["path_dotdot"] = v3(path=b"/tmp/../etc/../tmp/x")
c["path_empty"] = v3(path=b"")
c["family_inet"] = v3(family=2)
c["v1_type0"] = v1()
c["v1_type1"] = v1(rt=1)
c["v1_port5"] = v1(rt=5 << 8)
c["v1_short"] = v1()[:123]
c["two_requests"] = v3() + v3()
out("ctlreq", c)

# fuzz_switch_frame: hdr = flags (1 hub, 2 port 3 trunk), numports-1, active mask, port1 vlan sel, port2 tagged vid
def hdr(hub=0, nports=4, active=0x1f, p1=0, p2tag=3):
    return bytes([hub, nports - 1, active, p1, p2tag])

def rec(port, frame, tick=False):
    return bytes([port | (0x80 if tick else 0)]) + struct.pack(">H", len(frame)) + frame

A = bytes.fromhex("020000000001"); B = bytes.fromhex("020000000002")
BC = b"\xff" * 6; MC = bytes.fromhex("01005e000001"); BPDU = bytes.fromhex("0180c2000000")
def eth(dst, src, typ=b"\x08\x00", n=46):
    return dst + src + typ + bytes((i & 0xff for i in range(n)))
def tag(vid, pcp=0, inner=b"\x08\x00"):
    return b"\x81\x00" + struct.pack(">H", (pcp << 13) | vid) + inner

f = {}
for n in list(range(0, 14)) + [14, 15, 16, 17, 59, 60, 1514, 1518, 1519, 9000, 9230, 9234, 9235]:
    fr = (eth(B, A, n=max(0, n - 14)))[:n] if n >= 14 else (BC + A)[:n]
    f["len%05d" % n] = hdr() + rec(1, fr)
f["learn_unicast"] = hdr() + rec(1, eth(BC, A)) + rec(2, eth(A, B)) + rec(1, eth(B, A))
f["loop_same_port"] = hdr() + rec(1, eth(BC, A)) + rec(1, eth(BC, B)) + rec(1, eth(A, B))
f["mcast_src"] = hdr() + rec(1, eth(B, MC)) + rec(2, eth(MC, B)) + rec(3, eth(B, BC))
f["tag_vlan0"] = hdr() + rec(1, eth(BC, A, tag(0)))
f["tag_vlan3_trunk"] = hdr() + rec(2, eth(BC, A, tag(3, 5))) + rec(1, eth(BC, B)) + rec(2, eth(B, A, tag(3)))
f["tag_vlan4095"] = hdr() + rec(2, eth(BC, A, tag(4095)))
f["tag_unknown"] = hdr() + rec(1, eth(BC, A, tag(77)))
f["tag_truncated"] = hdr() + rec(2, eth(BC, A, b"\x81\x00", n=1))
f["qinq"] = hdr() + rec(1, eth(BC, A, b"\x88\xa8\x00\x03\x81\x00\x00\x03"))
f["bpdu_trunc"] = hdr() + rec(1, BPDU + A + b"\x00\x27\x42\x42\x03\x00")
f["bpdu_full"] = hdr() + rec(1, BPDU + A + bytes.fromhex("0027424203000002027c123400ff00000003000000001234" "00ff000000038001000028000400000000"))
f["hub"] = hdr(hub=1) + rec(1, eth(B, A)) + rec(0, eth(A, B)) + rec(3, eth(BC, A))
f["hub_port0"] = hdr(hub=1, active=0x01) + rec(0, eth(BC, A))
f["novlan_port1"] = hdr(p1=2) + rec(1, eth(BC, A))
f["inactive_in"] = hdr(active=0x05) + rec(1, eth(BC, A)) + rec(9, eth(BC, A))
f["trunk_port3"] = (hdr(hub=2) + rec(1, eth(BC, A)) + rec(3, eth(BC, B, tag(3, 5))) +
                    rec(3, eth(BC, B, tag(77))) + rec(2, eth(B, A, tag(3, 7))) + rec(3, eth(A, B, tag(0))) +
                    rec(3, eth(BC, B, tag(4095))) + rec(3, eth(BC, B, tag(4094), n=9216)))
f["trunk_novlan_port1"] = hdr(hub=2, p1=2) + rec(3, eth(BC, B, tag(1, 1))) + rec(1, eth(BC, A)) + rec(1, eth(BC, A, tag(2)))
f["tagged_to_trunk_oversize"] = hdr(p1=1) + rec(1, eth(BC, A, n=9220))
flood = hdr(nports=8, active=0xff)
for i in range(40):
    flood += rec(1 + i % 7, eth(BC, bytes([2, 0, 0, 0, 1, i])), tick=(i % 13 == 0))
f["fdb_flood"] = flood
age = hdr() + rec(1, eth(BC, A)) + rec(2, eth(A, B)) + rec(3, eth(A, B), tick=True) + rec(3, eth(B, A))
f["aging_move"] = age
f["all_ports_many"] = hdr(nports=8, active=0xff) + b"".join(rec(p, eth(BC if p % 2 else A, bytes([2, 0, 0, 0, 0, p]))) for p in range(9))
# mirroring: flags bit 2 = port 4 monitor (filter (flags >> 3) % 3: all, source port
# (p2tag >> 3) % nslots, VLAN (p1 >> 2) % 4), bit 5 = port 5 monitor of all frames
M = bytes.fromhex("020000000004")
mtraffic = (rec(1, eth(BC, A)) + rec(2, eth(A, B)) + rec(1, eth(A, A)) + rec(2, eth(BC, B, tag(3, 5))) +
            rec(1, eth(BC, A, tag(77))) + rec(4, eth(BC, M)) + rec(3, eth(B, A, tag(0))) + rec(1, eth(BC, A)[:13]) +
            rec(1, eth(BC, A, n=9220)) + rec(5, eth(A, M)))
f["mirror_all"] = hdr(hub=4, nports=5, active=0x3f) + mtraffic
f["mirror_port1"] = hdr(hub=4 | 8, nports=5, active=0x3f, p2tag=8 | 3) + mtraffic
f["mirror_vlan3"] = hdr(hub=4 | 16, nports=5, active=0x3f, p1=12) + mtraffic
f["mirror_two_hub"] = hdr(hub=1 | 4 | 8 | 0x20, nports=6, active=0x7f, p2tag=16 | 3) + mtraffic
f["mirror_two_trunk"] = hdr(hub=2 | 4 | 16 | 0x20, nports=6, active=0x5f) + mtraffic
# FSTP (flags bit 6; bit 7: port 1 edge): VDE 2 BPDUs, better/same/worse roots,
# roles, TC, tagged, truncated at every length, hello ticks (clock advance)
FSTP = 0x40
def bpdu(flags, root, cost, bridge, pid, src=B, vid=None, v=2, t=2):
    h = BPDU + src + (tag(vid, inner=b"") if vid is not None else b"")
    return h + bytes.fromhex("0027424203") + bytes([0, 0, v, t, flags]) + \
        bytes.fromhex(root) + struct.pack(">I", cost) + bytes.fromhex(bridge) + \
        struct.pack(">H", pid) + bytes.fromhex("0000280004000000") + b"\0"
R = "1000020000000009"; W = "9000020000000011"; RB = "0800020000000011"
better = bpdu(0x3c, R, 0, R, 0x8003)
f["fstp_better_root"] = hdr(FSTP) + rec(1, better) + rec(2, bpdu(0x3c, R, 0, R, 0x8004)) + \
    rec(3, eth(BC, A)) + rec(2, eth(BC, B)) + rec(1, eth(A, B)) + rec(2, eth(B, A))
f["fstp_roles"] = hdr(FSTP) + rec(1, better) + rec(2, bpdu(0x3c, R, 0, R, 0x8004)) + \
    rec(2, bpdu(0x34, R, 20000000, RB, 0x8001)) + rec(3, bpdu(0x3c, W, 0, W, 0x8001)) + \
    rec(3, bpdu(0x3c, RB, 0, RB, 0x8001)) + rec(1, bpdu(0x3d, R, 0, R, 0x8003)) + \
    rec(2, eth(BC, A)) + rec(3, eth(BC, B))
f["fstp_ticks"] = hdr(FSTP) + rec(1, better) + rec(2, bpdu(0x3c, R, 0, R, 0x8004)) + \
    b"".join(rec(3, eth(BC, A), tick=True) for _ in range(10)) + rec(2, eth(BC, B))
f["fstp_tagged"] = hdr(FSTP | 2, p2tag=3) + rec(2, bpdu(0x3c, R, 0, R, 0x8003, vid=3)) + \
    rec(3, bpdu(0x3c, R, 0, R, 0x8004, vid=3)) + rec(2, eth(BC, A, tag(3))) + \
    rec(3, eth(BC, B, tag(3))) + rec(3, bpdu(0x3c, R, 0, R, 0x8004, vid=4095))
f["fstp_edge"] = hdr(FSTP | 0x80) + rec(1, better) + rec(2, better) + \
    rec(1, eth(BC, A), tick=True) + rec(2, eth(BC, B), tick=True)
f["fstp_bad"] = hdr(FSTP) + rec(1, bpdu(0x3c, R, 0, R, 0x8003, v=0)) + \
    rec(1, bpdu(0x3c, R, 0, R, 0x8003, t=0)) + rec(1, bpdu(0xff, "ff" * 8, 0xffffffff, "ff" * 8, 0xffff))
f["fstp_truncated"] = hdr(FSTP) + b"".join(rec(1 + n % 3, better[:n]) for n in range(0, 54))
f["fstp_truncated_tagged"] = hdr(FSTP | 2) + b"".join(
    rec(2 + n % 2, bpdu(0x3c, R, 0, R, 0x8003, vid=3)[:n]) for n in range(12, 58))
f["fstp_hub"] = hdr(FSTP | 1) + rec(1, better) + rec(2, eth(BC, A))
f["fstp_self"] = hdr(FSTP) + rec(1, bpdu(0x3c, "8000" + "0200000000fe", 0, "8000" + "0200000000fe", 0x8002))
out("switch_frame", f)
