// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_fstp.c - the fast spanning tree state machine (fstp.c)
 * with a fake clock and recorded callbacks: the exact BPDU bytes (VDE 2's
 * encoding, untagged and tagged), joining ports, a better root (fast
 * protocol: agreement, backup ports, TC toward the root), same-root
 * designated/backup decisions, a worse root answered at once, root port
 * loss and root info ageing (become root), hellos and edge ports, the
 * receive-history rotation, TC propagation and MAC flushes, bonus cost,
 * truncated and foreign BPDUs, disabling; and forward_frame() consuming
 * BPDUs and honouring discarding ports. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "forward.h"
#include "fstp.h"
#include "tap.h"
#include "vlan.h"

#define S	FSTP_NSEC
#define MAXSENT	64

struct rec {
	unsigned n;
	unsigned port[MAXSENT];
	size_t len[MAXSENT];
	uint8_t b[MAXSENT][64];
	unsigned flushes;
	uint16_t flush_vid;
	char dbg[32][96];
	unsigned tags[32];
	unsigned ndbg;
};

static struct rec R;

static void rec_send(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	if (R.n < MAXSENT) {
		R.port[R.n] = port;
		R.len[R.n] = len;
		memcpy(R.b[R.n], frame, len < 64 ? len : 64);
	}
	R.n++;
}

static void rec_flush(void *arg, uint16_t vid)
{
	R.flushes++;
	R.flush_vid = vid;
}

static void rec_debug(void *arg, unsigned tag, const char *line)
{
	if (R.ndbg < 32) {
		snprintf(R.dbg[R.ndbg], sizeof(R.dbg[0]), "%s", line);
		R.tags[R.ndbg] = tag;
	}
	R.ndbg++;
}

static void clear(void)
{
	memset(&R, 0, sizeof(R));
}

static const struct fstp_ops ops = { rec_send, rec_flush, rec_debug };
static const uint8_t MAC[6] = { 2, 0, 0, 0, 0, 5 };

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (h[0] && h[1] && sscanf(h, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		h += 2;
		while (*h == ' ')
			h++;
	}
	return n;
}

/* Index of the first recorded frame to @port (from @from), -1 if none. */
static int sent_to(unsigned port, unsigned from)
{
	unsigned i;

	for (i = from; i < R.n && i < MAXSENT; i++)
		if (R.port[i] == port)
			return (int)i;
	return -1;
}

static uint8_t flags_of(int i)
{
	return R.b[i][R.len[i] == 57 ? 25 : 21];
}

static bool has_dbg(unsigned tag, const char *line)
{
	unsigned i;

	for (i = 0; i < R.ndbg && i < 32; i++)
		if (R.tags[i] == tag && !strcmp(R.dbg[i], line))
			return true;
	return false;
}

/* A BPDU from bridge @bridge (8 bytes hex) port id @pid. */
static uint8_t bp[80];
static size_t mkbpdu(uint8_t flags, const char *root, uint32_t cost, const char *bridge,
		     uint16_t pid, int tag)
{
	size_t off = 0;

	memcpy(bp, (uint8_t[]){ 0x01, 0x80, 0xc2, 0, 0, 0, 2, 0, 0, 0, 0, 9 }, 12);
	if (tag >= 0) {
		bp[12] = 0x81;
		bp[13] = 0;
		bp[14] = (uint8_t)(tag >> 8);
		bp[15] = (uint8_t)tag;
		off = 4;
	}
	unhex("0027 424203 0000 02 02", bp + 12 + off);
	bp[21 + off] = flags;
	unhex(root, bp + 22 + off);
	bp[30 + off] = (uint8_t)(cost >> 24);
	bp[31 + off] = (uint8_t)(cost >> 16);
	bp[32 + off] = (uint8_t)(cost >> 8);
	bp[33 + off] = (uint8_t)cost;
	unhex(bridge, bp + 34 + off);
	bp[42 + off] = (uint8_t)(pid >> 8);
	bp[43 + off] = (uint8_t)pid;
	unhex("0000 2800 0400 0000 00", bp + 44 + off);
	return 53 + off;
}

#define ROOT_R	"1000020000000009"
#define ROOT_B	"0800020000000011"
#define WORSE	"9000020000000011"

