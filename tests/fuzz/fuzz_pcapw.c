// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_pcapw.c - the pcap/pcapng encoder against its own reader
 *
 * The input is a script: byte 0 picks the format, bytes 1-4 the snaplen,
 * then operations: 0 = interface (name), 1 = frame (direction, interface,
 * 64-bit timestamp, length up to 70000, comment length, extra original
 * length, comment), 2 = statistics block.
 * Every block is sized, written into a buffer with guard bytes, and the
 * whole file is then re-parsed by the small reader below, which checks
 * block lengths (both copies, multiples of 4), option lists, padding, and
 * that each field reads back as written: captured = min(length, snaplen),
 * original length, timestamp, interface, direction, comment, data bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcapw.h"

#define OUTMAX		(1 << 20)
#define MAXOPS		64
#define FRAMEMAX	70000

static uint8_t out[OUTMAX + 16];
static uint8_t pattern[FRAMEMAX];

struct expect {
	int kind;			/* 0 idb, 1 frame, 2 isb */
	struct pcapw_pkt p;
	char comment[300];
	char name[300];
	uint64_t recv, drop;
};

static struct expect ex[MAXOPS];

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static uint32_t g32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Walk an option list in [p, end): every option inside, padded, ended by
 * opt_endofopt exactly at the end. Calls back per option. */
static void walk_opts(const uint8_t *p, const uint8_t *end, void (*cb)(void *, uint16_t,
		      const uint8_t *, size_t), void *arg)
{
	if (p == end)
		return;
	for (;;) {
		uint16_t code, len;
		size_t padded;

		CHECK(end - p >= 4);
		code = g16(p);
		len = g16(p + 2);
		if (code == 0) {
			CHECK(len == 0 && p + 4 == end);
			return;
		}
		padded = ((size_t)len + 3) & ~(size_t)3;
		CHECK((size_t)(end - p - 4) >= padded);
		for (size_t i = len; i < padded; i++)
			CHECK(p[4 + i] == 0);
		cb(arg, code, p + 4, len);
		p += 4 + padded;
	}
}

struct epb_seen {
	int has_flags;
	uint32_t flags;
	const uint8_t *comment;
	size_t clen;
	int has_name;
	const uint8_t *name;
	size_t nlen;
	uint64_t recv, drop;
};

static void epb_opt(void *arg, uint16_t code, const uint8_t *v, size_t len)
{
	struct epb_seen *s = arg;

	if (code == 2) {
		CHECK(len == 4 && !s->has_flags);
		s->has_flags = 1;
		s->flags = g32(v);
	} else if (code == 1) {
		CHECK(!s->comment);
		s->comment = v;
		s->clen = len;
	} else {
		CHECK(0);
	}
}

static void idb_opt(void *arg, uint16_t code, const uint8_t *v, size_t len)
{
	struct epb_seen *s = arg;

	if (code == 2) {
		s->has_name = 1;
		s->name = v;
		s->nlen = len;
	} else if (code == 9) {
		CHECK(len == 1 && v[0] == 9);
	} else {
		CHECK(code == 3);
	}
}

static void isb_opt(void *arg, uint16_t code, const uint8_t *v, size_t len)
{
	struct epb_seen *s = arg;
	uint64_t x;

	CHECK(len == 8 && (code == 4 || code == 5));
	x = (uint64_t)g32(v) | (uint64_t)g32(v + 4) << 32;
	if (code == 4)
		s->recv = x;
	else
		s->drop = x;
}

static void check_frame(const struct expect *e, uint32_t snaplen, const uint8_t *data,
			uint32_t cap, uint32_t orig)
{
	size_t want = e->p.len;

	if (snaplen && want > snaplen)
		want = snaplen;
	CHECK(cap == want && orig == (e->p.orig_len ? e->p.orig_len : e->p.len));
	CHECK(!memcmp(data, e->p.data, cap));
}

