#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-console-seeds.py - write the seed corpora of fuzz_console and fuzz_parse
#
# fuzz_console input: 1 byte chunk size - 1, then the session byte stream.
# fuzz_parse input:   1 byte range selector (0..7), then the string.
# Covers testing.md's "Management console" row: lines of exactly 127/128/129
# bytes, no newline, \r\n, NUL inside, several commands per read, one command
# over several reads, prefix collisions, numbers -1, 0, 2^31, 99999999999,
# 0x10, 1e3, empty, VLAN 0/1/4094/4095/4096, removing a port in use.
import os
import sys

top = os.path.dirname(os.path.abspath(__file__))
cdir = os.path.join(top, "corpus", "console")
pdir = os.path.join(top, "corpus", "parse")


def put(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def line_of(n, cmd=b"port/print "):
    return cmd + b"x" * (n - len(cmd))


console = {
    "help": (0, b"help\n"),
    "help-prefix": (3, b"help port\n"),
    "line127": (255, line_of(127) + b"\n"),
    "line128": (255, line_of(128) + b"\n"),
    "line129": (255, line_of(129) + b"\n"),
    "line4096": (255, line_of(4096) + b"\nhelp\n"),
    "line4097": (100, line_of(4097) + b"\nhelp\n"),
    "nonewline": (255, b"port/print 1"),
    "crlf": (1, b"port/print 1\r\nhelp\r\n"),
    "nul-inside": (255, b"port/pr\x00int\nhelp\x00\n"),
    "many-per-read": (255, b"help\nport/print\nvlan/print 1\nshowinfo\nlogout\n"),
    "byte-by-byte": (0, b"port/setnumports 10\nport/remove 3\n"),
    "prefix-collision": (255, b"port/setnumportsX 3\nport/setn 3\nport/pr\nport/print\nport/printX\n"),
    "abbrev": (7, b"sh\nshow\nshu\nhel\ndebug\ndebug/l\n"),
    "num-neg": (255, b"port/setnumports -1\n"),
    "num-zero": (255, b"port/setnumports 0\n"),
    "num-2e31": (255, b"port/setnumports 2147483648\n"),
    "num-huge": (255, b"port/setnumports 99999999999\n"),
    "num-hex": (255, b"port/setnumports 0x10\n"),
    "num-exp": (255, b"port/setnumports 1e3\n"),
    "num-empty": (255, b"port/setnumports\nport/setnumports \n"),
    "vlans": (255, b"vlan/print 0\nvlan/print 1\nvlan/print 4094\nvlan/print 4095\nvlan/print 4096\n"),
    "remove-in-use": (255, b"port/remove 1\nport/remove 2\nport/remove 99\n"),
    "comments-blanks": (2, b"\n   \n# x\n\t#y\n  help  \n"),
    "debug": (255, b"debug/list\ndebug/add port\ndebug/add port\ndebug/del zzz\ndebug/del port\ndebug/del port\ndebug/add\n"),
    "shutdown": (255, b"shutdown\nhelp\n"),
    "lone-cr": (0, b"\r\r\n\r"),
    "binary": (13, bytes(range(256))),
    "json": (255, b"-j port/print a\"b\\c\x01\xff\n-j showinfo\n-j\n-j help port\n-j debug/list\n"
                  b"-jport/print\n  -j\t port/print\n-j port/setnumports 3\n-j nosuch\n"),
}

parse = {
    "dec": (0, b"7"), "dec-max": (1, b"4094"), "dec-over": (1, b"4095"),
    "neg": (2, b"-1"), "neg-unsigned": (0, b"-1"), "plus": (0, b"+1"),
    "hex": (3, b"0x10"), "hex-upper": (3, b"0XfF"), "hex-empty": (3, b"0x"),
    "exp": (3, b"1e3"), "empty": (0, b""), "blank": (0, b" 1"), "trail": (0, b"1 "),
    "int-max": (3, b"2147483647"), "int-over": (3, b"2147483648"),
    "ll-min": (4, b"-9223372036854775808"), "ll-over": (4, b"9223372036854775808"),
    "huge": (4, b"99999999999999999999999"), "neg-range": (6, b"-50"),
    "fixed": (7, b"5"), "leading-zeros": (0, b"0007"),
    "mode": (0, b"0660"), "mode-big": (0, b"10000"),
    "mac": (0, b"00:11:22:aa:bb:ff"), "mac-dot": (0, b"0.1.2.a.b.f"),
    "mac-mixed": (0, b"00:11.22:33:44:55"), "mac-short": (0, b"00:11:22:33:44"),
    "mac-3digit": (0, b"000:11:22:33:44:55"),
}

for name, (sel, data) in console.items():
    put(cdir, name, bytes([sel]) + data)
for name, (sel, data) in parse.items():
    put(pdir, name, bytes([sel]) + data)
print("wrote %d console and %d parse seeds" % (len(console), len(parse)), file=sys.stderr)
