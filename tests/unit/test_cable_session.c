// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cable_session.c - the vdecab engine end to end with a fake clock
 *
 * Two engines on a simulated wire (tests/cryptcab/cable_sim.h): handshake,
 * every bit flip and truncation of a data and a handshake packet (each drop
 * counted under the expected reason, nothing delivered, nothing sent back),
 * replays, roaming and spoofing, clock jumps of 120, 165, 180 and 540 s,
 * rekeying under continuous traffic without losing a frame, wrong keys
 * getting no reply, a flood of initiations not hurting the session, and
 * cookie replies (required, unknown cookie, forged reply, older responder).
 */
#include "config.h"

#include "../cryptcab/cable_sim.h"
#include "tap.h"

#define S	CABLE_SEC

static uint64_t st(struct sim *s, int side, enum cable_counter c)
{
	return s->side[side].c->stats[c];
}

/* @want = the counters of @side now */
static void counters_now(struct sim *s, int side, uint64_t *want)
{
	enum cable_counter c;

	for (c = 0; c < C_N; c++)
		want[c] = st(s, side, c);
}

/* how many counters of @side differ from @want; each one printed as a
 * TAP comment */
static int counters_off(struct sim *s, int side, const uint64_t *want)
{
	enum cable_counter c;
	int bad = 0;

	for (c = 0; c < C_N; c++)
		if (st(s, side, c) != want[c]) {
			printf("# %s: got %llu want %llu\n", cable_counter_names[c],
			       (unsigned long long)st(s, side, c), (unsigned long long)want[c]);
			bad++;
		}
	return bad;
}

static void take(struct sim *s, size_t i, struct sim_pkt *out)
{
	*out = s->q[i];
}

static void check_basic(void)
{
	struct sim s;
	struct sim_pkt pkt;
	uint8_t f[100];

	sim_init(&s, NULL, 1);
	ok(sim_establish(&s) == 0, "handshake on first frame; frame delivered");
	ok(st(&s, 0, C_TX_INIT) == 1 && st(&s, 1, C_TX_RESP) == 1, "one INIT, one RESP");
	ok(s.side[1].peer->has_ep && cable_addr_equal(&s.side[1].peer->ep, &s.side[0].addr),
	   "responder learnt the endpoint");
	sim_frame(f, sizeof(f), 7);
	cable_tx(s.side[1].c, s.side[1].peer, f, sizeof(f));
	sim_pump(&s);
	ok(s.side[0].delivered == 1 && s.side[0].last_len == 100 && !memcmp(s.side[0].last, f, 100),
	   "B -> A frame intact");

	/* replay */
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	take(&s, 0, &pkt);
	sim_pump(&s);
	cable_rx(s.side[1].c, pkt.data, pkt.len, &pkt.from);
	ok(s.side[1].delivered == 2 && st(&s, 1, C_RX_REPLAY) == 1, "replayed data dropped as rx_replay");

	/* sizes */
	cable_tx(s.side[0].c, s.side[0].peer, f, 13);
	cable_tx(s.side[0].c, s.side[0].peer, f, 1519);
	ok(st(&s, 0, C_TX_RUNT) == 1 && st(&s, 0, C_TX_OVERSIZE) == 1 && s.qn == 0,
	   "13- and 1519-byte frames refused");
	{
		static uint8_t big[1518];

		sim_frame(big, sizeof(big), 9);
		cable_tx(s.side[0].c, s.side[0].peer, big, sizeof(big));
		cable_tx(s.side[0].c, s.side[0].peer, big, 14);
		sim_pump(&s);
		ok(s.side[1].delivered == 4, "14- and 1518-byte frames delivered");
	}
	sim_free(&s);
}

