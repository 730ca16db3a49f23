#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/capture-client.py - a capture client that also sends
#
#   capture-client.py SWITCHDIR N
#
# Opens a capture port (every port, every VLAN) with the request of
# docs/capture.md, checks the VCAP acknowledgement, sends N 60-byte
# broadcast frames on the capture port's data socket (a switch must drop
# them), prints "sent N" and keeps the port open until stdin ends.
import os
import socket
import struct
import sys

sw, n = sys.argv[1], int(sys.argv[2])
me = "/tmp/vdecap-client.%d" % os.getpid()
data = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
data.bind(me)
ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ctl.connect(os.path.join(sw, "ctl"))
ctl.settimeout(5)
sun = struct.pack("=H", socket.AF_UNIX) + me.encode().ljust(108, b"\0")
ctl.sendall(struct.pack("<III", 0xFEEDFACE, 3, 2) + sun +
            struct.pack("<HHI", 1, 0xFFFF, 0) + b"capture-client")
reply = b""
while len(reply) < 118:
    chunk = ctl.recv(118 - len(reply))
    if not chunk:
        sys.exit("switch refused the capture port")
    reply += chunk
if struct.unpack_from("<I", reply, 110)[0] != 0x50414356:
    sys.exit("no VCAP acknowledgement")
data.connect(reply[2:110].split(b"\0")[0].decode())
os.unlink(me)
for i in range(n):
    data.send(b"\xff" * 6 + b"\x02\x00\x00\x00\xee" + bytes([i]) + b"\x88\xb5" + bytes(46))
print("sent", n, flush=True)
sys.stdin.read()
