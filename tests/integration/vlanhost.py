#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/integration/vlanhost.py - a minimal IPv4 host on one 802.1Q VLAN

Stands in for a Linux VLAN subinterface (IF.VID) on kernels built without
802.1Q support (CONFIG_VLAN_8021Q unset): it sends its frames on IF tagged
with VID through an AF_PACKET socket and reads the tag of received frames
from PACKET_AUXDATA (the kernel moves a received tag out of the frame).

usage: vlanhost.py IF VID IP [--ping DST]... [--noreach DST]... [--until FILE]

Answers ARP and ICMP echo requests for IP that arrive tagged with VID.
--ping DST: resolve DST by ARP and get an ICMP echo reply (10 s deadline),
print "ping DST ok" or exit 1. --noreach DST: ARP for DST during 2 s,
print "noreach DST ok" if nobody answers, else exit 1. Then, with
--until, keep answering until FILE exists (60 s at most). Last line:
"vlans V:N ..." = frames received per VLAN (-1: untagged).
"""
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
PACKET_OUTGOING = 4
BCAST = b"\xff" * 6


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Host:
    def __init__(self, ifname, vid, ip):
        self.vid = vid
        self.ip = socket.inet_aton(ip)
        with open("/sys/class/net/%s/address" % ifname) as f:
            self.mac = bytes.fromhex(f.read().strip().replace(":", ""))
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.bind((ifname, 0))
        self.s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        self.arp = {}          # ip bytes -> mac
        self.replies = set()   # (ip bytes, seq) of echo replies
        self.vlans = {}

    def send(self, dst, etype, payload):
        frame = dst + self.mac + struct.pack("!HHH", 0x8100, self.vid, etype) + payload
        self.s.send(frame.ljust(64, b"\0"))

    def send_arp(self, op, tmac, tip):
        self.send(BCAST if op == 1 else tmac, 0x0806,
                  struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, self.mac, self.ip,
                              tmac if op == 2 else b"\0" * 6, tip))

    def send_ip(self, dmac, dip, proto, payload):
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto,
                          0, self.ip, dip)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        self.send(dmac, 0x0800, hdr + payload)

    def send_echo(self, dmac, dip, typ, ident, seq, data):
        icmp = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + data
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        self.send_ip(dmac, dip, 1, icmp)

    def poll(self, secs):
        """Handle what arrives during secs seconds."""
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return
            data, anc, _, addr = self.s.recvmsg(65536, socket.CMSG_SPACE(32))
            if addr[2] == PACKET_OUTGOING or len(data) < 14:
                continue
            vid = -1
            for level, typ, cd in anc:
                if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cd) >= 20:
                    status, _, _, _, _, tci = struct.unpack("=IIIHHH", cd[:18])
                    if status & TP_STATUS_VLAN_VALID:
                        vid = tci & 0xFFF
            etype = struct.unpack("!H", data[12:14])[0]
            if etype == 0x8100 and len(data) >= 18:    # tag left in the frame
                vid = struct.unpack("!H", data[14:16])[0] & 0xFFF
                data = data[:12] + data[16:]
                etype = struct.unpack("!H", data[12:14])[0]
            self.vlans[vid] = self.vlans.get(vid, 0) + 1
            if vid == self.vid:
                self.handle(data[6:12], etype, data[14:])

    def handle(self, smac, etype, p):
        if etype == 0x0806 and len(p) >= 28:
            op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", p[:28])
            self.arp[spa] = sha
            if op == 1 and tpa == self.ip:
                self.send_arp(2, sha, spa)
        elif etype == 0x0800 and len(p) >= 28 and p[9] == 1 and p[16:20] == self.ip:
            ihl = (p[0] & 15) * 4
            tot = struct.unpack("!H", p[2:4])[0]
            icmp = p[ihl:tot]
            if len(icmp) < 8:
                return
            typ, _, _, ident, seq = struct.unpack("!BBHHH", icmp[:8])
            if typ == 8:
                self.send_echo(smac, p[12:16], 0, ident, seq, icmp[8:])
            elif typ == 0:
                self.replies.add((p[12:16], seq))

    def resolve(self, dip, secs):
        end = time.monotonic() + secs
        while dip not in self.arp and time.monotonic() < end:
            self.send_arp(1, None, dip)
            self.poll(0.3)
        return self.arp.get(dip)

    def ping(self, dst):
        dip = socket.inet_aton(dst)
        end = time.monotonic() + 10
        mac = self.resolve(dip, 10)
        seq = 0
        while mac and time.monotonic() < end:
            seq += 1
            self.send_echo(mac, dip, 8, os.getpid() & 0xFFFF, seq, b"vlanhost" * 7)
            self.poll(0.3)
            if any(ip == dip for ip, _ in self.replies):
                return True
        return False


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    h = Host(argv[1], int(argv[2]), argv[3])
    until = None
    args = argv[4:]
    while args:
        opt, val, args = args[0], args[1], args[2:]
        if opt == "--ping":
            if not h.ping(val):
                print("ping %s FAILED" % val, flush=True)
                sys.exit(1)
            print("ping %s ok" % val, flush=True)
        elif opt == "--noreach":
            if h.resolve(socket.inet_aton(val), 2):
                print("noreach %s FAILED: answered" % val, flush=True)
                sys.exit(1)
            print("noreach %s ok" % val, flush=True)
        elif opt == "--until":
            until = val
        else:
            sys.exit("unknown option " + opt)
    end = time.monotonic() + 60
    while until and not os.path.exists(until) and time.monotonic() < end:
        h.poll(0.1)
    print("vlans " + " ".join("%d:%d" % kv for kv in sorted(h.vlans.items())), flush=True)


if __name__ == "__main__":
    main(sys.argv)
