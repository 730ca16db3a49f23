#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-capture-cli.sh - vdecapture's command line (help, version, every misuse
# refused by name) and its switch mode's client side against a peer that
# plays the switch end byte by byte (tests/integration/capture-peer.py):
# the request on the wire, a refusal (VDE 2's EOF) and an ordinary-port
# answer both give clear errors, and a capture-capable answer is recorded
# with one interface per port, directions, the switch's timestamps, copies
# cut to a snaplen, lost copies counted from the sequence numbers. A real
# VDE 2 switch (Debian's, when installed) refuses the request and keeps
# serving ordinary ports (our switch's capture ports: t-capture-switch.sh).
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/capture-lib.sh"
PEER=$top_srcdir/tests/integration/capture-peer.py

# refused ARGS... -- TEXT: vdecapture ARGS exits 1 naming TEXT on stderr
refused() {
	local args=() text
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	text=$2
	"$CAP" "${args[@]}" </dev/null >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	[ $rc = 1 ] || fail "vdecapture ${args[*]}: exit $rc, want 1"
	grep -qF -- "$text" "$TMP/err" || fail "vdecapture ${args[*]}: '$(cat "$TMP/err")' lacks '$text'"
}

"$CAP" --help >"$TMP/help" || fail "--help exit status"
grep -q '^usage: vdecapture' "$TMP/help" || fail "--help: no usage line"
"$CAP" -V | grep -q '^vdecapture (' || fail "-V"
refused /tmp/sw -- "no output"
refused -w f -W 3 /tmp/sw -- "-W needs -C"
refused -w - -C 1 /tmp/sw -- "stdout cannot be rotated"
refused -w f -i 3 a b -- "-i 3: a cable has no ports"
refused -w f -c 0 /tmp/sw -- "-c 0"
refused -w f -c x /tmp/sw -- "-c x"
refused -w f -s -1 /tmp/sw -- "-s -1"
refused -w f --vlan 4096 /tmp/sw -- "--vlan 4096"
refused -w f -i 0 /tmp/sw -- "-i 0"
refused -w f -C 10q /tmp/sw -- "-C 10q"
refused -w f -B 1 /tmp/sw -- "-B 1"
refused -w f a b c -- "usage:"
refused --bogus -- "usage:"
(unset ALTERNATE_STDIN ALTERNATE_STDOUT; refused -w "$TMP/f" -- "no switch and no cable")
ALTERNATE_STDIN=0 ALTERNATE_STDOUT=1 refused -w - -- "stdout carries the cable"
refused -w - a - -- "stdout carries the cable"
# a switch that is not there is told in the words of every tool, in both modes
refused -w "$TMP/nofile" "$TMP/nosuch" -- "cannot open $TMP/nosuch: no switch there (start one"
refused -w "$TMP/nofile" "$TMP/nosuch" "$TMP/nosuch2" -- "cannot open $TMP/nosuch: no switch there"
[ ! -e "$TMP/nofile" ] || fail "a failed start left an empty file"
: >"$TMP/afile"
refused -w "$TMP/nofile" "$TMP/afile" -- "cannot open $TMP/afile: not a directory"
# sockets no one listens on: a switch's left behind, a console given for the switch
mkdir "$TMP/stale"
python3 -c 'import socket, sys
for p in sys.argv[1:]: socket.socket(socket.AF_UNIX).bind(p)' "$TMP/stale/ctl" "$TMP/x.mgmt" ||
	fail "cannot make the sockets"
refused -w "$TMP/nofile" "$TMP/stale" -- "cannot open $TMP/stale: no switch is listening there"
refused -w "$TMP/nofile" "$TMP/x.mgmt" -- "not a switch's control socket (a management console?"
# a switch this user may not reach (ctl mode 0600, root's)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$CAP"; then
	chmod 711 "$TMP"
	chmod 755 "$TMP/stale"
	chmod 600 "$TMP/stale/ctl"
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$CAP" -w /dev/null "$TMP/stale" \
		</dev/null >/dev/null 2>"$TMP/err"
	grep -qF "cannot open $TMP/stale: permission denied" "$TMP/err" ||
		fail "no access: '$(cat "$TMP/err")'"
fi
# switch mode takes the switch as a path or as vde:///PATH, nothing else
refused -w "$TMP/nofile" "vde://$TMP/nosuch" -- "cannot open $TMP/nosuch: no switch there"
grep -q 'vde://' "$TMP/err" && fail "vde:// was not taken off the switch path: $(cat "$TMP/err")"
refused -w "$TMP/nofile" vxvde:// -- "vxvde://: switch mode needs a switch directory"
refused -w "$TMP/nofile" "vde://$TMP/sw[3]" -- "no port: use -i"
refused -w "$TMP/nofile" vde:// -- "switch mode needs a switch directory"
pass "help, version and misuse"

