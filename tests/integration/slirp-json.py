#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/slirp-json.py - drive slirpvde in stream mode and check
# the JSON forms of its console commands against a known history.
#
#   slirp-json.py SLIRPVDE VDECMD SOCK
#
# slirpvde runs as our child with "-s - -D -M SOCK -L 5555:10.0.2.15:22"; we
# write stream records (2-byte big-endian length + frame) to its stdin:
# 5 ARP requests for 10.0.2.2, 3 runts (10 bytes), a DHCP DISCOVER and a
# REQUEST for the offered address; then vdecmd -j stats, leases,
# connections, fwd/print, neighbors and showinfo must parse and carry:
# in_frames 7, drop_runt 3, dhcp_acks 1, out_frames >= 7 (5 ARP replies,
# OFFER, ACK), the lease of our MAC for the offered address, the forward,
# its HOST_FORWARD socket, our MAC in the ARP table, the default addresses.
# Exit 0 on success, else a message and exit 1.
import json
import os
import select
import struct
import subprocess
import sys
import time

MAC = bytes.fromhex("525400123456")
HOST = bytes([10, 0, 2, 2])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def arp_request():
    eth = b"\xff" * 6 + MAC + b"\x08\x06"
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC + bytes([10, 0, 2, 15]) + \
        b"\0" * 6 + HOST
    return eth + arp


def dhcp(msgtype, req_ip=None):
    opts = bytes([53, 1, msgtype])
    if req_ip:
        opts += bytes([50, 4]) + req_ip + bytes([54, 4]) + HOST
    opts += b"\xff"
    bootp = struct.pack("!BBBBIHH", 1, 1, 6, 0, 0x1234abcd, 0, 0x8000) + b"\0" * 16 + \
        MAC + b"\0" * 10 + b"\0" * 192 + b"\x63\x82\x53\x63" + opts
    bootp += b"\0" * max(0, 300 - len(bootp))
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + MAC + b"\x08\x00" + ip + udp


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def main():
    slirp, vdecmd, sock = sys.argv[1:4]
    p = subprocess.Popen([slirp, "-s", "-", "-D", "-M", sock, "-L", "5555:10.0.2.15:22"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    rx = b""

    def send(frame):
        p.stdin.write(struct.pack("!H", len(frame)) + frame)
        p.stdin.flush()

    def frames(secs):
        nonlocal rx
        end = time.time() + secs
        while time.time() < end:
            while len(rx) >= 2 and len(rx) >= 2 + struct.unpack("!H", rx[:2])[0]:
                n = struct.unpack("!H", rx[:2])[0]
                f, rx = rx[2:2 + n], rx[2 + n:]
                yield f
            r, _, _ = select.select([p.stdout], [], [], 0.1)
            if r:
                d = os.read(p.stdout.fileno(), 65536)
                if not d:
                    return
                rx += d

    def dhcp_reply(want_type, secs=10):
        for f in frames(secs):
            if f[12:14] != b"\x08\x00" or f[23] != 17:
                continue
            ihl = (f[14] & 15) * 4
            udp = f[14 + ihl:]
            if struct.unpack("!H", udp[2:4])[0] != 68:
                continue
            bootp = udp[8:]
            opts = bootp[240:]
            i = 0
            while i < len(opts) and opts[i] != 255:
                if opts[i] == 0:
                    i += 1
                    continue
                if opts[i] == 53 and opts[i + 2] == want_type:
                    return bootp[16:20]
                i += 2 + opts[i + 1]
        return None

    def vjson(cmd):
        r = subprocess.run([vdecmd, "-j", sock, cmd], capture_output=True, timeout=20)
        if r.returncode != 0:
            fail("vdecmd -j %s: exit %d %r" % (cmd, r.returncode, r.stderr))
        return json.loads(r.stdout)

    try:
        end = time.time() + 20
        while not os.path.exists(sock) and time.time() < end:
            time.sleep(0.05)
        for _ in range(5):
            send(arp_request())
        for _ in range(3):
            send(b"\x01" * 10)
        send(dhcp(1))
        yi = dhcp_reply(2)
        if not yi:
            fail("no DHCPOFFER")
        send(dhcp(3, yi))
        if dhcp_reply(5) != yi:
            fail("no DHCPACK for the offered address")
        addr = ".".join(str(b) for b in yi)
        st = vjson("stats")
        for k, v in (("in_frames", 7), ("drop_runt", 3), ("dhcp_acks", 1)):
            if st.get(k) != v:
                fail("stats %s = %r, want %d: %r" % (k, st.get(k), v, st))
        if not isinstance(st.get("out_frames"), int) or st["out_frames"] < 7:
            fail("stats out_frames %r" % st.get("out_frames"))
        if st.get("in_bytes") != 5 * 42 + len(dhcp(1)) + len(dhcp(3, yi)):
            fail("stats in_bytes %r" % st.get("in_bytes"))
        le = vjson("leases")["leases"]
        if len(le) != 1 or le[0]["mac"] != "52:54:00:12:34:56" or le[0]["address"] != addr \
                or not 0 < le[0]["expires_s"] <= le[0]["lease_s"]:
            fail("leases %r (want %s)" % (le, addr))
        fw = vjson("fwd/print")["forwards"]
        if fw != [{"kind": "tcp", "host_address": "0.0.0.0", "host_port": 5555,
                   "guest_address": "10.0.2.15", "guest_port": 22}]:
            fail("fwd/print %r" % fw)
        cn = vjson("connections")["connections"]
        if not any(c["protocol"] == "TCP" and c["state"] == "HOST_FORWARD" and
                   c["source_port"] == 5555 and c["dest_address"] == "10.0.2.15" and
                   c["dest_port"] == 22 and isinstance(c["fd"], int) for c in cn):
            fail("connections %r" % cn)
        nb = vjson("neighbors")["neighbors"]
        if {"table": "ARP", "mac": "52:54:00:12:34:56", "address": "10.0.2.15"} not in nb:
            fail("neighbors %r" % nb)
        si = vjson("showinfo")
        want = {"switch": "-", "ipv4": True, "network": "10.0.2.0", "prefix_len": 24,
                "host": "10.0.2.2", "dns": "10.0.2.3", "dhcp_start": "10.0.2.15",
                "mtu": 1500, "restrict": False, "tftp": None, "forwards": 1}
        if any(si.get(k) != v for k, v in want.items()):
            fail("showinfo %r" % si)
        print("ok: stats %d in, %d out; lease %s; %d connection(s), %d neighbour(s)" %
              (st["in_frames"], st["out_frames"], addr, len(cn), len(nb)))
    finally:
        p.stdin.close()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


main()
