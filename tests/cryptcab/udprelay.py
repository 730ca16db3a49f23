#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cryptcab/udprelay.py - transparent UDP relay that logs every datagram
#
#   udprelay.py LISTEN_PORT SERVER_PORT LOGFILE
# Client datagrams to 127.0.0.1:LISTEN_PORT go to 127.0.0.1:SERVER_PORT from
# one relay socket, replies go back to the client. LOGFILE gets one line per
# datagram: "c2s <len> <type>" or "s2c <len> <type>", flushed at once, so a
# test can prove that a server never answered (stealth).
import select
import socket
import sys

lport, sport, log = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "w", buffering=1)
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", lport))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.bind(("127.0.0.1", 0))
client = None
print("ready", flush=True)
while True:
    r, _, _ = select.select([front, back], [], [])
    for s in r:
        pkt, addr = s.recvfrom(65535)
        t = pkt[0] if pkt else -1
        if s is front:
            client = addr
            log.write("c2s %d %d\n" % (len(pkt), t))
            back.sendto(pkt, ("127.0.0.1", sport))
        else:
            log.write("s2c %d %d\n" % (len(pkt), t))
            if client:
                front.sendto(pkt, client)
