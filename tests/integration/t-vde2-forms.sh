#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-vde2-forms.sh - command lines of VDE 2 users' scripts that our tools
# refused or misread, each next to Debian's binary where it has one:
#   slirpvde and wirefilter take long options with one dash (-socket,
#   -dhcp, -daemon, -delay, -mgmt), as VDE 2's usage text shows them;
#   vde_switch -f and wirefilter -f read a pipe (-f <(...)) or /dev/null;
#   the switch's help lists VDE 2's commands in VDE 2's order;
#   fstp/showinfo prints the priority as VDE 2 does; wirefilter's load
#   answers with VDE 2's bytes; a port beyond numports is EINVAL;
#   wirefilter's stdin console prompts on stdout; vde_cryptcab -k without
#   a value; slirpvde's banner lines for -X, as Debian's.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"

SLIRP=$(bin slirpvde)
WF=$(bin wirefilter)
VDECMD=$(bin vdecmd)
[ -x "$DEB_SWITCH" ] || skip "needs Debian's vde_switch"

# daemon_pid FILE: wait for a pid file, record its pid for the cleanup
daemon_pid() {
	wait_for test -s "$1" || fail "no pid file $1"
	PIDS+=("$(cat "$1")")
}

start_deb_switch deb

# ---- slirpvde: VDE 2's usage text is "slirpvde [-socket vdesock] [-dhcp]
# [-daemon] [-network netaddr]"; -socket was -s "ocket", -dhcp -d -h (help,
# exit 0), -network -n "etwork"
spawn slirp1.log "$SLIRP" -socket "$TMP/deb" -dhcp -network 10.1.0.0/16
wait_for grep -q 'vde switch  =' "$TMP/slirp1.log" || fail "slirpvde -socket -dhcp -network: $(cat "$TMP/slirp1.log")"
grep -q 'virtual_host=10.1.0.2/16' "$TMP/slirp1.log" || fail "-network not taken: $(cat "$TMP/slirp1.log")"
grep -q 'dhcp_start  =10.1.0.15' "$TMP/slirp1.log" || fail "-dhcp not taken: $(cat "$TMP/slirp1.log")"
grep -q "vde switch  =$TMP/deb\$" "$TMP/slirp1.log" || fail "-socket not taken: $(cat "$TMP/slirp1.log")"
# the banner has VDE 2's lines for -t, -L and -U too
read -r P1 P2 < <(python3 -c 'import socket
a=socket.socket(); a.bind(("0.0.0.0", 0)); b=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("0.0.0.0", 0))
print(a.getsockname()[1], b.getsockname()[1])')
spawn slirp4.log "$SLIRP" -s "$TMP/deb" -tftp "$TMP" -L "$P1:10.0.2.15:22" -U "$P2:10.0.2.15:53"
wait_for grep -q 'redir UDP' "$TMP/slirp4.log" || fail "slirpvde -L -U: $(cat "$TMP/slirp4.log")"
grep -qx "                   tftp prefix =$TMP" "$TMP/slirp4.log" &&
	grep -qx "                   redir TCP   =$P1:10.0.2.15:22" "$TMP/slirp4.log" &&
	grep -qx "                   redir UDP   =$P2:10.0.2.15:53" "$TMP/slirp4.log" ||
	fail "slirpvde banner: $(cat "$TMP/slirp4.log")"
