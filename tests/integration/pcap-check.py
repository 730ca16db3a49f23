#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/integration/pcap-check.py - what a wire carried, checked

    pcap-check.py FILE MAXLEN [MINFRAMES]

Reads a classic pcap file (tcpdump -w, Ethernet). Every frame must be at
most MAXLEN bytes and every IPv4 header checksum and IPv4/IPv6 TCP checksum
must be correct, and so every UDP checksum (but an IPv4 one left 0);
802.1Q tags are skipped. Prints a one-line summary; exit
status 0 when more than MINFRAMES (default 100) frames were seen and none
was too long or had a wrong checksum, 1 otherwise.
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def main():
    data = open(sys.argv[1], 'rb').read()
    maxlen = int(sys.argv[2])
    minframes = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    off, n, big, bad, top, tagged = 24, 0, 0, 0, 0, 0
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack('<IIII', data[off:off + 16])
        f = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        top = max(top, orig)
        if orig > maxlen:
            big += 1
        if incl != orig or len(f) < 14:
            continue
        l3 = 14
        et = struct.unpack('!H', f[12:14])[0]
        if et == 0x8100 and len(f) >= 18:
            tagged += 1
            et = struct.unpack('!H', f[16:18])[0]
            l3 = 18
        if et == 0x0800:
            ihl = (f[l3] & 15) * 4
            tot = struct.unpack('!H', f[l3 + 2:l3 + 4])[0]
            ip, l4 = f[l3:l3 + ihl], f[l3 + ihl:l3 + tot]
            proto = f[l3 + 9]
            if proto not in (6, 17) or (proto == 17 and l4[6:8] == b'\0\0'):
                continue
            ph = f[l3 + 12:l3 + 20] + struct.pack('!BBH', 0, proto, len(l4))
            if csum(ip) != 0xffff:
                bad += 1
        elif et == 0x86dd:
            proto = f[l3 + 6]
            if proto not in (6, 17):
                continue
            plen = struct.unpack('!H', f[l3 + 4:l3 + 6])[0]
            l4 = f[l3 + 40:l3 + 40 + plen]
            ph = f[l3 + 8:l3 + 40] + struct.pack('!IxxxB', len(l4), proto)
        else:
            continue
        if csum(ph + l4) != 0xffff:
            bad += 1
    print('%d frames (%d tagged), longest %d bytes, %d longer than %d, %d bad checksums' % (
        n, tagged, top, big, maxlen, bad))
    return 0 if n > minframes and not big and not bad else 1


if __name__ == '__main__':
    sys.exit(main())
