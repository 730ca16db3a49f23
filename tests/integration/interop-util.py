#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/interop-util.py - frame, vdestream and console helpers for
# the t-interop-*.sh tests (wire formats only, no switch logic).
#
#   frames SRC DST LEN...     one hex frame per line: dst, src, ethertype
#                              0x88b5, a counter and a fixed pattern
#   enc                        hex lines on stdin -> vdestream records on stdout
#                              (2-byte big-endian length, then the frame)
#   dec FILE                   vdestream FILE -> hex lines (a trailing partial
#                              record is ignored; it may still be arriving)
#   count FILE                 number of complete records in FILE
#   dhcp FILE MAC              exit 0 if FILE (vdestream) holds a DHCPDISCOVER
#                              broadcast from MAC (UDP 68 -> 67), else 1
#   mgmt SOCK CMD              run one console command on a VDE management
#                              socket; print its data lines; exit 0 on "1000"
import socket
import struct
import sys
import time


def mac_bytes(s):
    b = bytes(int(x, 16) for x in s.replace('.', ':').split(':'))
    if len(b) != 6:
        raise SystemExit('bad MAC %s' % s)
    return b


def cmd_frames(args):
    src, dst, lens = mac_bytes(args[0]), mac_bytes(args[1]), [int(x) for x in args[2:]]
    for i, n in enumerate(lens):
        if n < 18:
            raise SystemExit('frame length %d < 18' % n)
        body = bytes(((i * 37 + j * 13 + 5) & 0xff) for j in range(n - 18))
        f = dst + src + b'\x88\xb5' + struct.pack('>I', i + 1) + body
        print(f.hex())


def cmd_enc(_args):
    out = sys.stdout.buffer
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        f = bytes.fromhex(line)
        out.write(struct.pack('>H', len(f)) + f)
    out.flush()


def records(path):
    with open(path, 'rb') as fh:
        data = fh.read()
    off = 0
    while off + 2 <= len(data):
        n = struct.unpack('>H', data[off:off + 2])[0]
        if off + 2 + n > len(data):
            break
        yield data[off + 2:off + 2 + n]
        off += 2 + n


def cmd_dec(args):
    for f in records(args[0]):
        print(f.hex())


def cmd_count(args):
    print(sum(1 for _ in records(args[0])))


def is_discover(f, mac):
    # Ethernet II, IPv4, UDP 68 -> 67, BOOTREQUEST, option 53 = 1
    if len(f) < 14 + 20 + 8 + 240 or f[6:12] != mac or f[0:6] != b'\xff' * 6:
        return False
    if f[12:14] != b'\x08\x00' or (f[14] >> 4) != 4 or f[23] != 17:
        return False
    ihl = (f[14] & 15) * 4
    udp = 14 + ihl
    sport, dport = struct.unpack('>HH', f[udp:udp + 4])
    if (sport, dport) != (68, 67):
        return False
    bootp = udp + 8
    if f[bootp] != 1 or f[bootp + 28:bootp + 34] != mac:
        return False
    if f[bootp + 236:bootp + 240] != b'\x63\x82\x53\x63':
        return False
    opt = bootp + 240
    while opt < len(f):
        code = f[opt]
        if code == 255:
            break
        if code == 0:
            opt += 1
            continue
        if opt + 1 >= len(f):
            break
        ln = f[opt + 1]
        if code == 53 and ln >= 1 and opt + 2 < len(f):
            return f[opt + 2] == 1
        opt += 2 + ln
    return False


def cmd_dhcp(args):
    mac = mac_bytes(args[1])
    for f in records(args[0]):
        if is_discover(f, mac):
            print('DHCPDISCOVER from %s, %d bytes' % (args[1], len(f)))
            return 0
    return 1


def read_until(s, marks, deadline):
    buf = b''
    while not any(m in buf for m in marks):
        s.settimeout(max(0.05, deadline - time.time()))
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        if time.time() > deadline:
            break
    return buf


def cmd_mgmt(args):
    deadline = time.time() + 10
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(args[0])
    read_until(s, [b'$ '], deadline)  # banner and prompt
    s.sendall(args[1].encode() + b'\n')
    buf = read_until(s, [b'\nvde$ ', b'$ '], deadline)
    while b'$ ' not in buf[-4:] and time.time() < deadline:
        more = read_until(s, [b'$ '], deadline)
        if not more:
            break
        buf += more
    try:
        s.sendall(b'logout\n')
    except OSError:
        pass
    s.close()
    text = buf.decode(errors='replace')
    ok = False
    for line in text.splitlines():
        if line.startswith('0000 ') or line == '.' or line.endswith('$ ') or line == '':
            continue
        if len(line) >= 4 and line[:4].isdigit() and line[0] == '1':
            ok = line.startswith('1000')
            if not ok:
                print(line, file=sys.stderr)
            continue
        if line.startswith('3') and line[:4].isdigit():
            continue  # asynchronous debug line
        print(line)
    return 0 if ok else 1


def main():
    cmds = {'frames': cmd_frames, 'enc': cmd_enc, 'dec': cmd_dec, 'count': cmd_count,
            'dhcp': cmd_dhcp, 'mgmt': cmd_mgmt}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print('usage: interop-util.py frames|enc|dec|count|dhcp|mgmt ...', file=sys.stderr)
        return 1
    return cmds[sys.argv[1]](sys.argv[2:]) or 0


if __name__ == '__main__':
    sys.exit(main())
