#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-dpipe-forms.sh - dpipe semantics with plain commands: cross-connection,
# ALTERNATE_STDIN/ALTERNATE_STDOUT for middle stages only, the brace
# one-way forms, no pipe descriptors leaked to the wrong stage, -p pidfile,
# vdeplug4's -P pgrpfile, -n and -N
# ("-PGRP"), -d, exit status, the chain ending when a stage dies, usage.
. "$top_srcdir/tests/lib/env.sh"
DPIPE=$(bin dpipe)
WAIT_SECS=${WAIT_SECS:-20}	# generous: a loaded CI machine with ASan is slow
RELAY=$(bin dpipe_relay)
T=$TMP

# A stage that sends "ping", reads one line and records it.
A="echo ping; read -r x; echo \"\$x\" > $T/a.got"
# A stage that answers one line.
B='read -r x; echo "pong($x)"'

run() {		# run DPIPE-ARGS...: dpipe with a 30 s bound
	timeout 30 "$DPIPE" "$@"
}
got() { [ "$(cat "$T/a.got" 2>/dev/null)" = "$1" ] || fail "$2: a got '$(cat "$T/a.got" 2>/dev/null)', want '$1'"; rm -f "$T/a.got"; }

# 1. a = b: cross-connected both ways
run sh -c "$A" = sh -c "$B" || fail "a = b status"
got "pong(ping)" "a = b"

# 2. a = relay = b: the middle stage uses the alternate descriptors
run sh -c "$A" = "$RELAY" = sh -c "$B" || fail "a = relay = b status"
got "pong(ping)" "a = relay = b"

# 2b. a word that begins with "=" is a separator whatever follows, as in
#    Debian's dpipe: "a = relay == b" is "a = relay = b" (the "==" and "b"
#    were arguments of the relay: a chain of two, a waited for ever)
for d in "$DPIPE" ${DEB_DPIPE:+"$DEB_DPIPE"}; do
	[ -x "$d" ] || continue
	timeout 30 "$d" sh -c "$A" = "$RELAY" == sh -c "$B" || fail "$d: a = relay == b status"
	got "pong(ping)" "$d: a = relay == b"
	timeout 30 "$d" sh -c "$A" =x sh -c "$B" || fail "$d: a =x b status"
	got "pong(ping)" "$d: a =x b"
done

# 3. the environment: only the middle stage sees ALTERNATE_*, with the two
#    lowest free descriptors; stale values from outside are removed
#    (the last stage ends the chain once all three have written)
ALTERNATE_STDIN=77 ALTERNATE_STDOUT=78 run \
	sh -c "echo \"\${ALTERNATE_STDIN-unset} \${ALTERNATE_STDOUT-unset}\" >$T/e1.t; mv $T/e1.t $T/e1; cat >/dev/null" = \
	sh -c "echo \"\$ALTERNATE_STDIN \$ALTERNATE_STDOUT\" >$T/e2.t; mv $T/e2.t $T/e2; cat >/dev/null" = \
	sh -c "echo \"\${ALTERNATE_STDIN-unset} \${ALTERNATE_STDOUT-unset}\" >$T/e3; until [ -e $T/e1 ] && [ -e $T/e2 ]; do sleep 0.02; done"
[ "$(cat "$T/e1")" = "unset unset" ] || fail "first stage env: $(cat "$T/e1")"
[ "$(cat "$T/e3")" = "unset unset" ] || fail "last stage env: $(cat "$T/e3")"
read -r ain aout <"$T/e2"
[ -n "$ain" ] && [ -n "$aout" ] && [ "$ain" != "$aout" ] || fail "middle stage env: $(cat "$T/e2")"

