// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_ctlreq.c - the switch control request parser (v3, v1,
 * every malformed shape from docs/protocol.md, "Control request") */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ctlreq.h"
#include "tap.h"

static size_t mk(uint8_t *b, uint32_t magic, uint32_t ver, uint32_t type, const char *path,
		 const char *descr)
{
	size_t n = 0, pl = strlen(path);

	memset(b, 0, 300);
	memcpy(b, &magic, 4);
	memcpy(b + 4, &ver, 4);
	memcpy(b + 8, &type, 4);
	b[12] = 1;
	memcpy(b + 14, path, pl > 108 ? 108 : pl);
	n = 122;
	memcpy(b + n, descr, strlen(descr));
	return n + strlen(descr);
}

static size_t mk1(uint8_t *b, uint32_t type, const char *path, const char *descr)
{
	uint32_t magic = CTL_MAGIC;

	memset(b, 0, 300);
	memcpy(b, &magic, 4);
	memcpy(b + 4, &type, 4);
	b[14] = 1;
	memcpy(b + 16, path, strlen(path));
	memcpy(b + 124, descr, strlen(descr));
	return 124 + strlen(descr);
}

int main(void)
{
	uint8_t b[300];
	struct ctl_request r;
	size_t n, i;
	char longp[200];

	/* the exact bytes of a Debian client for port 4 */
	n = mk(b, CTL_MAGIC, 3, 4 << 8, "/tmp/x/.123-00000", "t.c user=root PID=18897");
	ok(n == 145, "v3 request length 145 (%zu)", n);
	ok(b[0] == 0xce && b[1] == 0xfa && b[2] == 0xed && b[3] == 0xfe, "magic LE bytes");
	ok(b[8] == 0 && b[9] == 4, "type bytes 00 04");
	ok(ctl_parse_request(b, n, &r) == CTL_OK, "v3 parses");
	ok(r.version == 3 && r.port == 4 && r.type == CTL_REQ_NEW_CONTROL, "v3 fields");
	ok(!strcmp(r.path, "/tmp/x/.123-00000"), "path");
	ok(!strcmp(r.descr, "t.c user=root PID=18897"), "description");

	n = mk(b, CTL_MAGIC, 3, 1, "/a", "");
	ok(ctl_parse_request(b, n, &r) == CTL_OK && r.type == CTL_REQ_NEW_PORT0 && r.port == 0,
	   "REQ_NEW_PORT0, empty description");
	ok(r.descr[0] == 0, "empty description is empty");

	n = mk(b, CTL_MAGIC, 3, 0, "/a", "x");
	for (i = 0; i < 122; i++)
		ok(ctl_parse_request(b, i, &r) != CTL_OK, "truncated at %zu refused", i);
	ok(ctl_parse_request(b, 122, &r) == CTL_OK, "122 bytes (no description) ok");
	ok(ctl_parse_request(b, 3, &r) == CTL_ESHORT, "3 bytes: short");

	n = mk(b, 0xfeedfacf, 3, 0, "/a", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_EMAGIC, "bad magic");
	n = mk(b, CTL_MAGIC, 2, 0, "/a", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_EVERSION, "version 2 refused");
	n = mk(b, CTL_MAGIC, 4, 0, "/a", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_EVERSION, "version 4 refused");
	n = mk(b, CTL_MAGIC, 3, 2, "/a", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_ETYPE, "type 2 refused");
	n = mk(b, CTL_MAGIC, 3, 0xffffff00u | 0xff, "/a", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_ETYPE, "type 0xff refused");
	n = mk(b, CTL_MAGIC, 3, 0xffffffu << 8, "/a", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_OK && r.port == 0xffffff,
	   "port 0xffffff parses (range is the switch's business)");
	n = mk(b, CTL_MAGIC, 3, 0, "rel/path", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_EPATH, "relative path refused");
	n = mk(b, CTL_MAGIC, 3, 0, "", "x");
	ok(ctl_parse_request(b, n, &r) == CTL_EPATH, "empty path refused");
	n = mk(b, CTL_MAGIC, 3, 0, "", "x");
	b[15] = 'a';
	ok(ctl_parse_request(b, n, &r) == CTL_EPATH, "abstract path refused");
	n = mk(b, CTL_MAGIC, 3, 0, "/a", "x");
	b[12] = 2;
	ok(ctl_parse_request(b, n, &r) == CTL_EFAMILY, "AF_INET family refused");
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[150] = 0;
	n = mk(b, CTL_MAGIC, 3, 0, longp, "x");
	ok(ctl_parse_request(b, n, &r) == CTL_OK && strlen(r.path) == 108,
	   "108-byte path without NUL kept whole and terminated");
	n = mk(b, CTL_MAGIC, 3, 0, "/a", "");
	memset(b + 122, 'd', 128);
	ok(ctl_parse_request(b, 250, &r) == CTL_OK && strlen(r.descr) == 128,
	   "128-byte description");
	ok(ctl_parse_request(b, 251, &r) == CTL_ELONG, "251-byte v3 request too long");
	b[130] = 0;
	ok(ctl_parse_request(b, 250, &r) == CTL_OK && strlen(r.descr) == 8,
	   "description stops at NUL");
	b[125] = '\n';
	b[126] = 0x80;
	ok(ctl_parse_request(b, 250, &r) == CTL_OK && r.descr[3] == '?' && r.descr[4] == '?',
	   "control bytes in description replaced");

	/* legacy v1 */
	n = mk1(b, 0, "/tmp/v1sock", "old");
	ok(n == 127, "v1 length");
	ok(ctl_parse_request(b, n, &r) == CTL_OK && r.version == 1 && r.port == 0 &&
	   r.type == CTL_REQ_NEW_CONTROL && !strcmp(r.path, "/tmp/v1sock") &&
	   !strcmp(r.descr, "old"), "v1 type 0");
	n = mk1(b, 1, "/tmp/v1sock", "");
	ok(ctl_parse_request(b, n, &r) == CTL_OK && r.type == CTL_REQ_NEW_PORT0, "v1 type 1");
	ok(ctl_parse_request(b, 123, &r) == CTL_ESHORT, "v1 of 123 bytes short");
	n = mk1(b, 5 << 8, "/tmp/v1sock", "");
	ok(ctl_parse_request(b, n, &r) == CTL_EVERSION, "v1 with a port refused");
	ok(ctl_parse_request(b, 0, &r) == CTL_ESHORT && r.path[0] == 0, "empty input");
	ok(strcmp(ctl_strerror(CTL_EPATH), "unknown error") && !strcmp(ctl_strerror(99),
	   "unknown error"), "ctl_strerror");
	return tap_done();
}