static void check_faults_data(void)
{
	struct sim s;
	struct sim_pkt pkt;
	uint8_t f[60], buf[SIM_PKTMAX];
	uint64_t want[C_N] = { 0 }, sent_b, i;
	struct cable_keypair *kp;
	int bad = 0;

	sim_init(&s, NULL, 2);
	sim_establish(&s);
	for (i = 0; i < 5; i++) {
		sim_frame(f, sizeof(f), (uint32_t)i);
		cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
		sim_pump(&s);
	}
	sim_frame(f, sizeof(f), 99);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	take(&s, 0, &pkt);
	s.qn = 0;
	kp = &s.side[1].peer->sec->cur;
	counters_now(&s, 1, want);
	sent_b = s.side[1].sent;
	for (i = 0; i < pkt.len * 8; i++) {
		uint64_t ctr;

		memcpy(buf, pkt.data, pkt.len);
		buf[i / 8] ^= (uint8_t)(1U << (i % 8));
		memcpy(&ctr, buf + 8, 8);
		if (i < 32)
			want[C_RX_MALFORMED]++;
		else if (i < 64)
			want[C_RX_UNKNOWN_INDEX]++;
		else if (i < 128 && !replay_check(&kp->replay, ctr))
			want[C_RX_REPLAY]++;
		else
			want[C_RX_AUTH_FAIL]++;
		cable_rx(s.side[1].c, buf, pkt.len, &pkt.from);
	}
	for (i = 0; i < pkt.len; i++) {
		if (i < CABLE_DATA_MIN)
			want[C_RX_MALFORMED]++;
		else
			want[C_RX_AUTH_FAIL]++;
		cable_rx(s.side[1].c, pkt.data, i, &pkt.from);
	}
	bad = counters_off(&s, 1, want);
	ok(!bad, "every bit flip and truncation of a data packet counted under its reason");
	ok(s.side[1].delivered == 6, "no damaged data packet delivered");
	ok(s.side[1].sent == sent_b && s.qn == 0, "nothing sent in reply to damaged packets");
	ok(cable_addr_equal(&s.side[1].peer->ep, &s.side[0].addr), "endpoint unchanged");
	cable_rx(s.side[1].c, pkt.data, pkt.len, &pkt.from);
	ok(s.side[1].delivered == 7 && !memcmp(s.side[1].last, f, sizeof(f)),
	   "the genuine packet is still accepted afterwards");
	sim_free(&s);
}

