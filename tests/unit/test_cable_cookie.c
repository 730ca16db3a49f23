// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cable_cookie.c - cookie MACs, secret rotation, load meter and the
 * per-source handshake limit (cryptcab/cookie.c, cryptcab/srclimit.c), clock by hand
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sodium.h>

#include "../../cryptcab/cookie.h"
#include "../../cryptcab/srclimit.h"
#include "tap.h"

#define S	COOKIE_SEC

static uint64_t rng_ctr;

static void rnd(void *arg, void *buf, size_t len)
{
	uint8_t seed[32] = { 0 };

	(void)arg;
	memcpy(seed, &rng_ctr, sizeof(rng_ctr));
	rng_ctr++;
	randombytes_buf_deterministic(buf, len, seed);
}

static void v4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
}

static void v6(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &in6->sin6_addr);
}

/* A 148-byte INIT-shaped message: the cookie covers bytes 0..131. */
static void msg_init(uint8_t m[148])
{
	size_t i;

	for (i = 0; i < 148; i++)
		m[i] = (uint8_t)(i * 13);
	memset(m + 132, 0, 16);
}

/* Full initiator round: reply from @cc to @src, opened, mac2 put in @m. */
static int get_cookie(const struct cookie_checker *cc, const uint8_t pub[32],
		      const struct sockaddr_storage *src, uint8_t m[148])
{
	uint8_t reply[COOKIE_REPLY_LEN], nonce[COOKIE_NONCE_LEN], key[COOKIE_KEYLEN];
	uint8_t cookie[COOKIE_LEN];

	rnd(NULL, nonce, sizeof(nonce));
	cookie_make_reply(cc, src, 0x01020304, m + 116, nonce, reply);
	if (reply[0] != 3 || reply[1] || reply[2] || reply[3] || reply[4] != 4 || reply[7] != 1)
		return -1;
	cookie_reply_key(key, pub);
	if (cookie_open_reply(key, reply, m + 116, cookie))
		return -1;
	cookie_mac2(m + 132, cookie, m, 132);
	return 0;
}

static void check_mac(void)
{
	struct cookie_checker cc;
	struct sockaddr_storage a, b, c, d;
	uint8_t pub[32], m[148], m2[148], c1[COOKIE_LEN], c2[COOKIE_LEN];
	uint8_t reply[COOKIE_REPLY_LEN], nonce[COOKIE_NONCE_LEN], key[COOKIE_KEYLEN];
	uint64_t t = 5 * S;
	size_t i;
	int bad = 0;

	memset(pub, 7, sizeof(pub));
	cookie_checker_init(&cc, pub);
	cookie_rotate(&cc, t, rnd, NULL);
	v4(&a, "192.0.2.1", 1000);
	v4(&b, "192.0.2.1", 1001);
	v4(&c, "192.0.2.2", 1000);
	v6(&d, "::ffff:192.0.2.1", 1000);
	cookie_value(cc.secret[0], &a, c1);
	cookie_value(cc.secret[0], &a, c2);
	ok(!memcmp(c1, c2, COOKIE_LEN), "the cookie of a source is stable");
	cookie_value(cc.secret[0], &b, c2);
	bad += !memcmp(c1, c2, COOKIE_LEN);
	cookie_value(cc.secret[0], &c, c2);
	bad += !memcmp(c1, c2, COOKIE_LEN);
	cookie_value(cc.secret[0], &d, c2);
	bad += !memcmp(c1, c2, COOKIE_LEN);
	ok(!bad, "another port, address or family: another cookie");

	msg_init(m);
	ok(cookie_check_mac2(&cc, m, 132, &a, t) == COOKIE_MAC2_ABSENT, "zero mac2: absent");
	ok(get_cookie(&cc, pub, &a, m) == 0, "cookie reply opens with the INIT's mac1");
	ok(cookie_check_mac2(&cc, m, 132, &a, t) == COOKIE_MAC2_VALID, "mac2 under the cookie: valid");
	ok(cookie_check_mac2(&cc, m, 132, &b, t) == COOKIE_MAC2_INVALID &&
	   cookie_check_mac2(&cc, m, 132, &d, t) == COOKIE_MAC2_INVALID,
	   "same mac2 from another port or family: invalid");
	for (i = 0, bad = 0; i < 148 * 8; i++) {
		memcpy(m2, m, sizeof(m2));
		m2[i / 8] ^= (uint8_t)(1U << (i % 8));
		if (sodium_is_zero(m2 + 132, 16))
			continue;
		bad += cookie_check_mac2(&cc, m2, 132, &a, t) != COOKIE_MAC2_INVALID;
	}
	ok(!bad, "every bit flip of the message or of mac2 invalidates it");

	/* the reply: forged, damaged, or for another INIT */
	rnd(NULL, nonce, sizeof(nonce));
	cookie_make_reply(&cc, &a, 9, m + 116, nonce, reply);
	cookie_reply_key(key, pub);
	for (i = 8 * 8, bad = 0; i < COOKIE_REPLY_LEN * 8; i++) {
		uint8_t r2[COOKIE_REPLY_LEN];

		memcpy(r2, reply, sizeof(r2));
		r2[i / 8] ^= (uint8_t)(1U << (i % 8));
		bad += cookie_open_reply(key, r2, m + 116, c2) == 0;
	}
	ok(!bad, "every bit flip of the nonce or the sealed cookie is refused");
	memcpy(m2, m, sizeof(m2));
	m2[116] ^= 1;
	ok(cookie_open_reply(key, reply, m2 + 116, c2) != 0, "a reply to another INIT is refused");
	memset(pub, 8, sizeof(pub));
	cookie_reply_key(key, pub);
	ok(cookie_open_reply(key, reply, m + 116, c2) != 0, "a reply from another responder is refused");
}

