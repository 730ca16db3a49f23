#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-lib-switch.sh - our libvdeplug (vde:// and bare paths) on Debian's
# vde_switch 2.3.2 and, when built, on ours: frames between two ports are
# byte-identical (60, 1514, 64, 100 bytes; explicit port, [0], params (the
# mode and group of our socket: strace), default switch via
# ~/.vdeplug/default and ~/.vde2/default.switch); the v3 request
# bytes on the wire (strace); the description in port/allprint; a refused
# port fails (ETIMEDOUT on 2.3.2, which never answers; ECONNREFUSED on
# ours); ctl EOF when the switch dies; no socket files left behind.
TEST_TIMEOUT=150
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/lib-helpers.sh"
command -v socat >/dev/null || fail "socat is needed"

# exercise KIND START_FN: runs the whole scenario on a switch started by START_FN
exercise() {
	local kind=$1 start=$2 sw=sw-$1 refused
	$start "$sw" -n 8

	# echoing receiver on any port; senders on port 3, [0] and with vdeplug4
	# params, in ping-pong mode (one frame in flight: the switch drops
	# frames when a client's datagram queue is full)
	client "$kind-rx" -D "rx-$kind" -e -r 17 -t 30 "$TMP/$sw"
	wait_for eval "mgmt $sw port/allprint | grep -q 'rx-$kind user=$(id -un) PID=${CPID[$kind-rx]}\$'" ||
		fail "$kind: description not in port/allprint: $(mgmt "$sw" port/allprint)"

	if command -v strace >/dev/null; then
		# (LeakSanitizer cannot run under ptrace: sanitizer builds)
		ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
		strace -f -x -s 400 -e trace=sendto,chmod -o "$TMP/$kind.strace" \
			"$CLIENT" -P -r 10 -n 10 -l 60 -S 1 -o "$TMP/$kind-a1.sent" -p 3 "$TMP/$sw" \
			>"$TMP/$kind-a1.out" 2>"$TMP/$kind-a1.log" || fail "$kind: sender 1 failed"
		# ONE send of 122 + strlen("vdeplug_client user=root PID=N") bytes
		local pidlen dlen line
		line=$(grep 'sendto(.*\\xce\\xfa\\xed\\xfe' "$TMP/$kind.strace") ||
			fail "$kind: no request in strace"
		[ "$(echo "$line" | wc -l)" = 1 ] || fail "$kind: request sent in pieces"
		pidlen=$(echo "$line" | sed -n 's/^\([0-9]*\) .*/\1/p')
		dlen=$(( ${#pidlen} + $(printf 'vdeplug_client user=%s PID=' "$(id -un)" | wc -c) ))
		echo "$line" | grep -q "^[0-9]* *sendto([0-9]*, \"\\\\xce\\\\xfa\\\\xed\\\\xfe\\\\x03\\\\x00\\\\x00\\\\x00\\\\x00\\\\x03\\\\x00\\\\x00\\\\x01\\\\x00" ||
			fail "$kind: request header bytes wrong: $line"
		echo "$line" | grep -q ", $((122 + dlen)), MSG_NOSIGNAL, NULL, 0) = $((122 + dlen))\$" ||
			fail "$kind: request length not 122+$dlen: $line"
		grep -q 'chmod(".*/\.[0-9]\{5\}-[0-9]\{5\}", 0700)' "$TMP/$kind.strace" ||
			fail "$kind: client socket not chmod 0700"
	else
		"$CLIENT" -P -r 10 -n 10 -l 60 -S 1 -o "$TMP/$kind-a1.sent" -p 3 "$TMP/$sw" \
			>"$TMP/$kind-a1.out" ||
			fail "$kind: sender 1 failed"
	fi
	"$CLIENT" -P -r 4 -n 4 -l 1514 -S 2 -o "$TMP/$kind-a2.sent" "$TMP/$sw[0]" >/dev/null ||
		fail "$kind: sender [0] failed"
	if command -v strace >/dev/null; then
		ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
		strace -f -e trace=chmod,chown,fchownat -o "$TMP/$kind.strace2" \
			"$CLIENT" -P -r 1 -n 1 -l 64 -S 3 -o "$TMP/$kind-a3.sent" \
			"vde://$TMP/$sw[port=5/mode=0660/group=$(id -gn)]" >/dev/null ||
			fail "$kind: sender vde://[port=5/mode=0660/group=$(id -gn)] failed"
		grep -q 'chmod(".*/\.[0-9]\{5\}-[0-9]\{5\}", 0660)' "$TMP/$kind.strace2" ||
			fail "$kind: mode=0660 not applied"
		grep -Eq "(chown\(|fchownat\(AT_FDCWD, )\".*/\.[0-9]{5}-[0-9]{5}\", -1, $(id -g)[,)]" \
			"$TMP/$kind.strace2" || fail "$kind: group=$(id -gn) not applied: $(cat "$TMP/$kind.strace2")"
	else
		"$CLIENT" -P -r 1 -n 1 -l 64 -S 3 -o "$TMP/$kind-a3.sent" "vde://$TMP/$sw[port=5/mode=0660]" >/dev/null ||
			fail "$kind: sender vde://[port=5/mode=0660] failed"
	fi
	# default switch: ~/.vdeplug/default holding a VNL, then a default.switch symlink
	mkdir -p "$TMP/home-$kind/.vdeplug" "$TMP/home2-$kind/.vde2"
	echo "vde://$TMP/$sw" >"$TMP/home-$kind/.vdeplug/default"
	HOME=$TMP/home-$kind "$CLIENT" -P -r 1 -n 1 -l 100 -S 4 -o "$TMP/$kind-a4.sent" "" >/dev/null ||
		fail "$kind: default switch from ~/.vdeplug/default failed"
	ln -s "$TMP/$sw" "$TMP/home2-$kind/.vde2/default.switch"
	HOME=$TMP/home2-$kind "$CLIENT" -P -r 1 -n 1 -l 101 -S 5 -o "$TMP/$kind-a5.sent" "" >/dev/null ||
		fail "$kind: default switch from ~/.vde2/default.switch failed"
	finish "$kind-rx"
	cat "$TMP/$kind"-a[12345].sent >"$TMP/$kind.sent"
	same "$TMP/$kind.sent" "$TMP/$kind-rx.out" "$kind: frames through the switch"
	same "$TMP/$kind-a1.sent" "$TMP/$kind-a1.out" "$kind: echoed frames"

	# refused port (20 > numports, for 2.3.2 (0..N-1) and HEAD (1..N) numbering)
	if [ "$kind" = deb ]; then refused=ETIMEDOUT; else refused=ECONNREFUSED; fi
	local t0=$SECONDS out
	out=$("$CLIENT" -F -p 20 "$TMP/$sw") || fail "$kind: refused port: $out"
	[ "$out" = "open failed: $refused" ] || fail "$kind: refused port gave '$out', want $refused"
	# the management console named instead of the switch: EPROTO at once
	# (its banner is not a sockaddr_un), not a wait for the reply deadline
	t0=$(date +%s%N)
	out=$("$CLIENT" -F "$TMP/$sw.mgmt") || fail "$kind: console as a switch: $out"
	[ "$out" = "open failed: Protocol error" ] || fail "$kind: console as a switch gave '$out', want EPROTO"
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000 ] || fail "$kind: console as a switch: slow"
	"$(bin vde_plug)" "$TMP/$sw.mgmt" </dev/null 2>"$TMP/plugmgmt.err" && fail "vde_plug on a console: exit 0"
	grep -q 'cannot open .*: not a switch.s control socket (a management console?' "$TMP/plugmgmt.err" ||
		fail "vde_plug on a console: $(cat "$TMP/plugmgmt.err")"
	if [ "$kind" = our ]; then	# 2.3.2 never answers a refused port
		"$(bin vde_plug)" "$TMP/$sw[20]" </dev/null 2>"$TMP/plugref.err" && fail "vde_plug on port 20 of 8: exit 0"
		grep -q 'the switch refused the port' "$TMP/plugref.err" ||
			fail "vde_plug on a refused port: $(cat "$TMP/plugref.err")"
	fi
	[ "$kind" = deb ] || [ $((SECONDS - t0)) -le 3 ] || fail "$kind: refusal was not immediate"

	# no client socket files left behind
	ls -A "$TMP/$sw" | grep -q '^\.[0-9]' && fail "$kind: stale client sockets: $(ls -A "$TMP/$sw")"

	# ctl EOF when the switch goes away
	client "$kind-ctl" -c -t 20 "$TMP/$sw"
	kill "$(cat "$TMP/$sw.pid")"
	finish "$kind-ctl"
	grep -q "ctl eof" "$TMP/$kind-ctl.out" || fail "$kind: no ctl EOF"
	pass "$kind switch"
}

exercise deb deb_switch
if [ -n "$OUR_SWITCH" ]; then
	exercise our our_switch
else
	echo "# our switch/vde_switch is not built yet: only Debian's switch exercised"
fi
