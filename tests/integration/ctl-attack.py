#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ctl-attack.py - a VDE client that lies about whose socket it is, for
t-switch-access.sh. Speaks the control protocol itself (docs/protocol.md,
"Control request"); meant to run as an unprivileged user.

  once CTL PATH PORT          one request naming PATH: prints "granted P" or
                              "refused"
  race CTL DIR TARGETDIR PORT SECS
                              binds DIR/mine/sock, and for SECS seconds swaps
                              the directory symlink DIR/link between DIR/mine
                              and TARGETDIR (where another user's socket
                              "sock" is) in a thread while requesting, in
                              turn, port PORT and any port naming
                              DIR/link/sock. Granted endpoints are kept a
                              moment (the last 8) so frames can reach them.
                              Prints "victimport N anyport N refused N".
  wait CTL PATH SECS          bind PATH, request any port and wait up to SECS
                              for the answer: prints "granted P" or "refused"
  hold CTL N STOP             open N connections to CTL that say nothing, keep
                              them until STOP exists (30 s at most)
  flood CTL N                 N requests with a bad magic, each until the
                              switch closes it; prints "flood N in S s"
  recv PATH SECS STOP         bind PATH, count datagrams until STOP exists or
                              SECS pass; prints "received N"
"""
import os
import select
import socket
import struct
import sys
import threading
import time


def request(ctl, path, port, descr=b"ctl-attack", timeout=5.0):
    """Send one request; return (the ctl socket, granted port or None)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(ctl)
    sun = struct.pack("<H", 1) + path.encode().ljust(108, b"\0")
    s.sendall(struct.pack("<III", 0xfeedface, 3, port << 8) + sun + descr)
    reply = b""
    try:
        while len(reply) < 110:
            chunk = s.recv(110 - len(reply))
            if not chunk:
                break
            reply += chunk
    except socket.timeout:
        raise SystemExit("no reply and no close within %g s" % timeout)
    if len(reply) != 110:
        s.close()
        return None, None
    name = reply[2:].split(b"\0", 1)[0].decode()
    return s, int(os.path.basename(name).split(".")[0])


def once(ctl, path, port):
    s, p = request(ctl, path, int(port))
    print("refused" if s is None else "granted %d" % p)


def race(ctl, d, target, port, secs):
    mine = os.path.join(d, "mine")
    link = os.path.join(d, "link")
    tmp = os.path.join(d, "link.tmp")
    os.mkdir(mine)
    me = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    me.bind(os.path.join(mine, "sock"))
    os.symlink(mine, link)
    stop = threading.Event()

    def flip():
        targets = (target, mine)
        i = 0
        while not stop.is_set():
            i += 1
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            os.symlink(targets[i & 1], tmp)
            os.rename(tmp, link)

    t = threading.Thread(target=flip)
    t.start()
    counts = {"victimport": 0, "anyport": 0, "refused": 0}
    kept = []
    end = time.monotonic() + float(secs)
    n = 0
    try:
        while time.monotonic() < end:
            n += 1
            want = int(port) if n & 1 else 0
            s, p = request(ctl, os.path.join(link, "sock"), want)
            if s is None:
                counts["refused"] += 1
                continue
            counts["victimport" if want else "anyport"] += 1
            kept.append(s)
            if len(kept) > 8:
                kept.pop(0).close()
    finally:
        stop.set()
        t.join()
    time.sleep(0.2)
    for s in kept:
        s.close()
    print(" ".join("%s %d" % kv for kv in counts.items()))


def wait(ctl, path, secs):
    me = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    me.bind(path)
    s, p = request(ctl, path, 0, timeout=float(secs))
    print("refused" if s is None else "granted %d" % p, flush=True)


def hold(ctl, n, stopfile):
    conns = []
    for _ in range(int(n)):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(ctl)
        conns.append(s)
    print("holding %d" % len(conns), flush=True)
    end = time.monotonic() + 30
    while time.monotonic() < end and not os.path.exists(stopfile):
        time.sleep(0.02)
    for s in conns:
        s.close()


def flood(ctl, n):
    start = time.monotonic()
    for _ in range(int(n)):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(ctl)
        s.sendall(b"\x00" * 130)
        if s.recv(256):
            raise SystemExit("a bad request got an answer")
        s.close()
    print("flood %s in %.1f s" % (n, time.monotonic() - start))


def recv(path, secs, stopfile):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    n = 0
    end = time.monotonic() + float(secs)
    while time.monotonic() < end and not os.path.exists(stopfile):
        r, _, _ = select.select([s], [], [], 0.1)
        if r:
            s.recv(65536)
            n += 1
    print("received %d" % n, flush=True)


if __name__ == "__main__":
    cmds = {"once": once, "race": race, "recv": recv, "wait": wait, "hold": hold,
            "flood": flood}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        raise SystemExit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
