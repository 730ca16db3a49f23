#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/lib-records.py - convert between hex frame lines (what
# vdeplug_client prints) and VDE stream records (2-byte big-endian length +
# frame), for t-lib-*.sh.
#   lib-records.py enc IN.hex OUT.rec    hex lines -> records
#   lib-records.py dec IN.rec OUT.hex    records -> hex lines (fails on a
#                                        truncated trailing record)
#   lib-records.py count IN.rec          number of complete records
import sys


def records(data):
    out, i = [], 0
    while i + 2 <= len(data):
        n = data[i] << 8 | data[i + 1]
        if i + 2 + n > len(data):
            break
        out.append(data[i + 2:i + 2 + n])
        i += 2 + n
    return out, i == len(data)


def main():
    cmd = sys.argv[1]
    if cmd == "enc":
        with open(sys.argv[2]) as f, open(sys.argv[3], "wb") as o:
            for line in f:
                b = bytes.fromhex(line.strip())
                o.write(len(b).to_bytes(2, "big") + b)
    elif cmd == "dec":
        with open(sys.argv[2], "rb") as f:
            recs, whole = records(f.read())
        with open(sys.argv[3], "w") as o:
            for r in recs:
                o.write(r.hex() + "\n")
        sys.exit(0 if whole else 1)
    elif cmd == "count":
        with open(sys.argv[2], "rb") as f:
            print(len(records(f.read())[0]))
    else:
        sys.exit(2)


main()
