#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/port-churn.py - clients that come and go while the
# console is busy: every port must go with its client.
#
#   port-churn.py DIR MGMT PLUG ROUNDS
#
# Each round starts three PLUG processes on the switch at DIR (all at once
# in even rounds, one after the other in odd ones), waits until the console
# (MGMT) lists their three ports, ends them (SIGTERM to two, SIGKILL to the
# third) and waits until no port is left. The console is asked all the time
# (port/print in a loop), so its sessions come and go between the clients'
# connections, which is what made VDE 2.3.2's switch lose track of a port's
# control connection and keep the port after its client was gone
# (docs/protocol.md). Every wait is bounded (5 s); exit 1 with the port
# table on the first port left behind or missing. Processes it started are
# ended by PID on every exit.
import os
import signal
import socket
import subprocess
import sys
import time

procs = []


def console(path, line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
        buf = b''
        while not buf.endswith(b'vde$ '):
            d = s.recv(4096)
            if not d:
                raise OSError('console closed')
            buf += d
        s.sendall(line.encode() + b'\n')
        buf = b''
        while not buf.endswith(b'\nvde$ '):
            d = s.recv(4096)
            if not d:
                raise OSError('console closed')
            buf += d
    finally:
        s.close()
    return buf.decode()


def ports(mgmt):
    return console(mgmt, 'port/print').count('\nPort ')


def wait_ports(mgmt, want, what):
    end = time.monotonic() + 5
    while ports(mgmt) != want:
        if time.monotonic() > end:
            sys.exit('FAIL: %s: %d ports listed, want %d\n%s' %
                     (what, ports(mgmt), want, console(mgmt, 'port/print')))


def main():
    sw, mgmt, plug, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    for r in range(rounds):
        ps = []
        for k in range(3):
            ps.append(subprocess.Popen([plug, sw], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL))
            procs.append(ps[-1])
            if r % 2:
                wait_ports(mgmt, k + 1, 'round %d, client %d connecting' % (r, k + 1))
        wait_ports(mgmt, 3, 'round %d, three clients connected' % r)
        for k, p in enumerate(ps):
            p.send_signal(signal.SIGKILL if k == 2 else signal.SIGTERM)
        for p in ps:
            p.wait(timeout=5)
            procs.remove(p)
        wait_ports(mgmt, 0, 'round %d, clients ended' % r)
    print('ok: %d rounds of three clients, no port left behind' % rounds)


if __name__ == '__main__':
    try:
        main()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