static void table(struct port_table *pt, unsigned nports)
{
	unsigned p;

	port_table_init(pt, nports);
	for (p = 1; p <= nports; p++) {
		pt->v[p].exists = true;
		pt->v[p].nep = 1;
	}
}

static void test_join_and_encoding(void)
{
	struct port_table pt;
	struct fstp f;
	uint8_t want[64];
	size_t n;
	int i;

	table(&pt, 3);
	fstp_init(&f, MAC, 0x8000, &ops, NULL);
	clear();
	ok(fstp_enable(&f, &pt, true, 100 * S) == 0, "enable");
	ok(R.n == 3 && R.port[0] == 1 && R.port[2] == 3, "a BPDU to each new member (%u)", R.n);
	n = unhex("0180c2000000 020000000005 0027 424203 0000 02 02 3c 8000020000000005 00000000 "
		  "8000020000000005 8001 0000 2800 0400 0000 00", want);
	ok(R.len[0] == 53 && n == 53 && !memcmp(R.b[0], want, 53),
	   "port 1 BPDU is VDE 2's, byte for byte");
	ok(R.b[2][42] == 0x80 && R.b[2][43] == 3, "port id 80 03");
	ok(has_dbg(FSTP_DBG_PLUS, "Port 0001 VLAN 00:00") &&
	   has_dbg(FSTP_DBG_PLUS, "Port 0003 VLAN 00:00"), "fstp/+ lines");
	ok(fstp_forwarding(&f, 0, 1) && fstp_forwarding(&f, 0, 3), "members forward");

	/* tagged member: VLAN 10 on port 2 */
	clear();
	vlan_create(&pt, 10);
	vlan_addport(&pt, 10, 2);
	fstp_sync(&f, &pt, 101 * S);
	i = sent_to(2, 0);
	ok(i >= 0 && R.len[i] == 57 && R.b[i][12] == 0x81 && R.b[i][13] == 0 &&
	   R.b[i][14] == 0 && R.b[i][15] == 10 && R.b[i][16] == 0x00 && R.b[i][17] == 0x27 &&
	   flags_of(i) == 0x3c, "tagged BPDU: 57 bytes, 8100 000a, then the same BPDU");
	ok(has_dbg(FSTP_DBG_PLUS, "Port 0002 VLAN 00:0a"), "fstp/+ for VLAN 10");

	/* hello: agreement on every member, both VLANs */
	clear();
	fstp_tick(&f, 104 * S);
	ok(R.n == 4, "hello to 3 + 1 members (%u)", R.n);
	ok(flags_of(0) == 0x7c, "root's hello flags 7c (%02x)", flags_of(0));
	fstp_free(&f);
	port_table_free(&pt);
}