static void check_rotation(void)
{
	struct cookie_checker cc;
	struct sockaddr_storage a;
	uint8_t pub[32], m[148], first[COOKIE_KEYLEN];
	uint64_t t0 = 1000 * S;

	memset(pub, 9, sizeof(pub));
	cookie_checker_init(&cc, pub);
	v4(&a, "198.51.100.7", 4242);
	msg_init(m);
	cookie_rotate(&cc, t0, rnd, NULL);
	ok(cc.born[0] == t0 && !cc.born[1], "first secret made when first needed");
	memcpy(first, cc.secret[0], sizeof(first));
	/* a cookie handed out at t0 + 119 s under the first secret */
	cookie_rotate(&cc, t0 + 119 * S, rnd, NULL);
	ok(!memcmp(first, cc.secret[0], sizeof(first)), "no rotation before 120 s");
	get_cookie(&cc, pub, &a, m);
	cookie_rotate(&cc, t0 + 120 * S, rnd, NULL);
	ok(memcmp(first, cc.secret[0], sizeof(first)) && !memcmp(first, cc.secret[1], sizeof(first)),
	   "at 120 s a new secret, the old one kept as previous");
	ok(cookie_check_mac2(&cc, m, 132, &a, t0 + 120 * S) == COOKIE_MAC2_VALID,
	   "a cookie of the previous secret is accepted");
	cookie_rotate(&cc, t0 + 239 * S, rnd, NULL);
	ok(cookie_check_mac2(&cc, m, 132, &a, t0 + 239 * S) == COOKIE_MAC2_VALID,
	   "... 120 s after it was handed out (239 s after its secret was made)");
	ok(cookie_check_mac2(&cc, m, 132, &a, t0 + 240 * S) == COOKIE_MAC2_INVALID,
	   "... but not once its secret is 240 s old, even without a rotation");
	cookie_rotate(&cc, t0 + 240 * S, rnd, NULL);
	ok(cookie_check_mac2(&cc, m, 132, &a, t0 + 240 * S) == COOKIE_MAC2_INVALID,
	   "and not after the next rotation");
	/* lazy rotation long after: no previous secret survives */
	get_cookie(&cc, pub, &a, m);
	cookie_rotate(&cc, t0 + 1000 * S, rnd, NULL);
	ok(!cc.born[1] && cookie_check_mac2(&cc, m, 132, &a, t0 + 1000 * S) == COOKIE_MAC2_INVALID,
	   "a rotation 760 s after the last one keeps no previous secret");
}