static void reparse_pcapng(const uint8_t *b, size_t len, size_t nops, uint32_t snaplen)
{
	size_t off, i = 0;
	uint32_t nifs = 0;

	CHECK(len >= 28 && g32(b) == PCAPNG_BT_SHB && g32(b + 8) == PCAPNG_BYTE_ORDER);
	off = g32(b + 4);
	for (; off < len; i++) {
		const uint8_t *p = b + off;
		uint32_t type, blen;
		struct epb_seen s = { 0 };

		CHECK(len - off >= 12);
		type = g32(p);
		blen = g32(p + 4);
		CHECK(blen % 4 == 0 && blen >= 12 && blen <= len - off);
		CHECK(g32(p + blen - 4) == blen);
		CHECK(i < nops);
		if (type == PCAPNG_BT_IDB) {
			CHECK(ex[i].kind == 0 && blen >= 20);
			CHECK(g16(p + 8) == PCAPW_LINKTYPE_ETHERNET && g32(p + 12) == snaplen);
			walk_opts(p + 16, p + blen - 4, idb_opt, &s);
			CHECK(s.has_name == (ex[i].name[0] != 0));
			CHECK(!s.has_name || (s.nlen == strlen(ex[i].name) &&
					      !memcmp(s.name, ex[i].name, s.nlen)));
			nifs++;
		} else if (type == PCAPNG_BT_EPB) {
			uint32_t cap, orig;
			uint64_t ts;

			CHECK(ex[i].kind == 1 && blen >= 32);
			CHECK(g32(p + 8) == ex[i].p.ifid);
			ts = (uint64_t)g32(p + 12) << 32 | g32(p + 16);
			CHECK(ts == ex[i].p.ts_ns);
			cap = g32(p + 20);
			orig = g32(p + 24);
			CHECK(cap <= blen - 32 && ((cap + 3) & ~3U) <= blen - 32);
			check_frame(&ex[i], snaplen, p + 28, cap, orig);
			for (uint32_t k = cap; k < ((cap + 3) & ~3U); k++)
				CHECK(p[28 + k] == 0);
			walk_opts(p + 28 + ((cap + 3) & ~3U), p + blen - 4, epb_opt, &s);
			CHECK(s.has_flags == (ex[i].p.dir != PCAPW_DIR_NONE));
			CHECK(!s.has_flags || s.flags == (uint32_t)ex[i].p.dir);
			CHECK((s.comment != NULL) == (ex[i].comment[0] != 0));
			CHECK(!s.comment || (s.clen == strlen(ex[i].comment) &&
					     !memcmp(s.comment, ex[i].comment, s.clen)));
		} else {
			CHECK(type == PCAPNG_BT_ISB && ex[i].kind == 2 && blen >= 24);
			walk_opts(p + 20, p + blen - 4, isb_opt, &s);
			CHECK(s.recv == ex[i].recv && s.drop == ex[i].drop);
		}
		off += blen;
	}
	CHECK(off == len && i == nops);
	(void)nifs;
}

static void reparse_pcap(const uint8_t *b, size_t len, size_t nops, uint32_t snaplen)
{
	size_t off = 24, i;

	CHECK(len >= 24 && g32(b) == PCAP_MAGIC_US && g32(b + 16) == snaplen);
	for (i = 0; i < nops; i++) {
		uint32_t cap, orig;

		if (ex[i].kind != 1)
			continue;
		CHECK(len - off >= 16);
		CHECK(g32(b + off) == (uint32_t)(ex[i].p.ts_ns / 1000000000U));
		CHECK(g32(b + off + 4) == (uint32_t)(ex[i].p.ts_ns % 1000000000U / 1000U));
		cap = g32(b + off + 8);
		orig = g32(b + off + 12);
		CHECK(cap <= len - off - 16);
		check_frame(&ex[i], snaplen, b + off + 16, cap, orig);
		off += 16 + cap;
	}
	CHECK(off == len);
}

