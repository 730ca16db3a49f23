#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tool-syslog.sh - detached daemons log their start (pid, what they
# serve) and their stop to syslog: vde_switch -d, wirefilter --daemon,
# slirpvde -d, vde_plug -d (cable mode) and vde_cryptcab -d. A fatal error
# after the fork (the pid file names a directory) reaches syslog too, not
# only the waiting parent's stderr. vde_plug -L logs new source addresses.
#
# Each runs in a private mount namespace (unshare -m) whose /dev is a tmpfs
# holding the few devices a daemon needs (bound from the real /dev) and a
# "log" bound to a datagram socket of this test: syslog(3) sends there,
# and the test reads the datagrams.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/plug-lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (mount namespace)"
command -v unshare >/dev/null || skip "needs unshare"
unshare -m true 2>/dev/null || skip "cannot make a mount namespace"

start_switch sw
start_switch sw2
WF=$(bin wirefilter)
SLIRP=$(bin slirpvde)

# the syslog sink: every datagram, one per line, to $TMP/syslog.txt
python3 - "$TMP/log.sock" "$TMP/syslog.txt" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(65536).replace(b'\n', b' ') + b'\n')
PY
PIDS+=($!)
wait_for test -S "$TMP/log.sock" || fail "no syslog sink"

# in_ns CMD...: run CMD with /dev/log = our sink, in a private mount namespace
cat >"$TMP/ns.sh" <<'SH'
set -e
old=$1/olddev; shift
mkdir -p "$old"
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755 vdet-dev /dev
for f in null zero full random urandom tty; do
	[ -e "$old/$f" ] || continue
	touch "/dev/$f"; mount --bind "$old/$f" "/dev/$f"
done
ln -s /proc/self/fd /dev/fd
touch /dev/log
mount --bind "$LOGSOCK" /dev/log
exec "$@"
SH
in_ns() { LOGSOCK=$TMP/log.sock unshare -m --propagation private bash "$TMP/ns.sh" "$TMP" "$@"; }

# check NAME PIDFILE: a start line with its pid, then a stop line after SIGTERM
logged() { grep -q "$1" "$TMP/syslog.txt"; }
check() {
	local name=$1 pidfile=$2 what=$3 pid
	wait_for test -s "$pidfile" || fail "$name: no pid file"
	pid=$(cat "$pidfile")
	PIDS+=($pid)
	wait_for logged "$name\[$pid\]: started (pid $pid): .*$what" ||
		fail "$name: no start line in syslog: $(cat "$TMP/syslog.txt")"
	kill -TERM "$pid"
	WAIT_SECS=10 wait_for gone "$pid" || fail "$name: still running after SIGTERM"
	wait_for logged "$name\[$pid\]: stopped (pid $pid)" ||
		fail "$name: no stop line in syslog: $(cat "$TMP/syslog.txt")"
	echo "ok: $name"
}

in_ns "$SW" -d -s "$TMP/sw3" -p "$TMP/sw3.pid" || fail "vde_switch -d failed"
fastpath_check "$TMP/sw3"
check vde_switch "$TMP/sw3.pid" "$TMP/sw3"
in_ns "$WF" --daemon --pidfile "$TMP/wf.pid" -M "$TMP/wf.mgmt" "$TMP/sw" "$TMP/sw2" ||
	fail "wirefilter --daemon failed"
check wirefilter "$TMP/wf.pid" "$TMP/sw <-> $TMP/sw2, console $TMP/wf.mgmt"
in_ns "$SLIRP" -q -d -p "$TMP/sl.pid" -s "$TMP/sw" || fail "slirpvde -d failed"
check slirpvde "$TMP/sl.pid" "$TMP/sw"
in_ns "$PLUG" -d --pidfile "$TMP/pl.pid" "$TMP/sw" "$TMP/sw2" || fail "vde_plug -d failed"
check vde_plug "$TMP/pl.pid" "$TMP/sw"
CAB=$(bin vde_cryptcab)
( umask 077; "$CAB" genpsk >"$TMP/psk" ) || fail "genpsk"
PS=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
in_ns "$CAB" -d --pidfile "$TMP/cab.pid" -s "$TMP/sw" -p "$PS" -P "$TMP/psk" ||
	fail "vde_cryptcab -d failed"
