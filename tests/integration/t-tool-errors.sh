#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-tool-errors.sh - every tool explains a VNL it cannot open (the VNL, what
# went wrong, what to do: lib/common/toolnet.c) instead of a raw strerror,
# and reports a bad number with one format (parse_num_arg): `-p 5x` is an
# error, never a pid file or a truncated number.
. "$top_srcdir/tests/lib/env.sh"

# expect WHAT PATTERN CMD...: CMD exits 1 and its stderr matches PATTERN
expect() {
	local what=$1 pat=$2 rc
	shift 2
	timeout 20 "$@" </dev/null >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc = 1 ] || fail "$what: status $rc, $(cat "$TMP/err")"
	grep -Eq -- "$pat" "$TMP/err" || fail "$what: said '$(cat "$TMP/err")', want /$pat/"
}

PLUG=$(bin vde_plug)
WF=$(bin wirefilter)
SLIRP=$(bin slirpvde)
CAB=$(bin vde_cryptcab)
P2T=$(bin vde_plug2tap)

expect "unknown module" \
	"^vde_plug: cannot open nosuch://x: unknown VNL module \(.*plugin" "$PLUG" nosuch://x
# the list of built-in modules is the library's (vnl.c)
expect "unknown module: the built-in list" \
	"built in: vde, ptp, udp, tap, cmd, null, vxlan, vxvde, vhost-user; " "$PLUG" nosuch://x
expect "unresolvable udp host" \
	"cannot open udp://1->nosuchhost\.invalid:2: cannot resolve the host.*\(check the host" \
	"$PLUG" "udp://1->nosuchhost.invalid:2"
expect "16-character tap name" \
	"cannot open tap://abcdefghijklmnop: interface name too long \(.*at most 15 characters" \
	"$PLUG" tap://abcdefghijklmnop
expect "missing switch" "cannot open $TMP/nosw: no switch there \(start one" "$PLUG" "$TMP/nosw"
# tap:// on an interface of another kind: the kernel's EINVAL, not a syntax error
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then
	expect "tap://lo" "cannot open tap://lo: not a tap interface \(an interface of another kind" \
		"$PLUG" tap://lo null://
fi
# no VNL and no default switch (a mount namespace with an empty /run and,
# if it exists, an empty /tmp/vde.ctl; not a whole empty /tmp, which may
# hold the build tree: CI's clone does; HOME without .vde2): where a
# switch without -s would be, not "-s DIR"
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir -p "$TMP/home"
	expect "no default switch" \
		"cannot open the default switch: no switch there \(start vde_switch without -s: .*/var/run/vde.ctl as root, /tmp/vde.ctl otherwise" \
		env HOME="$TMP/home" unshare -m sh -c \
		'mount -t tmpfs tmpfs /run && { [ ! -d /tmp/vde.ctl ] || mount -t tmpfs tmpfs /tmp/vde.ctl; } && exec "$0"' "$PLUG"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ -c /dev/net/tun ]; then
	expect "tap without privilege" \
		"cannot open tap://vdet$$: not allowed .*CAP_NET_ADMIN.*persistent tap owned by" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$PLUG" "tap://vdet$$"
fi
expect "wirefilter: unknown module" "^wirefilter: cannot open nosuch://x: unknown VNL module" \
	"$WF" nosuch://x null://
expect "slirpvde: unknown module" "^slirpvde: cannot open nosuch://x: unknown VNL module" \
	"$SLIRP" -s nosuch://x
# -D's START is an optional argument: "-D 10.0.2.40" leaves the address as
# the switch; said so (it was "only one switch", or "cannot open 10.0.2.40")
expect "slirpvde -D ADDR" "^slirpvde: '10.0.2.40' is an address, not a switch: -D takes its START glued, -D10.0.2.40 or --dhcp=10.0.2.40" \
	"$SLIRP" -s "$TMP/nosw" -D 10.0.2.40
expect "slirpvde -D ADDR, no -s" "^slirpvde: '10.0.2.40' is an address, not a switch" "$SLIRP" -D 10.0.2.40
# a TFTP directory that is not one is told at start (libslirp fails each
# request without a word); the run goes on (here: to the missing switch)
expect "slirpvde -t NOSUCH" "^slirpvde: -t $TMP/nodir: No such file or directory: TFTP requests will fail" \
	"$SLIRP" -q -t "$TMP/nodir" -s "$TMP/nosw"
