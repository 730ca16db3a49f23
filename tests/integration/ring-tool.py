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
  ring-tool.py fpcheck DIR ENDPOINT
      the .fastpath socket of the switch in DIR against a hostile peer:
      a REQUEST for ENDPOINT (another process's data socket) is refused
      with EPERM, one for a path that is no endpoint with ENOENT, a
      malformed message closes the connection; 16 silent connections
      are kept and the 17th is closed at once; print "fpcheck ok"
  ring-tool.py stray DIR FEATURES HOLDFILE
      attach to the switch in DIR as a ring client would (VDE 2 request,
      then REQUEST with FEATURES, ACCEPT of whatever is offered, ACTIVE)
      and send one 60-byte frame and one zero-length datagram on the data
      socket (after ACTIVE a frame there is a protocol error); print
      "stray sent NFDS" (the fds of the OFFER) and keep the port until
      HOLDFILE exists (at most 60 s)
  ring-tool.py misalign DIR HOLDFILE
      attach as a ring client, but write the switch's own indices (s2c
      tail, and the heads) 4 bytes before the end of the ring between
      OFFER and ACCEPT; print "misalign ready", then once the switch has
      produced "misalign tail N pad LEN,FLAGS frame LEN,FLAGS": the bytes
      published past the rounded-down head, the header 8 bytes before the
      end of the ring and the one at offset 0; keep the port until
      HOLDFILE exists (at most 60 s)
  ring-tool.py sleepy PID DATAFD SECS STOPFILE
      a client that never reads its doorbell pipe but keeps asking for
      doorbells: keep "consuming" the s2c ring of process PID (head =
      tail) and setting its cons_sleeping flag, so the switch rings
      whenever it finds it set, until STOPFILE exists or SECS seconds
      passed; print "sleepy ready" once it runs, "sleepy full" as soon
      as the pipe at PID's fd DATAFD is full (8192 bytes, seen through a
      descriptor of our own), and at the end "pipe N ..." with the bytes
      waiting in the pipe
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


def map_region(pid):
    """The fast path region of process PID (its memfd mapping), or None."""
    path = None
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            if "vdekit-fastpath" in line:
                path = "/proc/%d/map_files/%s" % (pid, line.split()[0])
                break
    if not path:
        print("no fast path mapping in process %d" % pid)
        return None
    fd = os.open(path, os.O_RDWR)
    return mmap.mmap(fd, os.fstat(fd).st_size)


def garbage(pid, secs):
    m = map_region(pid)
    if m is None:
        return 1
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


MAGIC, VERSION = 0x50464456, 1
REQUEST, OFFER, REFUSE, ACCEPT, ACTIVE = 1, 2, 3, 4, 6


def fpmsg(mtype, endpoint=b""):
    return struct.pack("<IHHiIII108s", MAGIC, VERSION, mtype, 0, 0, 0, 0, endpoint)


def fpconnect(d):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(os.path.join(d, ".fastpath"))
    return s


def fpcheck(d, endpoint):
    import errno
    for path, want in ((endpoint, errno.EPERM), (os.path.join(d, "999.999"), errno.ENOENT)):
        s = fpconnect(d)
        s.send(fpmsg(REQUEST, path.encode()))
        m = s.recv(200)
        if len(m) != 132:
            print("no answer to a REQUEST for %s: %r" % (path, m))
            return 1
        _, _, mtype, status = struct.unpack_from("<IHHi", m)
        if mtype != REFUSE or status != want:
            print("REQUEST for %s: type %d status %d, want REFUSE %d" % (path, mtype, status, want))
            return 1
        s.close()
    s = fpconnect(d)
    s.send(b"\x00" * 131)
    if s.recv(200) != b"":
        print("a malformed message did not close the connection")
        return 1
    s.close()
    idle = [fpconnect(d) for _ in range(16)]
    time.sleep(0.3)
    extra = fpconnect(d)
    if extra.recv(200) != b"":
        print("a 17th pending connection was not closed")
        return 1
    for s in idle + [extra]:
        s.close()
    print("fpcheck ok")
    return 0


def vde_attach(d):
    """A VDE 2 attach: (ctl stream, connected data socket, the switch's path)."""
    me = os.path.join(d, "..", "stray.%d" % os.getpid())
    data = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    data.bind(me)
    ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ctl.settimeout(5)
    ctl.connect(os.path.join(d, "ctl"))
    sun = struct.pack("<H", 1) + os.path.abspath(me).encode().ljust(108, b"\0")
    ctl.sendall(struct.pack("<III", 0xfeedface, 3, 0) + sun +
                b"ring-tool stray PID=%d" % os.getpid())
    reply = b""
    while len(reply) < 110:
        chunk = ctl.recv(110 - len(reply))
        if not chunk:
            raise SystemExit("switch closed the ctl stream")
        reply += chunk
    path = reply[2:].split(b"\0", 1)[0].decode()
    data.connect(path)
    os.unlink(me)
    return ctl, data, path


