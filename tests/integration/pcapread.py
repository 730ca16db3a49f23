#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/pcapread.py - a strict pcap/pcapng reader for the capture tests
#
#   pcapread.py frames FILE...   one line per frame: "DIR IFNAME HEX TS_NS" (DIR in, out
#                                or -; IFNAME - for pcap), files read in order
#   pcapread.py info FILE        "format F frames N ifaces I isb RECV/DROP tsresol R"
#
# Every structural rule is checked and any violation exits 1 with a message:
# block lengths (both copies equal, multiple of 4, inside the file), option
# lists ending in opt_endofopt, zero padding, captured <= original length,
# the interface of an EPB declared before it, a truncated file.
import struct
import sys


def die(msg):
    sys.stderr.write("pcapread: %s\n" % msg)
    sys.exit(1)


def options(buf, off, end):
    """Parse an option list in buf[off:end]; returns {code: [values]}."""
    opts = {}
    if off == end:
        return opts
    while True:
        if end - off < 4:
            die("option list runs past the block")
        code, length = struct.unpack_from("<HH", buf, off)
        if code == 0:
            if length != 0 or off + 4 != end:
                die("opt_endofopt not at the end of the block")
            return opts
        padded = (length + 3) & ~3
        if off + 4 + padded > end:
            die("option %d runs past the block" % code)
        if any(buf[off + 4 + length:off + 4 + padded]):
            die("option %d: non-zero padding" % code)
        opts.setdefault(code, []).append(bytes(buf[off + 4:off + 4 + length]))
        off += 4 + padded


def read_pcapng(buf, name):
    frames, ifaces, isb = [], [], None
    off = 0
    while off < len(buf):
        if len(buf) - off < 12:
            die("%s: truncated block header at %d" % (name, off))
        btype, blen = struct.unpack_from("<II", buf, off)
        if blen % 4 or blen < 12 or off + blen > len(buf):
            die("%s: bad block length %d at %d" % (name, blen, off))
        if struct.unpack_from("<I", buf, off + blen - 4)[0] != blen:
            die("%s: trailing length differs at %d" % (name, off))
        end = off + blen - 4
        if btype == 0x0A0D0D0A:
            if struct.unpack_from("<IHH", buf, off + 8) != (0x1A2B3C4D, 1, 0):
                die("%s: bad section header" % name)
            options(buf, off + 24, end)
            ifaces = []
        elif btype == 1:
            link, _, snap = struct.unpack_from("<HHI", buf, off + 8)
            if link != 1:
                die("%s: link type %d" % (name, link))
            o = options(buf, off + 16, end)
            res = o.get(9, [b"\x06"])[0][0]
            ifname = o.get(2, [b"-"])[0].decode()
            ifaces.append((ifname, res, snap))
        elif btype == 6:
            ifid, hi, lo, cap, orig = struct.unpack_from("<IIIII", buf, off + 8)
            if ifid >= len(ifaces):
                die("%s: EPB of undeclared interface %d" % (name, ifid))
            if cap > orig or 28 + ((cap + 3) & ~3) > blen - 4:
                die("%s: bad captured length %d/%d" % (name, cap, orig))
            if any(buf[off + 28 + cap:off + 28 + ((cap + 3) & ~3)]):
                die("%s: non-zero data padding" % name)
            o = options(buf, off + 28 + ((cap + 3) & ~3), end)
            d = "-"
            if 2 in o:
                flags = struct.unpack("<I", o[2][0])[0]
                d = {0: "-", 1: "in", 2: "out"}.get(flags & 3, "?")
            frames.append((d, ifaces[ifid][0], bytes(buf[off + 28:off + 28 + cap]),
                           (hi << 32) | lo))
        elif btype == 5:
            o = options(buf, off + 20, end)
            recv = struct.unpack("<Q", o[4][0])[0] if 4 in o else None
            drop = struct.unpack("<Q", o[5][0])[0] if 5 in o else None
            isb = (recv, drop)
        off += blen
    res = ifaces[0][1] if ifaces else None
    return "pcapng", frames, len(ifaces), isb, res


def read_pcap(buf, name):
    if len(buf) < 24:
        die("%s: truncated pcap header" % name)
    _, major, minor, _, _, snap, link = struct.unpack_from("<IHHiIII", buf, 0)
    if (major, minor, link) != (2, 4, 1):
        die("%s: bad pcap header" % name)
    frames, off = [], 24
    while off < len(buf):
        if len(buf) - off < 16:
            die("%s: truncated record header" % name)
        sec, usec, cap, orig = struct.unpack_from("<IIII", buf, off)
        if cap > orig or cap > snap or off + 16 + cap > len(buf) or usec >= 1000000:
            die("%s: bad record at %d" % (name, off))
        frames.append(("-", "-", bytes(buf[off + 16:off + 16 + cap]), sec * 10**9 + usec * 1000))
        off += 16 + cap
    return "pcap", frames, 0, None, 6


def read(name):
    with open(name, "rb") as f:
        buf = f.read()
    if buf[:4] == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(buf, name)
    if buf[:4] == b"\xd4\xc3\xb2\xa1":
        return read_pcap(buf, name)
    die("%s: not a little-endian pcap or pcapng file" % name)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("frames", "info"):
        die("usage: pcapread.py frames|info FILE...")
    if sys.argv[1] == "info":
        fmt, frames, nif, isb, res = read(sys.argv[2])
        isbs = "%s/%s" % isb if isb else "none"
        print("format %s frames %d ifaces %d isb %s tsresol %s" % (fmt, len(frames), nif, isbs, res))
        return
    for name in sys.argv[2:]:
        prev = 0
        for d, ifname, data, ts in read(name)[1]:
            if ts < prev:
                die("%s: timestamps go backwards" % name)
            prev = ts
            print(d, ifname, data.hex(), ts)


main()
