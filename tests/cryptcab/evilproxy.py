#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/cryptcab/evilproxy.py - fault-injecting UDP proxy for vde_cryptcab tests
#
# Sits between a cable client (which connects to --listen) and a server
# (--server port on 127.0.0.1) and, with a fixed seed, damages the traffic:
#   * the first INIT: every bit flipped (1184 copies), then 2 s later (the 128
#     with a valid mac1 and a damaged mac2 put the server under load for a
#     second; their cookie replies are counted, not passed on) the original;
#   * the first RESP: every bit flipped (736 copies) before the original;
#   * client data packets (frames, not keepalives): drop, duplicate, hold
#     back for up to --depth packets (reordering); one packet gets every bit
#     flipped and every truncation (0..len-1) sent before the original;
#   * on "replay": the captured INIT, RESP and data packets are sent again,
#     also from another source port.
# It keeps a model of the server's replay window and writes the exact
# counters the server (and the client, for RESP damage) must show:
# "side counter value" lines in the file given to the "expect" command.
# Commands on the --control fifo, one per line: flush, replay, expect FILE, quit.
# Every command is acknowledged on stdout with "done <cmd>".
import argparse
import os
import random
import select
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--listen", type=int, required=True)
ap.add_argument("--server", type=int, required=True)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--depth", type=int, default=1000)
ap.add_argument("--flip-at", type=int, default=10)
ap.add_argument("--control", required=True, help="fifo with commands")
args = ap.parse_args()
rng = random.Random(args.seed)

front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", args.listen))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.bind(("127.0.0.1", 0))
alt = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
alt.bind(("127.0.0.1", 0))
for s in (front, back, alt):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
server = ("127.0.0.1", args.server)
client = None

REJECT = 2**64 - 8128 - 1
WINDOW = 8128
exp = {"server": {}, "client": {}}
stats = {"data_seen": 0, "dropped": 0, "duplicated": 0, "held": 0, "forwarded": 0}
first_init = None
first_resp = None
captured = []           # genuine data packets, for replays
seen = {}               # receiver index -> set of counters accepted by the server
maxc = {}
held = []               # [release_at_count, packet]
flipped_data = False


def inc(side, name, n=1):
    exp[side][name] = exp[side].get(name, 0) + n


def predict_data(pkt):
    """What the server will count for this (possibly damaged) data packet."""
    if len(pkt) < 4 or pkt[1:4] != b"\0\0\0" or pkt[0] != 4:
        return "rx_malformed"
    if len(pkt) < 32:
        return "rx_malformed"
    if len(pkt) > 1550:
        return "rx_oversize"
    idx, ctr = struct.unpack_from("<IQ", pkt, 4)
    if idx not in seen:
        return "rx_unknown_index"
    s = seen[idx]
    if ctr >= REJECT or ctr in s or (maxc.get(idx, -1) >= 0 and ctr + WINDOW < maxc[idx]):
        return "rx_replay"
    return None         # fresh counter: decides on the AEAD


def send_server(pkt, sock=back, genuine=False):
    """Send to the server and account for what it will count."""
    verdict = predict_data(pkt)
    if verdict is None:
        if genuine:
            idx, ctr = struct.unpack_from("<IQ", pkt, 4)
            seen[idx].add(ctr)
            maxc[idx] = max(maxc.get(idx, -1), ctr)
            inc("server", "rx_keepalive" if len(pkt) == 32 else "rx_data")
        else:
            inc("server", "rx_auth_fail")
    else:
        inc("server", verdict)
    sock.sendto(pkt, server)