static void test_fast_protocol(void)
{
	struct port_table pt;
	struct fstp f;
	uint64_t t = 1000 * S;
	size_t n;
	int i;

	table(&pt, 3);
	fstp_init(&f, MAC, 0x8000, &ops, NULL);
	fstp_enable(&f, &pt, true, t);

	/* a better root on port 2 */
	clear();
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8003, -1);
	fstp_rx(&f, 2, 0, bp, n, false, t);
	i = sent_to(2, 0);
	ok(i >= 0 && flags_of(i) == 0x74, "agreement 74 on the new root port");
	ok(i >= 0 && R.b[i][22] == 0x10 && R.b[i][30] == 0x01 && R.b[i][31] == 0x31 &&
	   R.b[i][32] == 0x2d && R.b[i][33] == 0x00, "new root, cost 20000000");
	i = sent_to(2, (unsigned)i + 1);
	ok(i >= 0 && flags_of(i) == 0x35, "then a TC (35) toward the root");
	ok(sent_to(1, 0) < 0 && sent_to(3, 0) < 0, "silent ports stay as they are");
	ok(R.flushes == 1 && R.flush_vid == 0, "topology change flushes VLAN 0");
	ok(has_dbg(FSTP_DBG_ROOT, "Port 0002 VLAN 00:00 -> 10:00:02:00:00:00:00:09"),
	   "fstp/root line");

	/* same root, worse path, sender designated: port 3 backup, silently */
	clear();
	t += S;
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8004, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	ok(!fstp_forwarding(&f, 0, 3) && R.n == 0, "port 3 backup, nothing sent");
	ok(!strcmp(fstp_status(&f, 0, 3), "Discarding"), "vlan/print status Discarding");
	ok(has_dbg(FSTP_DBG_STATUS, "Port 0003 VLAN 00:00 discarding"), "status line");

	/* worse root on port 3: answered at once with ours */
	clear();
	n = mkbpdu(0x3c, WORSE, 0, WORSE, 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	i = sent_to(3, 0);
	ok(i >= 0 && flags_of(i) == 0x0a && R.b[i][22] == 0x10, "reply 0a with root R");
	ok(!fstp_forwarding(&f, 0, 3), "still backup");

	/* same root, the sender's root port: designated, TC toward the root */
	clear();
	t += 5 * S;			/* past the TC hold-off */
	n = mkbpdu(0x34, ROOT_R, 20000000, "1000020000000011", 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	ok(fstp_forwarding(&f, 0, 3), "port 3 designated");
	i = sent_to(2, 0);
	ok(i >= 0 && flags_of(i) == 0x35 && sent_to(3, 0) < 0, "TC on the root port only");

	/* a better root on port 3: old root port 2 (heard) backup + BPDU */
	clear();
	t += S;
	n = mkbpdu(0x3c, ROOT_B, 0, ROOT_B, 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	i = sent_to(2, 0);
	ok(i >= 0 && flags_of(i) == 0x0a && R.b[i][22] == 0x08, "old root port: 0a, new root");
	ok(!fstp_forwarding(&f, 0, 2) && fstp_forwarding(&f, 0, 3), "2 backup, 3 root");
	i = sent_to(3, 0);
	ok(i >= 0 && flags_of(i) == 0x74, "agreement on port 3");
	ok(sent_to(1, 0) < 0, "host port 1 untouched");

	/* worse info on the root port replaces ours */
	clear();
	t += S;
	n = mkbpdu(0x3c, ROOT_R, 20000000, ROOT_B, 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	i = sent_to(3, 0);
	ok(i >= 0 && flags_of(i) == 0x74 && R.b[i][22] == 0x10 && R.b[i][30] == 0x02 &&
	   R.b[i][31] == 0x62 && R.b[i][32] == 0x5a, "root R via port 3, cost 40000000");

	/* port 1 hears a switch whose root port it is: designated, heard */
	t += 5 * S;
	n = mkbpdu(0x34, ROOT_R, 60000000, "1000020000000021", 0x8001, -1);
	fstp_rx(&f, 1, 0, bp, n, false, t);
	ok(fstp_forwarding(&f, 0, 1), "port 1 designated");

	/* TC from the root port: flush, passed on along the tree only */
	clear();
	t += 2 * S;
	n = mkbpdu(0x3d, ROOT_R, 20000000, ROOT_B, 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	ok(R.flushes == 1, "TC flushes");
	i = sent_to(1, 0);
	ok(i >= 0 && (flags_of(i) & FSTP_F_TC) && sent_to(3, 0) < 0 && sent_to(2, 0) < 0,
	   "TC passed on to port 1 (designated, heard), not to backup port 2 nor back");
	clear();
	fstp_rx(&f, 3, 0, bp, n, false, t + S / 2);
	ok(R.flushes == 1 && R.n == 0, "a second TC within 1 s: flush, not passed on");
	clear();
	n = mkbpdu(0x3d, ROOT_R, 60000000, ROOT_B, 0x8004, -1);
	fstp_rx(&f, 2, 0, bp, n, false, t + 2 * S);
	ok(R.flushes == 1 && R.n == 0 && !fstp_forwarding(&f, 0, 2),
	   "TC on a backup port: flush, not passed on");
	t += 3 * S;
	n = mkbpdu(0x3c, ROOT_R, 20000000, ROOT_B, 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);	/* root info refreshed at t */

	/* root info ageing: 3 hellos without it */
	clear();
	fstp_tick(&f, t + 4 * S);
	fstp_tick(&f, t + 8 * S);
	fstp_tick(&f, t + 12 * S);
	ok(!has_dbg(FSTP_DBG_ROOT, "Port 0000 VLAN 00:00 -> 80:00:02:00:00:00:00:05"),
	   "root info kept for 12 s");
	i = sent_to(3, 0);
	ok(i >= 0 && flags_of(i) == 0x74 && R.b[i][44] == 4 && R.b[i][45] == 0,
	   "hello on the root port: 74, msg age 4 s LE");
	fstp_tick(&f, t + 16 * S);
	ok(has_dbg(FSTP_DBG_ROOT, "Port 0000 VLAN 00:00 -> 80:00:02:00:00:00:00:05"),
	   "after 16 s: we are the root");
	ok(fstp_forwarding(&f, 0, 2), "every port forwards");
	fstp_free(&f);
	port_table_free(&pt);
}

static void test_port_loss_edge_hist(void)
{
	struct port_table pt;
	struct fstp f;
	uint64_t t = 50 * S;
	size_t n;
	unsigned k;
	FILE *m;
	char out[1024];

	table(&pt, 3);
	fstp_init(&f, MAC, 0x8000, &ops, NULL);
	fstp_enable(&f, &pt, true, t);
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8003, -1);
	fstp_rx(&f, 2, 0, bp, n, false, t);
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8004, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t);
	ok(!fstp_forwarding(&f, 0, 3), "3 backup");

	/* fstp/print */
	m = fmemopen(out, sizeof(out), "w");
	fstp_print(&f, &pt, m, 0, t + 3 * S);
	fclose(m);
	ok(!strcmp(out, "FST DATA VLAN 0000  \n"
		   " ++ root 10:00:02:00:00:00:00:09\n"
		   " ++ designated 10:00:02:00:00:00:00:09\n"
		   " ++ rootport 0002 cost 20000000 age 3 bonusport 0000 bonuscost 0\n"
		   " -- Port 0001 tagged=0 portcost=20000000 role=Designated\n"
		   " -- Port 0002 tagged=0 portcost=20000000 role=Root\n"
		   " -- Port 0003 tagged=0 portcost=20000000 role=Alternate/Backup\n"),
	   "fstp/print as VDE 2");

	/* the root port's cable is cut: root at once, all forward */
	clear();
	pt.v[2].nep = 0;
	fstp_sync(&f, &pt, t + S);
	ok(has_dbg(FSTP_DBG_MINUS, "Port 0002 VLAN 00:00"), "fstp/- line");
	ok(has_dbg(FSTP_DBG_ROOT, "Port 0000 VLAN 00:00 -> 80:00:02:00:00:00:00:05"),
	   "root port lost: we are the root");
	ok(fstp_forwarding(&f, 0, 3) && sent_to(3, 0) >= 0 && sent_to(2, 0) < 0,
	   "port 3 forwards and says so");

	/* edge port 1: no hello, BPDUs ignored */
	ok(fstp_setedge(&f, 0, 1, true, t + S) == 0, "setedge");
	clear();
	fstp_tick(&f, t + 4 * S);
	ok(sent_to(1, 0) < 0 && sent_to(3, 0) >= 0, "hello skips the edge port");
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8003, -1);
	fstp_rx(&f, 1, 0, bp, n, false, t + 5 * S);
	ok(f.st.rx_ignored == 1 && fstp_forwarding(&f, 0, 1), "BPDU on an edge port ignored");
	ok(fstp_setedge(&f, 4095, 1, true, t) == EINVAL, "setedge VLAN 4095: EINVAL");

	/* a backup port that hears nothing for two windows forwards again */
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8003, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t + 5 * S);	/* 3 becomes root port */
	pt.v[2].nep = 1;
	fstp_sync(&f, &pt, t + 5 * S);
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8004, -1);
	fstp_rx(&f, 2, 0, bp, n, false, t + 5 * S);
	ok(!fstp_forwarding(&f, 0, 2), "2 backup");
	for (k = 2; k < 14 && !fstp_forwarding(&f, 0, 2); k++) {
		n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8003, -1);
		fstp_rx(&f, 3, 0, bp, n, false, t + (4 * k + 1) * S);	/* root stays */
		fstp_tick(&f, t + 4 * (k + 1) * S);
	}
	ok(fstp_forwarding(&f, 0, 2) && k >= 5 && k <= 10,
	   "silent backup port forwards within two windows (%u)", k);

	/* bonus: port 2 at cost 0 beats the root port 3 */
	ok(fstp_setbonus(&f, 0, 2, 20000000) == 0, "bonus");
	clear();
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8004, -1);
	fstp_rx(&f, 2, 0, bp, n, false, t + 60 * S);
	ok(has_dbg(FSTP_DBG_ROOT, "Port 0002 VLAN 00:00 -> 10:00:02:00:00:00:00:09"),
	   "bonus port becomes the root port");

	/* truncated and foreign BPDUs */
	k = (unsigned)f.st.rx_bad;
	n = mkbpdu(0x3c, ROOT_B, 0, ROOT_B, 0x8001, -1);
	fstp_rx(&f, 3, 0, bp, FSTP_BPDU_MIN - 1, false, t + 61 * S);
	bp[19] = 1;
	fstp_rx(&f, 3, 0, bp, n, false, t + 61 * S);
	fstp_rx(&f, 3, 0, bp, 2, true, t + 61 * S);
	ok(f.st.rx_bad == k + 3 && fstp_forwarding(&f, 0, 2), "short/version 1: ignored");

	/* off: everything forwards, BPDUs ignored */
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8004, -1);
	fstp_rx(&f, 3, 0, bp, n, false, t + 62 * S);
	fstp_enable(&f, &pt, false, t + 62 * S);
	ok(fstp_forwarding(&f, 0, 3) && fstp_forwarding(&f, 0, 2), "off: all forward");
	fstp_free(&f);
	port_table_free(&pt);
}

