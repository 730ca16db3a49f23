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
import importlib.util
import os
import signal
import subprocess
import sys
import time

# console(): one command on a VDE console (fstp-ring.py)
_spec = importlib.util.spec_from_file_location(
    'fstp_ring', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fstp-ring.py'))
_fstp_ring = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fstp_ring)
procs = []


def port_table(mgmt):
    """port/print's lines (fstp-ring.py's console())."""
    return _fstp_ring.console(mgmt, 'port/print')[0]


def ports(mgmt):
    return sum(1 for l in port_table(mgmt) if l.startswith('Port '))


def wait_ports(mgmt, want, what):
    end = time.monotonic() + 5
    while ports(mgmt) != want:
        if time.monotonic() > end:
            sys.exit('FAIL: %s: %d ports listed, want %d\n%s' %
                     (what, ports(mgmt), want, '\n'.join(port_table(mgmt))))


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
