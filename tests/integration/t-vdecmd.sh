# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/t-vdecmd.sh - vdecmd against Debian's vde_switch, ours, and fake consoles
#
# Asserts the printed body and the exit status for success, errno statuses,
# unknown commands, load, logout and shutdown; the tool's own exit codes
# (200 no socket, 201 refused, 202 timeout, 203 protocol) with fake servers
# built from socat; async "3xxx" lines ignored; any "...$ " prompt accepted;
# without SOCKET, unixcmd's default socket /var/run/vdecmd; --help and the
# man page agree.
. "$top_srcdir/tests/lib/env.sh"

VDECMD=$(bin vdecmd)
command -v socat >/dev/null || skip "needs socat"
[ -x "$DEB_SWITCH" ] || skip "needs Debian's vde_switch"

# run vdecmd, capture stdout in $OUT and the status in $RC
run() {
	OUT=$("$VDECMD" "$@" 2>"$TMP/err")
	RC=$?
}
expect_rc() {
	[ "$RC" = "$1" ] || fail "vdecmd ${*:2}: exit $RC, want $1 (stderr: $(cat "$TMP/err"))"
}

# ---- usage, help, man page -------------------------------------------------
run -h; expect_rc 0 -h
echo "$OUT" | grep -q '^usage: vdecmd \[-hjvV\] \[-c COUNT\] \[-f RCFILE\] \[-t SECONDS\] \[-w SECONDS\] \[\[-s\] SOCKET\] COMMAND \[ARG...\]$' ||
	fail "--help synopsis: $OUT"
run --version; expect_rc 0 --version
echo "$OUT" | grep -q '^vdecmd (vdekit) ' || fail "--version: $OUT"
run; expect_rc 1 "(no args)"
run -s /tmp/x; expect_rc 1 "-s SOCKET (no command)"
run -f "$TMP/nosuch.rc" -s /tmp/x help; expect_rc 1 "-f with a missing rcfile"
grep -q "rcfile $TMP/nosuch.rc: No such file" "$TMP/err" || fail "-f missing: $(cat "$TMP/err")"
run -t abc /tmp/x help; expect_rc 1 "-t abc"
run --bogus /tmp/x help; expect_rc 1 "--bogus"
run /tmp/x "help
shutdown"; expect_rc 1 "newline in an argument"
MAN="$top_srcdir/man/vdecmd.1"
for opt in --help --version --sock --timeout --json --watch --count --verbose --rcfile \
	-h -V -s -t -j -w -c -v -f; do
	echo "$OUT$("$VDECMD" -h)" | grep -q -- "$opt" || fail "--help lacks $opt"
	sed 's/\\-/-/g' "$MAN" | grep -q -- "$opt" || fail "man page lacks $opt"
done
for code in 200 201 202 203; do
	"$VDECMD" -h | grep -q "$code" || fail "--help lacks exit code $code"
	grep -q "^\.B $code" "$MAN" || fail "man page lacks exit code $code"
done

# ---- the tool's own errors -------------------------------------------------
run "$TMP/nosuch" help; expect_rc 200 missing socket
grep -q 'no such socket' "$TMP/err" || fail "missing socket message: $(cat "$TMP/err")"
: >"$TMP/regular"
run "$TMP/regular" help; expect_rc 200 regular file   # "not a socket", as the man page says
grep -q 'regular: not a socket' "$TMP/err" || fail "regular file message: $(cat "$TMP/err")"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$TMP/stale" ||
	fail "stale socket"
run "$TMP/stale" help; expect_rc 201 stale socket
grep -q 'connection refused' "$TMP/err" || fail "refused message: $(cat "$TMP/err")"
# the switch's ctl directory instead of its -M socket: say so
mkdir "$TMP/swdir"
run "$TMP/swdir" help; expect_rc 200 directory
grep -q 'is a directory, not a socket.*vde_switch -M' "$TMP/err" || fail "directory message: $(cat "$TMP/err")"