grep -q "cannot open $TMP/nosw" "$TMP/err" || fail "slirpvde -t NOSUCH stopped: $(cat "$TMP/err")"

# a group that does not exist is named, not "malformed VNL" (the library's EINVAL)
grp="group nosuchgrp$$: unknown group"
expect "vde_plug -g" "^vde_plug: $grp" "$PLUG" -g "nosuchgrp$$" "$TMP/nosw"
expect "vde_plug -G" "^vde_plug: $grp" "$PLUG" -G "nosuchgrp$$" null:// "$TMP/nosw"
expect "vde_plug2tap -g" "^vde_plug2tap: $grp" "$P2T" -g "nosuchgrp$$" -s "$TMP/nosw" tapx
# the same inside a VNL (vde(7)'s group= parameter): not "malformed VNL"
expect "ptp://...[group=]" "cannot open ptp://$TMP/pl\[group=nosuchgrp$$\]: group=nosuchgrp$$: unknown group" \
	"$PLUG" "ptp://$TMP/pl[group=nosuchgrp$$]" null://
expect "a real syntax error stays one" "cannot open ptp://$TMP/pl\[group=root/mode=0669\]: malformed VNL" \
	"$PLUG" "ptp://$TMP/pl[group=root/mode=0669]" null://
expect "slirpvde -g" "^slirpvde: $grp" "$SLIRP" -g "nosuchgrp$$" -s "$TMP/nosw"

# a -M console socket where a directory or a file is, or where a program
# listens: said so, not "Address already in use" for both
mkdir "$TMP/adir"
expect "vde_switch -M DIR" "^vde_switch: management socket $TMP/adir: exists and is not a socket" \
	"$(bin vde_switch)" --nostdin -s "$TMP/sw" -M "$TMP/adir"
expect "wirefilter -M DIR" "^wirefilter: mgmt socket $TMP/adir: exists and is not a socket" \
	"$WF" -M "$TMP/adir" null:// null://
expect "slirpvde -M DIR" "^slirpvde: management socket $TMP/adir: exists and is not a socket" \
	"$SLIRP" -q -M "$TMP/adir" -s null://
(umask 077 && "$CAB" genpsk >"$TMP/psk") || fail "genpsk"
expect "vde_cryptcab -M DIR" "^vde_cryptcab: management console $TMP/adir: exists and is not a socket" \
	"$CAB" -M "$TMP/adir" -P "$TMP/psk" -c 127.0.0.1:9 -s null://
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
print("ready", flush=True); time.sleep(600)' "$TMP/live.mgmt" >"$TMP/live.out" &
PIDS+=("$!")
wait_for grep -q ready "$TMP/live.out" || fail "no listening socket"
expect "vde_switch -M LIVE" "^vde_switch: management socket $TMP/live.mgmt: another program is listening there" \
	"$(bin vde_switch)" --nostdin -s "$TMP/sw" -M "$TMP/live.mgmt"

# vde_switch's --vxlan and --vhost-user say what is wrong with their argument
SWB=$(bin vde_switch)
# -t NAME that no interface can have: said before the kernel's "Invalid
# argument (not a tap interface?)", in vde_plug2tap's words
expect "-t a/b" "^vde_switch: -t 'a/b': not a valid interface name" \
	"$SWB" --nostdin -s "$TMP/sw" -t a/b
expect "-t 16 bytes" "^vde_switch: -t 'abcdefghijklmnop': an interface name has 1 to 15 characters" \
	"$SWB" --nostdin -s "$TMP/sw" -t abcdefghijklmnop
expect "vde_plug2tap 'a b'" "^vde_plug2tap: 'a b': not a valid interface name" "$P2T" "a b"
expect "--vxlan vxlan://notanip" "vxlan vxlan://notanip: Invalid argument \(malformed: .*vde_vxlan\(7\)" \
	"$SWB" --nostdin -s "$TMP/sw" --vxlan vxlan://notanip
expect "--vxlan vxvde://" "vxlan vxvde://: .* \(--vxlan takes a vxlan:// VNL\)" \
	"$SWB" --nostdin -s "$TMP/sw" --vxlan vxvde://
