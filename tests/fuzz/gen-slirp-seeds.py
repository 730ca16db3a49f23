#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-slirp-seeds.py - seeds for fuzz_slirp (records of
# [len_hi][len_lo][Ethernet frame]): ARP, DHCP (good and with odd option
# lengths), ICMP echo, DNS, TFTP with TFTP off, TCP SYN and URG segments
# with huge urgent pointers, TCP fragments that split the header, out of
# order / overlapping / oversized IPv4 fragments, IPv6 RS/NS/echo/TCP URG,
# TCP to the virtual host's UNIX-forwarded port 6000.
# Usage: gen-slirp-seeds.py OUTDIR
import os
import struct
import sys

GMAC = bytes.fromhex("525400123456")
BCAST = b"\xff" * 6
SMAC = bytes.fromhex("52550a000202")
G4 = bytes([10, 0, 2, 15])
H4 = bytes([10, 0, 2, 2])
D4 = bytes([10, 0, 2, 3])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(dst, typ, payload):
    return dst + GMAC + struct.pack("!H", typ) + payload


def ip4(proto, src, dst, payload, ident=1, frag=0, tlen=None):
    tl = 20 + len(payload) if tlen is None else tlen
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp4(src, dst, sport, dport, flags, seq=1000, ack=0, urp=0, data=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, urp)
    ph = src + dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(ph + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def udp4(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    return h + data


def dhcp(msgtype, opts=b""):
    bp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1234, 0, 0x8000,
                     b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, GMAC + b"\0" * 10,
                     b"\0" * 64, b"\0" * 128)
    return bp + b"\x63\x82\x53\x63" + bytes([53, 1, msgtype]) + opts + b"\xff"


def frame_dhcp(msgtype, opts=b""):
    return eth(BCAST, 0x0800, ip4(17, b"\0" * 4, b"\xff" * 4,
                                   udp4(b"\0" * 4, b"\xff" * 4, 68, 67, dhcp(msgtype, opts))))


def arp_req(target):
    return eth(BCAST, 0x0806, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, GMAC, G4,
                                          b"\0" * 6, target))


def icmp_echo(dst):
    body = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping" * 8
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    return eth(SMAC, 0x0800, ip4(1, G4, dst, body))


def dns_query():
    q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x03www\x06vdekit\x04test\x00" + \
        struct.pack("!HH", 1, 1)
    return eth(SMAC, 0x0800, ip4(17, G4, D4, udp4(G4, D4, 40000, 53, q)))


def tftp_rrq():
    return eth(SMAC, 0x0800, ip4(17, G4, H4, udp4(G4, H4, 40001, 69, b"\x00\x01pxelinux.0\x00octet\x00")))


def ip6(nh, src, dst, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 255, src, dst) + payload


LL = bytes.fromhex("fe80000000000000505400fffe123456")
ALLR = bytes.fromhex("ff020000000000000000000000000002")
FD2 = bytes.fromhex("fd000000000000000000000000000002")
FD15 = bytes.fromhex("fd000000000000005054 00fffe123456".replace(" ", ""))


def icmp6(src, dst, typ, code, body):
    m = struct.pack("!BBH", typ, code, 0) + body
    ph = src + dst + struct.pack("!I3xB", len(m), 58)
    c = csum(ph + m)
    return m[:2] + struct.pack("!H", c) + m[4:]


def rs():
    return eth(bytes.fromhex("333300000002"), 0x86dd,
               ip6(58, LL, ALLR, icmp6(LL, ALLR, 133, 0, b"\0" * 4 + b"\x01\x01" + GMAC)))


def ns(target):
    sn = bytes.fromhex("ff0200000000000000000001ff000002")
    return eth(bytes.fromhex("3333ff000002"), 0x86dd,
               ip6(58, LL, sn, icmp6(LL, sn, 135, 0, b"\0" * 4 + target + b"\x01\x01" + GMAC)))


def tcp6_urg():
    h = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x22, 65535, 0, 0xffff)
    return eth(SMAC, 0x86dd, ip6(6, FD15, FD2, h + b"urgent"))


def rec(*frames):
    return b"".join(struct.pack("!H", len(f)) + f for f in frames)


def main(out):
    os.makedirs(out, exist_ok=True)
    syn = eth(SMAC, 0x0800, ip4(6, G4, H4, tcp4(G4, H4, 40000, 80, 0x02)))
    urg = eth(SMAC, 0x0800, ip4(6, G4, H4, tcp4(G4, H4, 40000, 80, 0x38, urp=0xffff, data=b"x" * 40)))
    urg0 = eth(SMAC, 0x0800, ip4(6, G4, H4, tcp4(G4, H4, 40000, 80, 0x20, urp=0, data=b"")))
    t = tcp4(G4, H4, 40000, 80, 0x38, urp=60000, data=b"y" * 64)
    frag8 = eth(SMAC, 0x0800, ip4(6, G4, H4, t[8:], ident=9, frag=1, tlen=20 + len(t) - 8))
    frag0 = eth(SMAC, 0x0800, ip4(6, G4, H4, t[:8], ident=9, frag=0x2000))
    big = [eth(SMAC, 0x0800, ip4(17, G4, H4, b"z" * 1400, ident=77, frag=0x2000 | (k * 175)))
           for k in range(50)]
    seeds = {
        "arp": rec(arp_req(H4), arp_req(D4), arp_req(bytes([10, 0, 2, 99]))),
        "dhcp-dora": rec(frame_dhcp(1), frame_dhcp(3, bytes([50, 4]) + bytes([10, 0, 2, 15]) +
                                                   bytes([54, 4]) + H4)),
        "dhcp-oddopts": rec(frame_dhcp(1, bytes([12, 0, 55, 255]) + b"\x01" * 255),
                            frame_dhcp(3, bytes([50, 0, 61, 1, 1])), frame_dhcp(8), frame_dhcp(7)),
        "icmp": rec(arp_req(H4), icmp_echo(H4), icmp_echo(D4), icmp_echo(bytes([8, 8, 8, 8]))),
        "dns": rec(dns_query()),
        "tftp-off": rec(tftp_rrq()),
        "tcp-syn-urg": rec(syn, urg, urg0),
        "tcp-frag-header": rec(frag0, frag8),
        "ip-frag-overlap": rec(frag8, frag0, frag0, frag8),
        "ip-frag-64k": rec(*big),
        "ipv6": rec(rs(), ns(FD2), ns(LL), tcp6_urg()),
        "runts": rec(b"", b"\x01", b"\xff" * 13, b"\xff" * 14, eth(SMAC, 0x0800, b"\x45")),
        "unixfwd-vhost": rec(arp_req(H4), eth(SMAC, 0x0800, ip4(6, G4, H4, tcp4(G4, H4, 40002, 6000, 0x02))),
                             eth(SMAC, 0x0800, ip4(6, G4, H4, tcp4(G4, H4, 40002, 6000, 0x10, seq=1001, ack=1)))),
        "tcp-truncated": rec(syn[:14 + 20 + 12], eth(SMAC, 0x86dd, ip6(6, FD15, FD2, b"\x9c\x40"))),
        "vlan": rec(SMAC + GMAC + b"\x81\x00\x00\x05\x08\x00" + ip4(1, G4, H4, b"\x08\0\0\0")),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