# a console that never sends its prompt: -t bounds the wait
spawn silent.log socat "UNIX-LISTEN:$TMP/silent" EXEC:cat
wait_for test -S "$TMP/silent" || fail "silent server"
t0=$(date +%s%N)
run -t 1 "$TMP/silent" help; expect_rc 202 silent server
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 4000 ] || fail "-t 1 took $(( (t1 - t0) / 1000000 )) ms"
grep -q timeout "$TMP/err" || fail "timeout message: $(cat "$TMP/err")"
grep -q 'nothing received: is it a management console' "$TMP/err" ||
	fail "silent server: no hint: $(cat "$TMP/err")"

# fake consoles: a custom prompt, async lines around the body, errno status
cat >"$TMP/fake.sh" <<'EOF'
printf 'Fake wirefilter banner\n\nVDEwf$ '
read -r line
case $line in
"port/x 1 2")
	printf "3021 port/+ 03\n0000 DATA END WITH '.'\nbody 1\n3000 inside the body\n\n.\n"
	printf '3022 port/- 03\n1022 Invalid argument\n\nVDEwf$ ' ;;
close)	printf '0000 DATA END WITH'; exit ;;
tricky)	# the prompt text inside the body, at the end of a read
	printf "0000 DATA END WITH '.'\nA\n\nVDEwf\$ "
	sleep 0.3
	printf 'tail\n.\n1000 Success\n\nVDEwf$ ' ;;
