#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/slirp-helper.py - small servers and clients for the
# t-slirp-*.sh tests (standard library only).
#
#   dns ADDR PORT READYFILE      DNS server: every A query gets 192.0.2.77,
#                                AAAA gets 2001:db8::77, others NOTIMP;
#                                counts queries in READYFILE.count
#   udpecho ADDR PORT READYFILE  UDP echo server (IPv4 or IPv6 ADDR)
#   udpcheck ADDR PORT SIZE N    send N random datagrams of SIZE bytes, expect
#                                each echoed intact (1 s per try, 10 tries)
#   urgsend ADDR PORT FILE       connect, send FILE's bytes with one byte in
#                                the middle sent with MSG_OOB (TCP URG)
#   closer ADDR PORT N READYFILE TCP server: each connection gets N bytes
#                                read, then is closed (RST if more is coming)
#   stall ADDR PORT READYFILE    TCP server that accepts and never reads
import os
import random
import select
import socket
import struct
import sys
import time


def ready(path):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(path + ".tmp", path)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def dns(addr, port, readyfile):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    ready(readyfile)
    count = 0
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        # the question: labels up to a zero byte, then type and class
        i = 12
        while i < len(q) and q[i] != 0:
            i += 1 + q[i]
        if i + 5 > len(q) or qd != 1:
            continue
        qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
        question = q[12:i + 5]
        count += 1
        with open(readyfile + ".count", "w") as f:
            f.write("%d\n" % count)
        if qtype == 1:
            rdata = socket.inet_aton("192.0.2.77")
        elif qtype == 28:
            rdata = socket.inet_pton(socket.AF_INET6, "2001:db8::77")
        else:
            s.sendto(struct.pack("!HHHHHH", qid, 0x8184, 1, 0, 0, 0) + question, peer)
            continue
        answer = struct.pack("!HHHIH", 0xC00C, qtype, 1, 60, len(rdata)) + rdata
        s.sendto(struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer, peer)


def udpecho(addr, port, readyfile):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    ready(readyfile)
    while True:
        d, peer = s.recvfrom(65535)
        s.sendto(d, peer)


def udpcheck(addr, port, size, n):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.connect((addr, int(port)))
    for k in range(int(n)):
        data = bytes(random.getrandbits(8) for _ in range(int(size)))
        for _ in range(10):
            s.send(data)
            try:
                got = s.recv(65535)
            except socket.timeout:
                continue
            if got != data:
                sys.exit("datagram %d differs" % k)
            break
        else:
            sys.exit("datagram %d: no echo" % k)
    print("%s datagrams of %s bytes echoed intact" % (n, size))


def urgsend(addr, port, path):
    data = open(path, "rb").read()
    s = socket.create_connection((addr, int(port)), timeout=10)
    half = len(data) // 2
    s.sendall(data[:half])
    s.send(data[half:half + 1], socket.MSG_OOB)
    s.sendall(data[half + 1:])
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()


def closer(addr, port, n, readyfile):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(8)
    ready(readyfile)
    while True:
        c, _ = s.accept()
        got = 0
        while got < int(n):
            d = c.recv(65536)
            if not d:
                break
            got += len(d)
        c.close()


def stall(addr, port, readyfile):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((addr, int(port)))
    s.listen(8)
    ready(readyfile)
    conns = []
    while True:
        c, _ = s.accept()
        conns.append(c)


def hold(addr, port, readyfile):
    """Accept connections and keep them open until the peer closes (until
    killed)."""
    import selectors
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(1024)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    ready(readyfile)
    while True:
        for key, _ in sel.select():
            if key.fileobj is s:
                c, _ = s.accept()
                sel.register(c, selectors.EVENT_READ)
                continue
            try:
                d = key.fileobj.recv(65536)
            except OSError:
                d = b""
            if not d:
                sel.unregister(key.fileobj)
                key.fileobj.close()


def connmany(addr, port, n, secs, outfile, releasefile):
    """Open N connections at once; after SECS seconds write how many are
    established to OUTFILE, keep them open until RELEASEFILE exists (or 60 s),
    then close them all."""
    socks, done = [], set()
    for _ in range(int(n)):
        c = socket.socket(family(addr), socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex((addr, int(port)))
        socks.append(c)
    deadline = time.monotonic() + float(secs)
    while time.monotonic() < deadline:
        pending = [c for c in socks if c not in done]
        if not pending:
            break
        _, w, _ = select.select([], pending, [], 0.2)
        for c in w:
            if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                done.add(c)
            else:
                done.add(c)
                c.close()
    ok = sum(1 for c in socks if c.fileno() >= 0 and c in done)
    with open(outfile + ".tmp", "w") as f:
        f.write("%d\n" % ok)
    os.rename(outfile + ".tmp", outfile)
    end = time.monotonic() + 60
    while not os.path.exists(releasefile) and time.monotonic() < end:
        time.sleep(0.1)
    for c in socks:
        c.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"dns": dns, "udpecho": udpecho, "udpcheck": udpcheck, "urgsend": urgsend,
     "closer": closer, "stall": stall, "hold": hold, "connmany": connmany}[cmd](*args)