expect "--vhost-user PATH:999" "vhost-user $TMP/v:999: .* \(PORT beyond the number of ports, -n\)" \
	"$SWB" --nostdin -s "$TMP/sw" --vhost-user "$TMP/v:999"

# a pid file naming a running process: said so ("File exists" did not)
echo $$ >"$TMP/live.pid"
expect "vde_switch -p LIVE" "^vde_switch: pidfile $TMP/live.pid: it names a running process" \
	"$SWB" --nostdin -s "$TMP/sw" -p "$TMP/live.pid"
expect "wirefilter --pidfile LIVE" "^wirefilter: pidfile $TMP/live.pid: it names a running process" \
	"$WF" --pidfile "$TMP/live.pid" null:// null://
[ "$(cat "$TMP/live.pid")" = $$ ] || fail "the live pid file was changed"

# stream mode (-) on a standard input that is a file (here /dev/null), which
# epoll cannot watch: said so, not "permission denied (ask the switch's
# owner...)" nor "stdin: Operation not permitted"; -d with the stream refused
stdin_file="standard input is a file, not a pipe or socket"
expect "slirpvde - </dev/null" "^slirpvde: -: $stdin_file" "$SLIRP" -q -s -
expect "vde_cryptcab -s - </dev/null" "^vde_cryptcab: -s -: $stdin_file" \
	"$CAB" -s - -P "$TMP/psk" -c 127.0.0.1:9
expect "vde_cryptcab -s - -d" "^vde_cryptcab: -d cannot be used with -s -" \
	"$CAB" -s - -d -P "$TMP/psk" -c 127.0.0.1:9

# a key command with an argument: the argument is named, not the command
expect "vde_cryptcab pubkey FILE" \
	"^vde_cryptcab: pubkey takes no argument \('k.key'\): it reads the private key on stdin, vde_cryptcab pubkey < KEYFILE" \
	"$CAB" pubkey k.key
expect "vde_cryptcab genkey FILE" "^vde_cryptcab: genkey takes no argument \('k.key'\)$" "$CAB" genkey k.key

# numbers: one message format, trailing junk refused
num='port 5x: invalid \(expected a number from 1 to [0-9]+\)'
expect "vde_plug -p 5x" "^vde_plug: $num" "$PLUG" -p 5x "$TMP/nosw"
expect "vde_plug --port2 5x" "^vde_plug: $num" "$PLUG" --port2 5x a b
expect "vde_plug2tap -p 5x" "^vde_plug2tap: $num" "$P2T" -p 5x tapx
expect "slirpvde -P 5x" "^slirpvde: $num" "$SLIRP" -P 5x
expect "vde_cryptcab -p 5x" "^vde_cryptcab: $num" "$CAB" -p 5x
expect "wirefilter --seed 5x" "^wirefilter: seed 5x: invalid \(expected a number from 0 to" \
	"$WF" --seed 5x

# the same long options everywhere: -h/--help, -V/--version in every tool;
# --mgmt, --mgmtmode, --mgmtgroup in every tool with a console; --pidfile and
# --daemon in every daemon
for t in vde_plug vde_plug2tap dpipe wirefilter vde_cryptcab slirpvde vde_switch vdecmd vdecapture; do
	b=$(bin $t)
	"$b" -h >"$TMP/h1" 2>&1 && "$b" --help >"$TMP/h2" 2>&1 && cmp -s "$TMP/h1" "$TMP/h2" ||
		fail "$t: -h and --help differ or fail"
	"$b" -V >/dev/null 2>&1 && "$b" --version >/dev/null 2>&1 || fail "$t: -V/--version"
done
for t in vde_plug vde_plug2tap dpipe wirefilter vde_cryptcab slirpvde vde_switch; do
	b=$(bin $t)
	"$b" --help 2>&1 | grep -q -- "--pidfile" || fail "$t: no --pidfile"
	"$b" --help 2>&1 | grep -q -- "--daemon" || fail "$t: no --daemon"
done
for t in wirefilter vde_cryptcab slirpvde vde_switch; do
	for o in --mgmt --mgmtmode --mgmtgroup; do
		"$(bin $t)" --help 2>&1 | grep -Eq -- "$o( |$)" || fail "$t: no $o"
	done
done
pass "clear open errors and one bad-number format; the same options everywhere"