*)	printf '1038 Function not implemented\n\nVDEwf$ ' ;;
esac
read -r line
EOF
spawn fake.log socat "UNIX-LISTEN:$TMP/fake,fork" "SYSTEM:bash $TMP/fake.sh"
wait_for test -S "$TMP/fake" || fail "fake server"
run "$TMP/fake" port/x 1 2; expect_rc 22 fake port/x
[ "$OUT" = "body 1
3000 inside the body" ] || fail "fake body: [$OUT]"
run "$TMP/fake" close; expect_rc 203 "connection closed mid-response"
run "$TMP/fake" tricky; expect_rc 0 "fake tricky"
[ "$OUT" = "A

VDEwf\$ tail" ] || fail "prompt text inside a body ends the response early: [$OUT]"
run "$TMP/fake" other; expect_rc 38 fake other
[ -z "$OUT" ] || fail "unknown command printed [$OUT]"
# an error status is reported on stderr, after the command (not silently)
[ "$(cat "$TMP/err")" = "vdecmd: other: Function not implemented" ] ||
	fail "error status on stderr: [$(cat "$TMP/err")]"
run "$TMP/fake" tricky; [ -s "$TMP/err" ] && fail "success printed on stderr: [$(cat "$TMP/err")]"

# ---- a real console: Debian's vde_switch, then ours ------------------------
test_switch() {
	local M=$1 who=$2
	run "$M" help; expect_rc 0 "$who help"
	# unixcmd's form: the socket as -s, every argument is the command
	local positional=$OUT
	run -s "$M" help; expect_rc 0 "$who -s SOCKET help"
	[ "$OUT" = "$positional" ] || fail "$who: -s SOCKET help differs from SOCKET help"
	echo "$OUT" | head -2 | diff - <(printf '%-18s %-15s %s\n%-18s %-15s %s\n' \
		"COMMAND PATH" SYNTAX HELP ------------ -------------- ------------) >/dev/null ||
		fail "$who help header: $(echo "$OUT" | head -2)"
	echo "$OUT" | grep -q '^debug/list                         list debug categories$' ||
		fail "$who help lacks debug/list"
	run "$M" debug/list port/ep; expect_rc 0 "$who debug/list"
	[ "$OUT" = "CATEGORY               TAG STATUS HELP
------------           --- ------ ----
port/ep/+              031 OFF    new endpoint
port/ep/-              032 OFF    closed endpoint" ] || fail "$who debug/list: [$OUT]"
	run "$M" debug/add nosuchcategory; expect_rc 22 "$who debug/add nosuch"
	run "$M" nosuchcommand 1 2; expect_rc 38 "$who unknown command"
	[ -z "$OUT" ] || fail "$who unknown command printed [$OUT]"
	grep -qx 'vdecmd: nosuchcommand 1 2: Function not implemented' "$TMP/err" ||
		fail "$who unknown command, stderr: [$(cat "$TMP/err")]"
	run "$M" load "$TMP/missing.rc"; expect_rc 2 "$who load missing"
	printf 'debug/list hash/+\nnosuch\n' >"$TMP/script.rc"
	run "$M" load "$TMP/script.rc"; expect_rc 0 "$who load"
	[ "$OUT" = "vde[$TMP/script.rc]: debug/list hash/+
CATEGORY               TAG STATUS HELP
------------           --- ------ ----
hash/+                 011 OFF    hash: new element
1000 Success
vde[$TMP/script.rc]: nosuch
1038 Function not implemented" ] || fail "$who load output: [$OUT]"
	run --sock "$M" port/create 5; expect_rc 0 "$who --sock SOCKET port/create 5"
	# VDE 2's unixcmd/vdecmd form: -f its script, -s the socket; -v traces
	printf 'TIMEOUT 1000\n' >"$TMP/unixcmd.rc"
	run -f "$TMP/unixcmd.rc" -s "$M" port/allprint 5; expect_rc 0 "$who -f RCFILE -s SOCKET"
	echo "$OUT" | grep -q '^Port 0005 ' || fail "$who -f RCFILE -s SOCKET port/allprint 5: [$OUT]"
	run -v -s "$M" -f "$TMP/unixcmd.rc" port/allprint 5; expect_rc 0 "$who -v -s -f"
	grep -q '^vde\$ port/allprint 5$' "$TMP/err" || fail "$who -v: no trace: [$(cat "$TMP/err")]"
	grep -q '^1000 Success$' "$TMP/err" || fail "$who -v: no status in the trace"
	run "$M" port/create 5; expect_rc 17 "$who port/create 5 again"
	run "$M" port/print 5; expect_rc 6 "$who port/print 5 (inactive)"
	[ -z "$OUT" ] || fail "$who port/print 5 (inactive) printed [$OUT]"
	run "$M" port/allprint 5; expect_rc 0 "$who port/allprint 5"
	echo "$OUT" | grep -q '^Port 0005 ' || fail "$who port/allprint 5: [$OUT]"
	run "$M" port/remove 5; expect_rc 0 "$who port/remove 5"
	run "$M" logout; expect_rc 0 "$who logout"
	[ -z "$OUT" ] || fail "$who logout printed [$OUT]"
	run "$M" shutdown; expect_rc 0 "$who shutdown"
}

"$DEB_SWITCH" -d -s "$TMP/deb.sw" -M "$TMP/deb.mgmt" -p "$TMP/deb.pid" ||
	fail "Debian's vde_switch did not start"
wait_for test -s "$TMP/deb.pid" || fail "Debian's switch: no pid file"
DEBPID=$(cat "$TMP/deb.pid")
PIDS+=("$DEBPID")
wait_for sock_ready "$TMP/deb.mgmt" || fail "Debian's switch: no mgmt socket"
test_switch "$TMP/deb.mgmt" debian
wait_for sh -c "! kill -0 $DEBPID" || fail "Debian's switch still alive after shutdown"
pass "vdecmd vs Debian's vde_switch"

# ---- no SOCKET: unixcmd's default socket, /var/run/vdecmd ------------------
# Debian's vdecmd (unixcmd run by that name) takes every argument as the
# command and the socket /var/run/vdecmd; ours said "usage" to `vdecmd
# showinfo` and took `vdecmd help port`'s "help" as the socket. In a mount
# namespace of its own with a tmpfs on /run, Debian's switch listens there;
# each command without SOCKET gives what it gives with SOCKET
# /var/run/vdecmd (output and status), and the output of Debian's vdecmd
# (whose 2.3.2 build ends each line it copies with a NUL byte, and exits
# 255 whatever the status: not copied).
if [ "$(id -u)" = 0 ] && [ -x /usr/bin/unixcmd ] && [ -r /etc/vde2/vdecmd ] &&
	unshare -m true 2>/dev/null; then
	mkdir -p "$TMP/dv" "$TMP/cwd"
	ln -s /usr/bin/unixcmd "$TMP/dv/vdecmd"
	cat >"$TMP/defsock.sh" <<'INNER'
# in a private mount namespace: $1 Debian's switch, $2 our vdecmd, $3 the
# temp dir; every failure is a line on stdout and exit 1
sw=$1 ours=$2 t=$3
mount -t tmpfs tmpfs /run || { echo "mount tmpfs on /run"; exit 1; }
"$sw" -d -s /run/sw -M /run/vdecmd -p /run/sw.pid || { echo "switch did not start"; exit 1; }
trap 'kill "$(cat /run/sw.pid 2>/dev/null)" 2>/dev/null' EXIT
i=0
until [ -S /var/run/vdecmd ] && "$ours" -t 2 /var/run/vdecmd showinfo >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "no console at /var/run/vdecmd"; exit 1; }
	sleep 0.1
done
cd "$t/cwd"
for args in "port/showinfo:0" "help port:0" "port/print 3:6" "hash/setsize 0:22"; do
	want=${args##*:} args=${args%:*}
	# shellcheck disable=SC2086
	"$ours" $args >"$t/o.out" 2>"$t/o.err"; orc=$?
	[ $orc = "$want" ] || { echo "vdecmd $args: exit $orc, want $want: $(cat "$t/o.err")"; exit 1; }
	# shellcheck disable=SC2086
	"$ours" /var/run/vdecmd $args >"$t/s.out" 2>/dev/null; src=$?
	[ $src = "$want" ] && cmp -s "$t/o.out" "$t/s.out" ||
		{ echo "vdecmd $args: [$(cat "$t/o.out")], with SOCKET [$(cat "$t/s.out")] ($src)"; exit 1; }
	[ -s "$t/o.out" ] || [ "$want" != 0 ] || { echo "vdecmd $args: no output"; exit 1; }
	# shellcheck disable=SC2086
	"$t/dv/vdecmd" $args 2>/dev/null | tr -d '\0' >"$t/d.out"
	cmp -s "$t/o.out" "$t/d.out" ||
		{ echo "vdecmd $args: [$(cat "$t/o.out")], Debian's [$(cat "$t/d.out")]"; exit 1; }
done
"$ours" -s /var/run/vdecmd port/showinfo | grep -q '^Numports=' ||
	{ echo "-s SOCKET COMMAND no longer works"; exit 1; }
"$ours" shutdown || { echo "vdecmd shutdown: exit $?"; exit 1; }
exit 0
INNER
	out=$(timeout 60 unshare -m bash "$TMP/defsock.sh" "$DEB_SWITCH" "$VDECMD" "$TMP") ||
		fail "no SOCKET: $out"
	# outside the namespace: the default socket (missing here) is named
	run showinfo; expect_rc 200 "showinfo without a socket"
	grep -q '^vdecmd: /var/run/vdecmd: no such socket' "$TMP/err" ||
		fail "no SOCKET, no /var/run/vdecmd: $(cat "$TMP/err")"
	# a SOCKET alone (a path, or a socket such as a stale one) is a SOCKET
	# whose command was forgotten: that is what is said, with the usage,
	# not "no such socket" about /var/run/vdecmd
	for p in "$TMP/no.mgmt" ./no.mgmt "$TMP/stale"; do
		run "$p"; expect_rc 1 "$p alone"
		grep -q "^vdecmd: COMMAND missing after SOCKET $p\$" "$TMP/err" &&
			grep -q '^usage: vdecmd ' "$TMP/err" || fail "$p alone: $(cat "$TMP/err")"
	done
	pass "without SOCKET: /var/run/vdecmd, every argument the command, as Debian's vdecmd"
else
	echo "# no root, unixcmd or mount namespace: the default socket not tested"
fi

OURS=$(command -v vde_switch || true)
if [ -n "$OURS" ] && [ "$OURS" != "$DEB_SWITCH" ]; then
	spawn ours.log "$OURS" --nostdin -s "$TMP/our.sw" -M "$TMP/our.mgmt" -p "$TMP/our.pid"
	OURPID=$LASTPID
	wait_for test -s "$TMP/our.pid" || fail "our vde_switch did not start"
	wait_for sock_ready "$TMP/our.mgmt" || fail "our switch: no mgmt socket"
	test_switch "$TMP/our.mgmt" ours
	wait_for sh -c "! kill -0 $OURPID" || fail "our switch still alive after shutdown"
	pass "vdecmd vs our vde_switch"
else
	echo "# our vde_switch not built: tested against Debian's only"
fi
exit 0
