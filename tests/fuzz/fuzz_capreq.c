// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_capreq.c - the capture-port request, reply and per-frame
 * header decoders (capture/capreq.c) on hostile bytes
 *
 * The switch decodes requests from any local user and the client decodes
 * whatever arrives on its sockets. Oracles: never read out of bounds
 * (ASan), and whatever decodes re-encodes to something that decodes to the
 * same fields (request: port, VLAN, snaplen, socket path, description;
 * reply: path and header length; header: every field, and the frame offset
 * is the announced header length).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capreq.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[CAPREQ_SUN_LEN - 1], descr[CAPREQ_DESCR_MAX + 1];
	char path2[CAPREQ_SUN_LEN - 1], descr2[CAPREQ_DESCR_MAX + 1];
	uint8_t buf[CAPREQ_MAXLEN], rb[CAPREPLY_LEN], hb[CAPHDR_LEN];
	struct capreq r, r2;
	struct capreply rep, rep2;
	struct caphdr h, h2;
	size_t n, off;

	if (capreq_decode(data, size, &r, path, descr) == 0) {
		CHECK(r.port <= CAPREQ_PORT_MAX);
		CHECK(r.vlan == CAPREQ_VLAN_ANY || r.vlan <= CAPREQ_VLAN_MAX);
		CHECK(path[0] == '/' && strlen(path) < CAPREQ_SUN_LEN - 2);
		CHECK(strlen(descr) <= CAPREQ_DESCR_MAX);
		n = capreq_encode(&r, buf);
		CHECK(n == CAPREQ_HDR + CAPREQ_BLOCK + strlen(descr));
		CHECK(capreq_decode(buf, n, &r2, path2, descr2) == 0);
		CHECK(r2.port == r.port && r2.vlan == r.vlan && r2.snaplen == r.snaplen);
		CHECK(!strcmp(path, path2) && !strcmp(descr, descr2));
	}
	if (size >= CAPREPLY_LEN && capreply_parse(data, CAPREPLY_LEN, &rep) == 0) {
		CHECK(rep.hdrlen >= CAPHDR_LEN && rep.path[0] == '/');
		CHECK(capreply_encode(rep.path, rb) == CAPREPLY_LEN);
		CHECK(capreply_parse(rb, sizeof(rb), &rep2) == 0 && !strcmp(rep.path, rep2.path));
	}
	if (size >= 1) {
		size_t hdrlen = CAPHDR_LEN + (data[0] & 15);

		off = caphdr_parse(data + 1, size - 1, hdrlen, &h);
		if (off) {
			CHECK(off == hdrlen && size - 1 - off <= h.orig_len);
			caphdr_encode(&h, hb);
			CHECK(!memcmp(hb, data + 1, CAPHDR_LEN));
			CHECK(caphdr_parse(hb, sizeof(hb), CAPHDR_LEN, &h2) == CAPHDR_LEN);
			CHECK(h2.seq == h.seq && h2.port == h.port && h2.ts_ns == h.ts_ns &&
			      h2.dir == h.dir && h2.vlan == h.vlan);
		}
	}
	return 0;
}