# -X: the banner has VDE 2's "redir X     =GUESTIP:DISPLAY.SCREEN", one
# line per -X, after the -L/-U lines (ours printed its own line before the
# banner's first, and kept only the last -X). Debian's slirpvde and ours
# with the same options, each in a network namespace of its own (the
# ports they bind): Debian's lines are ours, in the same order, once our
# own additions (ipv6 host, the host display each -X got) are left out.
if [ -x /usr/bin/slirpvde ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	xopts=(-s "$TMP/deb" -X 10.0.2.16:1.2 -U 7053:10.0.2.15:53 -X 10.0.2.17 -L 7022:10.0.2.15:22)
	for who in deb ours; do
		# the last line each prints before it runs
		s=$SLIRP last='^X display :1 '
		[ $who = deb ] && s=/usr/bin/slirpvde last='redir X     =10.0.2.17:0.0'
		spawn "slirpx.$who" unshare -n "$s" "${xopts[@]}"
		pid=$LASTPID
		wait_for grep -q "$last" "$TMP/slirpx.$who" ||
			fail "$s -X: $(cat "$TMP/slirpx.$who")"
		kill "$pid"
		wait "$pid" 2>/dev/null
	done
	grep -v -e '^                   ipv6 host' -e '^X display :' -e '^slirpvde: stopping' \
		"$TMP/slirpx.ours" >"$TMP/slirpx.cut"
	cmp -s "$TMP/slirpx.cut" "$TMP/slirpx.deb" ||
		fail "slirpvde -X banner: ours [$(cat "$TMP/slirpx.ours")], Debian's [$(cat "$TMP/slirpx.deb")]"
	grep -qx 'X display :0 forwarded to 10.0.2.16:1' "$TMP/slirpx.ours" &&
		grep -qx 'X display :1 forwarded to 10.0.2.17:0' "$TMP/slirpx.ours" ||
		fail "slirpvde -X: the host displays: $(cat "$TMP/slirpx.ours")"
fi
timeout 10 "$SLIRP" -unix "$TMP/deb" -daemon -pidfile "$TMP/slirp2.pid" -quiet </dev/null \
	>"$TMP/slirp2.log" 2>&1 || fail "slirpvde -unix -daemon -pidfile -quiet: $(cat "$TMP/slirp2.log")"
daemon_pid "$TMP/slirp2.pid"
kill -0 "$(cat "$TMP/slirp2.pid")" || fail "slirpvde -daemon is not running"
# the short forms still mean what they meant: -d -D (daemon, DHCP)
timeout 10 "$SLIRP" -s "$TMP/deb" -d -D -p "$TMP/slirp3.pid" -q </dev/null >"$TMP/slirp3.log" 2>&1 ||
	fail "slirpvde -s -d -D -p -q: $(cat "$TMP/slirp3.log")"
daemon_pid "$TMP/slirp3.pid"

# ---- wirefilter: -delay 30 was -d "elay" and a stray positional "30"
timeout 10 "$WF" -v "$TMP/deb:$TMP/deb" -delay 30 -loss 5 -mgmt "$TMP/wf.mgmt" -mgmtmode 0600 \
	-daemon -pidfile "$TMP/wf.pid" </dev/null >"$TMP/wf.log" 2>&1 ||
	fail "wirefilter -delay -loss -mgmt -daemon -pidfile: $(cat "$TMP/wf.log")"
daemon_pid "$TMP/wf.pid"
wait_for sock_ready "$TMP/wf.mgmt" || fail "wirefilter console"
"$VDECMD" "$TMP/wf.mgmt" showinfo >"$TMP/wf.info" || fail "wirefilter showinfo"
grep -q '^Delay  L->R 30+0U   R->L 30+0U$' "$TMP/wf.info" || fail "-delay 30: $(cat "$TMP/wf.info")"
grep -q '^Loss   L->R 5+0U   R->L 5+0U$' "$TMP/wf.info" || fail "-loss 5: $(cat "$TMP/wf.info")"
[ "$(stat -c %a "$TMP/wf.mgmt")" = 600 ] || fail "-mgmtmode 0600: $(stat -c %a "$TMP/wf.mgmt")"
# short options glued to their value are still short options
timeout 10 "$WF" -v "$TMP/deb:$TMP/deb" -d20 -l7 -M "$TMP/wf2.mgmt" --daemon --pidfile "$TMP/wf2.pid" \
	</dev/null >"$TMP/wf2.log" 2>&1 || fail "wirefilter -d20 -l7: $(cat "$TMP/wf2.log")"
daemon_pid "$TMP/wf2.pid"
wait_for sock_ready "$TMP/wf2.mgmt" || fail "wirefilter 2 console"
"$VDECMD" "$TMP/wf2.mgmt" showinfo >"$TMP/wf2.info" || fail "wirefilter 2 showinfo"
grep -q '^Delay  L->R 20+0U' "$TMP/wf2.info" && grep -q '^Loss   L->R 7+0U' "$TMP/wf2.info" ||
	fail "-d20 -l7: $(cat "$TMP/wf2.info")"

# ---- wirefilter's load answers as VDE 2's: the run framed as data, each line
# echoed as "\nVDEwf$  (FILE) LINE" (it was "VDEwf[FILE]: LINE" unframed, so
# VDE 2's unixcmd script, which copies data bodies, showed nothing)
DEB_WF=/usr/bin/wirefilter
if [ -x "$DEB_WF" ]; then
	"$DEB_WF" -v "$TMP/deb:$TMP/deb" -M "$TMP/debwf.mgmt" --daemon --pidfile "$TMP/debwf.pid" \
		</dev/null >"$TMP/debwf.log" 2>&1 || fail "Debian's wirefilter"
	daemon_pid "$TMP/debwf.pid"
	wait_for sock_ready "$TMP/debwf.mgmt" || fail "Debian's wirefilter console"
	printf 'delay 10\nbogus\n' >"$TMP/wf.rc"
	CC="python3 $top_srcdir/tests/integration/console-client.py"
	$CC send "$TMP/debwf.mgmt" "load $TMP/wf.rc\n" "load $TMP/nosuch.rc\n" >"$TMP/wfload.deb" ||
		fail "Debian's wirefilter load"
	$CC send "$TMP/wf.mgmt" "load $TMP/wf.rc\n" "load $TMP/nosuch.rc\n" >"$TMP/wfload.ours" ||
		fail "our wirefilter load"
	grep -q 'VDEwf\$  (' "$TMP/wfload.deb" || fail "Debian's load echo: $(cat "$TMP/wfload.deb")"
	cmp -s "$TMP/wfload.deb" "$TMP/wfload.ours" ||
		fail "wirefilter load: $(cat "$TMP/wfload.ours"), VDE 2: $(cat "$TMP/wfload.deb")"
fi

# ---- wirefilter's stdin console (two VNLs, no --daemon) writes its prompt
# after each answer on stdout, as VDE 2's does (it went to fd 0, as the
# switch's): the bytes on stdout and on fd 0, command by command
cat >"$TMP/stdio.py" <<'PY'
import os, socket, subprocess, sys, time
a, b = socket.socketpair()
p = subprocess.Popen(sys.argv[1:], stdin=b, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
b.close()
os.set_blocking(p.stdout.fileno(), False)
a.setblocking(False)
try:
    for cmd in (b"delay 5\n", b"showcurrent\n", b"nosuch\n"):
        a.sendall(cmd)
        out, fd0, end = b"", b"", time.time() + 10
        while not (out + fd0).endswith(b"$ ") and time.time() < end:
            time.sleep(0.02)
            out += p.stdout.read() or b""
            try:
                fd0 += a.recv(4096)
            except BlockingIOError:
                pass
        print(repr(out), repr(fd0))
finally:
    p.kill()
PY
if [ -x "$DEB_WF" ]; then
	python3 "$TMP/stdio.py" "$DEB_WF" -v "$TMP/deb:$TMP/deb" >"$TMP/wfstdio.deb" || fail "Debian's stdin console"
	python3 "$TMP/stdio.py" "$WF" -v "$TMP/deb:$TMP/deb" >"$TMP/wfstdio.ours" || fail "our stdin console"
	grep -q "1000 Success.*VDEwf" "$TMP/wfstdio.deb" || fail "Debian's stdin console: $(cat "$TMP/wfstdio.deb")"
	cmp -s "$TMP/wfstdio.deb" "$TMP/wfstdio.ours" ||
		fail "wirefilter stdin console: $(cat "$TMP/wfstdio.ours"), VDE 2: $(cat "$TMP/wfstdio.deb")"
fi

# ---- vde_cryptcab -k takes no value in VDE 2 ("-c host -k -P key"): the
# next word was read as the interval ("keepalive -P: invalid")
CAB=$(bin vde_cryptcab)
( umask 077; "$CAB" genpsk >"$TMP/psk" ) || fail "genpsk"
P3=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
n=0
for k in "-k" "-k 7" "-k9" "--keepalive=11" "--keepalive 13"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	timeout 10 "$CAB" -s "$TMP/deb" -c "127.0.0.1:$P3" $k -P "$TMP/psk" -M "$TMP/cab$n.mgmt" \
		-d --pidfile "$TMP/cab$n.pid" </dev/null >"$TMP/cab$n.log" 2>&1 ||
		fail "vde_cryptcab $k: $(cat "$TMP/cab$n.log")"
	daemon_pid "$TMP/cab$n.pid"
	wait_for sock_ready "$TMP/cab$n.mgmt" || fail "vde_cryptcab $k: console"
	"$VDECMD" "$TMP/cab$n.mgmt" peers >"$TMP/cab$n.peers" || fail "vde_cryptcab $k: peers"
	want=${k//[!0-9]/}
	grep -q "persistent keepalive every ${want:-25} s" "$TMP/cab$n.peers" ||
		fail "vde_cryptcab $k: $(cat "$TMP/cab$n.peers")"
done

# VDE 2's -x (frames in clear) is refused by name, not as an unknown option
"$CAB" -s "$TMP/deb" -p "$P3" -x -P "$TMP/psk" </dev/null >/dev/null 2>"$TMP/cabx.err" &&
	fail "vde_cryptcab -x accepted"
grep -q '^vde_cryptcab: -x (VDE 2.s cable without encryption) is not supported' "$TMP/cabx.err" ||
	fail "vde_cryptcab -x: $(cat "$TMP/cabx.err")"

# ---- start-up files on a pipe or a character device: VDE 2 reads them;
# they were refused with "Invalid argument" and the daemon did not start
start_switch rc -f <(printf 'port/create 7\nvlan/create 12\n')
body rc port/allprint | grep -q '^Port 0007 ' || fail "vde_switch -f <(...): port 7 missing: $(body rc port/allprint)"
body rc vlan/print | grep -q '^VLAN 0012$' || fail "vde_switch -f <(...): VLAN 12 missing"
start_switch rcnull -f /dev/null
"$DEB_SWITCH" -d -s "$TMP/debrc" -M "$TMP/debrc.mgmt" -p "$TMP/debrc.pid" \
	-f <(printf 'port/create 7\n') >"$TMP/debrc.log" 2>&1 || fail "Debian's switch -f <(...)"
daemon_pid "$TMP/debrc.pid"
wait_for sock_ready "$TMP/debrc.mgmt" || fail "Debian's switch console"
"$VDECMD" "$TMP/debrc.mgmt" port/allprint >"$TMP/debrc.ports" || fail "Debian's port/allprint"
[ "$(grep '^Port 0007 ' "$TMP/debrc.ports")" = "$(body rc port/allprint | grep '^Port 0007 ')" ] ||
	fail "port 7 differs from Debian's: $(cat "$TMP/debrc.ports")"
timeout 10 "$WF" -v "$TMP/deb:$TMP/deb" -f <(printf 'delay 40\n') -M "$TMP/wf3.mgmt" \
	--daemon --pidfile "$TMP/wf3.pid" </dev/null >"$TMP/wf3.log" 2>&1 ||
	fail "wirefilter -f <(...): $(cat "$TMP/wf3.log")"
daemon_pid "$TMP/wf3.pid"
wait_for sock_ready "$TMP/wf3.mgmt" || fail "wirefilter 3 console"
"$VDECMD" "$TMP/wf3.mgmt" showinfo | grep -q '^Delay  L->R 40+0U' || fail "wirefilter -f <(...): no delay 40"
timeout 10 "$WF" -v "$TMP/deb:$TMP/deb" -f /dev/null --daemon --pidfile "$TMP/wf4.pid" \
	</dev/null >"$TMP/wf4.log" 2>&1 || fail "wirefilter -f /dev/null: $(cat "$TMP/wf4.log")"
daemon_pid "$TMP/wf4.pid"
# ---- help lists VDE 2's commands in VDE 2's order (ds and showinfo came
# after debug; vdeterm and scripts read this table), ours added in between
"$VDECMD" "$TMP/deb.mgmt" help | awk '{print $1}' >"$TMP/help.deb" || fail "Debian's help"
"$VDECMD" "$TMP/rc.mgmt" help | awk '{print $1}' >"$TMP/help.ours" || fail "our help"
[ "$(wc -l <"$TMP/help.deb")" -gt 40 ] || fail "Debian's help: $(cat "$TMP/help.deb")"
grep -Fx -f "$TMP/help.deb" "$TMP/help.ours" | diff "$TMP/help.deb" - >"$TMP/help.diff" ||
	fail "help order differs from VDE 2's: $(cat "$TMP/help.diff")"

# ---- fstp/showinfo prints the priority as VDE 2 does: "Priority 100
# (0x64)", not "(0x0064)" (the same bytes only for the default 0x8000)
start_switch prio --priority 100 --macaddr 02:11:22:33:44:55
"$DEB_SWITCH" -d -s "$TMP/debprio" -M "$TMP/debprio.mgmt" -p "$TMP/debprio.pid" \
	--priority 100 --macaddr 02:11:22:33:44:55 >"$TMP/debprio.log" 2>&1 || fail "Debian's switch --priority"
daemon_pid "$TMP/debprio.pid"
wait_for sock_ready "$TMP/debprio.mgmt" || fail "Debian's switch --priority: console"
"$VDECMD" "$TMP/debprio.mgmt" fstp/showinfo >"$TMP/fstp.deb" || fail "Debian's fstp/showinfo"
"$VDECMD" "$TMP/prio.mgmt" fstp/showinfo >"$TMP/fstp.ours" || fail "our fstp/showinfo"
grep -qx 'MAC 02:11:22:33:44:55 Priority 100 (0x64)' "$TMP/fstp.deb" || fail "Debian's: $(cat "$TMP/fstp.deb")"
cmp -s "$TMP/fstp.deb" "$TMP/fstp.ours" || fail "fstp/showinfo: [$(cat "$TMP/fstp.ours")], VDE 2: [$(cat "$TMP/fstp.deb")]"

# ---- a port number beyond numports is EINVAL, as VDE 2 answers (1006 was
# "no such port", which a script reads as a port to create first); both
# switches have 32 ports (VDE 2's 0..31, ours 1..32): 40 is out of range
for cmd in "port/create 40" "port/remove 40" "port/allocatable 40 1" "port/setuser 40 root" \
	   "port/setgroup 40 root" "port/epclose 40 1" "port/print 40" "port/allprint 40"; do
	"$VDECMD" "$TMP/debprio.mgmt" $cmd >/dev/null 2>&1; want=$?
	"$VDECMD" "$TMP/prio.mgmt" $cmd >/dev/null 2>&1; got=$?
	[ "$want" = 22 ] && [ "$got" = "$want" ] || fail "$cmd: status $got, VDE 2 $want"
done

# a console client's load still takes regular files only
mkfifo "$TMP/fifo"
[ "$(status rc "load $TMP/fifo")" = "1022 Invalid argument" ] || fail "load of a FIFO: $(status rc "load $TMP/fifo")"

pass "VDE 2 command lines: slirpvde and wirefilter single-dash long options; -f <(...) and -f /dev/null; help order; fstp/showinfo; wirefilter load; ports beyond numports; wirefilter stdin prompt; cryptcab -k"