/* Append one block of @need bytes with guard checks; 0 if it does not fit. */
static size_t put_block(size_t off, size_t need, size_t got)
{
	CHECK(got == need);
	for (int k = 0; k < 16; k++)
		CHECK(out[off + need + (size_t)k] == 0xee || off + need + (size_t)k >= OUTMAX);
	return need;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum pcapw_format fmt;
	uint32_t snaplen;
	size_t pos = 5, off, n, nops = 0;

	if (size < 5)
		return 0;
	for (size_t k = 0; k < sizeof(pattern); k++)
		pattern[k] = (uint8_t)(k * 31 + 7);
	fmt = data[0] & 1 ? PCAPW_PCAPNG : PCAPW_PCAP;
	snaplen = g32(data + 1);
	if (fmt == PCAPW_PCAP && snaplen == 0)
		CHECK(pcapw_header(fmt, snaplen, NULL, out, OUTMAX) == 0);
	if (fmt == PCAPW_PCAP && snaplen == 0)
		return 0;
	memset(out, 0xee, sizeof(out));
	n = pcapw_header(fmt, snaplen, "fuzz", NULL, 0);
	CHECK(n && n < OUTMAX);
	off = put_block(0, n, pcapw_header(fmt, snaplen, "fuzz", out, OUTMAX));
	while (pos < size && nops < MAXOPS) {
		struct expect *e = &ex[nops];
		uint8_t op = data[pos++] % 3;
		size_t l;

		memset(e, 0, sizeof(*e));
		e->kind = op;
		if (op == 0) {
			l = pos < size ? data[pos++] : 0;
			if (l > size - pos)
				l = size - pos;
			memcpy(e->name, data + pos, l);
			e->name[l] = '\0';
			pos += l;
			if (fmt != PCAPW_PCAPNG)
				continue;
			n = pcapw_idb(snaplen, e->name, "d", NULL, 0);
			CHECK(n);
			if (off + n > OUTMAX)
				break;
			off += put_block(off, n, pcapw_idb(snaplen, e->name, "d", out + off,
							   OUTMAX - off));
		} else if (op == 1) {
			uint8_t h[16] = { 0 };

			l = size - pos < sizeof(h) ? size - pos : sizeof(h);
			memcpy(h, data + pos, l);
			pos += l;
			e->p.dir = (enum pcapw_dir)(h[0] % 4);
			e->p.ifid = h[1];
			memcpy(&e->p.ts_ns, h + 2, 8);
			e->p.len = ((size_t)h[10] | (size_t)h[11] << 8 | (size_t)(h[12] & 1) << 16);
			if (e->p.len > FRAMEMAX)
				e->p.len = FRAMEMAX;
			e->p.data = pattern;
			/* a copy cut short: the original is longer */
			if (h[14] | h[15])
				e->p.orig_len = e->p.len + ((size_t)h[14] | (size_t)h[15] << 8);
			l = h[13];
			if (l > size - pos)
				l = size - pos;
			memcpy(e->comment, data + pos, l);
			e->comment[l] = '\0';
			pos += l;
			e->p.comment = e->comment;
			n = pcapw_record(fmt, snaplen, &e->p, NULL, 0);
			if (e->p.dir == 3) {
				CHECK(n == 0);
				continue;
			}
			CHECK(n);
			if (off + n > OUTMAX)
				break;
			off += put_block(off, n, pcapw_record(fmt, snaplen, &e->p, out + off,
							      OUTMAX - off));
		} else {
			uint8_t h[16] = { 0 };

			l = size - pos < sizeof(h) ? size - pos : sizeof(h);
			memcpy(h, data + pos, l);
			pos += l;
			memcpy(&e->recv, h, 8);
			memcpy(&e->drop, h + 8, 8);
			if (fmt != PCAPW_PCAPNG)
				continue;
			n = pcapw_isb(0, 1, e->recv, e->drop, NULL, 0);
			if (off + n > OUTMAX)
				break;
			off += put_block(off, n, pcapw_isb(0, 1, e->recv, e->drop, out + off,
							   OUTMAX - off));
		}
		nops++;
	}
	if (fmt == PCAPW_PCAPNG)
		reparse_pcapng(out, off, nops, snaplen);
	else
		reparse_pcap(out, off, nops, snaplen);
	return 0;
}
