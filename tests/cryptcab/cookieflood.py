#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cryptcab/cookieflood.py - flood a cable with initiations from forged sources
#
#   cookieflood.py DST_IP PORT SERVER_PUB_B64 SECONDS [PPS] [PREFIX]
#
# Raw IPv4/UDP (root, IPPROTO_RAW) from random source addresses in PREFIX.0.0/16
# (default 10.99) and random ports, to DST_IP:PORT. Every datagram is a
# 148-byte vdecab initiation with a valid mac1 for SERVER_PUB (the public key
# is no secret) and a random body, so it reaches the responder's expensive
# path unless cookies stop it. PPS (default 0 = as fast as possible) paces
# the flood. Prints "ready" once the first datagram is out, and at the end
# "sent N in S s". Runs only in a network namespace made by the test.
import base64
import hashlib
import os
import random
import socket
import struct
import sys
import time

dst, port, pub = sys.argv[1], int(sys.argv[2]), base64.b64decode(sys.argv[3])
secs = float(sys.argv[4])
pps = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
prefix = [int(x) for x in (sys.argv[6] if len(sys.argv) > 6 else "10.99").split(".")]
key = hashlib.blake2b(b"mac1----" + pub, digest_size=32).digest()
bodies = []
for _ in range(256):
    m = bytes([1, 0, 0, 0]) + os.urandom(112)
    m += hashlib.blake2b(m, digest_size=16, key=key).digest() + bytes(16)
    bodies.append(m)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
daddr = socket.inet_aton(dst)
ulen = 8 + 148
rnd = random.Random(os.getpid())
sent = 0
start = time.monotonic()
end = start + secs
batch = 64
while True:
    now = time.monotonic()
    if now >= end:
        break
    if pps and sent > (now - start) * pps:
        time.sleep(min(0.001, end - now))
        continue
    for _ in range(batch):
        r = rnd.getrandbits(48)
        a, b = (r >> 8) & 255, r & 255
        if a == 0 and b < 2:
            b = 2
        saddr = bytes([prefix[0], prefix[1], a, b])
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0, saddr, daddr)
        udp = struct.pack("!HHHH", 1024 + (r >> 16) % 60000, port, ulen, 0)
        try:
            s.sendto(ip + udp + bodies[(r >> 32) & 255], (dst, 0))
            sent += 1
        except OSError:
            pass
    if sent == batch:
        print("ready", flush=True)
print("sent %d in %.1f s" % (sent, time.monotonic() - start), flush=True)
