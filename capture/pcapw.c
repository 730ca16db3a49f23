// SPDX-License-Identifier: GPL-2.0-or-later
/* capture/pcapw.c - pure pcap and pcapng block encoder (see pcapw.h)
 *
 * Each block is sized first (every length checked against the 32-bit
 * fields before any arithmetic that could wrap), then written only if the
 * caller's buffer holds it.
 */
#include "config.h"

#include "pcapw.h"

#include <stdio.h>
#include <string.h>

#define OPT_ENDOFOPT	0
#define OPT_COMMENT	1
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_DESCRIPTION	3
#define IF_TSRESOL	9
#define EPB_FLAGS	2
#define ISB_IFRECV	4
#define ISB_IFDROP	5

#define BLOCK_MAX	0xfffffff0U	/* block lengths are u32, multiples of 4 */

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Bytes of a string option (header + padded value), 0 for none; sets *bad
 * when the string is too long for the 16-bit option length. */
static size_t str_opt_len(const char *s, int *bad)
{
	size_t n;

	if (!s || !s[0])
		return 0;
	n = strnlen(s, PCAPW_STRMAX + 1);
	if (n > PCAPW_STRMAX) {
		*bad = 1;
		return 0;
	}
	return 4 + pad4(n);
}

/* Write option @code with @len value bytes at @p; returns bytes written. */
static size_t put_opt(uint8_t *p, uint16_t code, const void *val, size_t len)
{
	size_t padded = pad4(len);

	put16(p, code);
	put16(p + 2, (uint16_t)len);
	memcpy(p + 4, val, len);
	memset(p + 4 + len, 0, padded - len);
	return 4 + padded;
}

static size_t put_str_opt(uint8_t *p, uint16_t code, const char *s)
{
	if (!s || !s[0])
		return 0;
	return put_opt(p, code, s, strlen(s));
}

static size_t put_u64_opt(uint8_t *p, uint16_t code, uint64_t v)
{
	uint8_t le[8];

	put32(le, (uint32_t)v);
	put32(le + 4, (uint32_t)(v >> 32));
	return put_opt(p, code, le, sizeof(le));
}

/* Block trailer: end of options (if any were written), total length. */
static void block_close(uint8_t *buf, size_t total, size_t off, int has_opts)
{
	if (has_opts) {
		put16(buf + off, OPT_ENDOFOPT);
		put16(buf + off + 2, 0);
	}
	put32(buf + 4, (uint32_t)total);
	put32(buf + total - 4, (uint32_t)total);
}

size_t pcapw_header(enum pcapw_format fmt, uint32_t snaplen, const char *appl,
		    uint8_t *buf, size_t size)
{
	size_t total, off, olen;
	int bad = 0;

	if (fmt == PCAPW_PCAP) {
		if (snaplen == 0)
			return 0;
		if (size < 24 || !buf)
			return 24;
		put32(buf, PCAP_MAGIC_US);
		put16(buf + 4, 2);
		put16(buf + 6, 4);
		put32(buf + 8, 0);		/* thiszone: UTC */
		put32(buf + 12, 0);		/* sigfigs */
		put32(buf + 16, snaplen);
		put32(buf + 20, PCAPW_LINKTYPE_ETHERNET);
		return 24;
	}
	if (fmt != PCAPW_PCAPNG)
		return 0;
	olen = str_opt_len(appl, &bad);
	if (bad)
		return 0;
	/* type, length, byte-order magic, version, section length, options */
	total = 4 + 4 + 4 + 4 + 8 + olen + (olen ? 4 : 0) + 4;
	if (size < total || !buf)
		return total;
	put32(buf, PCAPNG_BT_SHB);
	put32(buf + 8, PCAPNG_BYTE_ORDER);
	put16(buf + 12, 1);
	put16(buf + 14, 0);
	put32(buf + 16, 0xffffffffU);		/* section length: unknown (-1) */
	put32(buf + 20, 0xffffffffU);
	off = 24 + put_str_opt(buf + 24, SHB_USERAPPL, appl);
	block_close(buf, total, off, olen != 0);
	return total;
}

size_t pcapw_idb(uint32_t snaplen, const char *name, const char *descr,
		 uint8_t *buf, size_t size)
{
	size_t total, off, olen;
	uint8_t resol = 9;		/* 10^-9 s */
	int bad = 0;

	olen = str_opt_len(name, &bad) + str_opt_len(descr, &bad) + 4 + 4;
	if (bad)
		return 0;
	total = 4 + 4 + 2 + 2 + 4 + olen + 4 + 4;
	if (size < total || !buf)
		return total;
	put32(buf, PCAPNG_BT_IDB);
	put16(buf + 8, PCAPW_LINKTYPE_ETHERNET);
	put16(buf + 10, 0);
	put32(buf + 12, snaplen);
	off = 16;
	off += put_str_opt(buf + off, IF_NAME, name);
	off += put_str_opt(buf + off, IF_DESCRIPTION, descr);
	off += put_opt(buf + off, IF_TSRESOL, &resol, 1);
	block_close(buf, total, off, 1);
	return total;
}

