#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-switch-ring.sh - our switch's shared-memory rings (docs/fastpath.md)
# with real clients, run in namespace a with a tap:
#  1. DIR/.fastpath exists with ctl's mode; ring clients (our library),
#     a datagram client (VDEPLUG_FASTPATH=0), Debian's vde_plug (Debian's
#     library) and the switch's tap exchange frames in every direction,
#     byte for byte; port/print shows "ring" only for ring clients and
#     the VDE 2 line for the others.
#     Bursts (ring -> ring, datagram -> ring) lose nothing: a full ring
#     makes its sender wait, as a full socket does (back-pressure).
#  2. VLANs and mirroring over ring ports: untagged and tagged members get
#     the frames (the tag inserted byte for byte), another VLAN nothing, a
#     monitor port the exact copies.
#  3. A ring client that never reads fills only its own ring: counted
#     (tx_full, qfull) while a ping-pong between the others stays exact,
#     and the switch does not spin on it (CPU time over 2 s).
#  4. Garbage written into a live client's region (its memfd mapping,
#     through /proc/PID/map_files) loses only that client's frames,
#     counted (bad_record/bad_index in port/stats), while the others'
#     ping-pong stays exact and the switch lives.
#  5. A ring client killed with -9 in the middle of a burst frees its
#     port: the switch's fd count and mappings go back to what they were.
#  6. .fastpath against a hostile peer: a REQUEST for another process's
#     endpoint is refused (EPERM), an unknown one too (ENOENT), garbage
#     closes the connection, at most 16 negotiations wait at once; a
#     client that writes the switch's own ring indices off a record
#     boundary before ACCEPT (the switch attaches then) gets its frames
#     at record boundaries, and the switch lives.
#  7. A switch with VDEPLUG_FASTPATH=0 in its environment makes no
#     .fastpath (its clients get datagrams); every socket file is removed
#     at exit.
TEST_TIMEOUT=240
. "$top_srcdir/tests/lib/env.sh"
# about the rings themselves (NOFASTPATH_RING_TESTS in tests/integration/local.am)
[ "${VDEPLUG_FASTPATH-}" = 0 ] && skip "needs the fast path on: VDEPLUG_FASTPATH=0 is in the environment"
. "$top_srcdir/tests/integration/lib-helpers.sh"
need_root
[ -n "$OUR_SWITCH" ] || fail "switch/vde_switch is not built"
command -v socat >/dev/null || fail "socat is needed"
TOOL=$top_srcdir/tests/integration/ring-tool.py
SW=$TMP/sw
N=20

mkns a
# no IPv6 chatter from the tap: only the test's frames cross the switch
n a sysctl -qw net.ipv6.conf.default.disable_ipv6=1
n a sysctl -qw net.ipv6.conf.all.disable_ipv6=1
n a "$OUR_SWITCH" -d -s "$SW" -p "$SW.pid" -M "$SW.mgmt" -n 32 -t tapr \
	>"$TMP/sw.log" 2>&1 </dev/null || fail "switch did not start"
wait_for test -s "$SW.pid" || fail "no pidfile"
SWPID=$(cat "$SW.pid")
PIDS+=("$SWPID")
wait_for sock_ready "$SW.mgmt" || fail "no mgmt socket"
n a ip link set tapr up
[ -S "$SW/.fastpath" ] || fail "no DIR/.fastpath socket"
[ "$(stat -c %a "$SW/.fastpath")" = "$(stat -c %a "$SW/ctl")" ] ||
	fail ".fastpath mode $(stat -c %a "$SW/.fastpath") differs from ctl's"

