#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vxvde.sh - vxvde:// on one host (issue 13), in a namespace where one end of a
# veth pair carries the multicast route:
#  - our client and Debian's vde_plug (Debian's binary and library, with
#    its vxvde plugin) on the default vxvde network: frames each way,
#    bytes compared (60, 1514 bytes);
#  - two of ours: ping-pong through an echoing peer, bytes compared; no
#    process receives its own floods (self counter), the echo returns by
#    unicast to the learnt member (tx_unicast), and a member that leaves
#    says goodbye (bye counter at the other);
#  - the same with Debian's vde_plug over IPv6 (vxvde:///v6);
#  - another VNI on the same group is not heard (drop_vni counter).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
need_root
[ -e /usr/lib/x86_64-linux-gnu/vdeplug/libvdeplug_vxvde.so ] ||
	fail "Debian's vxvde plugin missing (package vdeplug)"
mkns v
ipn v link add d0 type veth peer name d1 || fail "veth"
ipn v addr add 10.98.0.1/24 dev d0
ipn v link set d0 up
ipn v link set d1 up
ipn v route add 224.0.0.0/4 dev d0 || fail "multicast route"
nv() { ip netns exec "$ID-v" "$@"; }
members() { [ "$(nv ss -Huan | grep -c ':14789 ')" -ge "$1" ]; }

