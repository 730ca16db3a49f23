#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-capture-cable.sh - vdecapture as a cable between two switches, run by an
# unprivileged user this test creates: a dpipe middle stage records both
# directions in order with their direction (pcapng epb_flags), every frame
# byte for byte, and the cable delivers every frame; tcpdump -r and a
# python reader parse the files; two VNLs and pcap; -c stops recording
# while the cable goes on; -C/-W rotation with tcpdump's names; -w - to
# stdout; a reader that never reads loses copies, counted, never frames.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/capture-lib.sh"
TEST_TIMEOUT=240

cap_user
command -v tcpdump >/dev/null || skip "tcpdump is needed"
cap_switch a
cap_switch b
A=$U/a
B=$U/b

connected() { [ "$(grep -c 'connected to' "$TMP/$1")" -ge 2 ] && grep -q 'vdecapture: cable' "$TMP/$1"; }

# 1. dpipe vde_plug A = vdecapture -w F = vde_plug B, as the user
ubg chain.log "$DPIPE" "$PLUG" -v "$A" = "$CAP" -w "$U/cable.pcapng" = "$PLUG" -v "$B"
chain=$LASTPID
wait_for connected chain.log || fail "dpipe chain did not start: $(cat "$TMP/chain.log")"
# receivers on one switch also see the broadcasts of senders on it: one
# receiver per burst, started just before it
recv_start rb "$B" 10
send a1 "$A" 10 100 1
recv_done rb
recv_start ra "$A" 10
send b1 "$B" 10 200 2
recv_done ra
recv_start rb2 "$B" 5
send a2 "$A" 5 1514 3
recv_done rb2
cmp -s "$TMP/a1.sent" "$TMP/rb.out" || fail "frames A->B altered by the cable"
cmp -s "$TMP/b1.sent" "$TMP/ra.out" || fail "frames B->A altered by the cable"
cmp -s "$TMP/a2.sent" "$TMP/rb2.out" || fail "jumbo-ish frames A->B altered by the cable"
capt=$(pgrep -P "$chain" -x vdecapture) || fail "vdecapture stage not found"
[ "$(stat -c %U "/proc/$capt")" = "$CAPUSER" ] || fail "vdecapture does not run as $CAPUSER"
stop "$capt"
wait_for gone "$chain" || fail "dpipe did not end after its capture stage"
[ "$(stat -c %U "$U/cable.pcapng")" = "$CAPUSER" ] || fail "file not written by the user"
cat "$TMP/a1.sent" "$TMP/b1.sent" "$TMP/a2.sent" >"$TMP/all.sent"
frames "$U/cable.pcapng" >"$TMP/cable.hex" || fail "python reader rejects the pcapng file"
cmp -s "$TMP/all.sent" "$TMP/cable.hex" ||
	fail "recorded frames differ from those sent ($(wc -l <"$TMP/cable.hex") recorded, 25 sent)"
want=$(printf 'out\n%.0s' $(seq 10); printf 'in\n%.0s' $(seq 10); printf 'out\n%.0s' $(seq 5))
[ "$(dirs "$U/cable.pcapng")" = "$want" ] || fail "directions: $(dirs "$U/cable.pcapng" | uniq -c)"
info=$(python3 "$PCAPREAD" info "$U/cable.pcapng")
[ "$info" = "format pcapng frames 25 ifaces 1 isb 25/0 tsresol 9" ] || fail "pcapng: $info"
[ "$(summary chain.log 'frames captured')" = 25 ] || fail "summary: $(cat "$TMP/chain.log")"
[ "$(summary chain.log 'frames dropped')" = 0 ] || fail "copies dropped on an idle machine"
tcpdump -r "$U/cable.pcapng" -nn >"$TMP/td.txt" 2>"$TMP/td.err" || fail "tcpdump -r: $(cat "$TMP/td.err")"
# one line per frame starts with its time (tcpdump dumps unknown payloads in hex)
[ "$(grep -c '^[0-9][0-9]:' "$TMP/td.txt")" = 25 ] || fail "tcpdump reads $(grep -c '^[0-9][0-9]:' "$TMP/td.txt") frames"
tcpdump -r "$U/cable.pcapng" -nn -e 'ether src 02:00:00:00:03:04 and greater 1514' 2>/dev/null |
	grep -q 'length 1514' || fail "tcpdump does not see the 1514-byte frame of burst 3"
pass "dpipe cable: 25 frames, both directions in order, bytes equal, tcpdump reads them"

