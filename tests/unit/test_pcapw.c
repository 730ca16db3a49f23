// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_pcapw.c - pcap and pcapng bytes against hand-computed
 * blocks: headers, records, snaplen, options and their padding, block
 * lengths, the size contract, tcpdump's rotated file names */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "pcapw.h"
#include "tap.h"

static const uint8_t frame3[3] = { 0xaa, 0xbb, 0xcc };

static int same(const uint8_t *a, const uint8_t *b, size_t n, size_t got)
{
	return got == n && !memcmp(a, b, n);
}

static void test_pcap(void)
{
	static const uint8_t hdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};
	static const uint8_t rec[19] = {
		0x00, 0xf1, 0x53, 0x65,		/* 1700000000 s */
		0x40, 0xe2, 0x01, 0x00,		/* 123456 us */
		3, 0, 0, 0, 3, 0, 0, 0, 0xaa, 0xbb, 0xcc,
	};
	struct pcapw_pkt p = {
		.ts_ns = 1700000000ULL * 1000000000ULL + 123456789ULL,
		.data = frame3, .len = 3, .dir = PCAPW_DIR_IN, .comment = "ignored",
	};
	uint8_t b[64];
	size_t n;

	n = pcapw_header(PCAPW_PCAP, 65535, "x", b, sizeof(b));
	ok(same(hdr, b, sizeof(hdr), n), "pcap global header");
	ok(pcapw_header(PCAPW_PCAP, 0, NULL, b, sizeof(b)) == 0, "pcap snaplen 0 refused");
	n = pcapw_record(PCAPW_PCAP, 0, &p, b, sizeof(b));
	ok(same(rec, b, sizeof(rec), n), "pcap record (direction and comment not in pcap)");
	n = pcapw_record(PCAPW_PCAP, 2, &p, b, sizeof(b));
	ok(n == 18 && b[8] == 2 && b[12] == 3 && b[16] == 0xaa && b[17] == 0xbb,
	   "pcap snaplen 2: incl_len 2, orig_len 3");
	memset(b, 0x5a, sizeof(b));
	n = pcapw_record(PCAPW_PCAP, 0, &p, b, 18);
	ok(n == 19 && b[0] == 0x5a, "too small a buffer: size returned, nothing written");
	ok(pcapw_record(PCAPW_PCAP, 0, &p, NULL, 0) == 19, "sizing call");
	p.len = 0;
	p.data = NULL;
	ok(pcapw_record(PCAPW_PCAP, 0, &p, b, sizeof(b)) == 16, "empty frame: header only");
	p.len = 5;
	ok(pcapw_record(PCAPW_PCAP, 0, &p, b, sizeof(b)) == 0, "NULL data with a length refused");
}

static void test_shb(void)
{
	static const uint8_t shb[40] = {
		0x0a, 0x0d, 0x0d, 0x0a, 40, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		4, 0, 2, 0, 'a', 'b', 0, 0,	/* shb_userappl "ab", padded */
		0, 0, 0, 0,			/* opt_endofopt */
		40, 0, 0, 0,
	};
	static const uint8_t bare[28] = {
		0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
	};
	uint8_t b[64];
	size_t n;

	n = pcapw_header(PCAPW_PCAPNG, 0, "ab", b, sizeof(b));
	ok(same(shb, b, sizeof(shb), n), "pcapng SHB with shb_userappl");
	n = pcapw_header(PCAPW_PCAPNG, 0, NULL, b, sizeof(b));
	ok(same(bare, b, sizeof(bare), n), "pcapng SHB without options: no opt_endofopt");
	n = pcapw_header(PCAPW_PCAPNG, 0, "abcd", b, sizeof(b));
	ok(n == 40 && b[30] == 'c' && b[31] == 'd', "4-byte option value: no padding");
	n = pcapw_header(PCAPW_PCAPNG, 0, "abcde", b, sizeof(b));
	ok(n == 44 && b[32] == 'e' && b[33] == 0 && b[35] == 0 && b[36] == 0 && b[40] == 44,
	   "5-byte option value: 3 bytes of padding");
	ok(pcapw_header((enum pcapw_format)7, 1, NULL, b, sizeof(b)) == 0, "unknown format");
}

static void test_idb(void)
{
	static const uint8_t idb[40] = {
		1, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		2, 0, 4, 0, 'e', 't', 'h', '0',	/* if_name */
		9, 0, 1, 0, 9, 0, 0, 0,		/* if_tsresol 9: ns */
		0, 0, 0, 0, 40, 0, 0, 0,
	};
	uint8_t b[96];
	size_t n;

	n = pcapw_idb(0, "eth0", NULL, b, sizeof(b));
	ok(same(idb, b, sizeof(idb), n), "IDB: if_name, if_tsresol, snaplen 0");
	n = pcapw_idb(1500, "eth0", "x", b, sizeof(b));
	ok(n == 48 && b[12] == 0xdc && b[13] == 0x05 && b[24] == 3 && b[26] == 1 &&
	   b[28] == 'x' && b[29] == 0 && b[44] == 48, "IDB with if_description, snaplen 1500");
}

