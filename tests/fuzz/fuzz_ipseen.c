// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_ipseen.c - fuzz iplog's pure core (switch/ipseen.c)
 *
 * Input: a range text up to the first newline, then a frame. Invariants:
 * parsing is deterministic and a parsed range has a length of 4 or 16,
 * a prefix within it and no host bit set; classifying the frame reads only
 * its bytes (ASan) and, when it records something, points inside the frame
 * at an address that the range covers; a recorded address is found by
 * lookup, a second sighting on the same port is not new, and expiry and
 * port removal empty the table.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipseen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct ipseen_range r, r2;
	struct ipseen_frame f;
	struct ipseen t;
	const struct ipseen_entry *e;
	char text[128];
	size_t tl, i, flen;
	uint8_t *frame;

	if (!nl)
		return 0;
	tl = (size_t)(nl - data);
	if (tl >= sizeof(text))
		return 0;
	memcpy(text, data, tl);
	text[tl] = '\0';
	if (ipseen_parse(text, &r) < 0)
		return 0;
	if (ipseen_parse(text, &r2) < 0 || memcmp(&r, &r2, sizeof(r)))
		abort();
	if ((r.len != 4 && r.len != 16) || r.bits > r.len * 8)
		abort();
	for (i = r.bits; i < (size_t)r.len * 8; i++)
		if (r.addr[i / 8] & (0x80 >> (i % 8)))
			abort();
	ipseen_init(&t);
	if (ipseen_range_add(&t, &r) != 0)
		abort();
	/* the frame in a buffer of its exact size, so ASan sees any overread */
	flen = size - tl - 1;
	frame = malloc(flen ? flen : 1);
	if (!frame)
		abort();
	memcpy(frame, nl + 1, flen);
	ipseen_classify(&t, frame, flen, &f);
	if (f.len) {
		if ((f.len != 4 && f.len != 16) || f.len != r.len ||
		    f.addr < frame || f.addr + f.len > frame + flen ||
		    f.mac != frame + 6 || f.vlan > 4095)
			abort();
		e = ipseen_update(&t, &f, 7, 100);
		if (!e || t.n != 1 || ipseen_update(&t, &f, 7, 101))
			abort();
		e = ipseen_lookup(&t, f.addr, f.len);
		if (!e || memcmp(e->addr, f.addr, f.len) || e->port != 7)
			abort();
		ipseen_port_gone(&t, 8);
		if (t.n != 1)
			abort();
		ipseen_expire(&t, 101);
		if (t.n != 0)
			abort();
	}
	if (ipseen_range_del(&t, &r) != 0 || t.ranges)
		abort();
	ipseen_free(&t);
	free(frame);
	return 0;
}