# peer MODE: capture-peer.py on $TMP/MODE, ready
peer() {
	spawn "peer-$1.log" python3 "$PEER" "$TMP/$1" "$1" "$TMP/$1.req"
	PEERPID=$LASTPID
	wait_for grep -q ready "$TMP/peer-$1.log" || fail "peer $1 did not start"
}

# 1. VDE 2's answer to an unknown request type: EOF
peer eof
refused -w "$TMP/x.pcap" -i 7 --vlan 10 -s 96 "$TMP/eof" -- "refused the capture port"
req=$(cat "$TMP/eof.req")
[ "${req:0:24}" = "cefaedfe0300000002070000" ] || fail "request head ${req:0:24}"
[ "${req:244:16}" = "01000a0060000000" ] || fail "capture block ${req:244:16}"
wait_for gone "$PEERPID" || fail "peer eof still running"
wait "$PEERPID" || fail "peer eof: $(cat "$TMP/peer-eof.log")"

# 2. an answer as to an ordinary port: no VCAP acknowledgement
peer bare
refused -w "$TMP/x.pcap" "$TMP/bare" -- "answered as to an ordinary port"
[ "$(cut -c17-24 "$TMP/bare.req")" = 02000000 ] || fail "type: every port, want 02000000"
[ "$(cut -c247-252 "$TMP/bare.req")" = 00ffff ] || fail "every VLAN: want ffff"
pass "request bytes; refusal and ordinary-port answers are errors"

# 3. a capture-capable answer: five datagrams, -c 4 valid frames
peer capture
"$CAP" -c 4 -w "$TMP/sw.pcapng" "$TMP/capture" 2>"$TMP/cap.log" || fail "capture: $(cat "$TMP/cap.log")"
python3 "$PCAPREAD" frames "$TMP/sw.pcapng" >"$TMP/sw.txt" || fail "reader rejects the file"
frame() { python3 -c "import sys; i=int(sys.argv[1]); print(bytes((i*16+j)&255 for j in range(60)).hex())" "$1"; }
{
	echo "in port1 $(frame 0) 1700000000000001000"
	echo "out port2 $(frame 1) 1700000000000002000"
	echo "in port1 $(frame 2) 1700000000000003000"
	echo "in port1 $(frame 4) 1700000000000005000"
} >"$TMP/sw.want"
cmp -s "$TMP/sw.want" "$TMP/sw.txt" || fail "recorded: $(cat "$TMP/sw.txt")"
[ "$(summary cap.log 'frames lost by the switch')" = 3 ] || fail "lost: $(cat "$TMP/cap.log")"
[ "$(summary cap.log 'malformed')" = 1 ] || fail "malformed: $(cat "$TMP/cap.log")"
tcpdump -r "$TMP/sw.pcapng" -nn >"$TMP/td" 2>&1 || fail "tcpdump -r: $(cat "$TMP/td")"
# the last copy was cut to 60 of 100 bytes: pcapng keeps the original length
tcpdump -r "$TMP/sw.pcapng" -nn -e 2>/dev/null | grep '^[0-9]' | tail -n 1 | grep -q 'length 100' ||
	fail "original length of a cut copy not kept"
pass "switch mode client: per-port interfaces, directions, switch timestamps, 3 lost, 1 malformed"

# 4. VDE 2 refuses it and keeps serving ordinary ports
check_refusal() {	# NAME SWITCH-BINARY
	"$2" -s "$TMP/$1" -d -p "$TMP/$1.pid" >"$TMP/$1.log" 2>&1 </dev/null || fail "$2 failed"
	wait_for test -s "$TMP/$1.pid" || fail "$1: no pidfile"
	PIDS+=("$(cat "$TMP/$1.pid")")
	wait_for sock_ready "$TMP/$1/ctl" || fail "$1: no ctl socket"
	refused -w "$TMP/$1.pcap" "$TMP/$1" -- "refused the capture port"
	"$CLIENT" -R "$TMP/$1.ready" -n 1 "$TMP/$1" >/dev/null 2>&1 ||
		fail "$1: an ordinary port no longer opens after a capture request"
}
if [ -x "$DEB_SWITCH" ]; then
	check_refusal debian "$DEB_SWITCH"
	pass "Debian's vde_switch refuses a capture request, ordinary ports still open"
else
	echo "Debian's vde_switch not installed: refusal by VDE 2 not checked"
fi
