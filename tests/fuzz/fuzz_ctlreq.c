// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_ctlreq.c - fuzz the switch control request parser
 *
 * Invariants: a parse is deterministic; a refusal leaves the request
 * zeroed; an accepted request has version 1 or 3, type 0/1, a NUL-terminated
 * absolute path of at most 108 bytes, a printable description of at most
 * 128 bytes, a port of 0 for v1, and a length that fits its layout; every
 * strict prefix shorter than the header is refused.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request r, r2, zero;
	size_t i, hdr, pl, dl;
	int ret = ctl_parse_request(data, size, &r);

	memset(&zero, 0, sizeof(zero));
	if (ctl_parse_request(data, size, &r2) != ret || memcmp(&r, &r2, sizeof(r)))
		abort();
	if (ret != CTL_OK) {
		if (memcmp(&r, &zero, sizeof(r)))
			abort();
		return 0;
	}
	if (r.version != 1 && r.version != 3)
		abort();
	if (r.type != CTL_REQ_NEW_CONTROL && r.type != CTL_REQ_NEW_PORT0)
		abort();
	if (r.version == 1 && r.port != 0)
		abort();
	hdr = r.version == 3 ? CTL_V3_HDR : CTL_V1_HDR;
	if (size < hdr || size > hdr + CTL_DESCR_MAX)
		abort();
	pl = strnlen(r.path, sizeof(r.path));
	dl = strnlen(r.descr, sizeof(r.descr));
	if (pl == 0 || pl > CTL_PATH_MAX || r.path[0] != '/')
		abort();
	if (dl > CTL_DESCR_MAX || dl > size - hdr)
		abort();
	for (i = 0; i < dl; i++)
		if (r.descr[i] < 0x20 || r.descr[i] > 0x7e)
			abort();
	if (memcmp(r.path, data + hdr - CTL_SUN_LEN + 2, pl))
		abort();
	for (i = 0; i < hdr; i++)
		if (ctl_parse_request(data, i, &r2) == CTL_OK)
			abort();
	return 0;
}
