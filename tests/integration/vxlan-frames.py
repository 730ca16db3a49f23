#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/vxlan-frames.py - raw test frames for t-vxlan-*.sh
#
#   listen IF TAG OUT READY   count frames of ethertype 0x88b5 whose payload
#                             starts with TAG, until one with TAG + "E" (the
#                             end marker); write the count to OUT. READY is
#                             created once the socket is bound. 60 s at most.
#                             OUT.part holds the count so far.
#   send IF DST COUNT TAG [SRC] [end]
#                             COUNT frames TAG+"D"+n to DST (MAC), from SRC
#                             (default IF's MAC); "end": then one end marker
#                             to ff:ff:ff:ff:ff:ff
#   vxlan HOST PORT CASE      one malformed VXLAN packet to HOST:PORT (UDP)
#   udpflows DST PORT N       N UDP datagrams to DST:PORT, each from its own port
#   sports IF SRC OUT READY N outer source ports of N VXLAN packets from SRC
#                             carrying IPv4
import socket
import sys
import time

ETYPE = 0x88B5


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def listen(ifname, tag, out, ready):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETYPE))
    s.bind((ifname, ETYPE))
    s.settimeout(1)
    open(ready, "w").close()
    tag = tag.encode()
    n, end = 0, time.time() + 60
    while time.time() < end:
        try:
            f, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or len(f) < 14 + len(tag) + 1:
            continue
        p = f[14:]
        if not p.startswith(tag):
            continue
        if p[len(tag)] == ord("E"):
            break
        n += 1
        with open(out + ".part", "w") as o:
            o.write("%d\n" % n)
    with open(out, "w") as o:
        o.write("%d\n" % n)


def send(ifname, dst, count, tag, src=None, end=False):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    own = s.getsockname()[4]
    src = mac(src) if src else own
    for i in range(int(count)):
        p = tag.encode() + b"D%d" % i
        s.send(mac(dst) + src + ETYPE.to_bytes(2, "big") + p.ljust(46, b"\0"))
    if end:
        p = tag.encode() + b"E"
        s.send(b"\xff" * 6 + src + ETYPE.to_bytes(2, "big") + p.ljust(46, b"\0"))


def vxlan(host, port, case):
    frame = b"\xff" * 6 + b"\x02\x00\x00\x00\xee\x01" + b"\x88\xb5" + b"bad".ljust(46, b"\0")
    good = bytes([8, 0, 0, 0, 0, 0, 42, 0])
    pkt = {
        "short": good[:5],
        "noflag": bytes([0]) + good[1:] + frame,
        "resflag": bytes([0x0c]) + good[1:] + frame,
        "resbyte": good[:7] + b"\x01" + frame,
        "vni": bytes([8, 0, 0, 0, 0, 0, 43, 0]) + frame,
        "runt": good + frame[:13],
        "empty": good,
        "zero": b"",
        "good": good + frame,
        "big": good + frame + bytes(20000),
    }[case]
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    socket.socket(fam, socket.SOCK_DGRAM).sendto(pkt, (host, int(port)))


def udpflows(dst, port, count):
    """one datagram from each of COUNT source sockets (COUNT flows)"""
    for _ in range(int(count)):
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"flow", (dst, int(port)))


def sports(ifname, src, out, ready, want):
    """outer UDP source ports of VXLAN packets from SRC seen on IF until
    WANT packets (60 s at most): "<packets> <distinct ports>" to OUT"""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((ifname, 0x0800))
    s.settimeout(1)
    open(ready, "w").close()
    src = socket.inet_aton(src)
    seen, n, end = set(), 0, time.time() + 60
    while n < int(want) and time.time() < end:
        try:
            f = s.recv(65536)
        except socket.timeout:
            continue
        ip = f[14:]
        if len(ip) < 28 or ip[9] != 17 or ip[12:16] != src:
            continue
        udp = ip[(ip[0] & 15) * 4:]
        if int.from_bytes(udp[2:4], "big") != 4789 or udp[16 + 12:16 + 14] != b"\x08\x00":
            continue	# not VXLAN, or not IPv4 inside (ARP is another flow)
        n += 1
        seen.add(int.from_bytes(udp[0:2], "big"))
    with open(out, "w") as o:
        o.write("%d %d\n" % (n, len(seen)))


def main():
    a = sys.argv[1:]
    if a[0] == "listen":
        listen(*a[1:5])
    elif a[0] == "send":
        rest = a[5:]
        end = "end" in rest
        rest = [x for x in rest if x != "end"]
        send(a[1], a[2], a[3], a[4], rest[0] if rest else None, end)
    elif a[0] == "udpflows":
        udpflows(*a[1:4])
    elif a[0] == "sports":
        sports(*a[1:6])
    elif a[0] == "vxlan":
        vxlan(*a[1:4])
    else:
        sys.exit("unknown command")


main()
