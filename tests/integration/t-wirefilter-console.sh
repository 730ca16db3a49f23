#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-wirefilter-console.sh - wirefilter's CLI contract and management console
# bytes: banner, prompt, showinfo lines (mono and bidirectional), 1022 on
# invalid values, Markov commands, rc file, logout, shutdown.
. "$top_srcdir/tests/lib/env.sh"
WF=$(bin wirefilter)

# --- CLI contract
"$WF" --help >"$TMP/help.out" 2>&1 || fail "--help exit $?"
grep -q '^usage: wirefilter' "$TMP/help.out" || fail "--help: no usage on stdout"
"$WF" --bogus >/dev/null 2>&1; [ $? = 1 ] || fail "bad option must exit 1"
"$WF" -V | grep -q '^wirefilter' || fail "-V"
"$WF" -l 150 </dev/null >/dev/null 2>"$TMP/inv.err"; [ $? = 1 ] || fail "-l 150 accepted"
# the message tells a value out of range from one that is not a value
grep -q '^wirefilter: -l 150: invalid value (out of the range of this impairment' "$TMP/inv.err" ||
	fail "-l 150: message: $(cat "$TMP/inv.err")"
"$WF" --delay=-5 </dev/null >/dev/null 2>"$TMP/inv.err"; [ $? = 1 ] || fail "--delay=-5 accepted"
grep -qF 'wirefilter: -d -5: invalid value (expected [LR|RL]value[+spread][K|M|G][U|N][[node]]; see wirefilter(1))' \
	"$TMP/inv.err" || fail "--delay=-5: message: $(cat "$TMP/inv.err")"
"$WF" -d 10K+5N </dev/null >/dev/null 2>&1 && fail "-d 10K+5N accepted"
"$WF" -D 100 </dev/null >/dev/null 2>&1 && fail "-D 100 accepted"
# run by hand without a dpipe: stdin is a file (here /dev/null), not a pipe
"$WF" -l 5 </dev/null >/dev/null 2>"$TMP/nopipe.err"; [ $? = 1 ] || fail "stdin /dev/null: exit status"
grep -q 'left: the input is a file, not a pipe or socket: run wirefilter in a dpipe chain' \
	"$TMP/nopipe.err" || fail "stdin /dev/null message: $(cat "$TMP/nopipe.err")"
# --daemon in a dpipe chain would lose its data path (stdin/stdout) and vanish
"$WF" --daemon -d 5 </dev/null >/dev/null 2>"$TMP/dstream.err"; [ $? = 1 ] || fail "--daemon on stdin/stdout: exit status"
grep -q -- '--daemon needs two VNLs' "$TMP/dstream.err" || fail "--daemon on stdin/stdout: $(cat "$TMP/dstream.err")"
# two VNLs: stdin is the console; at its end wirefilter exits (as VDE 2's) and says so
timeout 10 "$WF" null:// null:// </dev/null >/dev/null 2>"$TMP/coneof.err"; [ $? = 0 ] ||
	fail "console EOF: exit status"
grep -q 'EOF on the stdin console, exiting' "$TMP/coneof.err" ||
	fail "console EOF: silent exit: $(cat "$TMP/coneof.err")"

# every long option is documented in the man page
MAN="$top_srcdir/man/wirefilter.1"
[ -f "$MAN" ] || fail "no man page"
for o in $("$WF" --help | grep -o -- '--[a-z-]*' | sort -u); do
	grep -q -- "${o//-/\\\\-}" "$MAN" || grep -q -- "$o" "$MAN" || fail "man page lacks $o"
done

# --- console over a socket; wirefilter in a one-way stream (stdin -> stdout)
cat >"$TMP/rc" <<'RC'
# rc file: silent at start-up
delay LR20.5
mtu RL1000
RC
mkfifo "$TMP/in"
exec 7<>"$TMP/in"
MG="$TMP/mgmt"
# (a background job's stdin is /dev/null unless redirected inside it)
spawn wf.log env -u ALTERNATE_STDIN -u ALTERNATE_STDOUT bash -c 'exec "$@" <&7' _ \
	"$WF" -M "$MG" -f "$TMP/rc" -l 10+2N --seed 5
WFPID=$LASTPID
wait_for sock_ready "$MG" || fail "no mgmt socket"

# send commands one per prompt, capture the whole session
console() {
	python3 - "$MG" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
out = b""
def until(tok):
    global out
    while not out.endswith(tok):
        d = s.recv(65536)
        if not d:
            return False
        out += d
    return True
until(b"VDEwf$ ")
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\n")
    if cmd in ("logout", "shutdown"):
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
        break
    until(b"VDEwf$ ")
sys.stdout.buffer.write(out)
PY
}

console showinfo 'loss 150' 'delay -5' 'loss LR5+1N[0]' 'dup 100' 'fifo 0' showinfo logout >"$TMP/s1" ||
	fail "console session failed"
head -c 60 "$TMP/s1" | grep -q 'VDE wirefilter V.2.3.2' || fail "banner"
printf '\nVDE wirefilter V.2.3.2\n(C) R.Davoli 2005,2006 - GPLv2\n\nVDEwf$ ' | cmp -s - <(head -c 63 "$TMP/s1") ||
	fail "banner bytes differ: $(head -c 63 "$TMP/s1" | od -c | head)"
