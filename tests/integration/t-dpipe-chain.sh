#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-dpipe-chain.sh - dpipe carrying frames between two switches: the classic
# cable "dpipe vde_plug SW1 = vde_plug SW2", a three-stage chain whose middle
# stage relays through $ALTERNATE_STDIN/$ALTERNATE_STDOUT, a one-way ring
# through cat; the whole chain ends when a stage dies (no hang); the same
# cable with Debian's vde_plug on one end, and under Debian's dpipe.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

RELAY=$(bin dpipe_relay)
MAC_A=02:00:00:00:02:0a
MAC_B=02:00:00:00:02:0b
SIZES=${PLUG_TEST_SIZES:-"60 1514 9000"}

# check_frames TAG: a on sw1 and b on sw2 exchange frames both ways
check_frames() { cable_frames "$1" $MAC_A $MAC_B $SIZES; }

start_switch sw1
start_switch sw2

# 1. two stages; killing sw2 ends its vde_plug, dpipe ends the other one
bg two.log "$DPIPE" "$PLUG" -v "$TMP/sw1" = "$PLUG" -v "$TMP/sw2"
chain=$LASTPID
wait_for nconnected two.log 2 || fail "two-stage chain did not connect"
check_frames t
kill "${PID[sw2]}"
wait_exit "$chain"
[ "$RC" = 0 ] || fail "two-stage dpipe status $RC"
restart_switch sw2

# 2. three stages, the middle one relays via the alternate descriptors
bg three.log "$DPIPE" "$PLUG" -v "$TMP/sw1" = "$RELAY" = "$PLUG" -v "$TMP/sw2"
chain=$LASTPID
wait_for nconnected three.log 2 || fail "three-stage chain did not connect"
check_frames r
# a stage dies (SIGKILL, so it cannot clean up): the chain ends, status 137
kill -KILL "$(pgrep -P "$chain" -x dpipe_relay)" || fail "relay stage not found"
wait_exit "$chain"
[ "$RC" = 137 ] || fail "three-stage dpipe status $RC, want 137 (killed stage)"

# 3. one-way ring: sw1 -> cat -> sw2 -> sw1
bg ring.log "$DPIPE" "$PLUG" -v "$TMP/sw1" =} cat }= "$PLUG" -v "$TMP/sw2"
chain=$LASTPID
wait_for nconnected ring.log 2 || fail "ring did not connect"
check_frames o
kill "$chain"
wait_exit "$chain"
[ "$RC" = 0 ] || fail "dpipe status $RC after SIGTERM"
for p in $(pgrep -P "$chain"); do fail "stage $p survived dpipe"; done

# 4. interoperability with Debian's VDE: our dpipe and vde_plug with
#    Debian's vde_plug on one end, then Debian's dpipe with our plugs
[ -x "$DEB_PLUG" ] && [ -x "$DEB_DPIPE" ] || fail "Debian's vde_plug/dpipe are missing (apt install vdeplug)"
data_socks() { ls -A "$TMP/$1" | grep -vc '^ctl$'; }
nports() { [ "$(data_socks "$1")" -ge "$2" ]; }
SIZES="60 100 1514"
kill "${PID[sw2]}"
restart_switch sw2
bg deb1.log "$DPIPE" "$PLUG" -v "$TMP/sw1" = "$DEB_PLUG" "$TMP/sw2"
chain=$LASTPID
wait_for nconnected deb1.log 1 && wait_for nports sw2 1 || fail "chain with Debian's vde_plug did not connect"
check_frames i
kill "${PID[sw2]}"
wait_exit "$chain"
[ "$RC" = 0 ] || fail "dpipe with Debian's vde_plug: status $RC"
restart_switch sw2
bg deb2.log "$DEB_DPIPE" "$PLUG" -v "$TMP/sw1" = "$PLUG" -v "$TMP/sw2"
chain=$LASTPID
wait_for nconnected deb2.log 2 || fail "Debian's dpipe with our plugs did not connect"
check_frames j
kill "${PID[sw2]}"
wait_exit "$chain"
pass "dpipe chains"