def ring_attach(d, features, before_accept=None):
    """Attach as a ring client: (ctl, data socket, OFFER fds, ring size),
    or None. before_accept(memfd, ring_size) runs between OFFER and ACCEPT."""
    ctl, data, path = vde_attach(d)
    s = fpconnect(d)
    s.send(struct.pack("<IHHiIII108s", MAGIC, VERSION, REQUEST, 0, 0, features, 0,
                       path.encode()))
    m, fds, _, _ = socket.recv_fds(s, 200, 8)
    if len(m) != 132 or struct.unpack_from("<IHHi", m)[2] != OFFER:
        print("no OFFER: %r" % m)
        return None
    size = struct.unpack_from("<I", m, 12)[0]
    if before_accept:
        before_accept(fds[0], size)
    s.send(fpmsg(ACCEPT))
    m = s.recv(200)
    if len(m) != 132 or struct.unpack_from("<IHHi", m)[2] != ACTIVE:
        print("no ACTIVE: %r" % m)
        return None
    return ctl, data, fds, size


def stray(d, features, holdfile):
    att = ring_attach(d, features)
    if att is None:
        return 1
    ctl, data, fds, _ = att
    data.send(b"\x5a" * 60)
    data.send(b"")
    print("stray sent %d" % len(fds), flush=True)
    end = time.monotonic() + 60
    while not os.path.exists(holdfile) and time.monotonic() < end:
        time.sleep(0.05)
    for fd in fds:
        os.close(fd)
    return 0


def misalign(d, holdfile):
    m = []

    def poke(memfd, size):
        # a hostile client writes the switch's own indices before ACCEPT:
        # s2c tail (the switch produces there) and c2s head, 4 bytes
        # before the end of the ring (not a record boundary)
        m.append(mmap.mmap(memfd, DATA_OFF + 2 * size))
        for off in (CTL_OFF + 256, CTL_OFF + 256 + 64, CTL_OFF + 64):
            struct.pack_into("<I", m[0], off, size - 4)

    att = ring_attach(d, 0, poke)
    if att is None:
        return 1
    ctl, data, fds, size = att
    mm, s2c, ring = m[0], CTL_OFF + 256, DATA_OFF + size
    print("misalign ready", flush=True)
    end = time.monotonic() + 30
    while struct.unpack_from("<I", mm, s2c)[0] == size - 4 and time.monotonic() < end:
        time.sleep(0.01)
    tail = struct.unpack_from("<I", mm, s2c)[0]
    # what a checking consumer finds from the head (rounded down to a
    # record boundary): a PAD at the end of the ring, then the frame at 0
    pad = struct.unpack_from("<IHH", mm, ring + size - 8)
    rec = struct.unpack_from("<IHH", mm, ring)
    print("misalign tail %d pad %d,%d frame %d,%d" % (tail - (size - 8), pad[0], pad[1],
                                                      rec[0], rec[1]), flush=True)
    end = time.monotonic() + 60
    while not os.path.exists(holdfile) and time.monotonic() < end:
        time.sleep(0.05)
    for fd in fds:
        os.close(fd)
    return 0


def sleepy(pid, datafd, secs, stopfile):
    import fcntl
    import termios
    m = map_region(pid)
    if m is None:
        return 1
    s2c = CTL_OFF + 256
    pipe = os.open("/proc/%d/fd/%d" % (pid, datafd), os.O_RDONLY | os.O_NONBLOCK)
    buf = bytearray(4)
    print("sleepy ready", flush=True)
    n = 0
    full_at = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        tail = struct.unpack_from("<I", m, s2c)[0]
        struct.pack_into("<I", m, s2c + 64, tail)       # head: all consumed
        struct.pack_into("<I", m, s2c + 128, 1)         # cons_sleeping: ring me
        n += 1
        if n % 256 == 0:
            fcntl.ioctl(pipe, termios.FIONREAD, buf)
            if struct.unpack("<i", buf)[0] >= 8192 and not full_at:
                full_at = time.monotonic()     # go on: the switch rings a full pipe
                print("sleepy full", flush=True)
            if os.path.exists(stopfile):
                break
            time.sleep(0)
    fcntl.ioctl(pipe, termios.FIONREAD, buf)
    os.close(pipe)
    print("pipe %d (%d rounds)" % (struct.unpack("<i", buf)[0], n))
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "tapsend":
        tapsend(sys.argv[2], sys.argv[3])
        return 0
    if cmd == "taprecv":
        secs = float(sys.argv[6]) if len(sys.argv) > 6 else 30
        return taprecv(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], secs)
    if cmd == "fpcheck":
        return fpcheck(sys.argv[2], sys.argv[3])
    if cmd == "stray":
        return stray(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    if cmd == "sleepy":
        return sleepy(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    if cmd == "misalign":
        return misalign(sys.argv[2], sys.argv[3])
    if cmd == "garbage":
        return garbage(int(sys.argv[2]), float(sys.argv[3]))
    print(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main())
