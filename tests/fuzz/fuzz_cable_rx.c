// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_cable_rx.c - cable_rx() with fixed keys, fake clock, structure-aware ops
 *
 * Two engines (tests/cryptcab/cable_sim.h) with an established session; the
 * input is a program of operations (op byte, then its arguments):
 *   0/1  raw datagram to B (2-byte LE length, bytes) from A's / another address
 *   2    A encrypts a frame of length 6*arg; the datagram is captured
 *   3/4/5 deliver captured[i] to B: intact / truncated at u16 / one bit flipped
 *   6    advance the clock by arg seconds, run timers, deliver B's output to A
 *   7    data packet with B's live receiver index, u64 counter, garbage body
 *   8    INIT with a valid mac1 for B (reaches the rate limit and the DH)
 *   9    RESP with a valid mac1 for A, receiver = A's pending index or u32
 * Invariants (abort() on violation): B delivers only frames A encrypted, each
 * (index, counter) at most once, never from a damaged or forged datagram;
 * an intact captured frame on a live keypair with a fresh in-window counter
 * is delivered (differential model: naive set + max); B never sends in
 * reply to a datagram unless it accepted an INIT, except a cookie reply to
 * an INIT with a valid mac1 (fuzz_cable_cookie goes further); the endpoint moves only
 * on an authenticated packet.
 * Every input runs twice: B with A as a configured peer, and B as a PSK
 * mode server (cable_add_psk_clients) whose session for A was made by the
 * first handshake; there, also, no session appears without an accepted
 * INIT, and a session closed by the timers is never used again.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cryptcab/cable_sim.h"

#define CAPMAX	64
#define SEENMAX	4096

struct cap {
	uint8_t pkt[CABLE_DATA_MAX];
	size_t len;
	uint8_t frame[CABLE_FRAME_MAX];
	size_t flen;
};

static struct sim S;
static struct cap caps[CAPMAX];
static size_t ncap;
static struct { uint32_t idx; uint64_t ctr; } seen[SEENMAX];
static size_t nseen;
static int delivered_now;
static const uint8_t *expect_frame;
static size_t expect_len;

static void on_b_deliver(struct sim_side *s, const uint8_t *f, size_t len)
{
	delivered_now++;
	if (!expect_frame || len != expect_len || memcmp(f, expect_frame, len))
		abort();	/* a frame A never sent for this datagram */
}

static int was_seen(uint32_t idx, uint64_t ctr)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].idx == idx && seen[i].ctr == ctr)
			return 1;
	return 0;
}

static bool psk_mode;

/* PSK server: B's session (the first one), or the shared peer if none. */
static void b_refresh(void)
{
	struct cable *c = S.side[1].c;
	size_t i;

	if (!psk_mode)
		return;
	S.side[1].peer = c->peers[0];
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i]->session) {
			S.side[1].peer = c->peers[i];
			break;
		}
}

static bool b_has(const struct cable_peer *p)
{
	size_t i;

	for (i = 0; i < S.side[1].c->npeers; i++)
		if (S.side[1].c->peers[i] == p)
			return true;
	return false;
}

/* Like sim_init() + sim_establish(), B a PSK server with A's key shared. */
static int psk_setup(void)
{
	struct cable_ops ops = {
		.now = sim_now, .realtime = sim_realtime, .random = sim_random,
		.send = sim_send, .deliver = sim_deliver, .arg = &S.side[1],
	};
	uint8_t kb[32], f[64];

	if (sim_init(&S, NULL, 42))
		return -1;
	cable_free(S.side[1].c);
	sim_key(kb, 0x22);
	S.side[1].c = cable_new(&ops, kb, NULL);
	if (!S.side[1].c || !cable_add_psk_clients(S.side[1].c, S.side[0].c->pub, NULL, 4))
		return -1;
	sim_frame(f, sizeof(f), 0xabcdef);
	cable_tx(S.side[0].c, S.side[0].peer, f, sizeof(f));
	sim_pump(&S);
	b_refresh();
	return S.side[1].delivered == 1 && S.side[1].peer->session &&
	       cable_peer_usable(S.side[1].peer) ? 0 : -1;
}

