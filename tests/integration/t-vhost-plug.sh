#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vhost-plug.sh - the vhost-user:// VNL with the test front end playing
# QEMU (tests/vhost_front): vde_plug vhost-user:///SOCK SWITCH carries
# frames byte for byte both ways (ring indices wrapping past 65535, frames
# spread over several small receive buffers with MRG_RXBUF), cuts a TSO
# super-frame with a partial checksum into correct wire segments, drops a
# guest that sends each malformed case (with its reason in the log) and
# stays usable, frees the guest's mappings and fds when the front end is
# killed with -9, and refuses a second front end while one is attached;
# out of fds it pauses accepting instead of spinning, and serves the
# waiting front end once fds are free.
# wirefilter takes the same VNL.
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
. "$top_srcdir/tests/integration/vhost-lib.sh"
FRONT=$(bin vhost_front)
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch not built"

our_switch sw
VM=$TMP/vm.sock
spawn plug.log vde_plug "vhost-user://$VM" "$TMP/sw"
PLUG=$LASTPID
wait_for test -S "$VM" || fail "vde_plug did not listen on $VM"

# guest -> switch, indices starting at 65500 (they wrap), 300 frames
client rx1 -r 300 -t 20 "$TMP/sw"
"$FRONT" -b 65500 -n 300 -l 60 -S 3 -o "$TMP/sent1" -t 20 "$VM" || fail "front end send"
finish rx1
same "$TMP/sent1" "$TMP/rx1.out" "guest -> switch"
pass "300 frames guest -> switch, ring indices wrapping at 65535"

# switch -> guest, 256-byte receive buffers: 1000-byte frames use 5 each
front_rx front2 "$VM" -M -b 65500 -r 300 -t 20
F2=$FRONTPID
# bursts of 20 (the ring holds 51 such frames): nothing lost to a full ring
for k in $(seq 0 14); do
	"$CLIENT" -n 20 -l 1000 -S $((5 + k)) -o "$TMP/sent2.$k" "$TMP/sw" >/dev/null || fail "client send"
	cat "$TMP/sent2.$k" >>"$TMP/sent2"
	WAIT_SECS=10 wait_for nlines "$TMP/front2.out" $((20 * k + 20)) || break
done
wait $F2 || fail "front end receive: $(cat "$TMP/front2.log")"
same "$TMP/sent2" "$TMP/front2.out" "switch -> guest (MRG_RXBUF)"
pass "300 frames switch -> guest over 5 merged receive buffers each"

# a TCP/IPv4 super-frame (TSO, MSS 1000, partial checksum) -> 20 segments
tso_cut "$VM"
pass "TSO super-frame of 20054 bytes cut into 20 wire segments, checksums and payload right"

# malformed guests: dropped with a reason, the plug lives on
newlog() { tail -n +$(($1 + 1)) "$TMP/plug.log" | grep -qF "guest disconnected: $2"; }
for c in "${!VHOST_WHY[@]}"; do
	n0=$(wc -l <"$TMP/plug.log")
	out=$("$FRONT" -E "$c" -t 10 "$VM" 2>&1) || fail "case $c: $out"
	wait_for newlog "$n0" "${VHOST_WHY[$c]}" || fail "case $c: no log line '${VHOST_WHY[$c]}'"
done
# read-only receive buffers: found when a frame arrives for the guest
"$FRONT" -E rxro -t 15 "$VM" >"$TMP/rxro.out" 2>&1 &
F3=$!; PIDS+=($F3)
for i in $(seq 50); do
	kill -0 $F3 2>/dev/null || break
	"$CLIENT" -n 1 -l 60 "$TMP/sw" >/dev/null 2>&1
	sleep 0.1
done
wait $F3 || fail "case rxro: $(cat "$TMP/rxro.out")"
grep -qF "guest disconnected: guest receive queue: read-only descriptor in a receive chain" "$TMP/plug.log" ||
	fail "case rxro: no log line"
kill -0 $PLUG || fail "vde_plug died"
pass "${#VHOST_WHY[@]} malformed rings/messages + read-only receive buffers: guest dropped with the reason logged, plug alive"

