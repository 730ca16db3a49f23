#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/fastpath-peer.py - a DIR/.fastpath socket that does NOT
# grant rings, to show our libvdeplug then stays on datagrams:
#   fastpath-peer.py PATH MODE LOG
# MODE: refuse (a REFUSE message), eof (close at once), garbage (a short
# message), offer-nofd (an OFFER without the memfd). Every connection
# appends one line "conn N REQUEST-OK|REQUEST-BAD" to LOG.
import os
import socket
import struct
import sys

path, mode, log = sys.argv[1], sys.argv[2], sys.argv[3]
MAGIC = 0x50464456
FMT = "<IHHiIII108s"          # struct fastpath_msg, 132 bytes
assert struct.calcsize(FMT) == 132

try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
s.listen(4)
with open(log, "a") as f:
    f.write("listening\n")
n = 0
while True:
    c, _ = s.accept()
    n += 1
    c.settimeout(10)
    try:
        req = c.recv(200)
    except OSError:
        req = b""
    ok = len(req) == 132 and struct.unpack(FMT, req)[0] == MAGIC and struct.unpack(FMT, req)[2] == 1
    with open(log, "a") as f:
        f.write("conn %d %s\n" % (n, "REQUEST-OK" if ok else "REQUEST-BAD"))
    if mode == "refuse":
        c.send(struct.pack(FMT, MAGIC, 1, 3, 1, 0, 0, 0, b""))
    elif mode == "garbage":
        c.send(b"\xde\xad\xbe\xef")
    elif mode == "offer-nofd":
        c.send(struct.pack(FMT, MAGIC, 1, 2, 0, 262144, 0, 0, b""))
        try:
            c.recv(200)
        except OSError:
            pass
    c.close()