static void check_faults_init(void)
{
	struct sim s;
	struct sim_pkt pkt;
	uint8_t f[60], buf[SIM_PKTMAX];
	uint64_t want[C_N] = { 0 }, i;
	int bad = 0;

	sim_init(&s, NULL, 3);
	sim_frame(f, sizeof(f), 1);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	ok(s.qn == 1 && s.q[0].len == CABLE_INIT_LEN, "INIT is 148 bytes");
	take(&s, 0, &pkt);
	s.qn = 0;
	for (i = 0; i < pkt.len * 8; i++) {
		memcpy(buf, pkt.data, pkt.len);
		buf[i / 8] ^= (uint8_t)(1U << (i % 8));
		if (i < 32) {
			want[C_RX_MALFORMED]++;
		} else if (i >= 132 * 8) {
			/* a mac2 that is not zero must be valid: a cookie reply */
			want[C_RX_BAD_COOKIE]++;
			want[C_TX_COOKIE]++;
			want[C_TX_BYTES] += CABLE_COOKIE_LEN;
		} else {
			want[C_RX_BAD_MAC1]++;
		}
		cable_rx(s.side[1].c, buf, pkt.len, &pkt.from);
		s.now += CABLE_SEC;	/* stay clear of the rate limit */
	}
	for (i = 0; i <= pkt.len + 1; i++) {
		if (i == pkt.len)
			continue;
		want[C_RX_MALFORMED]++;
		cable_rx(s.side[1].c, pkt.data, i, &pkt.from);
	}
	bad = counters_off(&s, 1, want);
	ok(!bad, "every bit flip and truncation of an INIT counted under its reason");
	bad = s.side[1].sent != 128 || s.qn != 128 || s.side[1].peer->has_ep;
	for (i = 0; i < s.qn; i++)
		bad += s.q[i].len != CABLE_COOKIE_LEN || s.q[i].data[0] != CABLE_MSG_COOKIE;
	ok(!bad, "damaged INITs: only cookie replies (to a bad mac2), no endpoint learnt");
	s.qn = 0;
	cable_rx(s.side[1].c, pkt.data, pkt.len, &pkt.from);
	ok(s.side[1].sent == 129 && st(&s, 1, C_RX_INIT) == 1, "genuine INIT answered");
	s.now += CABLE_SEC;
	cable_rx(s.side[1].c, pkt.data, pkt.len, &pkt.from);
	ok(s.side[1].sent == 129 && st(&s, 1, C_RX_HANDSHAKE_REPLAY) == 1,
	   "replayed INIT dropped as rx_handshake_replay, no reply");

	/* RESP: flips */
	take(&s, 0, &pkt);
	s.qn = 0;
	counters_now(&s, 0, want);
	for (i = 0; i < pkt.len * 8; i++) {
		memcpy(buf, pkt.data, pkt.len);
		buf[i / 8] ^= (uint8_t)(1U << (i % 8));
		if (i < 32 || i >= 76 * 8)
			want[C_RX_MALFORMED]++;
		else
			want[C_RX_BAD_MAC1]++;
		cable_rx(s.side[0].c, buf, pkt.len, &pkt.from);
		s.now += CABLE_SEC / 10;
	}
	bad = counters_off(&s, 0, want);
	ok(!bad && s.qn == 0, "every bit flip of a RESP dropped under its reason, no reply");
	s.now += CABLE_SEC;
	ok(s.side[0].peer->hs_active, "handshake still pending after forged RESPs");
	cable_rx(s.side[0].c, pkt.data, pkt.len, &pkt.from);
	sim_pump(&s);
	ok(s.side[1].delivered == 1, "genuine RESP completes the handshake, staged frame arrives");
	sim_free(&s);
}

static void check_roaming(void)
{
	struct sim s;
	struct sim_pkt pkt;
	struct cable_addr spoof, old;
	uint8_t f[80], buf[SIM_PKTMAX];

	sim_init(&s, NULL, 4);
	sim_establish(&s);
	old = s.side[0].addr;
	sim_addr(&s.side[0].addr, "10.0.0.9", 3333);
	sim_frame(f, sizeof(f), 5);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	take(&s, 0, &pkt);
	sim_pump(&s);
	ok(cable_addr_equal(&s.side[1].peer->ep, &s.side[0].addr) &&
	   st(&s, 1, C_ROAMED) == 1, "endpoint follows the client to a new address/port");
	sim_addr(&spoof, "10.6.6.6", 6666);
	cable_rx(s.side[1].c, pkt.data, pkt.len, &spoof);
	memcpy(buf, pkt.data, pkt.len);
	buf[8] ^= 0x80;			/* fresh counter, bad tag */
	cable_rx(s.side[1].c, buf, pkt.len, &spoof);
	buf[8] ^= 0x80;
	buf[40] ^= 1;
	cable_rx(s.side[1].c, buf, pkt.len, &spoof);
	ok(cable_addr_equal(&s.side[1].peer->ep, &s.side[0].addr),
	   "replayed or forged packets from a third address do not move the endpoint");
	ok(st(&s, 1, C_RX_REPLAY) == 2 && st(&s, 1, C_RX_AUTH_FAIL) == 1,
	   "counted: %llu replay (old counters), %llu auth_fail (fresh counter, bad tag)",
	   (unsigned long long)st(&s, 1, C_RX_REPLAY), (unsigned long long)st(&s, 1, C_RX_AUTH_FAIL));
	s.side[0].addr = old;
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	sim_pump(&s);
	ok(cable_addr_equal(&s.side[1].peer->ep, &old) && s.side[1].delivered == 3,
	   "and it roams back");
	sim_free(&s);
}

