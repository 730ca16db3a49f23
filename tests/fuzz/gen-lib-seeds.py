#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/gen-lib-seeds.py - write the seed corpora of fuzz_stream and
# fuzz_vnl (tests/fuzz/corpus/stream/, tests/fuzz/corpus/vnl/).
# Run from anywhere: python3 tests/fuzz/gen-lib-seeds.py
import os

top = os.path.dirname(os.path.abspath(__file__))


def rec(n, seed=0):
    return n.to_bytes(2, "big") + bytes((i * 31 + seed) & 0xff for i in range(n))


def stream_seed(cuts, body):
    out = bytes([len(cuts)])
    for c in cuts:
        out += c.to_bytes(2, "big")
    return out + body


streams = {
    "empty": stream_seed([], b""),
    "one-14": stream_seed([], rec(14)),
    "hdr-split-1-1": stream_seed([1], rec(14)),
    "hdr-split-mid": stream_seed([1, 2, 9], rec(13) + rec(1)),
    "zero-len": stream_seed([2], b"\x00\x00" + rec(60)),
    "bad-len-resync": stream_seed([3], rec(14) + b"\xff\xff" + rec(20)),
    "len-9234": stream_seed([1, 5000], rec(9234)),
    "len-9235": stream_seed([1], b"\x24\x13" + rec(100)),
    "vde2-limits": stream_seed([1516, 1517, 3040], rec(1514) + rec(1521) + rec(1522)),
    "many-small": stream_seed([7, 8, 33, 100], b"".join(rec(n, n) for n in range(1, 40))),
    "eof-mid-frame": stream_seed([], rec(60)[:30]),
    "eof-mid-header": stream_seed([], rec(60) + b"\x00"),
    "max-header": stream_seed([1], b"\xff\xff" * 4),
}

vnls = {
    "bare": "/tmp/sw",
    "vxlan-remotes": "vxlan://10.0.0.2/vni=42/remote=10.0.0.3/remote=10.0.0.4/port=4789/ttl=3/mtu=9000",
    "vxlan-v6-group": "vxlan://[ff05::5]/v6/if=veth0/local=fd00::1/expire=30",
    "vxvde-v6": "vxvde:///v6/vni=7/expiretime=30/hashsize=64",
    "vxvde-bad": "vxvde://239.0.0.1/v4/remote=1.2.3.4",
    "bare-name": "/tmp/sw[abc]",
    "ptp-relative": "ptp://relative",
    "vde": "vde:///tmp/sw",
    "default": "",
    "port": "/tmp/sw[3]",
    "port0": "/tmp/sw[0]",
    "p2p-server": "/tmp/sw[]",
    "params": "vde:///tmp/sw[port=3/group=kvm/mode=0660]",
    "portgroup": "vde:///tmp/sw[uplink]",
    "bad-param": "/tmp/sw[colour=red]",
    "ptp": "ptp:///tmp/p[mode=0600]",
    "udp": "udp://5000->127.0.0.1:5001",
    "udp-src": "udp://127.0.0.1:5000->10.0.0.2:5001",
    "udp-v6": "udp://[::1]:5000->[fe80::1]:5001",
    "udp-v6-bare": "udp://::1:5000->::1:5001",
    "udp-vde2": "5000->host.example:6000",
    "udp-bad": "udp://->:",
    "null": "null://",
    "cmd": "cmd://ssh host vde_plug /tmp/sw[3]",
    "cmd-quoted": "cmd://\"ssh h 'vde_plug /tmp/my sw'\"",
    "cmd-escape": "cmd://echo a\\ b \"c\\\"d\"",
    "cmd-shell": "cmd://cat | cat",
    "cmd-unterminated": "cmd://echo 'x",
    "unknown": "vxvde://239.0.0.1",
    "path-with-scheme": "/tmp/a://b",
    "tap": "tap://tap0",
    "tap-long": "tap://abcdefghijklmnop",
}

for d, items, binary in (("stream", streams, True), ("vnl", vnls, False)):
    path = os.path.join(top, "corpus", d)
    os.makedirs(path, exist_ok=True)
    for name, data in items.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data if binary else data.encode())
# a raw 110-byte switch reply for vnl_reply()
with open(os.path.join(top, "corpus", "vnl", "reply"), "wb") as f:
    f.write(b"\x01\x00/tmp/vt/sw1/001.6".ljust(110, b"\x00"))