check vde_cryptcab "$TMP/cab.pid" "udp port $PS, network $TMP/sw"

# vde_plug -L (vdeplug4's --iplog): -l, and one line per new source IPv4 or
# IPv6 address (per VLAN) in the frames sent to the network; the unspecified
# address is not logged; other frames, repeats: nothing (was an invalid option)
python3 - >"$TMP/ip.rec" <<'PY'
import struct, sys
def rec(frame):
    sys.stdout.buffer.write(struct.pack('>H', len(frame)) + frame)
eth = bytes.fromhex('ffffffffffff' '020000000007')
def ip4(src, tag=b''):
    return eth + tag + bytes.fromhex('0800') + bytes.fromhex('45000014000000004011' '0000') + \
        bytes(src) + bytes([10, 9, 8, 1])
def ip6(src):
    return eth + bytes.fromhex('86dd') + bytes.fromhex('6000000000003b40') + bytes(src) + bytes(16)
rec(ip4([10, 9, 8, 7]))
rec(ip4([10, 9, 8, 7]))
rec(ip4([0, 0, 0, 0]))
rec(ip4([10, 9, 8, 7], bytes.fromhex('81000005')))
rec(ip6(bytes.fromhex('fd000000000000000000000000000007')))
rec(eth + bytes.fromhex('88b5') + b'not ip' * 10)
PY
in_ns "$PLUG" -L "$TMP/sw" <"$TMP/ip.rec" >/dev/null 2>"$TMP/iplog.err" || fail "vde_plug -L: $(cat "$TMP/iplog.err")"
wait_for logged "vde_plug\[[0-9]*\]: STOP " || fail "vde_plug -L: no STOP line: $(cat "$TMP/syslog.txt")"
logged "vde_plug\[[0-9]*\]: START " || fail "vde_plug -L: no START line"
[ "$(grep -c 'has IPv4 10.9.8.7 vlan 0$' "$TMP/syslog.txt")" = 1 ] ||
	fail "vde_plug -L: 10.9.8.7 not logged once: $(cat "$TMP/syslog.txt")"
[ "$(grep -c 'has IPv4 10.9.8.7 vlan 5$' "$TMP/syslog.txt")" = 1 ] || fail "vde_plug -L: VLAN 5 line"
[ "$(grep -c 'has IPv6 fd00::7 vlan 0$' "$TMP/syslog.txt")" = 1 ] || fail "vde_plug -L: IPv6 line"
[ "$(grep -c ' has IPv' "$TMP/syslog.txt")" = 3 ] || fail "vde_plug -L: other lines: $(grep ' has IPv' "$TMP/syslog.txt")"
grep -q "vde_plug\[[0-9]*\]: IP user=$(id -un) net=$TMP/sw has IPv4 10.9.8.7 vlan 0\$" "$TMP/syslog.txt" ||
	fail "vde_plug -L: line format: $(grep ' has IPv' "$TMP/syslog.txt")"
echo "ok: vde_plug -L"

# fatal NAME CMD...: CMD (a -d daemon whose pid file is a directory) fails
# after daemonizing; the error is in syslog, with the daemon's pid, and on
# the parent's stderr
mkdir -p "$TMP/piddir/x"
fatal() {
	local name=$1 why="pidfile $TMP/piddir: Is a directory"
	shift
	in_ns "$@" 2>"$TMP/fatal.err" && fail "$name: started with a directory as pid file"
	wait_for logged "$name\[[0-9]*\]: $why" ||
		fail "$name: the fatal error is not in syslog: $(cat "$TMP/syslog.txt")"
	grep -q "$why" "$TMP/fatal.err" || fail "$name: the parent did not print it: $(cat "$TMP/fatal.err")"
	echo "ok: $name: fatal error after the fork in syslog"
}
fatal vde_switch "$SW" -d -s "$TMP/sw4" -p "$TMP/piddir"
fatal wirefilter "$WF" --daemon --pidfile "$TMP/piddir" "$TMP/sw" "$TMP/sw2"
fatal vde_plug "$PLUG" -d --pidfile "$TMP/piddir" "$TMP/sw" "$TMP/sw2"
sed "s/^/syslog: /" "$TMP/syslog.txt"
pass "detached daemons log start (pid, what they serve) and stop to syslog"