# kill -9 of the front end: mappings and fds released, the next one works
nfd() { ls /proc/$PLUG/fd | wc -l; }
nmap() { grep -c memfd:guest /proc/$PLUG/maps; }
mapped() { [ "$(nmap)" -ge 2 ]; }		# evaluated on every try
unmapped() { [ "$(nmap)" = 0 ]; }
fds_back() { [ "$(nfd)" = "$base" ]; }
base=$(nfd)
"$FRONT" -r 1000000 -t 60 -H "$TMP/never" "$VM" >/dev/null 2>&1 &
F4=$!; PIDS+=($F4)
wait_for mapped || fail "guest memory not mapped"
[ "$(nfd)" -gt "$base" ] || fail "no eventfds held"
kill -9 $F4
wait_for unmapped || fail "guest memory still mapped after kill -9"
wait_for fds_back || fail "fds not released: $(nfd) vs $base"
client rx5 -r 10 -t 20 "$TMP/sw"
"$FRONT" -n 10 -l 100 -S 7 -o "$TMP/sent5" -t 20 "$VM" || fail "front end after kill -9"
finish rx5
same "$TMP/sent5" "$TMP/rx5.out" "after kill -9"
pass "front end killed with -9: mappings and fds released ($base fds), the next front end works"

# a second front end while one is attached is refused
"$FRONT" -r 1000000 -t 60 -H "$TMP/never" "$VM" >/dev/null 2>&1 &
F6=$!; PIDS+=($F6)
wait_for mapped || fail "guest memory not mapped"
out=$("$FRONT" -n 1 -t 5 "$VM" 2>&1) && fail "second front end accepted"
grep -q "refused a second front end" "$TMP/plug.log" || fail "no log line for the second front end"
kill $F6
pass "second front end refused while one is attached"

# out of fds: the listening socket stops being watched for a back-off (it
# would stay readable and the tool would spin), then the front end is served
wait_for eval '! kill -0 $F6 2>/dev/null' || fail "front end still there"
read -r soft hard < <(prlimit --pid "$PLUG" --nofile --output SOFT,HARD --noheadings --raw)
[ -n "$hard" ] || fail "prlimit cannot read vde_plug's limits"
lim=$(fd_limit_free "$PLUG" 0)
prlimit --pid "$PLUG" --nofile="$lim:$hard" || fail "prlimit"
cat >"$TMP/hold.py" <<'PY'
import os, socket, struct, sys, time
path, go = sys.argv[1:3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
print("connected", flush=True)
for _ in range(300):
    if os.path.exists(go):
        break
    time.sleep(0.1)
s.send(struct.pack("=III", 1, 1, 0))		# GET_FEATURES, version 1
s.settimeout(10)
r = s.recv(20)
req, flags, size = struct.unpack_from("=III", r)
print("reply request %d size %d" % (req, size), flush=True)
PY
spawn hold.log python3 "$TMP/hold.py" "$VM" "$TMP/go"
wait_for grep -q connected "$TMP/hold.log" || fail "holder: $(cat "$TMP/hold.log")"
WAIT_SECS=5 wait_for grep -q "cannot accept a front end (Too many open files): paused" "$TMP/plug.log" ||
	fail "no pause line: $(tail -3 "$TMP/plug.log")"
no_spin "$PLUG" "vde_plug with a front end it cannot accept"
prlimit --pid "$PLUG" --nofile="$soft:$hard" || fail "prlimit"
touch "$TMP/go"
WAIT_SECS=15 wait_for grep -q "reply request 1 size 8" "$TMP/hold.log" ||
	fail "the waiting front end was not served: $(cat "$TMP/hold.log")"
pass "out of fds: vde_plug pauses accepting (no spin, logged), the front end served once fds are free"

# wirefilter on the same VNL
kill $PLUG
wait_for test ! -e "$VM" || fail "socket not removed at exit"
wirefilter -d 20 -M "$TMP/wf.mgmt" --daemon --pidfile "$TMP/wf.pid" "vhost-user://$VM" "$TMP/sw" \
	>"$TMP/wf.log" 2>&1 </dev/null || fail "wirefilter failed to start"
wait_for test -s "$TMP/wf.pid" || fail "wirefilter: no pid file"
PIDS+=("$(cat "$TMP/wf.pid")")
wait_for test -S "$VM" || fail "wirefilter did not listen on $VM"
client rx7 -r 50 -t 20 "$TMP/sw"
"$FRONT" -n 50 -l 200 -S 11 -o "$TMP/sent7" -t 20 "$VM" || fail "front end via wirefilter"
finish rx7
same "$TMP/sent7" "$TMP/rx7.out" "through wirefilter"
pass "wirefilter -d 20 vhost-user:// SWITCH: 50 frames byte for byte"