static void check_clock_jumps(void)
{
	struct sim s;
	uint8_t f[80];
	uint64_t inits;

	sim_init(&s, NULL, 5);
	sim_establish(&s);
	sim_frame(f, sizeof(f), 1);
	s.now += 120 * S;
	inits = st(&s, 0, C_TX_INIT);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	ok(st(&s, 0, C_TX_DATA) == 2 && st(&s, 0, C_TX_INIT) == inits + 1,
	   "+120 s: frame still sent on the current key and a rekey starts");
	sim_pump(&s);
	ok(s.side[1].delivered == 2, "+120 s: frame delivered, rekey done");

	/* receiving on a 165 s old initiator key triggers a handshake */
	sim_free(&s);
	sim_init(&s, NULL, 6);
	sim_establish(&s);
	s.now += 165 * S;
	inits = st(&s, 0, C_TX_INIT);
	cable_tx(s.side[1].c, s.side[1].peer, f, sizeof(f));
	ok(s.qn == 1 && s.q[0].data[0] == CABLE_MSG_DATA, "+165 s: responder still sends");
	sim_pump(&s);
	ok(s.side[0].delivered == 1 && st(&s, 0, C_TX_INIT) == inits + 1,
	   "+165 s: initiator receiving on an old key starts a handshake");

	/* 180 s: the key is dead, frames are staged until the new session */
	sim_free(&s);
	sim_init(&s, NULL, 7);
	sim_establish(&s);
	s.now += 180 * S;
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	ok(st(&s, 0, C_TX_STAGED) == 2 && s.qn == 1 && s.q[0].data[0] == CABLE_MSG_INIT,
	   "+180 s: no data sent on an expired key, frame staged, INIT sent");
	sim_pump(&s);
	ok(s.side[1].delivered == 2, "+180 s: staged frame delivered after the handshake");

	/* 540 s of silence: everything wiped */
	sim_free(&s);
	sim_init(&s, NULL, 8);
	sim_establish(&s);
	{
		int i;

		/* tick every second: the passive keepalive at +10 s ends the exchange */
		for (i = 0; i < 539; i++) {
			s.now += S;
			sim_tick(&s);
			sim_pump(&s);
		}
	}
	ok(!cable_peer_zeroed(s.side[0].peer) && !cable_peer_zeroed(s.side[1].peer),
	   "+539 s: keys still there");
	s.now += 1 * S;
	sim_tick(&s);
	sim_pump(&s);
	ok(cable_peer_zeroed(s.side[0].peer) && cable_peer_zeroed(s.side[1].peer) &&
	   st(&s, 0, C_KEYS_ZEROED) == 1 && st(&s, 1, C_KEYS_ZEROED) == 1,
	   "+540 s of silence: all keys on both sides are zero");
	ok(sim_establish(&s) == -1 || 1, "(session can restart)");
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	sim_pump(&s);
	ok(s.side[1].delivered >= 2, "new session after the wipe");

	/* handshake retries, then give up after 90 s */
	sim_free(&s);
	sim_init(&s, NULL, 9);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	s.qn = 0;
	{
		int i;

		for (i = 0; i < 200; i++) {
			s.now += S / 2;
			sim_tick(&s);
			s.qn = 0;
		}
	}
	ok(st(&s, 0, C_TX_INIT) == MAX_TIMER_HANDSHAKES && st(&s, 0, C_HANDSHAKE_GIVEUP) == 1 &&
	   st(&s, 0, C_TX_STAGED_DROP) == 1,
	   "unanswered INIT retried every 5 s, given up after %d tries (%llu sent)",
	   MAX_TIMER_HANDSHAKES, (unsigned long long)st(&s, 0, C_TX_INIT));
	sim_free(&s);
}

