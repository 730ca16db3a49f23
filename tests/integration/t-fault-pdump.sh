#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# t-fault-pdump.sh - pdump's FIFO output when the pipe cannot be measured or
# a record goes out in part (switch/pdump.c): our vde_switch with
# tests/lib/faultinj.c making ioctl(FIONREAD) fail, or one write() short as
# when another writer of the FIFO takes the room. What the reader gets must
# be whole records; every record the switch did not write is counted in its
# log (records read + records dropped = frames sent); none is cut, also
# when pdump closes the FIFO with a record half out.
. "$top_srcdir/tests/lib/env.sh"
. "$top_srcdir/tests/integration/switch-common.sh"
. "$top_srcdir/tests/lib/faultinj.sh"
command -v python3 >/dev/null || skip "needs python3"
S=$TMP/s

# start_faulty RULES: our switch on $S with the faults RULES
start_faulty() {
	rm -f "$TMP/s.pid"
	SENT=0
	fault_cmd "$1" vde_switch
	# (without the FIFOs this script holds open; FSIZE: ulimit -f)
	(ulimit -f "${FSIZE:-unlimited}" && exec "${FAULT_CMD[@]}" -s "$S" -M "$S.mgmt" --nostdin \
		-p "$TMP/s.pid") >>"$TMP/sw.log" 2>&1 7>&- 8>&- 9>&- &
	PIDS+=($!)
	SWPID=$!
	wait_for test -s "$TMP/s.pid" || fail "our switch did not start: $(cat "$TMP/sw.log")"
	fastpath_check "$S"
}
stop_sw() {
	kill "$SWPID" 2>/dev/null
	WAIT_SECS=10 wait_for sh -c "! kill -0 $SWPID" || fail "switch $SWPID did not stop"
	wait "$SWPID" 2>/dev/null
	local rc=$?
	[ $rc = 0 ] || fail "the switch exited with $rc: $(tail -5 "$TMP/sw.log")"
	rm -rf "$S" "$S.mgmt"
}
con() {
	[ "$(status s "$1")" = "1000 Success" ] || fail "$1: $(mgmt s "$1")"
}
# records FILE LEN [cut]: FILE is a pcap header and records of LEN-byte
# frames, all whole (with "cut": the last one is not); prints their number
records() {
	python3 - "$@" <<'PY'
import struct, sys
data, size = open(sys.argv[1], "rb").read(), int(sys.argv[2])
cut = len(sys.argv) > 3
if data[:4] != b"\xd4\xc3\xb2\xa1":
    sys.exit("no pcap header: %r" % data[:24])
off, n = 24, 0
while off + 16 + size <= len(data):
    caplen, wire = struct.unpack_from("<II", data, off + 8)
    if caplen != size or wire != size:
        sys.exit("record %d at %d: caplen %d len %d" % (n, off, caplen, wire))
    off += 16 + size
    n += 1
if cut and off == len(data):
    sys.exit("%d whole records and no cut one" % n)
if not cut and off != len(data):
    sys.exit("%d whole records, then %d bytes of a cut one" % (n, len(data) - off))
print(n)
PY
}
# dropped FIFO: the records the log says were dropped (the sum of its counts)
dropped() {
	sed -n "s|^.*pdump $1: \([0-9]*\) records dropped while the reader was behind.*|\1|p" \
		"$TMP/sw.log" | awk '{ s += $1 } END { print s + 0 }'
}
# burst LEN COUNT: COUNT frames of LEN bytes into port 1, then wait until the
# switch has taken them all (port 1's IN count, kept while the port is
# closed, reaches SENT: pdump has seen them)
SENT=0
burst() {
	printf 'open a 1\nburst a 02:00:00:00:00:02 02:00:00:00:00:01 %s %s\n' "$1" "$2" |
		timeout 30 "$PROBE" "$S" >/dev/null || fail "a burst of $2 frames of $1 bytes"
	SENT=$((SENT + $2))
	WAIT_SECS=10 wait_for sh -c "printf 'port/allprint\nlogout\n' | timeout 5 socat - UNIX-CONNECT:$S.mgmt |
		grep -Eq '^ IN: +pkts +$SENT '" ||
		fail "the switch did not take the $SENT frames sent$(kill -0 "$SWPID" 2>/dev/null || echo ': it died')"
}

# 1. ioctl(FIONREAD) fails: the room cannot be told, records go out as the
# pipe takes them. Frames of 6000 bytes (records > PIPE_BUF) into a FIFO
# nobody reads yet: the pipe fills, one record goes out in part (the kernel
# takes what fits), its rest waits in the switch, the next ones are dropped
# and counted. Once the reader drains the pipe, the rest goes first.
mkfifo "$TMP/f1"
exec 7<>"$TMP/f1"
start_faulty 'ioctl,req=FIONREAD,fd=fifo,errno=ENOTTY'
con "plugin/add pdump"
con "pdump/filename $TMP/f1"
con "pdump/active 1"
burst 6000 40
wait_for grep -q "pdump $TMP/f1: the reader is not keeping up: dropping records" "$TMP/sw.log" ||
	fail "no word of dropped records: $(cat "$TMP/sw.log")"
fault_seen '^ioctl.*-> ENOTTY' || fail "the FIONREAD fault did not happen"
drain_fifo "$TMP/f1" "$TMP/f1.bytes"
records "$TMP/f1.bytes" 6000 cut >"$TMP/n" ||
	fail "a full pipe without FIONREAD: no record went out in part, the path is not reached"