grep -q '^WireFilter: monodirectional$' "$TMP/s1" || fail "monodirectional"
grep -q '^Loss   10+2N$' "$TMP/s1" || fail "Loss line"
grep -q '^Delay  20.5+0U$' "$TMP/s1" || fail "rc file delay (LR) not applied"
grep -q '^MTU    0$' "$TMP/s1" || fail "MTU line"
grep -q '^Current Delay Queue size:   0$' "$TMP/s1" || fail "queue line"
grep -q '^Fifoness TRUE$' "$TMP/s1" || fail "Fifoness TRUE"
grep -q '^Fifoness FALSE$' "$TMP/s1" || fail "fifo 0 not applied"
grep -q '^Loss   5+1N$' "$TMP/s1" || fail "loss LR5+1N[0] not applied"
[ "$(grep -o '1022 Invalid argument' "$TMP/s1" | wc -l)" = 3 ] || fail "invalid values not rejected with 1022"
grep -q '0000 DATA END WITH' "$TMP/s1" || fail "data framing"
grep -q '^Seed 5$' "$TMP/s1" || fail "seed line"
grep -q '^Stats  L->R in 0 out 0' "$TMP/s1" || fail "counters"
grep -q '9999 END OF SESSION' "$TMP/s1" || fail "logout"

# Markov commands
console 'markov-numnodes 3' 'markov-name 1,lossy' 'setedge 0,1,30' 'setedge 0,2,80' \
	'setedge 0,0,5' 'setedge 0,1' 'loss 100[1]' 'loss 1[3]' 'showedges 0' 'markov-setnode 1' \
	showcurrent 'showinfo 1' 'markov-time 0' 'markov-time 50' 'markov-setnode 7' logout >"$TMP/s2" ||
	fail "markov session"
grep -q '^Edge 0 ->0  ""->"" weigth 70$' "$TMP/s2" || fail "self loop weight"
grep -q '^Edge 0 ->1  ""->"lossy" weigth 30$' "$TMP/s2" || fail "edge line"
grep -q '^Current Markov Node 1 "lossy" (0,..,2)$' "$TMP/s2" || fail "showcurrent"
grep -q '^Node 1 "lossy" (0,..,2) Markov-time 100$' "$TMP/s2" || fail "showinfo node line"
grep -q '^Loss   100+0U$' "$TMP/s2" || fail "per-node loss"
# setedge 0,2,80 (sum 110), 0,0,5 (self), 0,1 (no weight), loss 1[3], time 0, setnode 7
[ "$(grep -o '1022 Invalid argument' "$TMP/s2" | wc -l)" = 6 ] || fail "markov invalid values: $(grep -c 1022 "$TMP/s2")"

# shutdown ends the process
console shutdown >/dev/null
for i in $(seq 100); do kill -0 "$WFPID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$WFPID" 2>/dev/null && fail "shutdown did not end wirefilter"
wait "$WFPID"; rc=$?
[ $rc = 0 ] || fail "exit status after shutdown: $rc"
exec 7>&-

# --- bidirectional (dpipe-style fds): showinfo lines with both directions
mkfifo "$TMP/l" "$TMP/a" "$TMP/b"
exec 7<>"$TMP/l" 8<>"$TMP/a" 9<>"$TMP/b"
MG="$TMP/mgmt2"
ALTERNATE_STDIN=8 ALTERNATE_STDOUT=9 spawn wf2.log bash -c 'exec "$@" <&7' _ \
	"$WF" -M "$MG" -d 20.5 -m RL1000 -l LR10+2N
wait_for sock_ready "$MG" || fail "no mgmt socket (bidirectional)"
console showinfo logout >"$TMP/s3" || fail "bidirectional session"
grep -q '^WireFilter: bidirectional$' "$TMP/s3" || fail "bidirectional"
grep -qx 'Loss   L->R 10+2N   R->L 0+0U' "$TMP/s3" || fail "bidirectional Loss line"
grep -qx 'Delay  L->R 20.5+0U   R->L 20.5+0U' "$TMP/s3" || fail "bidirectional Delay line"
grep -qx 'MTU    L->R 0     R->L 1000   ' "$TMP/s3" || fail "bidirectional MTU line"
grep -qx 'Current Delay Queue size:   L->R 0      R->L 0   ' "$TMP/s3" || fail "queue line"
grep -q '^Stats  R->L in 0' "$TMP/s3" || fail "RL counters"

# --- blink: one datagram per delivered frame; MTU on the frame length
python3 - "$TMP/blink" >"$TMP/blink.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
for i in range(2):
    print(s.recv(256).decode(), end="", flush=True)
PY
BLINKRX=$!
PIDS+=($BLINKRX)
wait_for test -S "$TMP/blink" || fail "blink receiver"
mkfifo "$TMP/l4"
exec 6<>"$TMP/l4"
spawn wf4.log env -u ALTERNATE_STDIN -u ALTERNATE_STDOUT bash -c 'exec "$@" <&6' _ \
	"$WF" --blink "$TMP/blink" --blinkid wf4 -m 100
# frames of 60, 101 (over the MTU: dropped, no blink) and 100 bytes
python3 -c '
import sys
w = sys.stdout.buffer
for n in (60, 101, 100):
    w.write(n.to_bytes(2, "big") + bytes(n))
' >&6
wait "$BLINKRX" || fail "blink: fewer than 2 datagrams"
[ "$(cat "$TMP/blink.out")" = "$(printf 'wf4 LR 60\nwf4 LR 100\n')" ] ||
	fail "blink datagrams: $(cat "$TMP/blink.out")"
exec 6>&-
pass "wirefilter CLI and console"