/* Continuous traffic for @secs in 50 ms steps; returns frames lost. */
static uint64_t run_traffic(struct sim *s, unsigned secs, int a2b, int b2a, uint64_t *sent)
{
	uint8_t f[200];
	uint64_t steps = secs * 20ULL, i, lost = 0, d0 = s->side[0].delivered,
		 d1 = s->side[1].delivered;

	*sent = 0;
	for (i = 0; i < steps; i++) {
		s->now += S / 20;
		sim_frame(f, sizeof(f), (uint32_t)i);
		if (a2b) {
			cable_tx(s->side[0].c, s->side[0].peer, f, sizeof(f));
			(*sent)++;
		}
		if (b2a) {
			cable_tx(s->side[1].c, s->side[1].peer, f, sizeof(f));
			(*sent)++;
		}
		sim_tick(s);
		sim_pump(s);
	}
	lost = *sent - (s->side[0].delivered - d0) - (s->side[1].delivered - d1);
	return lost;
}

static void check_rekey_traffic(void)
{
	struct sim s;
	uint64_t sent, lost;

	sim_init(&s, NULL, 10);
	sim_establish(&s);
	lost = run_traffic(&s, 700, 1, 1, &sent);
	ok(lost == 0, "700 s of traffic both ways: %llu frames, %llu lost",
	   (unsigned long long)sent, (unsigned long long)lost);
	ok(st(&s, 0, C_HANDSHAKES) >= 5, "rekeyed %llu times",
	   (unsigned long long)st(&s, 0, C_HANDSHAKES));
	ok(st(&s, 1, C_RX_EXPIRED) == 0 && st(&s, 0, C_RX_EXPIRED) == 0, "no expired-key drops");
	sim_free(&s);

	sim_init(&s, NULL, 11);
	sim_establish(&s);
	lost = run_traffic(&s, 700, 1, 0, &sent);
	ok(lost == 0 && st(&s, 0, C_HANDSHAKES) >= 5, "700 s client -> server only: %llu lost, %llu handshakes",
	   (unsigned long long)lost, (unsigned long long)st(&s, 0, C_HANDSHAKES));
	sim_free(&s);

	sim_init(&s, NULL, 12);
	sim_establish(&s);
	lost = run_traffic(&s, 700, 0, 1, &sent);
	ok(lost == 0 && st(&s, 0, C_HANDSHAKES) >= 3, "700 s server -> client only: %llu lost, %llu handshakes",
	   (unsigned long long)lost, (unsigned long long)st(&s, 0, C_HANDSHAKES));
	ok(st(&s, 0, C_TX_KEEPALIVE) > 0, "passive keepalives sent by the receiving side");
	sim_free(&s);
}

static void check_wrong_keys(void)
{
	struct sim s;
	uint8_t f[60], other[32], pub[32];
	struct cable_peer *p;

	/* B does not allow A's key */
	sim_init(&s, NULL, 13);
	sim_key(other, 0x44);
	noise_pub_from_priv(pub, other);
	cable_free(s.side[1].c);
	{
		struct cable_ops ops = {
			.now = sim_now, .realtime = sim_realtime, .random = sim_random,
			.send = sim_send, .deliver = sim_deliver, .arg = &s.side[1],
		};
		uint8_t kb[32];

		sim_key(kb, 0x22);
		s.side[1].c = cable_new(&ops, kb, NULL);
		s.side[1].peer = cable_add_peer(s.side[1].c, pub, NULL, NULL, true, 0);
	}
	sim_frame(f, sizeof(f), 1);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	sim_pump(&s);
	ok(s.side[1].sent == 0 && st(&s, 1, C_RX_HANDSHAKE_FAIL) == 1,
	   "static key not on the allow-list: no reply, rx_handshake_fail");
	sim_free(&s);

	/* A uses a wrong public key for B: mac1 fails */
	sim_init(&s, NULL, 14);
	p = cable_add_peer(s.side[0].c, pub, NULL, &s.side[1].addr, true, 0);
	cable_tx(s.side[0].c, p, f, sizeof(f));
	sim_pump(&s);
	ok(s.side[1].sent == 0 && st(&s, 1, C_RX_BAD_MAC1) == 1,
	   "wrong responder key: no reply, rx_bad_mac1");
	sim_free(&s);

	/* psk mismatch: the RESP does not decrypt */
	{
		uint8_t psk1[32], psk2[32];

		sim_key(psk1, 1);
		sim_key(psk2, 2);
		sim_init(&s, psk1, 15);
		memcpy(s.side[1].peer->sec->psk, psk2, 32);
		cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
		sim_pump(&s);
		ok(s.side[1].delivered == 0 && st(&s, 0, C_RX_HANDSHAKE_FAIL) == 1 &&
		   !cable_peer_usable(s.side[0].peer), "psk mismatch: no session");
		sim_free(&s);
	}
}

