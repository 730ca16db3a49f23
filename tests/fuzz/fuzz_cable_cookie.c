// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_cable_cookie.c - cookie replies and INITs under load, structure-aware
 *
 * Two engines (tests/cryptcab/cable_sim.h), A initiating to B; the first
 * input byte picks B's cookie mode (auto or always), the rest is a program
 * of operations (op byte, then its arguments):
 *   0  raw datagram to A (1-byte length, bytes; the type byte forced to 3)
 *   1  A starts a handshake (a frame to send with no usable key)
 *   2  A's queued datagrams go to B (from A's address or, arg odd, another)
 *   3  B's datagram number arg goes to A; u16 v: v & 3 = 0 intact, 1 truncated
 *      at v >> 2, else bit v >> 2 flipped
 *   4  forged cookie reply to A naming its pending index, 56 bytes of input
 *   5  INIT with a valid mac1 to B from address 10.x.y.z:port (6 bytes),
 *      112 bytes of body, mac2 zero or (arg odd) 16 input bytes
 *   6  advance the clock by arg seconds (secret rotation) and run the timers
 *   7  flood B with arg * 4 zero-mac2 INITs from one forged address (at
 *      most FLOOD_MAX an input: ten times the load burst keeps B under
 *      load; more only slowed the fuzzer down to ~60 inputs a second)
 * Invariants (abort() on violation): B does public-key work on an INIT only
 * if its mac2 is zero and B is not under load, or mac2 is B's cookie of the
 * INIT's source (never for op 5 with input mac2 bytes, never for A's INIT
 * replayed from another address unless B gave a cookie to that address); B's only answer to an INIT
 * it does not process is one 64-byte cookie reply; A accepts a cookie reply
 * only if B made it for A's pending INIT and resends that INIT at most once;
 * A never answers a cookie reply to anyone else nor learns an endpoint from it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cryptcab/cable_sim.h"

static struct sim S;
static struct sim_pkt held[64];		/* B's output, waiting for op 3 */
static size_t nheld;
static bool cookie_to_other;		/* B gave a cookie to 10.9.9.9:9999 */
static struct cable_addr other;

static uint64_t dh_b(void)
{
	const uint64_t *st = S.side[1].c->stats;

	return st[C_RX_INIT] + st[C_RX_HANDSHAKE_FAIL] + st[C_RX_HANDSHAKE_REPLAY];
}

static size_t take(const uint8_t **d, size_t *n, void *out, size_t want)
{
	size_t k = want < *n ? want : *n;

	memset(out, 0, want);
	memcpy(out, *d, k);
	*d += k;
	*n -= k;
	return k;
}

/* Move what B queued for A since @q0 into held[] (the queue keeps what was
 * there before); return how many. */
static size_t hold_b(size_t q0)
{
	size_t i, n = 0, k = q0;

	for (i = q0; i < S.qn; i++) {
		if (S.q[i].to != 0) {
			S.q[k++] = S.q[i];
			continue;
		}
		if (S.q[i].data[0] == CABLE_MSG_COOKIE && S.q[i].len != CABLE_COOKIE_LEN)
			abort();
		if (nheld < sizeof(held) / sizeof(held[0]))
			held[nheld++] = S.q[i];
		n++;
	}
	S.qn = k;
	return n;
}

/* One datagram to B; returns whether B did public-key work. */
static bool to_b(const uint8_t *pkt, size_t len, const struct cable_addr *from)
{
	uint64_t dh0 = dh_b(), ck0 = S.side[1].c->stats[C_TX_COOKIE];
	size_t q0 = S.qn, n;
	bool dh;

	cable_rx(S.side[1].c, pkt, len, from);
	dh = dh_b() != dh0;
	if (cable_addr_equal(from, &other) && S.side[1].c->stats[C_TX_COOKIE] != ck0)
		cookie_to_other = true;
	n = hold_b(q0);
	if (len == CABLE_INIT_LEN && pkt[0] == CABLE_MSG_INIT &&
	    ((!dh && n != S.side[1].c->stats[C_TX_COOKIE] - ck0) || n > 1))
		abort();	/* an unprocessed INIT got more than a cookie reply */
	if (pkt[0] != CABLE_MSG_INIT && S.side[1].c->stats[C_TX_COOKIE] != ck0)
		abort();	/* a cookie reply to anything but an INIT */
	return dh;
}

/* One datagram to A (B's, or forged when !genuine). */
static void to_a(const uint8_t *pkt, size_t len, bool genuine)
{
	struct cable_peer *p = S.side[0].peer;
	uint64_t ck = S.side[0].c->stats[C_RX_COOKIE], tx = S.side[0].c->stats[C_TX_INIT];
	bool pending = p->hs_active, resent = p->cookie_resent;
	struct cable_addr ep = p->ep;
	size_t q0 = S.qn;

	cable_rx(S.side[0].c, pkt, len, &S.side[1].addr);
	if (len == CABLE_COOKIE_LEN && pkt[0] == CABLE_MSG_COOKIE) {
		if (S.side[0].c->stats[C_RX_COOKIE] != ck && (!genuine || !pending))
			abort();	/* a cookie A should not have taken */
		if (S.side[0].c->stats[C_TX_INIT] - tx > (resent ? 0U : 1U))
			abort();	/* more than one resend per INIT */
		if (!cable_addr_equal(&ep, &p->ep))
			abort();	/* a cookie reply moved the endpoint */
		if (S.qn - q0 != S.side[0].c->stats[C_TX_INIT] - tx)
			abort();	/* A sent something other than its INIT */
	}
}

