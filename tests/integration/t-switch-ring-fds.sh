#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-ring-fds.sh - the fast path when the switch is out of file
# descriptors (docs/fastpath.md §2, §3): rings take a memfd and pipes, a
# datagram port only its sockets, so a switch near its limit must still
# give a client a port, on datagrams, and say why in its log.
#  1. A sender and a receiver of our library attach on rings. The switch's
#     soft RLIMIT_NOFILE is then lowered (prlimit) so that three fds are
#     left: the next client's ctl and data sockets and its .fastpath
#     connection fit, the memfd does not. That client is on datagrams
#     (port/print: unix prog), the switch's log says "no rings (Too many
#     open files)", and the sender's frames reach both receivers byte for
#     byte.
#  2. With the limit raised again, the next client is on rings, and a
#     second burst reaches all three receivers byte for byte.
#  3. No fd left at all: a connection waiting on .fastpath and one on a
#     vhost-user socket do not make the switch spin (CPU over 2 s near 0:
#     their accept() pauses, as DIR/ctl's does, and says so once); with fds
#     again, the .fastpath one is served (a REQUEST for no endpoint gets
#     its REFUSE).
TEST_TIMEOUT=120
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch is not built"
command -v socat >/dev/null || fail "socat is needed"
command -v prlimit >/dev/null || fail "prlimit (util-linux) is needed"
SW=$TMP/sw
N=30

# in the foreground: its log goes to a file (with -d it goes to syslog)
spawn sw.log "$OUR_SWITCH" --nostdin -s "$SW" -p "$SW.pid" -M "$SW.mgmt" -n 16 \
	--vhost-user "$TMP/vh.sock"
SWPID=$LASTPID
wait_for test -s "$SW.pid" || fail "switch did not start"
wait_for sock_ready "$SW.mgmt" || fail "no mgmt socket"
fastpath_check "$SW"

ports() { mgmt sw port/print; }
kind_of() { ports | sed -n "s/^  -- endpoint ID [0-9]* module \(.*[^ ]\) *: .*PID=$1\$/\1/p"; }

# --- 1. out of fds: a port on datagrams, and the reason logged ----------
client snd1 -D snd1 -W "$TMP/go1" -n "$N" -l 100 -S 21 -o "$TMP/snd1.sent" -t 60 "$SW"
client r1 -D r1 -r $((2 * N)) -t 60 "$SW"
for c in snd1 r1; do
	[ "$(kind_of "${CPID[$c]}")" = ring ] || fail "$c is not on rings: $(ports)"
done
lim=$(fd_limit_free "$SWPID" 3)
# the soft limit only: raising a hard limit again needs CAP_SYS_RESOURCE
read -r soft hard < <(prlimit --pid "$SWPID" --nofile --output SOFT,HARD --noheadings --raw)
[ -n "$hard" ] || fail "prlimit cannot read the switch's limits"
prlimit --pid "$SWPID" --nofile="$lim:$hard" || fail "prlimit"
echo "switch: $(ls "/proc/$SWPID/fd" | wc -l) fds open, limit now $lim"
client r2 -D r2 -r $((2 * N)) -t 60 "$SW"
[ "$(kind_of "${CPID[r2]}")" = "unix prog" ] ||
	fail "the client attached at the limit is not on datagrams: $(ports)"
wait_for grep -q "no rings (Too many open files), the client stays on datagrams" "$TMP/sw.log" ||
	fail "the switch did not say why: $(cat "$TMP/sw.log")"
touch "$TMP/go1"
finish snd1
WAIT_SECS=20 wait_for eval 'nlines "$TMP/r1.out" $N && nlines "$TMP/r2.out" $N' ||
	fail "burst 1 did not reach both receivers: $(wc -l <"$TMP/r1.out") $(wc -l <"$TMP/r2.out")"
head -n "$N" "$TMP/r1.out" >"$TMP/r1.first"
head -n "$N" "$TMP/r2.out" >"$TMP/r2.first"
same "$TMP/snd1.sent" "$TMP/r1.first" "ring receiver, burst 1"
same "$TMP/snd1.sent" "$TMP/r2.first" "receiver on datagrams at the limit, burst 1"
pass "at the fd limit: a port on datagrams, the reason in the log, frames exact to both"

# --- 2. fds again: rings again --------------------------------------------
prlimit --pid "$SWPID" --nofile="$soft:$hard" || fail "prlimit"
client r3 -D r3 -r "$N" -t 60 "$SW"
[ "$(kind_of "${CPID[r3]}")" = ring ] || fail "with fds again, r3 is not on rings: $(ports)"
client snd2 -D snd2 -n "$N" -l 200 -S 22 -o "$TMP/snd2.sent" -t 60 "$SW"
finish snd2
for c in r1 r2 r3; do finish "$c"; done
tail -n "$N" "$TMP/r1.out" >"$TMP/r1.second"
tail -n "$N" "$TMP/r2.out" >"$TMP/r2.second"
same "$TMP/snd2.sent" "$TMP/r1.second" "ring receiver, burst 2"
same "$TMP/snd2.sent" "$TMP/r2.second" "datagram receiver, burst 2"
same "$TMP/snd2.sent" "$TMP/r3.out" "ring receiver attached after the limit was raised"
pass "limit raised: the next client on rings, burst 2 exact to all three"

# --- 3. no fd left: the listeners pause instead of spinning --------------
lim=$(fd_limit_free "$SWPID" 0)
prlimit --pid "$SWPID" --nofile="$lim:$hard" || fail "prlimit"
cat >"$TMP/hold.py" <<'PY'
import os, socket, struct, sys, time
fp, vh, go = sys.argv[1:4]
a = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
a.connect(fp)
b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
b.connect(vh)
print("connected", flush=True)
for _ in range(300):
    if os.path.exists(go):
        break
    time.sleep(0.1)
req = struct.pack("=IHHiIII108s", 0x50464456, 1, 1, 0, 0, 0, 0, b"/no/such/endpoint")
a.send(req)
a.settimeout(10)
m = a.recv(200)
t, st = struct.unpack_from("=6xHi", m)
print("reply type %d status %d" % (t, st), flush=True)
PY
spawn hold.log python3 "$TMP/hold.py" "$SW/.fastpath" "$TMP/vh.sock" "$TMP/go3"
wait_for grep -q connected "$TMP/hold.log" || fail "holder: $(cat "$TMP/hold.log")"
WAIT_SECS=5 wait_for eval '[ "$(grep -c "cannot accept a connection (Too many open files): paused" "$TMP/sw.log")" -ge 2 ]' ||
	fail "no pause line for both listeners: $(grep -i 'accept' "$TMP/sw.log")"
no_spin "$SWPID" "the switch with connections it cannot accept"
prlimit --pid "$SWPID" --nofile="$soft:$hard" || fail "prlimit"
touch "$TMP/go3"
WAIT_SECS=15 wait_for grep -q "reply type 3 status 2" "$TMP/hold.log" ||
	fail "the waiting .fastpath connection was not served: $(cat "$TMP/hold.log")"
pass "no fd left: .fastpath and vhost-user pause (no spin, logged), served once fds are free"
