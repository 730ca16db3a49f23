// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_capreq.c - the capture-port request, reply and per-frame
 * header bytes (docs/capture.md), both ends, and what VDE 2's parser sees */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "capreq.h"
#include "tap.h"

static void test_request(void)
{
	struct capreq r = { .port = 3, .vlan = 10, .snaplen = 96, .sockpath = "/tmp/sw/.c",
			    .descr = "vdecapture" }, d;
	uint8_t b[CAPREQ_MAXLEN], big[300];
	char path[CAPREQ_SUN_LEN - 1], descr[CAPREQ_DESCR_MAX + 1], longd[200];
	size_t n = capreq_encode(&r, b);
	uint16_t fam;

	ok(n == 130 + 10, "request length: 122 + 8 + description");
	ok(!memcmp(b, "\xce\xfa\xed\xfe\x03\x00\x00\x00\x02\x03\x00\x00", 12),
	   "magic, version 3, type 2 | port 3 << 8");
	memcpy(&fam, b + 12, 2);
	ok(fam == AF_UNIX && !strcmp((char *)b + 14, "/tmp/sw/.c"), "sockaddr_un of the client");
	ok(!memcmp(b + 122, "\x01\x00\x0a\x00\x60\x00\x00\x00", 8),
	   "capture block: version 1, vlan 10, snaplen 96");
	ok(!memcmp(b + 130, "vdecapture", 10), "description without NUL");
	ok(capreq_decode(b, n, &d, path, descr) == 0 && d.port == 3 && d.vlan == 10 &&
	   d.snaplen == 96 && !strcmp(d.sockpath, "/tmp/sw/.c") && !strcmp(d.descr, "vdecapture"),
	   "decode round trip");
	r.port = 0;
	r.vlan = CAPREQ_VLAN_ANY;
	n = capreq_encode(&r, b);
	ok(b[9] == 0 && b[10] == 0 && b[11] == 0 && b[124] == 0xff && b[125] == 0xff,
	   "every port, every VLAN");
	memset(longd, 'x', sizeof(longd) - 1);
	longd[sizeof(longd) - 1] = '\0';
	r.descr = longd;
	ok(capreq_encode(&r, b) == CAPREQ_MAXLEN && CAPREQ_MAXLEN == 250,
	   "description cut at 120: 250 bytes, the v3 maximum");
	r.descr = NULL;
	ok(capreq_encode(&r, b) == 130, "no description");
	r.port = CAPREQ_PORT_MAX + 1;
	ok(capreq_encode(&r, b) == 0, "port beyond 24 bits refused");
	r.port = 1;
	r.vlan = 4096;
	ok(capreq_encode(&r, b) == 0, "VLAN 4096 refused");
	r.vlan = 1;
	r.sockpath = "relative";
	ok(capreq_encode(&r, b) == 0, "relative socket path refused");
	r.sockpath = "/tmp/sw/.c";
	n = capreq_encode(&r, b);

	/* the switch side refuses what is not a capture request */
	ok(capreq_decode(b, 129, &d, path, descr) == -1, "short request");
	memset(big, 0, sizeof(big));
	memcpy(big, b, n);
	ok(capreq_decode(big, 251, &d, path, descr) == -1, "long request");
	b[8] = 0;
	ok(capreq_decode(b, n, &d, path, descr) == -1, "type 0 (an ordinary port) is not capture");
	b[8] = 2;
	b[4] = 1;
	ok(capreq_decode(b, n, &d, path, descr) == -1, "version 1");
	b[4] = 3;
	b[122] = 2;
	ok(capreq_decode(b, n, &d, path, descr) == -1, "capture block version 2");
	b[122] = 1;
	b[124] = 0x00;
	b[125] = 0x10;
	ok(capreq_decode(b, n, &d, path, descr) == -1, "VLAN 4096 in the block");
	b[125] = 0;
	b[14] = 'x';
	ok(capreq_decode(b, n, &d, path, descr) == -1, "relative path");
	b[14] = '/';
	memset(b + 14, 'a', 108);
	ok(capreq_decode(b, n, &d, path, descr) == -1, "unterminated path");
	r.descr = "vdecapture";
	n = capreq_encode(&r, b);
	b[130] = 0x07;
	ok(capreq_decode(b, n, &d, path, descr) == 0 && descr[0] == '?',
	   "control character in the description replaced");
}

static void test_reply(void)
{
	uint8_t b[CAPREPLY_LEN];
	struct capreply rep;

	ok(capreply_encode("/tmp/sw/005", b) == CAPREPLY_LEN, "reply: 118 bytes");
	ok(!memcmp(b + 110, "VCAP\x01\x00\x18\x00", 8), "ack: VCAP, version 1, header 24");
	ok(capreply_parse(b, sizeof(b), &rep) == 0 && !strcmp(rep.path, "/tmp/sw/005") &&
	   rep.hdrlen == 24 && rep.version == 1, "reply parsed");
	ok(capreply_parse(b, 110, &rep) == -1, "a bare sockaddr_un (ordinary port) is refused");
	b[110] = 'X';
	ok(capreply_parse(b, sizeof(b), &rep) == -1, "no VCAP");
	b[110] = 'V';
	b[116] = 23;
	ok(capreply_parse(b, sizeof(b), &rep) == -1, "header shorter than 24");
	b[116] = 32;
	ok(capreply_parse(b, sizeof(b), &rep) == 0 && rep.hdrlen == 32,
	   "a longer header (a later version's extra fields) is accepted");
	b[114] = 2;
	ok(capreply_parse(b, sizeof(b), &rep) == -1, "version 2");
	ok(capreply_encode("rel", b) == 0, "relative path refused");
}

static void test_header(void)
{
	struct caphdr h = { .dir = CAPHDR_OUT, .vlan = 5, .port = 0x010203, .seq = 0xfffffffe,
			    .orig_len = 60, .ts_ns = 0x0102030405060708ULL }, g;
	static const uint8_t want[24] = {
		1, 2, 5, 0, 3, 2, 1, 0, 0xfe, 0xff, 0xff, 0xff, 60, 0, 0, 0,
		8, 7, 6, 5, 4, 3, 2, 1,
	};
	uint8_t b[100];

	memset(b, 0, sizeof(b));
	caphdr_encode(&h, b);
	ok(!memcmp(b, want, 24), "per-frame header bytes");
	ok(caphdr_parse(b, 24 + 60, 24, &g) == 24 && g.dir == CAPHDR_OUT && g.vlan == 5 &&
	   g.port == 0x010203 && g.seq == 0xfffffffe && g.orig_len == 60 &&
	   g.ts_ns == 0x0102030405060708ULL, "header round trip");
	ok(caphdr_parse(b, 24 + 20, 24, &g) == 24, "copy cut to a snaplen (20 of 60)");
	ok(caphdr_parse(b, 24 + 61, 24, &g) == 0, "more bytes than the original length");
	ok(caphdr_parse(b, 23, 24, &g) == 0, "short datagram");
	ok(caphdr_parse(b, 32 + 60, 32, &g) == 32, "longer announced header: frame at 32");
	b[1] = 3;
	ok(caphdr_parse(b, 84, 24, &g) == 0, "direction 3");
	b[1] = 1;
	b[0] = 2;
	ok(caphdr_parse(b, 84, 24, &g) == 0, "header version 2");
}

int main(void)
{
	test_request();
	test_reply();
	test_header();
	return tap_done();
}
