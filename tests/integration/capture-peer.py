#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/capture-peer.py - the switch end of a capture-port request,
# played byte by byte (docs/capture.md), to test vdecapture's client side
#
#   capture-peer.py DIR MODE REQFILE
#
# Listens on DIR/ctl, writes "ready" to stdout, accepts one client, checks
# that its request is a well-formed capture request (exit 1 otherwise) and
# writes it in hex to REQFILE. MODE decides the answer:
#   eof      close the ctl stream (what VDE 2 does with an unknown type)
#   bare     a bare 110-byte sockaddr_un, as to an ordinary port
#   capture  the reply with its VCAP acknowledgement, then five datagrams:
#            port 1 in (seq 0), port 2 out (seq 1), port 1 in (seq 5: three
#            copies lost), one with header version 9 (malformed), port 1 in
#            (seq 6) cut to 60 of its 100 bytes. Timestamps 1700000000 s +
#            (i + 1) * 1000 ns. Frame i: 60 bytes of (i * 16 + j) & 0xff.
# Then it waits (at most 30 s) for the client to close the ctl stream.
import os
import socket
import struct
import sys

d, mode, reqfile = sys.argv[1:4]
os.makedirs(d, exist_ok=True)
ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ctl.bind(os.path.join(d, "ctl"))
ctl.listen(1)
ctl.settimeout(30)
print("ready", flush=True)
c, _ = ctl.accept()
c.settimeout(10)
req = b""
while len(req) < 130:
    chunk = c.recv(512)
    if not chunk:
        break
    req += chunk
with open(reqfile, "w") as f:
    f.write(req.hex() + "\n")
if len(req) < 130 or len(req) > 250:
    sys.exit("request length %d" % len(req))
magic, version, rtype = struct.unpack_from("<III", req, 0)
fam = struct.unpack_from("=H", req, 12)[0]
path = req[14:122].split(b"\0")[0].decode()
bver, vlan, snaplen = struct.unpack_from("<HHI", req, 122)
if (magic, version, rtype & 0xff, fam, bver) != (0xFEEDFACE, 3, 2, socket.AF_UNIX, 1):
    sys.exit("not a capture request: %s" % req[:16].hex())
if not path.startswith("/") or not req[130:].startswith(b"vdecapture"):
    sys.exit("bad socket path or description")

if mode == "eof":
    c.close()
    sys.exit(0)

data = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
data.bind(os.path.join(d, "001"))
data.connect(path)   # as a switch: before the reply, while the path exists
sun = struct.pack("=H", socket.AF_UNIX) + os.path.join(d, "001").encode().ljust(108, b"\0")
if mode == "bare":
    c.sendall(sun)
else:
    c.sendall(sun + struct.pack("<IHH", 0x50414356, 1, 24))


def frame(i, n):
    return bytes((i * 16 + j) & 0xFF for j in range(n))


def hdr(direction, port, seq, orig, i, version=1):
    return struct.pack("<BBHIIIQ", version, direction, 0, port, seq, orig,
                       1700000000 * 10**9 + (i + 1) * 1000)


if mode == "capture":
    data.send(hdr(1, 1, 0, 60, 0) + frame(0, 60))
    data.send(hdr(2, 2, 1, 60, 1) + frame(1, 60))
    data.send(hdr(1, 1, 5, 60, 2) + frame(2, 60))
    data.send(hdr(1, 1, 9, 60, 3, version=9) + frame(3, 60))
    data.send(hdr(1, 1, 6, 100, 4) + frame(4, 60))
try:
    while c.recv(64):
        pass
except OSError:
    pass
