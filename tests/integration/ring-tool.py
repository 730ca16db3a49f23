#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/integration/ring-tool.py - helpers of t-switch-ring.sh

  ring-tool.py tapsend IF HEXFILE
      send each frame of HEXFILE (one hex frame a line) on interface IF
      through an AF_PACKET socket (into a switch's tap)
  ring-tool.py taprecv IF COUNT OUT READY [SECS]
      write the frames of ethertype 0x88b5 that arrive on IF (from the
      switch) as hex lines to OUT until COUNT came (exit 0) or SECS passed
      (exit 2); READY is created once the socket listens
  ring-tool.py garbage PID SECS
      map the fast path region of process PID (its memfd mapping, through
      /proc/PID/map_files) and, for SECS seconds, keep writing garbage
      into its c2s ring (records and the published tail) and the s2c head,
      as a hostile client would; print "garbage N" (writes done)
"""
import mmap
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
ETHERTYPE = 0x88B5
CTL_OFF, DATA_OFF = 4096, 8192


def tapsend(ifname, hexfile):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    with open(hexfile) as f:
        for line in f:
            s.send(bytes.fromhex(line.strip()))
            time.sleep(0.001)


def taprecv(ifname, count, out, ready, secs):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    open(ready, "w").close()
    got = 0
    end = time.monotonic() + secs
    with open(out, "w") as o:
        while got < count:
            left = end - time.monotonic()
            if left <= 0:
                return 2
            if not select.select([s], [], [], left)[0]:
                continue
            data, addr = s.recvfrom(70000)
            if addr[2] == PACKET_OUTGOING or len(data) < 14:
                continue
            if struct.unpack("!H", data[12:14])[0] != ETHERTYPE:
                continue
            o.write(data.hex() + "\n")
            o.flush()
            got += 1
    return 0


def garbage(pid, secs):
    path = None
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            if "vdekit-fastpath" in line:
                path = "/proc/%d/map_files/%s" % (pid, line.split()[0])
                break
    if not path:
        print("no fast path mapping in process %d" % pid)
        return 1
    fd = os.open(path, os.O_RDWR)
    size = os.fstat(fd).st_size
    m = mmap.mmap(fd, size)
    ring = struct.unpack_from("<I", m, 8)[0]
    rnd = random.Random(11)
    n = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        c2s = CTL_OFF
        tail = struct.unpack_from("<I", m, c2s)[0]
        off = tail % ring
        # a record of random garbage where the next one goes, published
        k = rnd.randrange(8, 256) & ~7
        if off + k <= ring:
            m[DATA_OFF + off:DATA_OFF + off + k] = bytes(rnd.randrange(256) for _ in range(k))
        choice = n % 3
        if choice == 0:
            struct.pack_into("<I", m, c2s, (tail + k) & 0xFFFFFFFF)
        elif choice == 1:
            struct.pack_into("<I", m, c2s, rnd.randrange(1 << 32))
        else:
            # the s2c head (index 64 of the second control block) out of range
            struct.pack_into("<I", m, CTL_OFF + 256 + 64, rnd.randrange(1 << 32))
        n += 1
        time.sleep(0.002)
    print("garbage %d" % n)
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "tapsend":
        tapsend(sys.argv[2], sys.argv[3])
        return 0
    if cmd == "taprecv":
        secs = float(sys.argv[6]) if len(sys.argv) > 6 else 30
        return taprecv(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], secs)
    if cmd == "garbage":
        return garbage(int(sys.argv[2]), float(sys.argv[3]))
    print(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main())