static struct cable_keypair *live(uint32_t idx)
{
	struct cable_peer_secret *s = S.side[1].peer->sec;

	if (s->cur.valid && s->cur.local_index == idx)
		return &s->cur;
	if (s->prev.valid && s->prev.local_index == idx)
		return &s->prev;
	if (s->next.valid && s->next.local_index == idx)
		return &s->next;
	return NULL;
}

/* Deliver one datagram to B and check the invariants. */
static void to_b(const uint8_t *pkt, size_t len, const struct cable_addr *from,
		 const struct cap *genuine)
{
	struct cable_peer *bp = S.side[1].peer;
	struct cable_addr ep = bp->ep;
	bool had_ep = bp->has_ep;
	uint64_t sent = S.side[1].sent, inits = S.side[1].c->stats[C_RX_INIT];
	uint64_t cookies = S.side[1].c->stats[C_TX_COOKIE];
	uint64_t opened = S.side[1].c->stats[C_SESSIONS_OPENED];
	uint64_t auth = S.side[1].c->stats[C_RX_DATA] + S.side[1].c->stats[C_RX_KEEPALIVE] +
			S.side[1].c->stats[C_RX_BAD_FRAME] + inits;
	bool must = false;
	uint32_t idx = 0;
	uint64_t ctr = 0;

	delivered_now = 0;
	expect_frame = genuine ? genuine->frame : NULL;
	expect_len = genuine ? genuine->flen : 0;
	if (genuine && genuine->flen >= CABLE_FRAME_MIN) {
		struct cable_keypair *kp;

		memcpy(&idx, pkt + 4, 4);
		memcpy(&ctr, pkt + 8, 8);
		kp = live(idx);
		must = kp && S.now - kp->birth < REJECT_AFTER_TIME && !was_seen(idx, ctr) &&
		       (kp->replay.counter == 0 || ctr + REPLAY_WINDOW >= kp->replay.counter - 1 ||
			ctr >= kp->replay.counter);
	}
	cable_rx(S.side[1].c, pkt, len, from);
	if (delivered_now > 1 || (delivered_now && !genuine))
		abort();
	if (delivered_now) {
		if (was_seen(idx, ctr))
			abort();	/* delivered twice */
		if (nseen < SEENMAX) {
			seen[nseen].idx = idx;
			seen[nseen++].ctr = ctr;
		}
	}
	if (must && !delivered_now)
		abort();		/* fresh intact frame refused */
	if (S.side[1].sent - sent != S.side[1].c->stats[C_TX_COOKIE] - cookies &&
	    S.side[1].c->stats[C_RX_INIT] == inits)
		abort();		/* answered an unauthenticated datagram */
	if (S.side[1].c->stats[C_SESSIONS_OPENED] != opened &&
	    S.side[1].c->stats[C_RX_INIT] == inits)
		abort();		/* a session without an accepted INIT */
	if (had_ep && b_has(bp) && !cable_addr_equal(&ep, &bp->ep) &&
	    S.side[1].c->stats[C_RX_DATA] + S.side[1].c->stats[C_RX_KEEPALIVE] +
	    S.side[1].c->stats[C_RX_BAD_FRAME] + S.side[1].c->stats[C_RX_INIT] == auth)
		abort();		/* endpoint moved without authentication */
	expect_frame = NULL;
	b_refresh();
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

static void run(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536];
	struct cable_addr other;
	size_t steps = 0;

	if (psk_mode ? psk_setup() : (sim_init(&S, NULL, 42) || sim_establish(&S)))
		abort();
	S.side[1].on_deliver = on_b_deliver;
	expect_frame = NULL;
	ncap = nseen = 0;
	sim_addr(&other, "10.9.9.9", 9999);
	while (size && steps++ < 256) {
		uint8_t op = data[0] % 10, a = 0;
		uint16_t l16 = 0;

		data++;
		size--;
		switch (op) {
		case 0:
		case 1:
			take(&data, &size, &l16, 2);
			l16 = (uint16_t)take(&data, &size, buf, l16);
			to_b(buf, l16, op ? &other : &S.side[0].addr, NULL);
			break;
		case 2: {
			/* built apart: once CAPMAX are taken the slot holds an
			 * older capture, which a frame that is not sent (empty,
			 * no key) must not overwrite */
			static struct cap n;
			struct cap *c = &n;

			take(&data, &size, &a, 1);
			c->flen = (size_t)a * 6 > CABLE_FRAME_MAX ? CABLE_FRAME_MAX : (size_t)a * 6;
			sim_frame(c->frame, c->flen, (uint32_t)ncap);
			S.qn = 0;
			cable_tx(S.side[0].c, S.side[0].peer, c->frame, c->flen);
			if (S.qn && S.q[S.qn - 1].data[0] == CABLE_MSG_DATA &&
			    S.q[S.qn - 1].len == CABLE_DATA_MIN + c->flen) {
				memcpy(c->pkt, S.q[S.qn - 1].data, S.q[S.qn - 1].len);
				c->len = S.q[S.qn - 1].len;
				caps[ncap++ % CAPMAX] = *c;
			}
			S.qn = 0;
			break;
		}
		case 3:
		case 4:
		case 5: {
			struct cap *c;

			take(&data, &size, &a, 1);
			take(&data, &size, &l16, 2);
			if (!ncap)
				break;
			c = &caps[a % (ncap < CAPMAX ? ncap : CAPMAX)];
			memcpy(buf, c->pkt, c->len);
			if (op == 3) {
				to_b(buf, c->len, &S.side[0].addr, c);
			} else if (op == 4) {
				to_b(buf, l16 % c->len, &S.side[0].addr, NULL);
			} else {
				buf[(l16 % (c->len * 8)) / 8] ^= (uint8_t)(1U << (l16 % 8));
				to_b(buf, c->len, &S.side[0].addr, NULL);
			}
			break;
		}
		case 6: {
			size_t i;

			take(&data, &size, &a, 1);
			S.now += (uint64_t)a * CABLE_SEC;
			S.qn = 0;
			sim_tick(&S);
			b_refresh();
			for (i = 0; i < S.qn; i++)
				if (S.q[i].to == 0)
					cable_rx(S.side[0].c, S.q[i].data, S.q[i].len, &S.q[i].from);
			S.qn = 0;
			break;
		}
		case 7: {
			struct cable_keypair *kp = &S.side[1].peer->sec->cur;
			uint64_t ctr;

			take(&data, &size, &ctr, 8);
			take(&data, &size, &a, 1);
			memset(buf, 0, CABLE_DATA_HDR);
			buf[0] = CABLE_MSG_DATA;
			memcpy(buf + 4, &kp->local_index, 4);
			memcpy(buf + 8, &ctr, 8);
			take(&data, &size, buf + CABLE_DATA_HDR, (size_t)a * 6 + NOISE_TAGLEN);
			to_b(buf, CABLE_DATA_HDR + (size_t)a * 6 + NOISE_TAGLEN, &S.side[0].addr, NULL);
			break;
		}
		case 8:
			memset(buf, 0, CABLE_INIT_LEN);
			buf[0] = CABLE_MSG_INIT;
			take(&data, &size, buf + 4, 112);
			noise_mac(buf + 116, S.side[1].c->mac1_key, buf, 116);
			to_b(buf, CABLE_INIT_LEN, &other, NULL);
			break;
		case 9: {
			uint64_t resps;
			uint32_t idx;

			memset(buf, 0, CABLE_RESP_LEN);
			buf[0] = CABLE_MSG_RESP;
			take(&data, &size, buf + 4, 56);
			memcpy(&idx, buf + 8, 4);
			if (idx & 1)
				memcpy(buf + 8, &S.side[0].peer->hs_index, 4);
			noise_mac(buf + 60, S.side[0].c->mac1_key, buf, 60);
			resps = S.side[0].c->stats[C_RX_RESP];
			cable_rx(S.side[0].c, buf, CABLE_RESP_LEN, &other);
			if (S.side[0].c->stats[C_RX_RESP] != resps)
				abort();	/* a forged RESP completed a handshake */
			break;
		}
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
	psk_mode = false;
	run(data, size);
	psk_mode = true;
	run(data, size);
	return 0;
}