burst 6000 5
drain_fifo "$TMP/f1" "$TMP/f1.bytes"
n=$(records "$TMP/f1.bytes" 6000 2>&1) || fail "the FIFO's content: $n"
d=$(dropped "$TMP/f1")
[ $((n + d)) = $SENT ] || fail "$n records read and $d dropped, $SENT frames sent: $(cat "$TMP/sw.log")"
[ "$n" -ge 10 ] || fail "only $n records read"
stop_sw
pass "FIONREAD failing: $n whole records read, $d dropped and counted, a cut one completed first"

# 2. a write() comes back short, as when another writer of the FIFO took
# the room between the check and the write: the rest of that record goes
# first with the next one, and the reader sees whole records only.
mkfifo "$TMP/f2"
exec 8<>"$TMP/f2"
: >"$TMP/sw.log"
start_faulty 'write,fd=fifo,max=100,after=3,times=1'
con "plugin/add pdump"
con "pdump/filename $TMP/f2"
con "pdump/active 1"
burst 1000 10
fault_seen '^write.*at most 100 bytes' || fail "the short write did not happen"
drain_fifo "$TMP/f2" "$TMP/f2.bytes"
n=$(records "$TMP/f2.bytes" 1000 2>&1) || fail "the FIFO's content after a short write: $n"
[ "$n" = 10 ] || fail "$n records of 10"
stop_sw
pass "a record cut by a short write: its rest went first, 10 whole records"

# 3. pdump closes the FIFO (pdump/filename elsewhere) while the rest of a
# record waits: the rest goes before the close when the pipe has room, and
# when it has none the log says the reader got a cut record.
mkfifo "$TMP/f3"
exec 9<>"$TMP/f3"
: >"$TMP/sw.log"
start_faulty 'ioctl,req=FIONREAD,fd=fifo,errno=ENOTTY'
con "plugin/add pdump"
con "pdump/filename $TMP/f3"
con "pdump/active 1"
burst 6000 20
drain_fifo "$TMP/f3" "$TMP/f3.bytes"
records "$TMP/f3.bytes" 6000 cut >/dev/null || fail "no record went out in part"
[ "$(status s "pdump/filename $TMP/other.cap")" = "1000 Success" ] || fail "pdump/filename"
drain_fifo "$TMP/f3" "$TMP/f3.bytes"
n=$(records "$TMP/f3.bytes" 6000 2>&1) || fail "the FIFO closed with the rest of a record waiting: $n"
grep -q "cut" "$TMP/sw.log" && fail "a cut record said where there is none: $(cat "$TMP/sw.log")"
con "pdump/filename $TMP/f3"
burst 6000 20
[ "$(status s "pdump/filename $TMP/other.cap")" = "1000 Success" ] || fail "pdump/filename"
wait_for grep -q "pdump $TMP/f3: the reader got a cut record" "$TMP/sw.log" ||
	fail "a cut record left in a full FIFO not said: $(cat "$TMP/sw.log")"
# the drops are counted under the FIFO's name, not the next file's
grep -q "pdump $TMP/f3: [0-9]* records dropped while the reader was behind" "$TMP/sw.log" &&
	! grep -q "other.cap: [0-9]* records dropped" "$TMP/sw.log" ||
	fail "the drops counted under the wrong name: $(cat "$TMP/sw.log")"
stop_sw
pass "pdump closing a FIFO: the rest of a record goes out first ($n whole records), or the cut is logged"

# 4. the FIFO cannot be made non-blocking (fcntl(F_SETFL) fails after
# tool_open_out() made it blocking): refused with the reason, nothing
# written, no descriptor of it left open, the switch goes on
: >"$TMP/sw.log"
start_faulty 'fcntl,cmd=F_SETFL,fd=fifo,after=1,times=1,errno=EPERM'
con "plugin/add pdump"
out=$(mgmt s "pdump/filename $TMP/f2")
grep -q "^1022 Invalid argument" <<<"$out" &&
	grep -q "^set_dumper() fcntl(O_NONBLOCK): Operation not permitted" <<<"$out" ||
	fail "pdump/filename to a FIFO that cannot be non-blocking: $out"
fault_seen '^fcntl.*-> EPERM' || fail "the F_SETFL fault did not happen"
ls -l "/proc/$SWPID/fd" | grep -q "$TMP/f2\$" && fail "the refused FIFO is still open in the switch: $(ls -l /proc/$SWPID/fd)"
: >"$TMP/f2.bytes"
drain_fifo "$TMP/f2" "$TMP/f2.bytes"
[ -s "$TMP/f2.bytes" ] && fail "something went into the refused FIFO"
# the fault was once: pdump/active 1 opens the same FIFO again, and records
con "pdump/active 1"
burst 1000 3
drain_fifo "$TMP/f2" "$TMP/f2.bytes"
n=$(records "$TMP/f2.bytes" 1000 2>&1) && [ "$n" = 3 ] || fail "recording after the refusal: $n"
stop_sw
pass "pdump/filename to a FIFO that cannot be non-blocking: 1022 with the reason; pdump/active 1 tries again"

# 5. a regular file that reaches the size limit (ulimit -f 16: 16 KiB): a
# write error (EFBIG), recording stops with a log line, the switch goes on
# (SIGXFSZ killed it)
: >"$TMP/sw.log"
FSIZE=16 start_faulty ''
con "plugin/add pdump"
con "pdump/filename $TMP/big.cap"
con "pdump/active 1"
burst 1000 30
kill -0 "$SWPID" || fail "the switch died at the file size limit: $(cat "$TMP/sw.log")"
wait_for grep -q "pdump $TMP/big.cap: File too large: recording stopped" "$TMP/sw.log" ||
	fail "no word of the write error: $(cat "$TMP/sw.log")"
[ "$(status s 'port/showinfo')" = "1000 Success" ] || fail "the switch after the write error"
stop_sw
exec 7>&- 8>&- 9>&-
pass "pdump file at the size limit: recording stopped with the reason, the switch goes on"