static void test_epb(void)
{
	static const uint8_t epb[48] = {
		6, 0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0,
		1, 0, 0, 0, 2, 0, 0, 0,		/* ts high, low */
		3, 0, 0, 0, 3, 0, 0, 0,		/* captured, original */
		0xaa, 0xbb, 0xcc, 0,		/* data, padded */
		2, 0, 4, 0, 2, 0, 0, 0,		/* epb_flags: outbound */
		0, 0, 0, 0, 48, 0, 0, 0,
	};
	static const uint8_t plain[36] = {
		6, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0,
		4, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4, 36, 0, 0, 0,
	};
	static const uint8_t four[4] = { 1, 2, 3, 4 };
	struct pcapw_pkt p = {
		.ts_ns = 0x0000000100000002ULL, .ifid = 1, .dir = PCAPW_DIR_OUT,
		.data = frame3, .len = 3,
	};
	uint8_t b[128];
	size_t n;

	n = pcapw_record(PCAPW_PCAPNG, 0, &p, b, sizeof(b));
	ok(same(epb, b, sizeof(epb), n), "EPB: 64-bit ns timestamp, padding, epb_flags out");
	p = (struct pcapw_pkt){ .ts_ns = 7, .data = four, .len = 4 };
	n = pcapw_record(PCAPW_PCAPNG, 0, &p, b, sizeof(b));
	ok(same(plain, b, sizeof(plain), n), "EPB without options: no opt_endofopt");
	p = (struct pcapw_pkt){ .data = frame3, .len = 3, .dir = PCAPW_DIR_IN, .comment = "hi" };
	n = pcapw_record(PCAPW_PCAPNG, 0, &p, b, sizeof(b));
	ok(n == 56 && b[32] == 2 && b[36] == 1 && b[40] == 1 && b[42] == 2 &&
	   b[44] == 'h' && b[45] == 'i' && b[46] == 0 && b[48] == 0 && b[52] == 56,
	   "EPB: epb_flags inbound then opt_comment, lengths 56");
	n = pcapw_record(PCAPW_PCAPNG, 2, &p, b, sizeof(b));
	ok(n == 56 && b[20] == 2 && b[24] == 3 && b[28] == 0xaa && b[29] == 0xbb && b[30] == 0,
	   "EPB snaplen 2: captured 2, original 3, padded");
	p.orig_len = 100;
	n = pcapw_record(PCAPW_PCAPNG, 0, &p, b, sizeof(b));
	ok(n == 56 && b[20] == 3 && b[24] == 100, "EPB of a copy cut short: captured 3, original 100");
	n = pcapw_record(PCAPW_PCAP, 2, &p, b, sizeof(b));
	ok(n == 18 && b[8] == 2 && b[12] == 100, "pcap: snaplen 2 of a copy of 100");
	p.orig_len = 2;
	ok(pcapw_record(PCAPW_PCAPNG, 0, &p, b, sizeof(b)) == 0, "original shorter than the copy");
	p.orig_len = 0;
	p.dir = (enum pcapw_dir)3;
	ok(pcapw_record(PCAPW_PCAPNG, 0, &p, b, sizeof(b)) == 0, "direction 3 refused");
}

static void test_isb(void)
{
	static const uint8_t isb[52] = {
		5, 0, 0, 0, 52, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0,
		4, 0, 8, 0, 10, 0, 0, 0, 0, 0, 0, 0,	/* isb_ifrecv 10 */
		5, 0, 8, 0, 3, 0, 0, 0, 1, 0, 0, 0,	/* isb_ifdrop 2^32 + 3 */
		0, 0, 0, 0, 52, 0, 0, 0,
	};
	uint8_t b[64];
	size_t n = pcapw_isb(2, 9, 10, 0x100000003ULL, b, sizeof(b));

	ok(same(isb, b, sizeof(isb), n), "ISB: isb_ifrecv, isb_ifdrop (u64)");
}

static void test_names(void)
{
	char s[16];

	ok(!pcapw_file_name(s, sizeof(s), "f", 0, 0) && !strcmp(s, "f"), "-C: first file is FILE");
	ok(!pcapw_file_name(s, sizeof(s), "f", 1, 0) && !strcmp(s, "f1"), "-C: then FILE1");
	ok(!pcapw_file_name(s, sizeof(s), "f", 12, 0) && !strcmp(s, "f12"), "-C: FILE12");
	ok(!pcapw_file_name(s, sizeof(s), "f", 0, 3) && !strcmp(s, "f0"), "-W 3: f0");
	ok(!pcapw_file_name(s, sizeof(s), "f", 2, 3) && !strcmp(s, "f2"), "-W 3: f2");
	ok(!pcapw_file_name(s, sizeof(s), "f", 9, 10) && !strcmp(s, "f9"), "-W 10: one digit");
	ok(!pcapw_file_name(s, sizeof(s), "f", 3, 11) && !strcmp(s, "f03"), "-W 11: two digits");
	ok(!pcapw_file_name(s, sizeof(s), "f", 0, 1) && !strcmp(s, "f"), "-W 1: FILE itself");
	ok(pcapw_file_name(s, 4, "abcd", 0, 0) == -1, "name too long");
}

int main(void)
{
	test_pcap();
	test_shb();
	test_idb();
	test_epb();
	test_isb();
	test_names();
	return tap_done();
}
