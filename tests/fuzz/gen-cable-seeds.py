#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-cable-seeds.py - seeds for fuzz_cable_rx and fuzz_cable_conf
# (testing.md, rows "Cable RX", "Cable structure-aware", "Config / key files").
# Run from the top of the tree; rewrites tests/fuzz/corpus/cable_{rx,conf}/.
import base64
import os
import struct

RX = "tests/fuzz/corpus/cable_rx"
CONF = "tests/fuzz/corpus/cable_conf"
for d in (RX, CONF):
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if not old.startswith("cov-"):	# kept finds of libFuzzer
            os.unlink(os.path.join(d, old))


def w(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def raw(pkt, other=False):
    return bytes([1 if other else 0]) + struct.pack("<H", len(pkt)) + pkt


def tx(n6):
    return bytes([2, n6])


# sizes 0-4, 31-33, 147-149, 91-93, 63-65, 1550/1551, 65535; every type
for n in (0, 1, 2, 3, 4, 31, 32, 33, 63, 64, 65, 91, 92, 93, 147, 148, 149, 1550, 1551):
    for t in (1, 2, 3, 4):
        w(RX, "size-%d-type-%d" % (n, t), raw((bytes([t]) + bytes(n))[:n]))
w(RX, "size-65535-type-4", raw(b"\x04" + bytes(65534)))
w(RX, "all-types", b"".join(raw(bytes([t, 0, 0, 0]) + bytes(28)) for t in range(256)))
w(RX, "reserved-nonzero", raw(b"\x04\x01\x00\x00" + bytes(60)) + raw(b"\x01\x00\x00\x01" + bytes(144)))
# valid mac1 + garbage (op 8), low-order ephemerals
low = [bytes(32), b"\x01" + bytes(31), bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
       bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
       bytes.fromhex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")]
for i, e in enumerate(low):
    w(RX, "init-mac1-loworder-%d" % i, bytes([8]) + struct.pack("<I", 7) + e + bytes(76))
w(RX, "init-mac1-garbage", bytes([8]) + bytes(range(112)))
w(RX, "init-twice", bytes([8]) + bytes(112) + bytes([8]) + bytes(112))
# RESP without INIT / with the pending index (op 9)
w(RX, "resp-no-init", bytes([9]) + bytes(56))
w(RX, "resp-pending", bytes([9]) + bytes(4) + b"\x01" + bytes(51))
# valid header + unknown index
w(RX, "data-unknown-index", raw(b"\x04\x00\x00\x00" + b"\xde\xad\xbe\xef" + bytes(8) + bytes(80)))
# live index, counters 0, 1, window-1, window, window+1, 2^60, REJECT-1, REJECT, 2^64-1 (op 7)
REJECT = 2**64 - 8128 - 1
for c in (0, 1, 8127, 8128, 8129, 2**60, REJECT - 1, REJECT, 2**64 - 1):
    w(RX, "live-index-ctr-%x" % c, bytes([7]) + struct.pack("<Q", c) + bytes([10]) + bytes(76))
# structure-aware: plaintext lengths 0, 1, 13, 14, 59, 60, 1514, 1518, 1519 (op 2 len = 6*arg)
for n6 in (0, 1, 2, 3, 10, 11, 252, 253, 255):
    w(RX, "frame-%d" % (n6 * 6), tx(n6) + bytes([3, 0, 0, 0]))
w(RX, "deliver-twice", tx(10) + bytes([3, 0, 0, 0]) + bytes([3, 0, 0, 0]))
w(RX, "reorder", tx(10) + tx(11) + tx(12) + bytes([3, 2, 0, 0, 3, 0, 0, 0, 3, 1, 0, 0, 3, 0, 0, 0]))
w(RX, "truncate-flip", tx(20) + bytes([4, 0, 50, 0, 5, 0, 7, 1, 3, 0, 0, 0]))
w(RX, "replay-other-port", tx(20) + bytes([3, 0, 0, 0]) + raw(bytes(0), True))
for secs in (120, 165, 180, 255):
    w(RX, "clock-%d" % secs, tx(10) + bytes([6, secs, 3, 0, 0, 0]) + tx(10) + bytes([3, 1, 0, 0]))
w(RX, "clock-540", tx(10) + bytes([6, 255, 6, 255, 6, 30, 3, 0, 0, 0]) + tx(10) + bytes([3, 1, 0, 0]))

# config / keys
k = base64.b64encode(bytes(range(32))).decode()
k2 = base64.b64encode(bytes(range(1, 33))).decode()
w(CONF, "key-44", k.encode())
w(CONF, "key-43", k[:43].encode())
w(CONF, "key-45", (k + "A").encode())
w(CONF, "key-urlsafe", base64.urlsafe_b64encode(bytes([0xfb] * 32)))
w(CONF, "key-noncanonical", (k[:42] + "B=").encode())
w(CONF, "key-nul", k[:20].encode() + b"\0" + k[21:].encode())
w(CONF, "hostport-v4", b"127.0.0.1:7667")
w(CONF, "hostport-v6", b"[::1]:7667")
w(CONF, "hostport-bare-v6", b"::1")
w(CONF, "hostport-bad", b"[::1:7667")
w(CONF, "hostport-port0", b"host:0")
w(CONF, "hostport-port65536", b"host:65536")
w(CONF, "full", ("# cable\nprivate-key /etc/vde/priv.key\nname lab-cable\nlisten-port 7667\n"
                 "peer %s endpoint 10.0.0.2:7667 psk-file /etc/vde/psk persistent-keepalive 25\n"
                 "peer %s\n" % (k, k2)).encode())
w(CONF, "crlf", ("private-key k\r\npeer %s endpoint [::1]:9\r\n" % k).encode())
w(CONF, "duplicate-peer", ("peer %s\npeer %s\n" % (k, k)).encode())
w(CONF, "embedded-nul", b"private-key a\0b\n")
w(CONF, "long-line", b"name " + b"x" * 5000 + b"\n")
w(CONF, "many-words", b"peer " + b" a" * 40 + b"\n")
w(CONF, "bad-keepalive", ("peer %s persistent-keepalive -1\npeer %s persistent-keepalive 99999\n" % (k, k2)).encode())
w(CONF, "missing-value", ("peer %s endpoint\n" % k).encode())
w(CONF, "many-peers", "".join("peer %s\n" % base64.b64encode(bytes([i]) * 32).decode() for i in range(70)).encode())
