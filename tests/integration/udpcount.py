#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/udpcount.py - count UDP datagrams, for loss accounting
#
#   recv PORT OUT READY    count datagrams on PORT (a large forced receive
#                          buffer): the data, and the "END" markers. From the
#                          first END on, keep counting until nothing has come
#                          for QUIET seconds (a datagram queued on another
#                          CPU may arrive after an END that overtook it); at
#                          most 60 s in all. OUT gets "DATA ENDS LATE" (LATE:
#                          data after the first END); READY is created once
#                          bound
#   send DST PORT N SIZE   N datagrams of SIZE bytes to DST:PORT as fast as
#                          the socket takes them (blocking), then ENDS "END"
#                          markers 0.5 s apart
import os
import socket
import sys
import time

ENDS = 3
QUIET = 2.0


def recv(port, out, ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)	# SO_RCVBUFFORCE
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    open(ready, "w").close()
    data = ends = late = 0
    last = None		# when the last datagram came, once an END has
    end = time.time() + 60
    while time.time() < end:
        if last is not None and time.time() - last >= QUIET:
            break
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        if d == b"END":
            ends += 1
        else:
            data += 1
            late += ends > 0
        if ends:
            last = time.time()
    with open(out + ".part", "w") as f:
        f.write("%d %d %d\n" % (data, ends, late))
    s.close()
    # the count appears whole, once the socket is closed
    os.rename(out + ".part", out)


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
    for _ in range(ENDS):
        time.sleep(0.5)
        s.sendto(b"END", (dst, port))


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit("usage: udpcount.py recv PORT OUT READY | send DST PORT N SIZE")