#define FLOOD_MAX	(10 * COOKIE_LOAD_BURST)

static void run(const uint8_t *data, size_t size)
{
	static uint8_t buf[256];
	size_t steps = 0, flooded = 0;
	uint8_t f[64];

	if (sim_init(&S, NULL, 7))
		abort();
	nheld = 0;
	cookie_to_other = false;
	sim_addr(&other, "10.9.9.9", 9999);
	if (size) {
		S.side[1].c->cookie_mode = data[0] & 1 ? CABLE_COOKIES_ALWAYS : CABLE_COOKIES_AUTO;
		data++;
		size--;
	}
	while (size && steps++ < 256) {
		uint8_t op = data[0] % 8, a = 0;
		size_t i, n;

		data++;
		size--;
		switch (op) {
		case 0:
			take(&data, &size, &a, 1);
			n = take(&data, &size, buf, a);
			if (n)
				buf[0] = CABLE_MSG_COOKIE;
			to_a(buf, n, false);
			break;
		case 1:
			sim_frame(f, sizeof(f), (uint32_t)steps);
			cable_tx(S.side[0].c, S.side[0].peer, f, sizeof(f));
			break;
		case 2: {
			struct sim_pkt q[8];
			size_t nq = 0;

			take(&data, &size, &a, 1);
			for (i = 0; i < S.qn && nq < 8; i++)
				if (S.q[i].to == 1)
					q[nq++] = S.q[i];
			S.qn = 0;
			for (i = 0; i < nq; i++) {
				bool dh = to_b(q[i].data, q[i].len, a & 1 ? &other : &q[i].from);

				/* A's INIT with its cookie, replayed from elsewhere
				 * (unless that cookie was made for elsewhere) */
				if (dh && (a & 1) && q[i].data[0] == CABLE_MSG_INIT &&
				    !sodium_is_zero(q[i].data + 132, 16) && !cookie_to_other)
					abort();
			}
			break;
		}
		case 3: {
			uint16_t l16 = 0;

			take(&data, &size, &a, 1);
			take(&data, &size, &l16, 2);
			if (!nheld)
				break;
			i = a % nheld;
			memcpy(buf, held[i].data, held[i].len);
			n = held[i].len;
			if ((l16 & 3) == 0) {
				to_a(buf, n, true);
			} else if ((l16 & 3) == 1) {
				to_a(buf, (size_t)(l16 >> 2) % n, false);
			} else {
				buf[((size_t)(l16 >> 2) % (n * 8)) / 8] ^=
					(uint8_t)(1U << ((l16 >> 2) % 8));
				to_a(buf, n, false);
			}
			held[i] = held[--nheld];
			break;
		}
		case 4:
			memset(buf, 0, 8);
			buf[0] = CABLE_MSG_COOKIE;
			memcpy(buf + 4, &S.side[0].peer->hs_index, 4);
			take(&data, &size, buf + 8, 56);
			to_a(buf, CABLE_COOKIE_LEN, false);
			break;
		case 5: {
			struct cable_addr src;
			uint8_t ip[4], pt[2];
			char txt[32];
			bool loaded;

			take(&data, &size, &a, 1);
			take(&data, &size, ip, 4);
			take(&data, &size, pt, 2);
			snprintf(txt, sizeof(txt), "10.%u.%u.%u", ip[0], ip[1], ip[2]);
			sim_addr(&src, txt, (uint16_t)(pt[0] | pt[1] << 8));
			memset(buf, 0, CABLE_INIT_LEN);
			buf[0] = CABLE_MSG_INIT;
			take(&data, &size, buf + 4, 112);
			noise_mac(buf + 116, S.side[1].c->mac1_key, buf, 116);
			if (a & 1)
				take(&data, &size, buf + 132, 16);
			loaded = cable_under_load(S.side[1].c);
			if (to_b(buf, CABLE_INIT_LEN, &src) &&
			    (!sodium_is_zero(buf + 132, 16) || loaded ||
			     S.side[1].c->cookie_mode == CABLE_COOKIES_ALWAYS))
				abort();	/* DH without a valid cookie */
			break;
		}
		case 6:
			take(&data, &size, &a, 1);
			S.now += (uint64_t)a * CABLE_SEC;
			n = S.qn;
			sim_tick(&S);
			hold_b(n);
			break;
		case 7:
			take(&data, &size, &a, 1);
			memset(buf, 0, CABLE_INIT_LEN);
			buf[0] = CABLE_MSG_INIT;
			buf[4] = a;
			noise_mac(buf + 116, S.side[1].c->mac1_key, buf, 116);
			for (i = 0; i < (size_t)a * 4 && flooded < FLOOD_MAX; i++, flooded++) {
				to_b(buf, CABLE_INIT_LEN, &other);
				nheld = 0;
			}
			break;
		}
	}
	sim_free(&S);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;

	if (!inited) {
		if (sodium_init() < 0)
			abort();
		inited = 1;
	}
	run(data, size);
	return 0;
}