static void check_flood(void)
{
	struct sim s;
	struct cable *evil;
	struct cable_peer *ep;
	struct sim_pkt init;
	uint8_t f[100], ke[32], pb[32];
	uint64_t i, sent_b, cookies_b;
	struct sim_side side;

	sim_init(&s, NULL, 16);
	sim_establish(&s);
	memset(&side, 0, sizeof(side));
	side.sim = &s;
	side.side = 0;
	sim_addr(&side.addr, "10.0.0.66", 666);
	{
		struct cable_ops ops = {
			.now = sim_now, .realtime = sim_realtime, .random = sim_random,
			.send = sim_send, .deliver = sim_deliver, .arg = &side,
		};

		sim_key(ke, 0x66);
		evil = cable_new(&ops, ke, NULL);
	}
	sim_key(pb, 0x22);
	noise_pub_from_priv(pb, pb);
	ep = cable_add_peer(evil, pb, NULL, &s.side[1].addr, true, 0);
	cable_tx(evil, ep, f, sizeof(f));
	take(&s, 0, &init);
	s.qn = 0;
	sent_b = s.side[1].sent;
	cookies_b = st(&s, 1, C_TX_COOKIE);
	for (i = 0; i < 20000; i++) {
		struct cable_addr src;
		char ip[32];

		snprintf(ip, sizeof(ip), "10.1.%u.%u", (unsigned)(i % 7), (unsigned)(i % 5));
		sim_addr(&src, ip, (uint16_t)(1000 + i));
		cable_rx(s.side[1].c, init.data, init.len, &src);
		if (i % 100 == 0) {
			s.now += S / 100;
			sim_frame(f, sizeof(f), (uint32_t)i);
			cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
			sim_pump(&s);
		}
	}
	ok(s.side[1].delivered == 201, "data keeps flowing during a flood of 20000 INITs (%llu)",
	   (unsigned long long)s.side[1].delivered);
	/* before the load meter trips (COOKIE_LOAD_BURST INITs), the rate
	 * limits bound the DH work; after, the spoofers never have a cookie */
	ok(st(&s, 1, C_RX_HANDSHAKE_FAIL) <= RL_GLOBAL_BURST + 1 &&
	   st(&s, 1, C_RX_HANDSHAKE_FAIL) + st(&s, 1, C_RX_RATELIMITED) <= COOKIE_LOAD_BURST + 1 &&
	   st(&s, 1, C_RX_NO_COOKIE) >= 19800,
	   "DH work bounded: %llu INITs processed, %llu rate-limited, %llu without cookie",
	   (unsigned long long)st(&s, 1, C_RX_HANDSHAKE_FAIL),
	   (unsigned long long)st(&s, 1, C_RX_RATELIMITED),
	   (unsigned long long)st(&s, 1, C_RX_NO_COOKIE));
	ok(s.side[1].sent - sent_b == st(&s, 1, C_TX_COOKIE) - cookies_b &&
	   st(&s, 1, C_TX_COOKIE) == st(&s, 1, C_RX_NO_COOKIE),
	   "the only replies to the flood are cookie replies (%llu)",
	   (unsigned long long)(s.side[1].sent - sent_b));
	cable_free(evil);
	sim_free(&s);
}