static size_t orig_of(const struct pcapw_pkt *p)
{
	return p->orig_len ? p->orig_len : p->len;
}

static size_t pcap_record(uint32_t snaplen, const struct pcapw_pkt *p, uint8_t *buf,
			  size_t size)
{
	size_t cap = p->len;
	uint64_t sec = p->ts_ns / 1000000000U;

	if (snaplen && cap > snaplen)
		cap = snaplen;
	if (orig_of(p) > 0xffffffffU || cap > BLOCK_MAX - 16)
		return 0;
	if (size < 16 + cap || !buf)
		return 16 + cap;
	put32(buf, (uint32_t)sec);		/* wraps in 2106, as every pcap does */
	put32(buf + 4, (uint32_t)(p->ts_ns % 1000000000U / 1000U));
	put32(buf + 8, (uint32_t)cap);
	put32(buf + 12, (uint32_t)orig_of(p));
	if (cap)
		memcpy(buf + 16, p->data, cap);
	return 16 + cap;
}

static size_t pcapng_epb(uint32_t snaplen, const struct pcapw_pkt *p, uint8_t *buf,
			 size_t size)
{
	size_t cap = p->len, olen, total, off;
	uint8_t flags[4];
	int bad = 0;

	if (snaplen && cap > snaplen)
		cap = snaplen;
	if (orig_of(p) > 0xffffffffU || cap > BLOCK_MAX - 1024 - PCAPW_STRMAX)
		return 0;
	olen = str_opt_len(p->comment, &bad) + (p->dir != PCAPW_DIR_NONE ? 8 : 0);
	if (bad)
		return 0;
	/* type, length, interface, ts high, ts low, caplen, origlen, data,
	 * options (+ end of options), length */
	total = 28 + pad4(cap) + olen + (olen ? 4 : 0) + 4;
	if (size < total || !buf)
		return total;
	put32(buf, PCAPNG_BT_EPB);
	put32(buf + 8, p->ifid);
	put32(buf + 12, (uint32_t)(p->ts_ns >> 32));
	put32(buf + 16, (uint32_t)p->ts_ns);
	put32(buf + 20, (uint32_t)cap);
	put32(buf + 24, (uint32_t)orig_of(p));
	if (cap)
		memcpy(buf + 28, p->data, cap);
	memset(buf + 28 + cap, 0, pad4(cap) - cap);
	off = 28 + pad4(cap);
	if (p->dir != PCAPW_DIR_NONE) {
		put32(flags, (uint32_t)p->dir);
		off += put_opt(buf + off, EPB_FLAGS, flags, 4);
	}
	off += put_str_opt(buf + off, OPT_COMMENT, p->comment);
	block_close(buf, total, off, olen != 0);
	return total;
}

size_t pcapw_record(enum pcapw_format fmt, uint32_t snaplen, const struct pcapw_pkt *p,
		    uint8_t *buf, size_t size)
{
	if (!p || (p->len && !p->data) || (p->orig_len && p->orig_len < p->len))
		return 0;
	if (p->dir != PCAPW_DIR_NONE && p->dir != PCAPW_DIR_IN && p->dir != PCAPW_DIR_OUT)
		return 0;
	if (fmt == PCAPW_PCAP)
		return pcap_record(snaplen, p, buf, size);
	if (fmt == PCAPW_PCAPNG)
		return pcapng_epb(snaplen, p, buf, size);
	return 0;
}

size_t pcapw_isb(uint32_t ifid, uint64_t ts_ns, uint64_t recv, uint64_t drop,
		 uint8_t *buf, size_t size)
{
	/* type, length, interface, ts high, ts low, 2 u64 options, end, length */
	const size_t total = 20 + 12 + 12 + 4 + 4;
	size_t off;

	if (size < total || !buf)
		return total;
	put32(buf, PCAPNG_BT_ISB);
	put32(buf + 8, ifid);
	put32(buf + 12, (uint32_t)(ts_ns >> 32));
	put32(buf + 16, (uint32_t)ts_ns);
	off = 20;
	off += put_u64_opt(buf + off, ISB_IFRECV, recv);
	off += put_u64_opt(buf + off, ISB_IFDROP, drop);
	block_close(buf, total, off, 1);
	return total;
}

int pcapw_file_name(char *out, size_t size, const char *base, unsigned idx, unsigned nfiles)
{
	int digits = 0, n;
	unsigned x = nfiles ? nfiles - 1 : 0;

	while (x) {
		digits++;
		x /= 10;
	}
	if (idx == 0 && digits == 0)
		n = snprintf(out, size, "%s", base);
	else
		n = snprintf(out, size, "%s%0*u", base, digits, idx);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