# 4. no leaked descriptors: a stage holds what a plain child of ours holds,
#    plus (middle stage only) the two alternate descriptors
"$RELAY" -l "$T/fd0" -x </dev/null
"$DPIPE" "$RELAY" -l "$T/fd1" = "$RELAY" -l "$T/fd2" = "$RELAY" -l "$T/fd3" &
dp=$!
PIDS+=("$dp")
wait_for test -e "$T/fd1" -a -e "$T/fd2" -a -e "$T/fd3" || fail "fd listing chain"
kill "$dp"
wait "$dp" || fail "fd listing chain status $?"
for n in 1 3; do
	for fd in $(cat "$T/fd$n"); do
		grep -qx "$fd" "$T/fd0" || fail "stage $n has extra fd $fd"
	done
done
for fd in $(cat "$T/fd2"); do
	grep -qx "$fd" "$T/fd0" || [ "$fd" = "$ain" ] || [ "$fd" = "$aout" ] ||
		fail "middle stage has extra fd $fd"
done
grep -qx "$ain" "$T/fd2" && grep -qx "$aout" "$T/fd2" || fail "middle stage lacks its alternate fds"

# 5. brace forms (sed -u: unbuffered one-way stages)
run sh -c "$A" =} sed -u 's/^/F:/' }= sh -c "$B" || fail "=} }= status"
got "pong(F:ping)" "a =} f }= b"
run sh -c "$A" ={ sed -u 's/^/B:/' {= sh -c "$B" || fail "={ {= status"
got "B:pong(ping)" "a ={ g {= b"
run sh -c "$A" ={ sed -u 's/^/B1:/' = sed -u 's/^/B2:/' {= sh -c "$B" || fail "={ = {= status"
got "B1:B2:pong(ping)" "two backward stages"
# the example of dpipe(1): a -> b -> d -> c -> a, d's alternates to e
# (a ends the chain once d has talked to e)
run sh -c "$A; until [ -e $T/d.got ]; do sleep 0.02; done" =} sed -u 's/^/b:/' }={ sed -u 's/^/c:/' {= \
	sh -c "read -r x; echo \"d(\$x)\"; echo hi >&\$ALTERNATE_STDOUT; read -r y <&\$ALTERNATE_STDIN; echo \"\$y\" >$T/d.t; mv $T/d.t $T/d.got" = \
	sh -c 'read -r z; echo "e($z)"' || fail "mixed form status"
got "c:d(b:ping)" "a =} b }={ c {= d = e"
[ "$(cat "$T/d.got")" = "e(hi)" ] || fail "mixed form: d got '$(cat "$T/d.got")'"

# 6. exit status and the chain ending when a stage dies
run sh -c 'exit 3' = cat; rc=$?
[ $rc = 3 ] || fail "status $rc, want 3 (first failing stage)"
run no-such-command-vdekit = cat 2>"$T/err"; rc=$?
[ $rc = 127 ] || fail "missing command: status $rc, want 127"
grep -q "dpipe: cannot run no-such-command-vdekit" "$T/err" || fail "missing command message"
start=$(date +%s)
run sleep 60 = true; rc=$?
[ $rc = 0 ] || fail "status $rc when a stage ends with 0 and dpipe stops the other"
[ $(( $(date +%s) - start )) -lt 15 ] || fail "chain did not end when a stage died"

# 7. -p: the pidfile holds -PGRP, the stages run in that group, kill -- ends all
"$DPIPE" -p "$T/dp.pid" sleep 60 = sleep 61 >/dev/null 2>&1 &
dp=$!
PIDS+=("$dp")
wait_for test -s "$T/dp.pid" || fail "no pidfile"
[ "$(cat "$T/dp.pid")" = "-$dp" ] || fail "pidfile '$(cat "$T/dp.pid")', want -$dp"
wait_for pgrep -g "$dp" -x sleep || fail "stages not in the process group"
kill -TERM -- "$(cat "$T/dp.pid")"
wait "$dp"	# bounded by the test watchdog
[ -e "$T/dp.pid" ] && fail "pidfile not removed"
pgrep -g "$dp" >/dev/null && fail "stages survived"

# 7b. vdeplug4's dpipe options: -P PGRPFILE holds -PGRP too (with -p), -n
# and -N are taken; both files go at the end (they were invalid options)
"$DPIPE" -n -N -p "$T/dq.pid" -P "$T/dq.pgrp" sleep 60 = sleep 61 >/dev/null 2>"$T/dq.err" &
dp=$!
PIDS+=("$dp")
wait_for test -s "$T/dq.pgrp" || fail "-P: no pgrp file: $(cat "$T/dq.err")"
[ "$(cat "$T/dq.pgrp")" = "-$dp" ] && [ "$(cat "$T/dq.pid")" = "-$dp" ] ||
	fail "-P file '$(cat "$T/dq.pgrp")', -p file '$(cat "$T/dq.pid")', want -$dp"
kill -TERM -- "$(cat "$T/dq.pgrp")"
wait "$dp"
[ -e "$T/dq.pgrp" ] || [ -e "$T/dq.pid" ] && fail "-P/-p files not removed"
"$DPIPE" -d --pgrpfile "$T/dr.pgrp" --nowrapproc sleep 60 = sleep 61 || fail "dpipe -d --pgrpfile status"
wait_for test -s "$T/dr.pgrp" || fail "-d --pgrpfile: no file"
pg=$(cat "$T/dr.pgrp")
case $pg in -[0-9]*) ;; *) fail "-d pgrp file '$pg'" ;; esac
PIDS+=("${pg#-}")
kill -TERM -- "$pg"
wait_for test ! -e "$T/dr.pgrp" || fail "-d: pgrp file not removed"
"$DPIPE" -P "$T/nodir/x.pgrp" sleep 60 = sleep 61 </dev/null >/dev/null 2>"$T/pg.err" && fail "-P in a missing directory"
grep -q "^dpipe: pgrpfile $T/nodir/x.pgrp: No such file or directory" "$T/pg.err" ||
	fail "-P in a missing directory: $(cat "$T/pg.err")"

# 8. -d: returns at once, runs in the background, pidfile is the readiness signal
"$DPIPE" -d -p "$T/dd.pid" sleep 60 = sleep 61 || fail "dpipe -d status"
wait_for test -s "$T/dd.pid" || fail "-d: no pidfile"
pg=$(cat "$T/dd.pid")
case $pg in -[0-9]*) ;; *) fail "-d pidfile '$pg'" ;; esac
PIDS+=("${pg#-}")
two_sleeps() { [ "$(pgrep -g "$1" -x sleep | wc -l)" = 2 ]; }
wait_for two_sleeps "${pg#-}" || fail "-d: stages not running"
kill -TERM -- "$pg"
wait_for test ! -e "$T/dd.pid" || fail "-d: pidfile not removed"
# -d with a pid file it cannot write (vde_plug and wirefilter too): exit 1
# and a message before detaching, not exit 0 and a line in syslog
for cmd in "$DPIPE -d -p $T/nodir/x.pid sleep 60 = sleep 61" \
	   "$(bin vde_plug) -d --pidfile $T/nodir/x.pid null:// null://" \
	   "$(bin wirefilter) --daemon --pidfile $T/nodir/x.pid null:// null://"; do
	# shellcheck disable=SC2086
	$cmd </dev/null >/dev/null 2>"$T/pf.err"; rc=$?
	[ $rc = 1 ] && grep -q "pidfile $T/nodir/x.pid: No such file or directory" "$T/pf.err" ||
		fail "$cmd: exit $rc, $(cat "$T/pf.err")"
done

# 9. usage
for args in "" "a" "= a" "a =" "a = = b" "a =} b" "a }= b" "a =} b ={ c {= d" "a {= b"; do
	# shellcheck disable=SC2086
	"$DPIPE" $args >/dev/null 2>"$T/err" && fail "dpipe $args accepted"
	[ $? = 1 ] || fail "dpipe $args: status not 1"
	grep -q '^usage: dpipe' "$T/err" || fail "dpipe $args: no usage on stderr"
done
"$DPIPE" --help | grep -q '^usage: dpipe' || fail "--help"
"$DPIPE" -h >/dev/null || fail "-h status"
"$DPIPE" -V | grep -q '^dpipe (vdekit) ' || fail "-V"
pass "dpipe forms"