ports() { mgmt sw port/print; }
# kind ID: the module column of port/print for endpoint ID
kind_of() { ports | sed -n "s/^  -- endpoint ID [0-9]* module \(.*[^ ]\) *: .*PID=$1\$/\1/p"; }
# the ring counters of port/stats for port P: "name value" pairs
ring_stats() { mgmt sw port/stats | sed -n "/^Port 00*$1 /,/^Port /s/^  -- endpoint ID [0-9]* ring://p"; }
stat_of() { echo "$1" | tr ' ' '\n' | sed -n "/^$2\$/{n;p}"; }
gen() { "$CLIENT" -n "$N" -l "$1" -S "$2" -o "$3" null:// >/dev/null || fail "null:// sender"; }
REC=$top_srcdir/tests/integration/lib-records.py

# --- 1. every kind to every kind --------------------------------------
client rring -D rring -r $((4 * N)) -t 60 "$SW"
export VDEPLUG_FASTPATH=0
client rdgram -D rdgram -r $((4 * N)) -t 60 "$SW"
unset VDEPLUG_FASTPATH
deb_plug rdeb "$SW"
deb_plug sdeb "$SW"
rm -f "$TMP/rtap.ready"
spawn rtap.log n a python3 "$TOOL" taprecv tapr $((3 * N)) "$TMP/rtap.out" "$TMP/rtap.ready" 60
RTAP=$LASTPID
wait_for test -e "$TMP/rtap.ready" || fail "tap receiver did not start"
wait_for eval "[ \$(ports | grep -c 'module unix prog   : vdeplug: ') = 2 ]" ||
	fail "Debian's vde_plug not attached: $(ports)"
[ "$(kind_of "${CPID[rring]}")" = ring ] || fail "our client is not on rings: $(ports)"
[ "$(kind_of "${CPID[rdgram]}")" = "unix prog" ] ||
	fail "VDEPLUG_FASTPATH=0 client is not on datagrams: $(ports)"
ports | grep -q '^  -- endpoint ID [0-9]\{4\} module tuntap      : tapr$' || fail "no tap: $(ports)"
pass "port/print: ring for our client, unix prog for VDEPLUG_FASTPATH=0 and Debian's, tuntap"

all_have() {	# COUNT: every receiver has COUNT frames (tap: COUNT - tap's own)
	nlines "$TMP/rring.out" "$1" && nlines "$TMP/rdgram.out" "$1" &&
		nrec "$TMP/rdeb.out" "$1" && nlines "$TMP/rtap.out" "$(( $1 < 3 * N ? $1 : 3 * N ))"
}
"$CLIENT" -n "$N" -l 1514 -S 11 -o "$TMP/s1.sent" "$SW" >/dev/null || fail "ring sender"
WAIT_SECS=20 wait_for all_have "$N" || fail "ring sender's frames did not all arrive"
VDEPLUG_FASTPATH=0 "$CLIENT" -n "$N" -l 60 -S 12 -o "$TMP/s2.sent" "$SW" >/dev/null ||
	fail "datagram sender"
WAIT_SECS=20 wait_for all_have $((2 * N)) || fail "datagram sender's frames did not all arrive"
gen 100 13 "$TMP/s3.sent"
python3 "$REC" enc "$TMP/s3.sent" "$TMP/s3.rec"
cat "$TMP/s3.rec" >&"${DIN[sdeb]}"
WAIT_SECS=20 wait_for all_have $((3 * N)) || fail "Debian vde_plug's frames did not all arrive"
gen 1000 14 "$TMP/s4.sent"
n a python3 "$TOOL" tapsend tapr "$TMP/s4.sent" || fail "tap sender"
finish rring
finish rdgram
wait "$RTAP" || fail "tap receiver: $(cat "$TMP/rtap.log")"
wait_for nrec "$TMP/rdeb.out" $((4 * N)) || fail "Debian's vde_plug did not get the tap's frames"
cat "$TMP"/s[1234].sent >"$TMP/all.sent"
cat "$TMP"/s[123].sent >"$TMP/tap.sent"
same "$TMP/all.sent" "$TMP/rring.out" "ring receiver"
same "$TMP/all.sent" "$TMP/rdgram.out" "datagram receiver"
python3 "$REC" dec "$TMP/rdeb.out" "$TMP/rdeb.hex"
same "$TMP/all.sent" "$TMP/rdeb.hex" "Debian's vde_plug"
same "$TMP/tap.sent" "$TMP/rtap.out" "tap"
pass "ring, datagram, Debian vde_plug and tap senders -> every other kind, byte for byte"

B=20000
client brx -D brx -r $((2 * B)) -t 120 "$SW"
"$CLIENT" -n "$B" -l 64 -S 31 -o "$TMP/b1.sent" "$SW" >/dev/null || fail "ring burst sender"
VDEPLUG_FASTPATH=0 "$CLIENT" -n "$B" -l 64 -S 32 -o "$TMP/b2.sent" "$SW" >/dev/null ||
	fail "datagram burst sender"
finish brx
cat "$TMP/b1.sent" "$TMP/b2.sent" >"$TMP/b.sent"
same "$TMP/b.sent" "$TMP/brx.out" "bursts into a ring client"
pass "bursts of $B frames ring -> ring and datagram -> ring: none lost, in order"

# --- 2. VLANs and a monitor port over rings ----------------------------
mgmt sw "vlan/create 30" >/dev/null
for p in 12 13 14 15 16; do mgmt sw "port/create $p" >/dev/null; done
mgmt sw "port/setvlan 12 30" >/dev/null
mgmt sw "port/setvlan 13 30" >/dev/null
mgmt sw "vlan/addport 30 14" >/dev/null
mgmt sw "port/setmirror 16 12" | grep -q "1000 Success" || fail "port/setmirror"
client vu -p 13 -r "$N" -t 30 "$SW"
client vt -p 14 -r "$N" -t 30 "$SW"
client vo -p 15 -r 1 -t 6 "$SW"
client vm -p 16 -r "$N" -t 30 "$SW"
"$CLIENT" -p 12 -n "$N" -l 1514 -S 15 -o "$TMP/v.sent" "$SW" >/dev/null || fail "VLAN sender"
for c in vu vt vm; do finish $c; done
wait "${CPID[vo]}"
[ ! -s "$TMP/vo.out" ] || fail "a port outside VLAN 30 got $(wc -l <"$TMP/vo.out") frames"
same "$TMP/v.sent" "$TMP/vu.out" "untagged member of VLAN 30"
sed 's/^\(.\{24\}\)/\18100001e/' "$TMP/v.sent" >"$TMP/vt.expect"
same "$TMP/vt.expect" "$TMP/vt.out" "tagged member of VLAN 30"
same "$TMP/v.sent" "$TMP/vm.out" "monitor port of port 12"
pass "VLAN 30 over rings: untagged and tagged (tag inserted) members exact, VLAN 0 nothing, mirror exact"

# --- 3. a ring client that never reads ---------------------------------
client lazy -D lazy -W "$TMP/never" -t 200 "$SW"
P=3000
client echo -D echo -e -r "$P" -t 120 "$SW"
export VDEPLUG_FASTPATH=0
"$CLIENT" -P -r "$P" -n "$P" -l 1514 -S 16 -o "$TMP/pp.sent" "$SW" >"$TMP/pp.echo" 2>"$TMP/pp.log" ||
	fail "ping-pong next to a client that never reads: $(cat "$TMP/pp.log")"
unset VDEPLUG_FASTPATH
finish echo
same "$TMP/pp.sent" "$TMP/echo.out" "ping-pong next to a stuck ring client"
same "$TMP/pp.sent" "$TMP/pp.echo" "ping-pong echoes next to a stuck ring client"
lazyport=$(ports | sed -n '/^Port /h; /: lazy user=/{x;s/^Port 0*\([0-9]*\) .*/\1/p}')
st=$(ring_stats "$lazyport")
qf=$(mgmt sw port/stats | sed -n "s/^Port 0*$lazyport .* qfull \([0-9]*\) .*/\1/p")
[ "$(stat_of "$st" tx_full)" -gt 0 ] && [ "${qf:-0}" -gt 0 ] ||
	fail "the stuck client's ring was not counted full: $st, qfull $qf"
# nothing spins on it: over 2 s the switch uses (almost) no CPU
ticks() { awk '{ print $14 + $15 }' "/proc/$SWPID/stat"; }
t0=$(ticks)
sleep 2	# a measuring window, not a synchronisation
[ $(( $(ticks) - t0 )) -lt 20 ] || fail "the switch spins next to a stuck ring client: $(( $(ticks) - t0 )) ticks in 2 s"
pass "a ring client that never reads fills its own ring (tx_full $(stat_of "$st" tx_full), qfull $qf); others exact; no spinning"
kill "${CPID[lazy]}"; wait "${CPID[lazy]}" 2>/dev/null

# --- 4. garbage in a live client's rings -------------------------------
mgmt sw "vlan/create 20" >/dev/null
mgmt sw "port/create 20" >/dev/null
mgmt sw "port/create 21" >/dev/null
mgmt sw "port/setvlan 20 20" >/dev/null
mgmt sw "port/setvlan 21 20" >/dev/null
client vsink -p 21 -r 1000000 -t 60 "$SW"
"$CLIENT" -p 20 -n 1000000 -l 200 -S 17 "$SW" >/dev/null 2>"$TMP/victim.log" &
VPID=$!
PIDS+=("$VPID")
wait_for eval "[ \"\$(kind_of $VPID)\" = ring ]" || fail "victim not on rings: $(ports)"
client echo2 -D echo2 -e -r 300 -t 120 "$SW"
export VDEPLUG_FASTPATH=0
"$CLIENT" -P -r 300 -n 300 -l 1514 -S 18 -o "$TMP/pp2.sent" "$SW" >"$TMP/pp2.echo" 2>"$TMP/pp2.log" &
PP2=$!
unset VDEPLUG_FASTPATH
python3 "$TOOL" garbage "$VPID" 3 >"$TMP/garbage.out" || fail "garbage: $(cat "$TMP/garbage.out")"
wait "$PP2" || fail "ping-pong during the garbage: $(cat "$TMP/pp2.log")"
finish echo2
same "$TMP/pp2.sent" "$TMP/echo2.out" "ping-pong during garbage in another client's ring"
same "$TMP/pp2.sent" "$TMP/pp2.echo" "echoes during garbage in another client's ring"
kill -0 "$SWPID" || fail "the switch died"
st=$(ring_stats 20)
bad=$(( $(stat_of "$st" bad_record) + $(stat_of "$st" bad_index) ))
[ "$bad" -gt 0 ] || fail "garbage not counted: $st"
pass "garbage in a live client's region ($(cat "$TMP/garbage.out")): its own loss counted ($st), others exact"
kill "$VPID" "${CPID[vsink]}" 2>/dev/null; wait "$VPID" "${CPID[vsink]}" 2>/dev/null

# --- 5. kill -9 in the middle of a burst --------------------------------
WAIT_SECS=10 wait_for eval "! ports | grep -q 'PID=\($VPID\|${CPID[vsink]}\)\$'" ||
	fail "victim's endpoints stayed: $(ports)"
nfd() { ls "/proc/$SWPID/fd" | wc -l; }
nmap() { grep -c vdekit-fastpath "/proc/$SWPID/maps"; }
fd0=$(nfd)
[ "$(nmap)" = 0 ] || fail "mappings left after the clients closed: $(nmap)"
client ksink -r 1000000 -t 60 "$SW"
"$CLIENT" -n 1000000 -l 1514 -S 19 "$SW" >/dev/null 2>&1 &
KPID=$!
PIDS+=("$KPID")
wait_for eval "[ \"\$(kind_of $KPID)\" = ring ]" || fail "burst sender not on rings"
wait_for eval "[ \$(wc -l <'$TMP/ksink.out') -gt 1000 ]" || fail "burst did not flow"
[ "$(nmap)" = 2 ] || fail "expected two ring mappings, got $(nmap)"
kill -9 "$KPID"
wait "$KPID" 2>/dev/null
kill "${CPID[ksink]}"; wait "${CPID[ksink]}" 2>/dev/null
WAIT_SECS=10 wait_for eval "[ \$(nfd) = $fd0 ] && [ \$(nmap) = 0 ]" ||
	fail "after kill -9: $(nfd) fds (was $fd0), $(nmap) mappings"
ports | grep -q "PID=$KPID\$" && fail "killed client's endpoint still listed"
pass "ring client killed with -9 mid-burst: port freed, switch back to $fd0 fds and no mapping"

# --- 6. .fastpath against a hostile peer -------------------------------
client other -D other -r 1 -t 30 "$SW"
ep=$(ls "$SW" | grep -m1 '^[0-9]\{3\}\.[0-9]*$') || fail "no data socket in $SW"
python3 "$TOOL" fpcheck "$SW" "$SW/$ep" >"$TMP/fpcheck.out" 2>&1 || fail "fpcheck: $(cat "$TMP/fpcheck.out")"
kill -0 "$SWPID" || fail "the switch died"
kill "${CPID[other]}"; wait "${CPID[other]}" 2>/dev/null
pass ".fastpath: another's endpoint EPERM, unknown ENOENT, garbage closed, 16 pending at most"
# the switch took the s2c tail it found at ACCEPT as its own: 4 bytes
# before the end of the ring, its first PAD header went past the region
python3 "$TOOL" misalign "$SW" "$TMP/misalign.hold" >"$TMP/misalign.out" 2>&1 &
MPID=$!
PIDS+=("$MPID")
wait_for grep -q "misalign ready" "$TMP/misalign.out" || fail "misalign: $(cat "$TMP/misalign.out")"
"$CLIENT" -n 1 -l 200 -S 31 "$SW" >/dev/null 2>"$TMP/misalign.log" || fail "sender: $(cat "$TMP/misalign.log")"
wait_for grep -q "misalign tail" "$TMP/misalign.out" || fail "misalign: $(cat "$TMP/misalign.out")"
kill -0 "$SWPID" || fail "the switch died of a client's misaligned ring index"
grep -q "misalign tail [0-9]* pad 0,1 frame [0-9]*,0\$" "$TMP/misalign.out" ||
	fail "frames not at record boundaries after a misaligned index: $(cat "$TMP/misalign.out")"
touch "$TMP/misalign.hold"
wait "$MPID" || fail "misalign: $(cat "$TMP/misalign.out")"
pass "a client's misaligned ring indices before ACCEPT: records where they belong ($(tail -1 "$TMP/misalign.out"))"

# --- 7. a switch with VDEPLUG_FASTPATH=0 --------------------------------
export VDEPLUG_FASTPATH=0
our_switch sw2 -n 4
unset VDEPLUG_FASTPATH
[ -e "$TMP/sw2/.fastpath" ] && fail "VDEPLUG_FASTPATH=0 switch made .fastpath"
client off -D off -r 1 -t 2 "$TMP/sw2"
mgmt sw2 port/print | grep -q "module unix prog   : off user=" || fail "client of a switch without rings"
wait "${CPID[off]}"
kill "$(cat "$TMP/sw2.pid")"
kill "$SWPID"
wait_for eval "[ ! -e '$TMP/sw2' ] && [ ! -e '$SW' ]" ||
	fail "socket files left at exit: $(ls -A "$TMP/sw2" "$SW" 2>&1)"
pass "VDEPLUG_FASTPATH=0 switch: no .fastpath, datagrams; both directories removed at exit"
