#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/plugframes.py - make and read VDE stream records for the
# vde_plug/dpipe tests and the demo.
#
#   plugframes.py gen SRC DST TEXT SIZE...   write one record per SIZE to stdout:
#                                            2-byte BE length + Ethernet frame from
#                                            MAC SRC to MAC DST, type 0x88b5, payload
#                                            "TEXT #i" padded with a byte pattern
#   plugframes.py count FILE                 number of complete records in FILE
#   plugframes.py decode [FILE [PREFIX]]     one line per record: src dst len text
#                                            (FILE - = stdin; works on a live pipe)
#   plugframes.py records N FILE             exit 0 once FILE holds >= N records
import struct
import sys


def mac(s):
    b = bytes(int(x, 16) for x in s.split(':'))
    assert len(b) == 6
    return b


def gen(src, dst, text, sizes):
    out = bytearray()
    for i, size in enumerate(sizes):
        payload = ('%s #%d' % (text, i)).encode()
        frame = mac(dst) + mac(src) + b'\x88\xb5' + payload
        pad = size - len(frame)
        if pad < 0:
            sys.exit('size %d too small' % size)
        if pad > 0:
            frame += b'\0' + bytes((i + k) & 0xff for k in range(pad - 1))
        out += struct.pack('>H', len(frame)) + frame
    sys.stdout.buffer.write(out)


def records(data):
    pos = 0
    while pos + 2 <= len(data):
        n = struct.unpack('>H', data[pos:pos + 2])[0]
        if pos + 2 + n > len(data):
            break
        yield data[pos + 2:pos + 2 + n]
        pos += 2 + n


def read(path):
    if path == '-':
        return sys.stdin.buffer.read()
    with open(path, 'rb') as f:
        return f.read()


def fmt(m):
    return ':'.join('%02x' % b for b in m)


def decode_stream(stream, prefix=''):
    """Print records as they arrive (works on a live pipe)."""
    buf = b''
    while True:
        chunk = stream.read1(65536) if hasattr(stream, 'read1') else stream.read(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 2:
            n = struct.unpack('>H', buf[:2])[0]
            if len(buf) < 2 + n:
                break
            f, buf = buf[2:2 + n], buf[2 + n:]
            text = f[14:].split(b'\0')[0]
            text = bytes(c for c in text[:48] if 32 <= c < 127).decode()
            print('%s%s -> %s  %5d bytes  "%s"' % (prefix, fmt(f[6:12]), fmt(f[0:6]),
                                                   len(f), text), flush=True)


def main(argv):
    if len(argv) >= 5 and argv[1] == 'gen':
        gen(argv[2], argv[3], argv[4], [int(x) for x in argv[5:]])
    elif len(argv) == 3 and argv[1] == 'count':
        print(sum(1 for _ in records(read(argv[2]))))
    elif len(argv) in (2, 3, 4) and argv[1] == 'decode':
        prefix = argv[3] if len(argv) == 4 else ''
        if len(argv) >= 3 and argv[2] != '-':
            with open(argv[2], 'rb') as f:
                decode_stream(f, prefix)
        else:
            decode_stream(sys.stdin.buffer, prefix)
    elif len(argv) == 4 and argv[1] == 'records':
        try:
            n = sum(1 for _ in records(read(argv[3])))
        except OSError:
            n = 0
        sys.exit(0 if n >= int(argv[2]) else 1)
    else:
        sys.exit(__doc__ if __doc__ else 'usage: see tests/integration/plugframes.py')


if __name__ == '__main__':
    main(sys.argv)