def flips(pkt):
    for i in range(len(pkt) * 8):
        b = bytearray(pkt)
        b[i // 8] ^= 1 << (i % 8)
        yield bytes(b)


def hs_verdict(bad, kind):
    """INIT (148) / RESP (92) with one bit flipped: malformed, bad mac1, or
    (an INIT's mac2 no longer zero) a bad cookie, answered with a cookie reply."""
    mac2 = 132 if kind == 1 else 76
    for i in range(4):
        if bad[i] != (kind if i == 0 else 0):
            return "rx_malformed"
    if any(bad[mac2:]):
        return "rx_bad_cookie" if kind == 1 else "rx_malformed"
    return "rx_bad_mac1"


def from_client(pkt):
    global first_init, flipped_data
    t = pkt[0] if pkt else -1
    if t == 1 and len(pkt) == 148:
        if first_init is None:
            first_init = pkt
            for bad in flips(pkt):
                inc("server", hs_verdict(bad, 1))
                back.sendto(bad, server)
            # the 128 with a valid mac1 put the server under load (cookies
            # required) for a second: let that pass before the original
            time.sleep(2)
        inc("server", "rx_init")
        back.sendto(pkt, server)
        return
    if t != 4 or len(pkt) < 32:
        back.sendto(pkt, server)
        return
    idx = struct.unpack_from("<I", pkt, 4)[0]
    seen.setdefault(idx, set())
    if len(pkt) == 32:              # keepalive: untouched
        send_server(pkt, genuine=True)
        return
    n = stats["data_seen"]
    stats["data_seen"] += 1
    release()
    if n == args.flip_at and not flipped_data:
        flipped_data = True
        for bad in flips(pkt):
            send_server(bad)
        for i in range(len(pkt)):
            send_server(pkt[:i])
        send_server(pkt, genuine=True)
        stats["forwarded"] += 1
        captured.append(pkt)
        return
    r = rng.random()
    if r < 0.05:
        stats["dropped"] += 1
        return
    if r < 0.10:
        stats["duplicated"] += 1
        send_server(pkt, genuine=True)
        send_server(pkt)
        stats["forwarded"] += 1
        return
    if r < 0.20:
        stats["held"] += 1
        held.append([stats["data_seen"] + rng.randint(1, args.depth), pkt])
        return
    if len(captured) < 5 and rng.random() < 0.1:
        captured.append(pkt)
    send_server(pkt, genuine=True)
    stats["forwarded"] += 1


def release(everything=False):
    keep = []
    for at, pkt in held:
        if everything or at <= stats["data_seen"]:
            send_server(pkt, genuine=True)
            stats["forwarded"] += 1
        else:
            keep.append([at, pkt])
    held[:] = keep


def from_server(pkt):
    global first_resp
    if client is None:
        return
    if pkt and pkt[0] == 3 and len(pkt) == 64:
        inc("server", "tx_cookie")  # to a flipped INIT: not passed on
        return
    if pkt and pkt[0] == 2 and len(pkt) == 92 and first_resp is None:
        first_resp = pkt
        for bad in flips(pkt):
            inc("client", hs_verdict(bad, 2))
            front.sendto(bad, client)
    front.sendto(pkt, client)


def replay():
    if first_init:
        for sock in (back, alt):
            inc("server", "rx_handshake_replay")
            sock.sendto(first_init, server)
    for pkt in captured:
        for sock in (back, alt):
            send_server(pkt, sock)
    if first_resp and client:
        inc("client", "rx_unknown_index")
        front.sendto(first_resp, client)


def command(line):
    words = line.split()
    if not words:
        return True
    if words[0] == "flush":
        release(True)
    elif words[0] == "replay":
        replay()
    elif words[0] == "expect":
        with open(words[1], "w") as f:
            for side in ("server", "client"):
                for k in sorted(exp[side]):
                    f.write("%s %s %d\n" % (side, k, exp[side][k]))
            for k in sorted(stats):
                f.write("proxy %s %d\n" % (k, stats[k]))
            f.write("proxy alt_port %d\n" % alt.getsockname()[1])
            f.write("proxy back_port %d\n" % back.getsockname()[1])
    elif words[0] == "quit":
        return False
    print("done", words[0], flush=True)
    return True


ctl = os.open(args.control, os.O_RDWR | os.O_NONBLOCK)
pending = b""
print("ready", flush=True)
running = True
while running:
    r, _, _ = select.select([front, back, alt, ctl], [], [], 1.0)
    for s in r:
        if s is ctl:
            pending += os.read(ctl, 4096)
            while b"\n" in pending and running:
                line, pending = pending.split(b"\n", 1)
                running = command(line.decode())
        elif s is front:
            pkt, addr = front.recvfrom(65535)
            client = addr
            from_client(pkt)
        elif s is back:
            pkt, addr = back.recvfrom(65535)
            from_server(pkt)
        else:
            alt.recvfrom(65535)     # the server must never answer the alt port
            inc("server", "ANSWERED_ALT_PORT")
