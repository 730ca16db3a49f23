#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/switch-console.py - drive a VDE management console the
# way VDE 2 requires (one command per write, wait for the prompt) and print
# the exact bytes of the session. Used by t-switch-console.sh to compare our
# vde_switch with Debian's byte for byte.
#   switch-console.py SOCKET CMD...   -> banner, then each command's answer
import socket, sys, time

def read_until(s, marker, deadline):
    data = b""
    while not data.endswith(marker):
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            raise SystemExit("timeout waiting for %r, got %r" % (marker, data))
        if not chunk:
            break
        data += chunk
    return data

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
end = time.time() + 10
out = read_until(s, b"vde$ ", end)
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\n")
    out += read_until(s, b"\nvde$ ", end)
s.sendall(b"logout\n")
out += read_until(s, b"9999 END OF SESSION", end)
sys.stdout.buffer.write(out)
