#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/mem-load.py - the load of bench/mem.sh: many clients, many MACs, bursts.
#
# usage: mem-load.py SWITCH_DIR TMPDIR NPORTS NMACS BURST LEN [STALL]
#        mem-load.py --check MGMT_SOCK NMACS SAMPLES
#
# Attaches NPORTS clients to the VDE 2 switch in SWITCH_DIR (plain protocol
# v3, the same as bench/vdebench: one ctl stream + one datagram socket each,
# so every client has its own port), then:
#  1. learning: MAC i (i = 0..NMACS-1) belongs to client i % NPORTS; each
#     client first sends one broadcast from its first MAC (its "home" MAC,
#     flooded to every port), then one frame from each of its other MACs to
#     its own home MAC (the switch learns the source and drops the frame:
#     destination on the ingress port), so the switch learns NMACS entries
#     without flooding them;
#  2. traffic: every client sends BURST unicast frames of LEN bytes to the
#     home MAC of the next client, all at once and before anyone reads (so a
#     switch that queues per endpoint has to queue), then everyone drains.
#     With STALL=1 the clients read nothing at all until every frame is sent
#     (64 slow receivers: the switch queues the whole burst for each port;
#     keep BURST * LEN well under half the switch's per-endpoint queue).
# Prints "sent=N received=N" and stays attached until stdin closes (the
# caller measures the switch meanwhile). Exits 1 on setup errors.
# --check looks SAMPLES of the NMACS MACs (evenly spread) up with hash/find
# on the switch console and prints how many it knows: hash/print can't count
# them on Debian's switch, which truncates long console output.
import os
import select
import socket
import struct
import sys
import time

MAGIC = 0xfeedface
SUN_LEN = 110


def mac(i):
    return bytes([0x02, 0x4d, 0x45, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])


def attach(swdir, tmp, n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.time() + 5
    while True:
        try:
            c.connect(os.path.join(swdir, 'ctl'))
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.time() > deadline:
                raise
            time.sleep(0.01)
    d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    me = os.path.join(tmp, 'c%03d' % n)
    d.bind(me)
    d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sa = struct.pack('<H', socket.AF_UNIX) + me.encode()
    sa += b'\0' * (SUN_LEN - len(sa))
    c.sendall(struct.pack('<III', MAGIC, 3, 0) + sa + b'memload %d' % n)
    rep = b''
    c.settimeout(5)
    while len(rep) < SUN_LEN:
        r = c.recv(SUN_LEN - len(rep))
        if not r:
            sys.exit('mem-load: switch closed the control connection of client %d' % n)
        rep += r
    path = rep[2:].split(b'\0', 1)[0].decode()
    d.connect(path)
    os.unlink(me)
    d.setblocking(False)
    return c, d


def check(mgmt, nmacs, samples):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(mgmt)
    s.settimeout(5)
    buf = b''
    while b'$ ' not in buf:
        buf += s.recv(65536)
    found = 0
    for k in range(samples):
        i = k * nmacs // samples
        s.sendall(b'hash/find ' + ':'.join('%02x' % b for b in mac(i)).encode() + b'\n')
        buf = b''
        while not buf.endswith(b'$ '):
            r = s.recv(65536)
            if not r:
                break
            buf += r
        found += buf.count(b'Addr: ')
    s.close()
    print('%d/%d' % (found, samples))


def main():
    if sys.argv[1] == '--check':
        check(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    swdir, tmp = sys.argv[1], sys.argv[2]
    nports, nmacs, burst, flen = (int(a) for a in sys.argv[3:7])
    stall_burst = len(sys.argv) > 7 and sys.argv[7] == '1'
    clients = [attach(swdir, tmp, n) for n in range(nports)]
    socks = [d for _, d in clients]
    received = 0
    sent = 0

    def drain(quiet_s):
        nonlocal received
        last = time.time()
        while time.time() - last < quiet_s:
            r, _, _ = select.select(socks, [], [], quiet_s)
            for d in r:
                try:
                    while True:
                        d.recv(65536)
                        received += 1
                        last = time.time()
                except BlockingIOError:
                    pass

    stall = False

    def send(d, frame):
        nonlocal sent
        while True:
            try:
                d.send(frame)
                sent += 1
                return
            except (BlockingIOError, ConnectionRefusedError):
                pass
            except OSError as e:
                if e.errno != 105:  # ENOBUFS
                    raise
            if stall:
                time.sleep(0.0005)
            else:
                drain(0.001)

    # 1. learning
    for n, d in enumerate(socks):
        send(d, b'\xff' * 6 + mac(n) + b'\x88\xb5' + b'\0' * 46)
    drain(0.2)
    for i in range(nports, nmacs):
        n = i % nports
        send(socks[n], mac(n) + mac(i) + b'\x88\xb5' + struct.pack('>I', i) + b'\0' * 42)
    drain(0.2)
    # 2. traffic: bursts to the next port, nobody reading
    pad = b'\xa5' * (flen - 18)
    stall = stall_burst
    for k in range(burst):
        for n, d in enumerate(socks):
            dst = (n + 1) % nports
            send(d, mac(dst) + mac(n) + b'\x88\xb5' + struct.pack('>I', k) + pad)
    stall = False
    drain(0.5)
    print('sent=%d received=%d' % (sent, received), flush=True)
    sys.stdin.read()


if __name__ == '__main__':
    main()