# 2. two VNLs, pcap, -c 5: recording stops at 5, the cable carries all 10
ubg vnl.log "$CAP" -c 5 -w "$U/five.pcap" "$A" "$B"
capt=$LASTPID
wait_for grep -q 'vdecapture: cable' "$TMP/vnl.log" || fail "vdecapture VNL VNL did not start"
recv_start rc "$B" 10
send c1 "$A" 10 60 4
recv_done rc
cmp -s "$TMP/c1.sent" "$TMP/rc.out" || fail "-c: the cable did not carry every frame"
head -n 5 "$TMP/c1.sent" >"$TMP/c5.sent"
five() { [ "$(python3 "$PCAPREAD" info "$U/five.pcap" 2>/dev/null)" = \
	"format pcap frames 5 ifaces 0 isb none tsresol 6" ]; }
wait_for five || fail "-c 5: $(python3 "$PCAPREAD" info "$U/five.pcap")"
frames "$U/five.pcap" | cmp -s - "$TMP/c5.sent" || fail "-c 5: wrong frames recorded"
[ "$(tcpdump -r "$U/five.pcap" 2>/dev/null | grep -c '^[0-9][0-9]:')" = 5 ] || fail "tcpdump -r five.pcap"
kill -0 "$capt" || fail "-c ended the cable"
stop "$capt"
[ "$RC" = 0 ] || fail "vdecapture exit status $RC"
pass "two VNLs, pcap, -c 5 records 5 of 10 and the cable goes on"

# 3. rotation: -C 20k -W 3 reuses rot.pcapng0..2; -C 20k alone keeps all
#    (one cable at a time: two cables between A and B would make a loop)
rotate() {	# LOG TAG CAPTURE-ARGS...
	local log=$1 tag=$2 s pid; shift 2
	ubg "$log" "$CAP" "$@" "$A" "$B"
	pid=$LASTPID
	wait_for grep -q 'vdecapture: cable' "$TMP/$log" || fail "$log: capture did not start"
	recv_start "$tag" "$B" 100
	for s in 10 11 12 13 14; do
		send "$tag$s" "$A" 20 1000 "$s"
		wait_for nlines "$TMP/$tag.out" $(( (s - 9) * 20 )) || fail "$log: cable lost frames"
	done
	recv_done "$tag"
	stop "$pid"
}
rotate rot.log w -C 20k -W 3 -w "$U/rot.pcapng"
rotate rot2.log c -C 20k -w "$U/all.pcap"
for f in rot.pcapng0 rot.pcapng1 rot.pcapng2; do
	[ -f "$U/$f" ] || fail "-W 3: no $f ($(ls "$U"))"
	python3 "$PCAPREAD" info "$U/$f" | grep -q 'ifaces 1 ' || fail "$f: no interface block"
	tcpdump -r "$U/$f" >/dev/null 2>&1 || fail "tcpdump -r $f"