/* Cookies: a responder that requires them, a stale cookie, an old responder. */
static void check_cookies(void)
{
	struct sim s;
	uint8_t f[70];
	bool bad;

	sim_init(&s, NULL, 21);
	s.side[1].c->cookie_mode = CABLE_COOKIES_ALWAYS;
	sim_frame(f, sizeof(f), 5);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	ok(s.qn == 1 && sodium_is_zero(s.q[0].data + 132, 16), "first INIT without mac2");
	sim_pump(&s);
	ok(s.side[1].delivered == 1 && st(&s, 1, C_RX_NO_COOKIE) == 1 &&
	   st(&s, 1, C_TX_COOKIE) == 1 && st(&s, 0, C_RX_COOKIE) == 1 &&
	   st(&s, 0, C_TX_INIT) == 2 && st(&s, 1, C_RX_INIT) == 1 &&
	   st(&s, 1, C_RX_BAD_COOKIE) == 0,
	   "cookie required: INIT, cookie reply, INIT with mac2, RESP, frame delivered");
	ok(s.side[0].peer->cookie_at == s.now, "initiator keeps the cookie");

	/* a cookie the responder does not know (it restarted): one more trip */
	s.now += 200 * S;
	s.side[0].peer->cookie_at = s.now;
	memset(s.side[0].peer->cookie, 0x5a, COOKIE_LEN);
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));	/* key too old: new handshake */
	bad = s.qn != 1 || sodium_is_zero(s.q[0].data + 132, 16);
	sim_pump(&s);
	ok(!bad && st(&s, 1, C_RX_BAD_COOKIE) == 1 && st(&s, 1, C_TX_COOKIE) == 2 &&
	   st(&s, 1, C_RX_INIT) == 2 && s.side[1].delivered == 2,
	   "unknown cookie: rx_bad_cookie, a fresh cookie, handshake completes");

	/* a forged cookie reply for the pending INIT is refused */
	s.now += 200 * S;
	s.side[1].c->cookie_mode = CABLE_COOKIES_OFF;
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	{
		uint8_t fake[CABLE_COOKIE_LEN];

		memset(fake, 0x33, sizeof(fake));
		fake[0] = CABLE_MSG_COOKIE;
		fake[1] = fake[2] = fake[3] = 0;
		memcpy(fake + 4, &s.side[0].peer->hs_index, 4);
		cable_rx(s.side[0].c, fake, sizeof(fake), &s.side[1].addr);
		cable_rx(s.side[0].c, fake, sizeof(fake) - 1, &s.side[1].addr);
	}
	ok(st(&s, 0, C_RX_BAD_COOKIE_REPLY) == 1 && st(&s, 0, C_RX_MALFORMED) == 1 &&
	   s.qn == 1, "forged cookie reply: rx_bad_cookie_reply, nothing sent");
	s.qn = 0;

	/* an older build (cookies off): a held cookie is dropped at the retry */
	s.now += 200 * S;
	s.side[0].peer->cookie_at = s.now;
	cable_tx(s.side[0].c, s.side[0].peer, f, sizeof(f));
	bad = s.qn != 1 || sodium_is_zero(s.q[0].data + 132, 16);
	sim_pump(&s);
	ok(!bad && st(&s, 1, C_RX_MALFORMED) == 1 && s.side[1].delivered == 2,
	   "INIT with mac2 refused by a responder without cookies");
	s.now += REKEY_TIMEOUT + REKEY_JITTER_MAX;
	sim_tick(&s);
	bad = s.qn != 1 || !sodium_is_zero(s.q[0].data + 132, 16);
	sim_pump(&s);
	ok(!bad && s.side[1].delivered == 4,
	   "the retry goes without the cookie and succeeds (both staged frames arrive)");
	sim_free(&s);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	check_basic();
	check_faults_data();
	check_faults_init();
	check_roaming();
	check_clock_jumps();
	check_rekey_traffic();
	check_wrong_keys();
	check_flood();
	check_cookies();
	return tap_done();
}
