#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/console-session.py - one VDE console session mixing
# commands, shell commands and waits for asynchronous debug lines, printed
# byte for byte (for side-by-side comparisons with Debian's vde_switch).
#   console-session.py SOCKET OP...
#     c:CMD          send CMD, wait for the next prompt
#     r:SHELL        run SHELL (must succeed) while the session stays open
#     w:REGEX:N      wait until the session output matches REGEX N times
# Every wait has a 20 s deadline; on failure the bytes so far go to stdout.
import re, socket, subprocess, sys, time

buf = b""
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
end = time.time() + 20


def read_until(pred):
    global buf
    while not pred():
        s.settimeout(max(0.01, end - time.time()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            raise SystemExit("timeout; last bytes %r" % buf[-300:])
        if not chunk:
            raise SystemExit("session closed; last bytes %r" % buf[-300:])
        buf += chunk


try:
    s.connect(sys.argv[1])
    read_until(lambda: buf.endswith(b"vde$ "))
    for op in sys.argv[2:]:
        kind, arg = op[0], op[2:]
        if kind == "c":
            n0 = len(buf)
            s.sendall(arg.encode() + b"\n")
            read_until(lambda: buf[n0:].endswith(b"\nvde$ "))
        elif kind == "r":
            subprocess.run(arg, shell=True, check=True, timeout=20)
        elif kind == "w":
            rx, n = arg.rsplit(":", 1)
            pat = re.compile(rx.encode(), re.M)
            read_until(lambda: len(pat.findall(buf)) >= int(n))
        else:
            raise SystemExit("bad op %r" % op)
    s.sendall(b"logout\n")
    read_until(lambda: b"9999 END OF SESSION" in buf)
finally:
    sys.stdout.buffer.write(buf)