done
[ ! -e "$U/rot.pcapng3" ] && [ ! -e "$U/rot.pcapng" ] || fail "-W 3 made more files: $(ls "$U")"
n=$(frames "$U"/rot.pcapng[012] | wc -l)
[ "$n" -lt 100 ] && [ "$n" -ge 30 ] || fail "-W 3 kept $n of 100 frames"
files=("$U/all.pcap")
for i in 1 2 3 4 5 6 7 8 9; do [ -f "$U/all.pcap$i" ] && files+=("$U/all.pcap$i"); done
[ ${#files[@]} -ge 4 ] || fail "-C 20k: only ${#files[@]} files for 100 KB"
for f in "${files[@]}"; do
	[ "$(stat -c %s "$f")" -le $((20480 + 1016)) ] || fail "$f larger than -C plus one frame"
done
cat "$TMP"/c1[0-4].sent >"$TMP/rot.sent"
frames "${files[@]}" | cmp -s - "$TMP/rot.sent" || fail "-C: frames across the files differ"
pass "-C/-W rotation: names, interface block in each file, frames kept in order"

# 4. -w - to stdout (the cable ends are both VNLs)
ubg stdout.log sh -c "exec \"$CAP\" -w - \"$A\" \"$B\" >\"$U/stdout.pcap\""
so=$LASTPID
wait_for grep -q 'vdecapture: cable' "$TMP/stdout.log" || fail "-w - did not start"
recv_start re "$B" 7
send e1 "$A" 7 300 20
recv_done re
stop "$so"
frames "$U/stdout.pcap" | cmp -s - "$TMP/e1.sent" || fail "-w -: frames differ"
# -c 3 with -w -: the reader sees the end of the file after 3 frames while
# the cable goes on
mkfifo "$U/eof"
chmod 666 "$U/eof"
cat "$U/eof" >"$TMP/eof.pcap" &
reader=$!
PIDS+=($reader)
ubg eof.log sh -c "exec \"$CAP\" -c 3 -w - \"$A\" \"$B\" >\"$U/eof\""
eofcap=$LASTPID
wait_for grep -q 'vdecapture: cable' "$TMP/eof.log" || fail "-c 3 -w - did not start"
recv_start rf "$B" 5
send f1 "$A" 5 100 21
recv_done rf
wait_for gone "$reader" || fail "-c 3 -w -: the reader never saw the end"
kill -0 "$eofcap" || fail "-c 3 -w -: the cable stopped"
head -n 3 "$TMP/f1.sent" | cmp -s - <(frames "$TMP/eof.pcap") || fail "-c 3 -w -: wrong frames"
stop "$eofcap"
pass "-w - writes pcap to stdout; with -c the reader sees the end, the cable goes on"

# 5. a reader that never reads: copies are dropped and counted, the cable
#    still carries every frame, and vdecapture exits in bounded time
mkfifo "$U/slow"
chmod 666 "$U/slow"
( exec sleep 600 <"$U/slow" ) &
PIDS+=($!)
ubg slow.log sh -c "exec \"$CAP\" -B 64 -w - \"$A\" \"$B\" >\"$U/slow\""
slow=$LASTPID
wait_for grep -q 'vdecapture: cable' "$TMP/slow.log" || fail "slow capture did not start"
recv_start rs "$B" 400
for s in 30 31 32 33 34 35 36 37; do
	send "s$s" "$A" 50 1400 "$s"
	wait_for nlines "$TMP/rs.out" $(( (s - 29) * 50 )) || fail "slow output: the cable lost frames"
done
recv_done rs
cat "$TMP"/s3[0-7].sent | cmp -s - "$TMP/rs.out" || fail "slow output: frames altered"
t0=$(date +%s)
stop "$slow"
[ $(( $(date +%s) - t0 )) -le 10 ] || fail "vdecapture took more than 10 s to exit"
cap=$(summary slow.log 'frames captured')
drop=$(summary slow.log 'frames dropped')
[ -n "$cap" ] && [ -n "$drop" ] || fail "no summary: $(cat "$TMP/slow.log")"
[ "$drop" -gt 0 ] || fail "a reader that never reads, yet no copy dropped"
[ $((cap + drop)) = 400 ] || fail "captured $cap + dropped $drop != 400 frames"
pass "stalled reader: $drop copies dropped and counted, 400 frames carried"

# 6. --vlan in cable mode: only frames with that 802.1Q tag are recorded,
#    every frame is carried. Port 6 of A is a tagged member of VLAN 10, the
#    cable's left end; a sender on port 5 (untagged VLAN 10) makes tagged
#    frames on the cable, one on port 7 (VLAN 0) untagged ones.
for c in "vlan/create 10" "port/create 5" "port/create 6" "port/create 7" \
	"port/setvlan 5 10" "vlan/addport 10 6"; do
	mgmt "$A.mgmt" "$c"
done
ubg vlan.log "$CAP" --vlan 10 -w "$U/vlan.pcapng" "vde://$A[6]" "$B"
vl=$LASTPID
wait_for grep -q 'vdecapture: cable' "$TMP/vlan.log" || fail "--vlan capture did not start"
# (B drops the tagged ones: its ports are not in VLAN 10)
recv_start rv "$B" 2
send v1 "vde://$A[5]" 2 100 40
send v2 "vde://$A[7]" 2 100 41
recv_done rv
cmp -s "$TMP/v2.sent" "$TMP/rv.out" || fail "--vlan: untagged frames not carried"
stop "$vl"
[ "$(summary vlan.log 'frames forwarded from vde')" = 4 ] || fail "--vlan: $(cat "$TMP/vlan.log")"
frames "$U/vlan.pcapng" >"$TMP/vlan.hex"
[ "$(wc -l <"$TMP/vlan.hex")" = 2 ] || fail "--vlan 10 recorded $(wc -l <"$TMP/vlan.hex") frames, want 2"
# recorded with the tag: 8100 000a after the MAC addresses
[ "$(cut -c25-32 "$TMP/vlan.hex" | sort -u)" = 8100000a ] || fail "--vlan: not the VLAN 10 frames"
pass "--vlan 10 on a cable records the 2 tagged frames of 4 carried"
