// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_udpgso.c - lib/common/udpgso.c: where a UDP GSO run ends
 * (length change, a shorter last datagram, the segment and byte caps,
 * another peer) and the UDP_SEGMENT control message it is sent with
 */
#include "config.h"

#include <string.h>

#include "udpgso.h"
#include "tap.h"

#define N	70

/* one case: @n datagrams of @len bytes behind @hdr-byte headers, but the
 * @nat datagrams at[i] of alen[i] bytes, and from datagram @peer on (0:
 * none) to another peer; the run must be @want long */
struct tcase {
	const char *name;
	size_t hdr, n, segs, bytes;
	uint32_t len;
	size_t nat, at[2];
	uint32_t alen[2];
	size_t peer, want;
};

static const struct tcase cases[] = {
	/* VXLAN's use: an 8-byte header before each frame */
	{ "no datagram: 0", 8, 0, 64, 65000, 1514, 0, { 0 }, { 0 }, 0, 0 },
	{ "one datagram: 1", 8, 1, 64, 65000, 1514, 0, { 0 }, { 0 }, 0, 1 },
	{ "10 equal datagrams: one run", 8, 10, 64, 65000, 1514, 0, { 0 }, { 0 }, 0, 10 },
	{ "byte cap: 42 x 1522 bytes", 8, 70, 64, 65000, 1514, 0, { 0 }, { 0 }, 0, 42 },
	{ "segment cap", 8, 70, 16, 65000, 1514, 0, { 0 }, { 0 }, 0, 16 },
	{ "segment cap 1: alone", 8, 70, 1, 65000, 1514, 0, { 0 }, { 0 }, 0, 1 },
	{ "a shorter datagram ends the run, in it",
	  8, 10, 64, 65000, 1514, 1, { 5 }, { 100 }, 0, 6 },
	{ "a longer datagram starts another", 8, 10, 64, 65000, 1514, 1, { 3 }, { 1600 }, 0, 3 },
	{ "a longer first takes one shorter datagram, last",
	  8, 10, 64, 65000, 1514, 1, { 0 }, { 1600 }, 0, 2 },
	{ "another peer starts another run", 8, 10, 64, 65000, 1514, 0, { 0 }, { 0 }, 4, 4 },
	{ "two datagrams above the byte cap: apart",
	  8, 10, 64, 65000, 1514, 2, { 0, 1 }, { 60000, 60000 }, 0, 1 },
	{ "a shorter last one within the cap joins",
	  8, 10, 64, 65000, 1514, 1, { 0 }, { 60000 }, 0, 2 },
	{ "longer than the first: alone", 8, 10, 64, 65000, 1514, 1, { 0 }, { 64 }, 0, 1 },
	{ "above the byte cap, a datagram still goes", 8, 10, 64, 10, 1514, 0, { 0 }, { 0 }, 0, 1 },
	/* vde_cryptcab's use: the iovec is the whole datagram */
	{ "byte cap met exactly: 60 x 1000", 0, 70, 64, 60000, 1000, 0, { 0 }, { 0 }, 0, 60 },
	{ "one byte under: 59", 0, 70, 64, 59999, 1000, 0, { 0 }, { 0 }, 0, 59 },
	{ "segment cap 40", 0, 70, 40, 60000, 1000, 0, { 0 }, { 0 }, 0, 40 },
	{ "the last segment may be one byte shorter",
	  0, 70, 64, 60000, 1000, 1, { 2 }, { 999 }, 0, 3 },
	{ "one byte longer ends the run before it",
	  0, 70, 64, 60000, 1000, 1, { 2 }, { 1001 }, 0, 2 },
	{ "an empty last datagram joins", 0, 70, 64, 60000, 1000, 1, { 9 }, { 0 }, 0, 10 },
	{ "peer change at 30", 0, 70, 64, 60000, 1000, 0, { 0 }, { 0 }, 30, 30 },
	{ "a peer change and a shorter one: the first ends it",
	  0, 70, 64, 60000, 1000, 1, { 20 }, { 500 }, 10, 10 },
};

static void test_runs(void)
{
	static struct iovec iov[N];
	static uint32_t key[N];
	size_t c, i, k, got;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct tcase *t = &cases[c];

		for (i = 0; i < N; i++) {
			iov[i] = (struct iovec){ NULL, t->len };
			/* as vde_cryptcab makes them: where the peer's run began */
			key[i] = t->peer && i >= t->peer ? (uint32_t)t->peer : 0;
		}
		for (k = 0; k < t->nat; k++)
			iov[t->at[k]].iov_len = t->alen[k];
		got = udpgso_run(iov, t->hdr, key, t->n, t->segs, t->bytes);
		ok(got == t->want, "%s (%zu)", t->name, got);
	}
	/* the same rule from the middle of a queue */
	for (i = 0; i < N; i++) {
		iov[i] = (struct iovec){ NULL, 1000 };
		key[i] = i < 30 ? 0 : 30;
	}
	ok(udpgso_run(iov + 30, 0, key + 30, 40, 64, 60000) == 40, "the next peer's run, whole");
	ok(udpgso_run(iov + 29, 0, key + 29, 41, 64, 60000) == 1, "the last of a peer's: alone");
}

static void test_cmsg(void)
{
	struct msghdr h = { 0 };
	union udpgso_cmsg cm;
	struct cmsghdr *c;
	uint16_t seg = 0;

	memset(&cm, 0xaa, sizeof(cm));
	udpgso_cmsg(&h, &cm, 1522);
	c = CMSG_FIRSTHDR(&h);
	ok(h.msg_control == cm.buf && h.msg_controllen == CMSG_SPACE(sizeof(uint16_t)),
	   "the message's control buffer is the union");
	ok(c && c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_SEGMENT &&
	   c->cmsg_len == CMSG_LEN(sizeof(uint16_t)), "one SOL_UDP/UDP_SEGMENT message");
	if (c)
		memcpy(&seg, CMSG_DATA(c), sizeof(seg));
	ok(seg == 1522, "segment size 1522 (%u)", seg);
	ok(!c || !CMSG_NXTHDR(&h, c), "nothing after it");
	udpgso_cmsg(&h, &cm, 65535);
	memcpy(&seg, CMSG_DATA(CMSG_FIRSTHDR(&h)), sizeof(seg));
	ok(seg == 65535, "segment size 65535 (%u)", seg);
}

int main(void)
{
	test_runs();
	test_cmsg();
	return tap_done();
}