static struct rec E;
static void emit(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	if (E.n < MAXSENT)
		E.port[E.n] = port;
	E.n++;
}

static void test_forward(void)
{
	struct port_table pt;
	struct fdb fdb;
	struct fstp f;
	struct fwd_ctx fc = { 0 };
	static uint8_t alt[FWD_ALT_SIZE], fr[64];
	size_t n;

	table(&pt, 3);
	fdb_init(&fdb, 16, 64);
	fstp_init(&f, MAC, 0x8000, &ops, NULL);
	fc.pt = &pt;
	fc.fdb = &fdb;
	fc.emit = emit;
	fc.fstp = &f;

	/* off: a BPDU is flooded like any multicast */
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8003, -1);
	memset(&E, 0, sizeof(E));
	forward_frame(&fc, 2, bp, n, alt, S);
	ok(E.n == 2, "FSTP off: BPDU flooded (%u)", E.n);

	fstp_enable(&f, &pt, true, S);
	memset(&E, 0, sizeof(E));
	forward_frame(&fc, 2, bp, n, alt, S);
	ok(E.n == 0 && fc.st.bpdu == 1, "FSTP on: BPDU consumed");
	n = mkbpdu(0x3c, ROOT_R, 0, ROOT_R, 0x8004, -1);
	forward_frame(&fc, 3, bp, n, alt, S);
	ok(!fstp_forwarding(&f, 0, 3), "port 3 backup");

	memset(fr, 0xff, 6);
	memcpy(fr + 6, (uint8_t[]){ 2, 0, 0, 0, 0, 0x31 }, 6);
	fr[12] = 0x88;
	fr[13] = 0xb5;
	memset(&E, 0, sizeof(E));
	forward_frame(&fc, 1, fr, 60, alt, S);
	ok(E.n == 1 && E.port[0] == 2, "broadcast skips the discarding port");
	memset(&E, 0, sizeof(E));
	fr[11] = 0x33;
	forward_frame(&fc, 3, fr, 60, alt, S);
	ok(E.n == 0 && fc.st.blocked == 1, "ingress on a discarding port dropped");
	ok(fdb_lookup(&fdb, (uint8_t[]){ 2, 0, 0, 0, 0, 0x33 }, 0, S) == FDB_NONE,
	   "and not learned");
	fstp_free(&f);
	fdb_free(&fdb);
	port_table_free(&pt);
}

int main(void)
{
	test_join_and_encoding();
	test_fast_protocol();
	test_port_loss_edge_hist();
	test_forward();
	return tap_done();
}