static void check_load(void)
{
	struct cookie_checker cc;
	uint8_t pub[32] = { 0 };
	uint64_t t = 50 * S;
	unsigned i, under = 0;

	cookie_checker_init(&cc, pub);
	for (i = 0; i < COOKIE_LOAD_BURST; i++)
		under += cookie_load_note(&cc, t);
	ok(!under, "a burst of %u INITs: not under load", COOKIE_LOAD_BURST);
	ok(cookie_load_note(&cc, t), "one more in the same instant: under load");
	ok(cookie_load_note(&cc, t + S / 2), "still under load half a second later");
	/* below the rate: 40 per second for 3 s */
	for (i = 0, under = 0; i < 120; i++)
		under += cookie_load_note(&cc, t + 2 * S + i * (S / 40));
	ok(!under, "40 INITs per second after a quiet second: not under load");
	for (i = 0, under = 0; i < 400; i++)
		under += cookie_load_note(&cc, t + 10 * S + i * (S / 200));
	ok(under >= 260 && under <= 270, "200 INITs per second: under load once the burst is spent (%u of 400)",
	   under);
}

static void check_srclimit(void)
{
	struct srclimit *l = malloc(sizeof(*l));
	struct sockaddr_storage a, a2, b;
	uint8_t key[SRCLIMIT_KEYLEN] = { 1, 2, 3 };
	uint64_t t = 7 * S;
	unsigned i, okn = 0, full = 0, src = 0, glob = 0;

	if (!l)
		return;
	srclimit_init(l, key, 20, 5, 200, 50);
	v4(&a, "203.0.113.5", 1);
	v4(&a2, "203.0.113.5", 2);
	v6(&b, "2001:db8::5", 1);
	for (i = 0; i < 5; i++)
		okn += srclimit_allow(l, i % 2 ? &a2 : &a, t) == SRCLIMIT_OK;
	ok(okn == 5, "a burst of 5 from one address (any port) passes");
	ok(srclimit_allow(l, &a, t) == SRCLIMIT_SOURCE, "the 6th is over that source's rate");
	ok(srclimit_allow(l, &b, t) == SRCLIMIT_OK, "another address has its own bucket");
	ok(srclimit_allow(l, &a, t + S / 20 - 1) == SRCLIMIT_SOURCE &&
	   srclimit_allow(l, &a, t + S / 20) == SRCLIMIT_OK, "one more after exactly 1/20 s");
	for (i = 0, okn = 0; i < 1000; i++)
		okn += srclimit_allow(l, &a, t + 10 * S + i * (S / 100)) == SRCLIMIT_OK;
	ok(okn >= 200 && okn <= 206, "100 per second for 10 s: %u pass (20/s + the burst)", okn);

	/* many sources in one instant: global bucket, then a full table */
	srclimit_init(l, key, 20, 5, 200, 50);
	t = 100 * S;
	okn = 0;
	for (i = 0; i < 5000; i++) {
		struct sockaddr_storage x;
		char ip[32];

		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		v4(&x, ip, 9);
		switch (srclimit_allow(l, &x, t)) {
		case SRCLIMIT_OK: okn++; break;
		case SRCLIMIT_SOURCE: src++; break;
		case SRCLIMIT_GLOBAL: glob++; break;
		case SRCLIMIT_FULL: full++; break;
		}
	}
	ok(okn == 50 && glob > 0 && full > 0 && !src && glob <= SRCLIMIT_SLOTS,
	   "5000 new sources at once: %u global, %u table full, the table stays %zu bytes",
	   glob, full, sizeof(*l));
	ok(srclimit_allow(l, &a, t + S) == SRCLIMIT_OK, "a second later a new source finds a slot");
	free(l);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	check_mac();
	check_rotation();
	check_load();
	check_srclimit();
	return tap_done();
}