# --- Debian's vde_plug <-> our client
mkfifo "$TMP/deb.in"
spawn deb.log nv sh -c 'exec /usr/bin/vde_plug vxvde:// <"$0" >"$1"' "$TMP/deb.in" "$TMP/deb.out"
DEB=$LASTPID
exec 7>"$TMP/deb.in"
wait_for members 1 || fail "Debian's vde_plug did not join: $(cat "$TMP/deb.log")"
( _close_din; exec env VDEPLUG_STATS="$TMP/c1.stats" ip netns exec "$ID-v" "$CLIENT" \
	-R "$TMP/c1.ready" -r 4 -t 30 vxvde:// ) >"$TMP/c1.out" 2>"$TMP/c1.log" &
C1=$!
PIDS+=($C1)
WAIT_SECS=15 wait_for test -s "$TMP/c1.ready" || fail "our client did not open"
"$CLIENT" -n 2 -l 60 -S 1 -o "$TMP/d1.sent" null:// && "$CLIENT" -n 2 -l 1514 -S 2 -o "$TMP/d2.sent" null:// ||
	fail "frame generator"
cat "$TMP/d1.sent" "$TMP/d2.sent" >"$TMP/d.sent"
python3 "$REC" enc "$TMP/d.sent" "$TMP/d.rec"
cat "$TMP/d.rec" >&7
wait "$C1" || fail "our client did not get Debian's frames: $(cat "$TMP/c1.log")"
same "$TMP/d.sent" "$TMP/c1.out" "Debian vxvde -> ours"
pass "Debian's vde_plug vxvde:// -> ours: 4 frames intact"

nv env VDEPLUG_STATS="$TMP/c2.stats" "$CLIENT" -n 3 -l 1514 -S 3 -o "$TMP/c2.sent" vxvde:// \
	>/dev/null || fail "our sender"
wait_for nrec "$TMP/deb.out" 3 || fail "Debian got $(python3 "$REC" count "$TMP/deb.out") of 3"
python3 "$REC" dec "$TMP/deb.out" "$TMP/deb.hex" || fail "partial record from Debian"
same "$TMP/c2.sent" "$TMP/deb.hex" "ours -> Debian vxvde"
pass "ours vxvde:// -> Debian's vde_plug: 3 frames intact"
exec 7>&-
WAIT_SECS=10 wait_for eval "! kill -0 $DEB 2>/dev/null" || fail "Debian's vde_plug did not end at EOF"

# --- two of ours: A echoes, B ping-pongs
( _close_din; exec env VDEPLUG_STATS="$TMP/a.stats" ip netns exec "$ID-v" "$CLIENT" \
	-R "$TMP/a.ready" -e -r 5 -t 30 vxvde:// ) >"$TMP/a.out" 2>"$TMP/a.log" &
CA=$!
PIDS+=($CA)
WAIT_SECS=15 wait_for test -s "$TMP/a.ready" || fail "A did not open"
nv env VDEPLUG_STATS="$TMP/b.stats" "$CLIENT" -P -n 5 -r 5 -l 1000 -S 9 -o "$TMP/b.sent" \
	-t 30 vxvde:// >"$TMP/b.out" 2>"$TMP/b.log" || fail "B: $(cat "$TMP/b.log")"
wait "$CA" || fail "A: $(cat "$TMP/a.log")"
same "$TMP/b.sent" "$TMP/b.out" "ours <-> ours echo"
same "$TMP/b.sent" "$TMP/a.out" "A's view"
bst() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$TMP/$1.stats" | tail -n 1; }
wait_for test -s "$TMP/a.stats" || fail "no stats from A"
echo "# A: $(cat "$TMP/a.stats")"
echo "# B: $(cat "$TMP/b.stats")"
[ "$(bst b self)" -ge 5 ] || fail "B did not skip its own floods"
[ "$(bst b rx)" = 5 ] || fail "B received $(bst b rx), want 5 (no duplicates, no self)"
pass "two of ours: echo intact, own floods skipped, no duplicates"

# --- unicast to the learnt member, goodbye: A is our vde_plug (stream on
# stdin/stdout), B a client that floods one frame from 02:00:00:00:09:00
# and waits for one frame back
mkfifo "$TMP/pa.in"
spawn pa.log env VDEPLUG_STATS="$TMP/pa.stats" ip netns exec "$ID-v" \
	sh -c 'exec vde_plug vxvde:// <"$0" >"$1"' "$TMP/pa.in" "$TMP/pa.out"
PA=$LASTPID
exec 7>"$TMP/pa.in"
wait_for members 1 || fail "vde_plug did not join"
( _close_din; exec env VDEPLUG_STATS="$TMP/pb.stats" ip netns exec "$ID-v" "$CLIENT" \
	-R "$TMP/pb.ready" -n 1 -l 60 -S 9 -r 1 -t 30 vxvde:// ) >"$TMP/pb.out" 2>"$TMP/pb.log" &
CB=$!
PIDS+=($CB)
wait_for nrec "$TMP/pa.out" 1 || fail "vde_plug did not hear B"
python3 -c 'import sys; f = bytes.fromhex("020000000900" "0200000000aa" "88b5") + bytes(46); sys.stdout.buffer.write(len(f).to_bytes(2, "big") + f)' >&7
wait "$CB" || fail "B did not get the unicast reply: $(cat "$TMP/pb.log")"
grep -q '^0200000009000200000000aa88b5' "$TMP/pb.out" || fail "B got another frame: $(cat "$TMP/pb.out")"
kill -TERM "$PA"
exec 7>&-
wait "$PA"
wait_for test -s "$TMP/pa.stats" || fail "no stats from vde_plug"
echo "# vde_plug: $(cat "$TMP/pa.stats")"
[ "$(bst pa tx_unicast)" = 1 ] || fail "the reply was not sent by unicast"
[ "$(bst pa tx_flood)" = 0 ] || fail "the reply was flooded"
[ "$(bst pa bye)" -ge 1 ] || fail "vde_plug did not hear B leave"
pass "reply by unicast to the learnt member, goodbye heard"

# --- IPv6: Debian's vde_plug and ours on vxvde:///v6 (ff05:56de::1)
ipn v addr add fd98::1/64 dev d0 nodad
mkfifo "$TMP/deb6.in"
spawn deb6.log nv sh -c 'exec /usr/bin/vde_plug vxvde:///v6/if=d0 <"$0" >"$1"' "$TMP/deb6.in" "$TMP/deb6.out"
DEB6=$LASTPID
exec 7>"$TMP/deb6.in"
wait_for members 1 || fail "Debian's vde_plug (v6) did not join: $(cat "$TMP/deb6.log")"
( _close_din; exec ip netns exec "$ID-v" "$CLIENT" -R "$TMP/c6.ready" -r 2 -t 30 vxvde:///v6/if=d0 ) \
	>"$TMP/c6.out" 2>"$TMP/c6.log" &
C6=$!
PIDS+=($C6)
WAIT_SECS=15 wait_for test -s "$TMP/c6.ready" || fail "our v6 client did not open"
cat "$TMP/d.rec" >&7
wait "$C6" || fail "our v6 client did not get Debian's frames: $(cat "$TMP/c6.log")"
head -n 2 "$TMP/d.sent" >"$TMP/d6.sent"
same "$TMP/d6.sent" "$TMP/c6.out" "Debian vxvde v6 -> ours"
nv "$CLIENT" -n 2 -l 1514 -S 4 -o "$TMP/c6.sent" vxvde:///v6/if=d0 >/dev/null || fail "our v6 sender"
wait_for nrec "$TMP/deb6.out" 2 || fail "Debian (v6) got $(python3 "$REC" count "$TMP/deb6.out") of 2"
python3 "$REC" dec "$TMP/deb6.out" "$TMP/deb6.hex" || fail "partial record from Debian (v6)"
same "$TMP/c6.sent" "$TMP/deb6.hex" "ours -> Debian vxvde v6"
exec 7>&-
WAIT_SECS=10 wait_for eval "! kill -0 $DEB6 2>/dev/null" || fail "Debian's vde_plug (v6) did not end"
pass "IPv6: Debian's vde_plug and ours on vxvde:///v6, both ways"

# --- a tool that sets the data fd O_NONBLOCK and reads until EAGAIN (as
# slirpvde does) gets EAGAIN, not a hang, when nothing is waiting
# (a sanitizer build of the library needs its runtimes preloaded in python)
SANPRE=$(ldd "$top_builddir/lib/.libs/libvdeplug.so.2" | awk '/lib(asan|ubsan)\.so/ { print $3 }' | paste -sd:)
nv env ${SANPRE:+LD_PRELOAD=$SANPRE ASAN_OPTIONS=detect_leaks=0:abort_on_error=1} \
	timeout 10 python3 - "$top_builddir/lib/.libs/libvdeplug.so.2" <<'PY' || fail "non-blocking vde_recv on vxvde:// did not return EAGAIN"
import ctypes, errno, fcntl, os, sys
lib = ctypes.CDLL(sys.argv[1], use_errno=True)
lib.vde_open_real.restype = ctypes.c_void_p
lib.vde_open_real.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
lib.vde_datafd.argtypes = [ctypes.c_void_p]
lib.vde_recv.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
lib.vde_recv.restype = ctypes.c_ssize_t
c = lib.vde_open_real(b"vxvde:///vni=77", b"t", 1, None)
assert c, os.strerror(ctypes.get_errno())
fd = lib.vde_datafd(c)
fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
buf = ctypes.create_string_buffer(9234)
r = lib.vde_recv(c, buf, 9234, 0)
sys.exit(0 if r == -1 and ctypes.get_errno() == errno.EAGAIN else 1)
PY
pass "O_NONBLOCK data fd: vde_recv returns EAGAIN"

# --- another VNI on the same group is ignored
( _close_din; exec env VDEPLUG_STATS="$TMP/v7.stats" ip netns exec "$ID-v" "$CLIENT" \
	-R "$TMP/v7.ready" -r 1 -t 3 vxvde:///vni=7 ) >"$TMP/v7.out" 2>"$TMP/v7.log" &
C7=$!
PIDS+=($C7)
WAIT_SECS=15 wait_for test -s "$TMP/v7.ready" || fail "vni 7 client did not open"
nv "$CLIENT" -n 2 -l 60 vxvde:// >/dev/null || fail "sender"
wait "$C7" && fail "a vni=7 member received a vni=1 frame"
[ -s "$TMP/v7.out" ] && fail "vni=7 member printed frames"
[ "$(bst v7 drop_vni)" -ge 2 ] || fail "vni=7: drop_vni $(bst v7 drop_vni)"
pass "another VNI is not heard (counted)"
