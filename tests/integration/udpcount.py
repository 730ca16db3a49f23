#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/udpcount.py - count UDP datagrams, for loss accounting
#
#   recv PORT OUT READY    count datagrams on PORT (a large forced receive
#                          buffer) until one reading "END", or 60 s; the
#                          count goes to OUT, READY is created once bound
#   send DST PORT N SIZE   N datagrams of SIZE bytes to DST:PORT as fast as
#                          the socket takes them (blocking), then "END"
#                          until the receiver stops answering (3 copies)
import socket
import sys
import time


def recv(port, out, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)	# SO_RCVBUFFORCE
    s.bind(("0.0.0.0", port))
    s.settimeout(1)
    open(ready, "w").close()
    n, end = 0, time.time() + 60
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if d == b"END":
            break
        n += 1
    with open(out, "w") as f:
        f.write("%d\n" % n)


def send(dst, port, count, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    buf = bytes(size)
    for _ in range(count):
        while True:
            try:
                s.sendto(buf, (dst, port))
                break
            except OSError:		# ENOBUFS from a full qdisc: retry
                time.sleep(0.001)
    for _ in range(3):
        time.sleep(0.5)
        s.sendto(b"END", (dst, port))


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("usage: udpcount.py recv PORT OUT READY | send DST PORT N SIZE")
