#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/console-client.py - console clients for the t-console-*.sh tests
#
#   send SOCK CMD...      connect, wait for the prompt ("$ " at the end), send
#                         each CMD exactly as given (Python escapes: "\n" is a
#                         newline; no newline is added: vdeterm's way) and
#                         print each response (up to the next prompt, 5 s
#                         deadline) as one JSON string per line
#   split SOCK MS A B     send A, wait MS ms, send B (no newline anywhere) and
#                         print the one response as JSON
#   vdeterm SOCK CMD WANT Debian's vdeterm in a pty: type CMD + Enter, exit 0
#                         once WANT shows (10 s deadline)
#   hold SOCK N READY     open N sessions one after the other; write to READY
#                         how many got their banner within 2 s (and "done");
#                         keep them open until killed
#   cpu PID SECS          CPU time (ms) PID used during SECS
#   banner SOCK SECS      exit 0 if a new session gets its prompt within SECS
import json
import os
import select
import socket
import sys
import time


def connect(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def until_prompt(s, secs=5.0):
    out = b""
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        out += d
        if out.endswith(b"$ "):
            break
    return out


def cmd_send(path, cmds):
    s = connect(path)
    until_prompt(s)
    for c in cmds:
        s.sendall(c.encode().decode("unicode_escape").encode("latin-1"))
        print(json.dumps(until_prompt(s).decode("latin-1")))
    s.close()


def cmd_split(path, ms, a, b):
    s = connect(path)
    until_prompt(s)
    s.sendall(a.encode())
    time.sleep(int(ms) / 1000.0)
    s.sendall(b.encode())
    print(json.dumps(until_prompt(s).decode("latin-1")))
    s.close()


def cmd_vdeterm(path, cmd, want):
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("vdeterm", ["vdeterm", path])
    out = b""

    def pump(tok, secs):
        nonlocal out
        end = time.time() + secs
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.1)
            if not r:
                continue
            try:
                d = os.read(fd, 4096)
            except OSError:
                return False
            if not d:
                return False
            out += d
            if tok in out:
                return True
        return False

    ok = pump(b"]: ", 10)
    time.sleep(0.3)
    os.write(fd, cmd.encode() + b"\r")
    ok = ok and pump(want.encode(), 10)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace") + "\n")
    sys.exit(0 if ok else 1)


def cmd_hold(path, n, ready):
    socks, got = [], 0
    for _ in range(int(n)):
        try:
            s = connect(path, 2.0)
        except OSError:
            continue
        socks.append(s)
        if until_prompt(s, 2.0).endswith(b"$ "):
            got += 1
    with open(ready + ".tmp", "w") as f:
        f.write("%d\ndone\n" % got)
    os.rename(ready + ".tmp", ready)
    while True:
        time.sleep(3600)


def cmd_cpu(pid, secs):
    def ticks():
        with open("/proc/%s/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])   # utime + stime
    hz = os.sysconf("SC_CLK_TCK")
    t0 = ticks()
    time.sleep(float(secs))
    print((ticks() - t0) * 1000 // hz)


def cmd_banner(path, secs):
    try:
        s = connect(path, float(secs))
    except OSError:
        sys.exit(1)
    sys.exit(0 if until_prompt(s, float(secs)).endswith(b"$ ") else 1)


def main():
    a = sys.argv[1:]
    if a[0] == "send":
        cmd_send(a[1], a[2:])
    elif a[0] == "split":
        cmd_split(a[1], a[2], a[3], a[4])
    elif a[0] == "vdeterm":
        cmd_vdeterm(a[1], a[2], a[3])
    elif a[0] == "hold":
        cmd_hold(a[1], a[2], a[3])
    elif a[0] == "cpu":
        cmd_cpu(a[1], a[2])
    elif a[0] == "banner":
        cmd_banner(a[1], a[2])
    else:
        sys.exit("unknown subcommand " + a[0])


main()
