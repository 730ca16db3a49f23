// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/cable.c - vdecab v1: packet parsing, handshakes, transport, timers
 *
 * Theory of operation
 *
 * One struct cable holds our static key and up to CABLE_MAX_PEERS peers (the
 * allow-list). Each peer has at most one pending handshake (we initiated it)
 * and three keypair slots: `cur` sends and receives; `prev` only receives
 * (frames still in flight after a rekey); `next` is a responder keypair that
 * only receives until the first data packet under it confirms the initiator
 * has it, at which point it becomes `cur` (key confirmation).
 *
 * cable_rx() checks, in this order and without changing any state before the
 * packet is authenticated: size/type/reserved bytes (mac2 of a RESP must be
 * zero), then for handshakes mac1; for an INIT, the cookie (cryptcab/cookie.c:
 * under load, or whenever mac2 is not zero, mac2 must be a MAC under this
 * source's cookie, else a cookie reply goes back and nothing else happens);
 * then the rate limits (cryptcab/srclimit.c: per source address token bucket
 * and a global one) before any DH, then the Noise processing. Data: receiver index, keypair age, read-only replay pre-check,
 * AEAD (header bound as AD), replay commit. Only then the endpoint roams to
 * the datagram's source and timers move. Every drop is counted by reason;
 * nothing is ever sent in reply to a packet that did not authenticate (an
 * INIT that fully verifies is answered with a RESP, which is the protocol;
 * an INIT with a valid mac1 but no valid cookie, with a 64-byte cookie reply,
 * smaller than the INIT, so the cable never amplifies).
 *
 * Initiator side of cookies: a cookie reply naming our pending INIT's index
 * and authenticating with that INIT's mac1 as additional data gives a cookie
 * (kept COOKIE_USE_MAX); the INIT is resent at once with mac2 set, once per
 * INIT. Later INITs carry the cookie too, except a timer retry of an INIT that
 * already carried it (the peer may have restarted and forgotten its secret).
 *
 * Timers are WireGuard's (timers.c) as absolute deadlines per peer, checked
 * by cable_tick(), which returns the earliest pending deadline:
 *   hs_retry_at	retransmit INIT after 5 s + jitter; give up after 18 tries
 *   keepalive_at	received data, sent nothing for 10 s: send keepalive
 *   newhs_at		sent data, heard nothing for 15 s + jitter: new handshake
 *   zero_at		540 s after the last session was derived: wipe all keys
 *   persistent_at	persistent keepalive
 * Initiators rekey when sending on a keypair older than 120 s (or after
 * 2^60 messages) and when receiving on one older than 165 s. Keypairs older
 * than 180 s are never used. INITs are sent at most once per 5 s (the one
 * resend with a cookie excepted).
 *
 * PSK mode server (cable_add_psk_clients()): every client holds the same
 * PSK and so the same static key; the one allow-listed key cannot tell them
 * apart. That key is kept as a "shared" peer that is never a session; an
 * INIT that authenticates under it belongs to the session of the client at
 * the INIT's source address:port (the only thing that tells PSK clients
 * apart), and one is created if there is none. A session gets its switch
 * port (session_up()) only when its key is confirmed by the first data
 * packet, so a replayed INIT can never open a port; it is freed, with its
 * port, when its keys are wiped (540 s without a handshake) or when the
 * table is full and it is unconfirmed or dead (no usable key). Data finds
 * its session by receiver index as always, so a session roams with its
 * client. INIT replays are caught by each session's timestamp and, across
 * sessions, by the ephemerals of the last CABLE_SEEN_INITS accepted INITs.
 *
 * All secrets live in sodium_malloc() blocks (struct cable_secret, struct
 * cable_peer_secret) and are wiped with sodium_memzero() when replaced.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <sodium.h>

#include "cable.h"

#define CABLE_NAME(id, name) name,
const char *const cable_counter_names[C_N] = { CABLE_COUNTERS(CABLE_NAME) };
#undef CABLE_NAME

#define LOG_INTERVAL	(10 * CABLE_SEC)

static uint64_t now(struct cable *c)
{
	return c->ops.now(c->ops.arg);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void event(struct cable *c, struct cable_peer *p, const char *msg)
{
	if (c->ops.event)
		c->ops.event(c->ops.arg, p, msg);
}

/* Count a drop; tell the shell at most once per counter per 10 s. */
static void drop(struct cable *c, struct cable_peer *p, enum cable_counter why)
{
	uint64_t t = now(c);

	c->stats[why]++;
	if (p)
		p->stats[why]++;
	if (!c->last_log[why] || t - c->last_log[why] >= LOG_INTERVAL) {
		char msg[64];

		c->last_log[why] = t ? t : 1;
		snprintf(msg, sizeof(msg), "dropped packet: %s", cable_counter_names[why]);
		event(c, p, msg);
	}
}

static void count(struct cable *c, struct cable_peer *p, enum cable_counter what, uint64_t n)
{
	c->stats[what] += n;
	if (p)
		p->stats[what] += n;
}

static uint64_t jitter(struct cable *c)
{
	uint32_t r;

	c->ops.random(c->ops.arg, &r, sizeof(r));
	return r % (REKEY_JITTER_MAX + 1);
}

/**
 * cable_addr_equal() - same family, address and port
 * @a:	first address
 * @b:	second address
 *
 * Return: true if equal.
 */
bool cable_addr_equal(const struct cable_addr *a, const struct cable_addr *b)
{
	return a->len == b->len && !memcmp(&a->ss, &b->ss, a->len);
}

static void keypair_wipe(struct cable_keypair *kp)
{
	sodium_memzero(kp, sizeof(*kp));
}

static bool keypair_expired(struct cable *c, const struct cable_keypair *kp)
{
	return now(c) - kp->birth >= REJECT_AFTER_TIME;
}

static bool index_live(struct cable *c, uint32_t idx)
{
	size_t i;

	for (i = 0; i < c->npeers; i++) {
		const struct cable_peer *p = c->peers[i];
		const struct cable_peer_secret *s = p->sec;

		if ((p->hs_active && p->hs_index == idx) ||
		    (s->prev.valid && s->prev.local_index == idx) ||
		    (s->cur.valid && s->cur.local_index == idx) ||
		    (s->next.valid && s->next.local_index == idx))
			return true;
	}
	return false;
}

static uint32_t new_index(struct cable *c)
{
	uint32_t idx;

	do
		c->ops.random(c->ops.arg, &idx, sizeof(idx));
	while (index_live(c, idx));
	return idx;
}

/* TAI64N; the nanoseconds are aligned down to a multiple of 2^24 ns (the
 * largest power of two below 1 s / INITIATIONS_PER_SECOND), as WireGuard
 * does, so the timestamp does not leak a precise clock. */
static void tai64n(struct cable *c, uint8_t out[NOISE_TIMESTAMPLEN])
{
	struct timespec ts;
	uint64_t sec;
	uint32_t ns;
	int i;

	c->ops.realtime(c->ops.arg, &ts);
	sec = 0x400000000000000aULL + (uint64_t)ts.tv_sec;
	ns = (uint32_t)ts.tv_nsec & ~((1U << 24) - 1);
	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(sec >> (56 - 8 * i));
	for (i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(ns >> (24 - 8 * i));
}

static int send_to_peer(struct cable *c, struct cable_peer *p, const uint8_t *buf, size_t len)
{
	int ret = -1;

	if (!p->has_ep) {
		count(c, p, C_TX_NO_ENDPOINT, 1);
		goto out;
	}
	if (c->ops.send(c->ops.arg, p, &p->ep, buf, len) < 0) {
		if (errno == EMSGSIZE)
			drop(c, p, C_TX_EMSGSIZE);
		else
			drop(c, p, C_TX_ERROR);
		goto out;
	}
	count(c, p, C_TX_BYTES, len);
	p->last_tx = now(c);
	ret = 0;
out:
	return ret;
}

/* Transport data (n = 0: keepalive) under @kp. */
static void send_data(struct cable *c, struct cable_peer *p, struct cable_keypair *kp,
		      const uint8_t *frame, size_t len)
{
	uint8_t nonce[12];
	uint64_t ctr = kp->send_counter++;
	uint64_t t = now(c);

	memset(c->txbuf, 0, CABLE_DATA_HDR);
	c->txbuf[0] = CABLE_MSG_DATA;
	put32(c->txbuf + 4, kp->remote_index);
	put64(c->txbuf + 8, ctr);
	noise_nonce(nonce, ctr);
	crypto_aead_chacha20poly1305_ietf_encrypt(c->txbuf + CABLE_DATA_HDR, NULL, frame, len,
						  c->txbuf, CABLE_DATA_HDR, NULL, nonce, kp->send);
	if (send_to_peer(c, p, c->txbuf, CABLE_DATA_MIN + len))
		return;
	count(c, p, len ? C_TX_DATA : C_TX_KEEPALIVE, 1);
	/* any authenticated packet sent: no passive keepalive needed */
	p->keepalive_at = 0;
	if (len && !p->newhs_at)
		p->newhs_at = t + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter(c);
	if (p->keepalive_interval)
		p->persistent_at = t + p->keepalive_interval;
}

static void send_init(struct cable *c, struct cable_peer *p, bool retry)
{
	struct cable_peer_secret *s = p->sec;
	uint8_t pkt[CABLE_INIT_LEN], e[NOISE_KEYLEN], ts[NOISE_TIMESTAMPLEN];
	uint64_t t = now(c);

	if (!p->may_initiate || !p->has_ep)
		goto out;
	if (p->hs_last_sent && t - p->hs_last_sent < REKEY_TIMEOUT)
		goto out;
	if (!retry || !p->hs_active)
		p->hs_attempts = 0;
	p->hs_active = false;
	p->hs_index = new_index(c);
	c->ops.random(c->ops.arg, e, sizeof(e));
	tai64n(c, ts);
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = CABLE_MSG_INIT;
	put32(pkt + 4, p->hs_index);
	if (noise_create_init(&s->hs, p->h0, p->ck0, e, c->pub, p->pub, s->ss, ts, pkt + 8))
		goto out;
	noise_mac(pkt + 116, p->mac1_key, pkt, 116);
	if (retry && p->init_had_cookie)
		p->cookie_at = 0;	/* unanswered with it: maybe a new secret */
	p->init_had_cookie = p->cookie_at && t - p->cookie_at < COOKIE_USE_MAX;
	if (p->init_had_cookie)
		cookie_mac2(pkt + 132, p->cookie, pkt, 132);
	memcpy(p->init_pkt, pkt, sizeof(pkt));
	p->cookie_resent = false;
	p->hs_active = true;
	p->hs_last_sent = t;
	p->hs_retry_at = t + REKEY_TIMEOUT + jitter(c);
	p->persistent_at = 0;
	if (!send_to_peer(c, p, pkt, sizeof(pkt)))
		count(c, p, C_TX_INIT, 1);
out:
	sodium_memzero(e, sizeof(e));
}

/* Frames staged while there was no usable keypair go out under @kp. */
static unsigned flush_staged(struct cable *c, struct cable_peer *p, struct cable_keypair *kp)
{
	unsigned n = 0;

	while (p->staged_n) {
		struct cable_staged *f = &p->staged[p->staged_head];

		p->staged_head = (p->staged_head + 1) % CABLE_STAGED_MAX;
		p->staged_n--;
		send_data(c, p, kp, f->data, f->len);
		n++;
	}
	return n;
}

static void stage(struct cable *c, struct cable_peer *p, const uint8_t *frame, size_t len)
{
	struct cable_staged *f;

	if (p->staged_n == CABLE_STAGED_MAX) {
		p->staged_head = (p->staged_head + 1) % CABLE_STAGED_MAX;
		p->staged_n--;
		count(c, p, C_TX_STAGED_DROP, 1);
	}
	f = &p->staged[(p->staged_head + p->staged_n) % CABLE_STAGED_MAX];
	memcpy(f->data, frame, len);
	f->len = (uint16_t)len;
	p->staged_n++;
	count(c, p, C_TX_STAGED, 1);
}

static bool usable(struct cable *c, const struct cable_keypair *kp)
{
	return kp->valid && !keypair_expired(c, kp) && kp->send_counter < REJECT_AFTER_MESSAGES;
}

/**
 * cable_peer_usable() - does @p have a keypair it may send on?
 * @p:	peer
 *
 * Return: true if `cur` is valid, younger than 180 s and not exhausted.
 */
bool cable_peer_usable(const struct cable_peer *p)
{
	return usable(p->c, &p->sec->cur);
}

static void session_derived(struct cable *c, struct cable_peer *p)
{
	uint64_t t = now(c);

	p->zero_at = t + ZERO_KEYS_AFTER;
	p->last_handshake = t;
	count(c, p, C_HANDSHAKES, 1);
}

static void set_endpoint(struct cable *c, struct cable_peer *p, const struct cable_addr *src)
{
	if (p->has_ep && cable_addr_equal(&p->ep, src))
		return;
	if (p->has_ep) {
		count(c, p, C_ROAMED, 1);
		event(c, p, "endpoint changed");
	}
	p->ep = *src;
	p->has_ep = true;
}

static bool ratelimit_ok(struct cable *c, const struct cable_addr *src)
{
	return srclimit_allow(&c->sec->rl, &src->ss, now(c)) == SRCLIMIT_OK;
}

/**
 * cable_under_load() - are cookies required for INITs now?
 * @c:	cable
 *
 * Return: true while the load meter says so (or cookies are always on).
 */
bool cable_under_load(const struct cable *c)
{
	if (c->cookie_mode != CABLE_COOKIES_AUTO)
		return c->cookie_mode == CABLE_COOKIES_ALWAYS;
	return c->ops.now(c->ops.arg) < c->sec->cc.load_until;
}

/**
 * cable_sessions() - number of PSK client sessions
 * @c:	cable
 *
 * Return: sessions (confirmed or not) of a PSK server, 0 otherwise.
 */
size_t cable_sessions(const struct cable *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->npeers; i++)
		n += c->peers[i]->session;
	return n;
}

static void peer_free(struct cable_peer *p)
{
	if (!p)
		return;
	sodium_free(p->sec);
	free(p);
}

/* Remove a session (the shell closes its port first) and free it. */
static void session_close(struct cable *c, struct cable_peer *p)
{
	size_t i;

	if (c->ops.session_down)
		c->ops.session_down(c->ops.arg, p);
	count(c, NULL, C_SESSIONS_CLOSED, 1);
	event(c, p, "session closed");
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i] == p) {
			memmove(&c->peers[i], &c->peers[i + 1],
				(c->npeers - i - 1) * sizeof(c->peers[0]));
			c->npeers--;
			break;
		}
	peer_free(p);
}

/* Make room for one more session: an unconfirmed one goes first (oldest
 * INIT), then a dead one (no usable key; least recently heard). */
static bool session_make_room(struct cable *c)
{
	struct cable_peer *victim = NULL;
	size_t i;

	if (cable_sessions(c) < c->max_sessions && c->npeers < CABLE_MAX_PEERS)
		return true;
	for (i = 0; i < c->npeers; i++) {
		struct cable_peer *p = c->peers[i];

		if (p->session && !p->up && (!victim || p->created < victim->created))
			victim = p;
	}
	for (i = 0; i < c->npeers && !victim; i++) {
		struct cable_peer *p = c->peers[i];

		if (p->session && !cable_peer_usable(p) && !p->sec->next.valid &&
		    (!victim || p->last_rx < victim->last_rx))
			victim = p;
	}
	if (!victim)
		return false;
	session_close(c, victim);
	return true;
}

/* The session of the client at @src (the latest one if several). */
static struct cable_peer *session_find(struct cable *c, const struct cable_addr *src)
{
	struct cable_peer *found = NULL;
	size_t i;

	for (i = 0; i < c->npeers; i++) {
		struct cable_peer *p = c->peers[i];

		if (p->session && p->has_ep && cable_addr_equal(&p->ep, src) &&
		    (!found || p->created > found->created))
			found = p;
	}
	return found;
}

/* A new session for a client of @shared at @src; NULL if no room. */
static struct cable_peer *session_new(struct cable *c, struct cable_peer *shared,
				      const struct cable_addr *src)
{
	struct cable_peer *p = NULL;

	if (!session_make_room(c))
		goto fail;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	p->sec = sodium_malloc(sizeof(*p->sec));
	if (!p->sec)
		goto fail;
	sodium_memzero(p->sec, sizeof(*p->sec));
	memcpy(p->sec->psk, shared->sec->psk, NOISE_KEYLEN);
	memcpy(p->sec->ss, shared->sec->ss, NOISE_KEYLEN);
	p->c = c;
	p->id = c->next_id++;
	memcpy(p->pub, shared->pub, NOISE_KEYLEN);
	memcpy(p->mac1_key, shared->mac1_key, NOISE_KEYLEN);
	memcpy(p->cookie_key, shared->cookie_key, COOKIE_KEYLEN);
	memcpy(p->h0, shared->h0, NOISE_HASHLEN);
	memcpy(p->ck0, shared->ck0, NOISE_HASHLEN);
	p->session = true;
	p->keepalive_interval = shared->keepalive_interval;
	p->ep = *src;
	p->has_ep = true;
	p->created = now(c) ? now(c) : 1;
	c->peers[c->npeers++] = p;
	count(c, NULL, C_SESSIONS_OPENED, 1);
	return p;
fail:
	peer_free(p);
	return NULL;
}

static bool init_seen(struct cable *c, const uint8_t *e)
{
	unsigned i;

	for (i = 0; i < CABLE_SEEN_INITS; i++)
		if (!memcmp(c->seen_e[i], e, NOISE_KEYLEN))
			return true;
	return false;
}

static bool mac1_ok(struct cable *c, const uint8_t *buf, size_t off)
{
	uint8_t mac[NOISE_MAC_LEN];

	noise_mac(mac, c->mac1_key, buf, off);
	return sodium_memcmp(mac, buf + off, NOISE_MAC_LEN) == 0;
}

/* Answer an INIT from @src with a cookie reply (no state, no public-key work). */
static void send_cookie(struct cable *c, const uint8_t *buf, const struct cable_addr *src)
{
	uint8_t pkt[CABLE_COOKIE_LEN], nonce[COOKIE_NONCE_LEN];

	c->ops.random(c->ops.arg, nonce, sizeof(nonce));
	cookie_make_reply(&c->sec->cc, &src->ss, get32(buf + 4), buf + 116, nonce, pkt);
	if (c->ops.send(c->ops.arg, NULL, src, pkt, sizeof(pkt)) < 0) {
		drop(c, NULL, errno == EMSGSIZE ? C_TX_EMSGSIZE : C_TX_ERROR);
		return;
	}
	count(c, NULL, C_TX_COOKIE, 1);
	count(c, NULL, C_TX_BYTES, sizeof(pkt));
}

/* The cookie check of an INIT (docs/cable.md, "Cookies").
 * Return: true if the INIT may go on to the rate limits and the DH. */
static bool cookie_ok(struct cable *c, const uint8_t *buf, const struct cable_addr *src)
{
	uint64_t t = now(c);
	bool absent = sodium_is_zero(buf + 132, NOISE_MAC_LEN);
	bool load = cookie_load_note(&c->sec->cc, t);
	enum cookie_mac2 v;

	if (c->cookie_mode == CABLE_COOKIES_OFF) {
		if (!absent)
			drop(c, NULL, C_RX_MALFORMED);
		return absent;
	}
	if (c->cookie_mode == CABLE_COOKIES_ALWAYS)
		load = true;
	if (absent && !load)
		return true;
	cookie_rotate(&c->sec->cc, t, c->ops.random, c->ops.arg);
	v = cookie_check_mac2(&c->sec->cc, buf, 132, &src->ss, t);
	if (v == COOKIE_MAC2_VALID)
		return true;
	drop(c, NULL, v == COOKIE_MAC2_ABSENT ? C_RX_NO_COOKIE : C_RX_BAD_COOKIE);
	send_cookie(c, buf, src);
	return false;
}

static void rx_init(struct cable *c, const uint8_t *buf, const struct cable_addr *src)
{
	struct noise_hs *hs = NULL;
	struct cable_peer *p = NULL;
	struct cable_peer_secret *s;
	struct noise_keys keys;
	uint8_t ts[NOISE_TIMESTAMPLEN], e[NOISE_KEYLEN], pkt[CABLE_RESP_LEN];
	uint64_t t = now(c);
	size_t i;

	if (!mac1_ok(c, buf, 116)) {
		drop(c, NULL, C_RX_BAD_MAC1);
		goto out;
	}
	if (!cookie_ok(c, buf, src))
		goto out;
	if (!ratelimit_ok(c, src)) {
		drop(c, NULL, C_RX_RATELIMITED);
		goto out;
	}
	/* the first peer's scratch state holds the half-done handshake */
	if (!c->npeers) {
		drop(c, NULL, C_RX_HANDSHAKE_FAIL);
		goto out;
	}
	hs = &c->peers[0]->sec->scratch;
	if (noise_consume_init_static(hs, c->h0, c->ck0, c->sec->priv, buf + 8)) {
		drop(c, NULL, C_RX_HANDSHAKE_FAIL);
		goto out;
	}
	for (i = 0; i < c->npeers && !p; i++)
		if (!c->peers[i]->session &&
		    !sodium_memcmp(c->peers[i]->pub, hs->rs, NOISE_KEYLEN))
			p = c->peers[i];
	if (!p) {
		drop(c, NULL, C_RX_HANDSHAKE_FAIL);
		goto out;
	}
	s = p->sec;
	if (hs != &s->scratch) {
		s->scratch = *hs;
		sodium_memzero(hs, sizeof(*hs));
		hs = &s->scratch;
	}
	if (noise_consume_init_finish(hs, s->ss, buf + 8, ts)) {
		drop(c, p, C_RX_HANDSHAKE_FAIL);
		goto out;
	}
	if (p->shared) {
		/* PSK server: the client is its address:port */
		struct cable_peer *q = session_find(c, src);

		if (init_seen(c, buf + 8)) {
			drop(c, q, C_RX_HANDSHAKE_REPLAY);
			goto out;
		}
		if (q && ((q->has_ts && memcmp(ts, q->last_ts, sizeof(ts)) <= 0) ||
			  (q->last_init_rx && t - q->last_init_rx < INIT_MIN_INTERVAL))) {
			drop(c, q, C_RX_HANDSHAKE_REPLAY);
			goto out;
		}
		if (!q && !(q = session_new(c, p, src))) {
			drop(c, NULL, C_RX_NO_SLOT);
			goto out;
		}
		memcpy(c->seen_e[c->seen_next], buf + 8, NOISE_KEYLEN);
		c->seen_next = (c->seen_next + 1) % CABLE_SEEN_INITS;
		p = q;
		s = p->sec;
	} else if ((p->has_ts && memcmp(ts, p->last_ts, sizeof(ts)) <= 0) ||
		   (p->last_init_rx && t - p->last_init_rx < INIT_MIN_INTERVAL)) {
		drop(c, p, C_RX_HANDSHAKE_REPLAY);
		goto out;
	}
	/* authenticated: commit */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = CABLE_MSG_RESP;
	c->ops.random(c->ops.arg, e, sizeof(e));
	if (noise_create_resp(hs, e, s->psk, pkt + 12, &keys)) {
		drop(c, p, C_RX_HANDSHAKE_FAIL);
		goto out;
	}
	count(c, p, C_RX_INIT, 1);
	memcpy(p->last_ts, ts, sizeof(ts));
	p->has_ts = true;
	p->last_init_rx = t ? t : 1;
	keypair_wipe(&s->next);
	s->next.valid = true;
	s->next.initiator = false;
	s->next.local_index = new_index(c);
	s->next.remote_index = get32(buf + 4);
	s->next.birth = t;
	memcpy(s->next.send, keys.send, NOISE_KEYLEN);
	memcpy(s->next.recv, keys.recv, NOISE_KEYLEN);
	replay_init(&s->next.replay);
	put32(pkt + 4, s->next.local_index);
	put32(pkt + 8, s->next.remote_index);
	noise_mac(pkt + 60, p->mac1_key, pkt, 60);
	set_endpoint(c, p, src);
	p->newhs_at = 0;
	session_derived(c, p);
	if (!send_to_peer(c, p, pkt, sizeof(pkt)))
		count(c, p, C_TX_RESP, 1);
	event(c, p, "handshake answered");
out:
	if (hs)
		sodium_memzero(hs, sizeof(*hs));
	sodium_memzero(&keys, sizeof(keys));
	sodium_memzero(e, sizeof(e));
}

/* The peer whose pending INIT has index @idx, or NULL. */
static struct cable_peer *pending_peer(struct cable *c, uint32_t idx)
{
	size_t i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i]->hs_active && c->peers[i]->hs_index == idx)
			return c->peers[i];
	return NULL;
}

static void rx_resp(struct cable *c, const uint8_t *buf, const struct cable_addr *src)
{
	struct cable_peer *p = NULL;
	struct cable_peer_secret *s = NULL;
	struct noise_keys keys;
	uint32_t idx = get32(buf + 8);

	if (!mac1_ok(c, buf, 60)) {
		drop(c, NULL, C_RX_BAD_MAC1);
		goto out;
	}
	if (!ratelimit_ok(c, src)) {
		drop(c, NULL, C_RX_RATELIMITED);
		goto out;
	}
	p = pending_peer(c, idx);
	if (!p) {
		drop(c, NULL, C_RX_UNKNOWN_INDEX);
		goto out;
	}
	s = p->sec;
	/* a forged RESP must not destroy the pending handshake: work on a copy */
	s->scratch = s->hs;
	if (noise_consume_resp(&s->scratch, c->sec->priv, s->psk, buf + 12, &keys)) {
		drop(c, p, C_RX_HANDSHAKE_FAIL);
		goto out;
	}
	count(c, p, C_RX_RESP, 1);
	sodium_memzero(&s->hs, sizeof(s->hs));
	p->hs_active = false;
	p->hs_attempts = 0;
	p->hs_retry_at = 0;
	if (s->next.valid) {
		keypair_wipe(&s->prev);
		s->prev = s->next;
		keypair_wipe(&s->next);
		keypair_wipe(&s->cur);
	} else {
		keypair_wipe(&s->prev);
		s->prev = s->cur;
	}
	keypair_wipe(&s->cur);
	s->cur.valid = true;
	s->cur.initiator = true;
	s->cur.local_index = idx;
	s->cur.remote_index = get32(buf + 4);
	s->cur.birth = now(c);
	memcpy(s->cur.send, keys.send, NOISE_KEYLEN);
	memcpy(s->cur.recv, keys.recv, NOISE_KEYLEN);
	replay_init(&s->cur.replay);
	set_endpoint(c, p, src);
	p->newhs_at = 0;
	session_derived(c, p);
	event(c, p, "handshake complete");
	if (!flush_staged(c, p, &s->cur))
		send_data(c, p, &s->cur, NULL, 0);
out:
	sodium_memzero(&keys, sizeof(keys));
	if (s)
		sodium_memzero(&s->scratch, sizeof(s->scratch));
}

static void rx_cookie(struct cable *c, const uint8_t *buf)
{
	struct cable_peer *p = NULL;
	uint8_t ck[COOKIE_LEN];
	uint32_t idx = get32(buf + 4);

	p = pending_peer(c, idx);
	if (!p) {
		drop(c, NULL, C_RX_UNKNOWN_INDEX);
		goto out;
	}
	if (cookie_open_reply(p->cookie_key, buf, p->init_pkt + 116, ck)) {
		drop(c, p, C_RX_BAD_COOKIE_REPLY);
		goto out;
	}
	count(c, p, C_RX_COOKIE, 1);
	memcpy(p->cookie, ck, sizeof(ck));
	p->cookie_at = now(c) ? now(c) : 1;
	if (p->cookie_resent)
		goto out;	/* once per INIT; the timers do the rest */
	p->cookie_resent = true;
	p->init_had_cookie = true;
	cookie_mac2(p->init_pkt + 132, ck, p->init_pkt, 132);
	if (!send_to_peer(c, p, p->init_pkt, CABLE_INIT_LEN))
		count(c, p, C_TX_INIT, 1);
	event(c, p, "cookie reply: initiation sent again with the cookie");
out:
	sodium_memzero(ck, sizeof(ck));
}

static void rx_data(struct cable *c, const uint8_t *buf, size_t len, const struct cable_addr *src)
{
	struct cable_peer *p = NULL;
	struct cable_keypair *kp = NULL;
	uint32_t idx = get32(buf + 4);
	uint64_t ctr = get64(buf + 8), t;
	uint8_t nonce[12];
	size_t i, n = len - CABLE_DATA_MIN;

	for (i = 0; i < c->npeers && !kp; i++) {
		struct cable_peer_secret *s = c->peers[i]->sec;

		p = c->peers[i];
		if (s->cur.valid && s->cur.local_index == idx)
			kp = &s->cur;
		else if (s->prev.valid && s->prev.local_index == idx)
			kp = &s->prev;
		else if (s->next.valid && s->next.local_index == idx)
			kp = &s->next;
	}
	if (!kp) {
		drop(c, NULL, C_RX_UNKNOWN_INDEX);
		return;
	}
	if (keypair_expired(c, kp)) {
		drop(c, p, C_RX_EXPIRED);
		if (kp->initiator)
			send_init(c, p, false);
		return;
	}
	if (!replay_check(&kp->replay, ctr)) {
		drop(c, p, C_RX_REPLAY);
		return;
	}
	noise_nonce(nonce, ctr);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(c->rxbuf, NULL, NULL, buf + CABLE_DATA_HDR,
						      len - CABLE_DATA_HDR, buf, CABLE_DATA_HDR,
						      nonce, kp->recv) != 0) {
		drop(c, p, C_RX_AUTH_FAIL);
		return;
	}
	if (!replay_commit(&kp->replay, ctr)) {
		drop(c, p, C_RX_REPLAY);
		return;
	}
	t = now(c);
	if (kp == &p->sec->next) {
		/* key confirmed: the initiator has it */
		struct cable_peer_secret *s = p->sec;

		keypair_wipe(&s->prev);
		s->prev = s->cur;
		s->cur = s->next;
		keypair_wipe(&s->next);
		kp = &s->cur;
		event(c, p, "session confirmed");
		if (p->session && !p->up) {
			p->up = true;
			if (c->ops.session_up && c->ops.session_up(c->ops.arg, p)) {
				p->up = false;
				drop(c, NULL, C_RX_NO_SLOT);
				session_close(c, p);
				return;
			}
		}
		flush_staged(c, p, kp);
	}
	set_endpoint(c, p, src);
	p->last_rx = t;
	p->newhs_at = 0;
	count(c, p, C_RX_BYTES, len);
	if (!n) {
		count(c, p, C_RX_KEEPALIVE, 1);
	} else if (n < CABLE_FRAME_MIN) {
		drop(c, p, C_RX_BAD_FRAME);
	} else {
		count(c, p, C_RX_DATA, 1);
		if (!p->keepalive_at)
			p->keepalive_at = t + KEEPALIVE_TIMEOUT;
		c->ops.deliver(c->ops.arg, p, c->rxbuf, n);
	}
	if (kp == &p->sec->cur && kp->initiator && t - kp->birth >= REKEY_ON_RECV_TIME)
		send_init(c, p, false);
}

/**
 * cable_rx() - process one received datagram
 * @c:		cable
 * @buf:	datagram
 * @len:	its length (the shell reads up to 65535 bytes)
 * @src:	its source address
 */
void cable_rx(struct cable *c, const uint8_t *buf, size_t len, const struct cable_addr *src)
{
	if (len < 4 || buf[1] || buf[2] || buf[3]) {
		drop(c, NULL, C_RX_MALFORMED);
		return;
	}
	switch (buf[0]) {
	case CABLE_MSG_INIT:
		if (len != CABLE_INIT_LEN)
			drop(c, NULL, C_RX_MALFORMED);
		else
			rx_init(c, buf, src);
		break;
	case CABLE_MSG_RESP:
		if (len != CABLE_RESP_LEN || !sodium_is_zero(buf + 76, 16))
			drop(c, NULL, C_RX_MALFORMED);
		else
			rx_resp(c, buf, src);
		break;
	case CABLE_MSG_COOKIE:
		if (len != CABLE_COOKIE_LEN)
			drop(c, NULL, C_RX_MALFORMED);
		else
			rx_cookie(c, buf);
		break;
	case CABLE_MSG_DATA:
		if (len < CABLE_DATA_MIN)
			drop(c, NULL, C_RX_MALFORMED);
		else if (len > CABLE_DATA_MAX)
			drop(c, NULL, C_RX_OVERSIZE);
		else
			rx_data(c, buf, len, src);
		break;
	default:
		drop(c, NULL, C_RX_MALFORMED);
		break;
	}
}

/**
 * cable_tx() - send an Ethernet frame to a peer
 * @c:		cable
 * @p:		peer (its switch port produced the frame)
 * @frame:	the frame, 14..1518 bytes
 * @len:	its length
 *
 * Without a usable keypair the frame is staged (32 at most, oldest dropped)
 * and a handshake is started if this side may initiate.
 */
void cable_tx(struct cable *c, struct cable_peer *p, const uint8_t *frame, size_t len)
{
	struct cable_keypair *kp = &p->sec->cur;

	if (len > CABLE_FRAME_MAX) {
		drop(c, p, C_TX_OVERSIZE);
		return;
	}
	if (len < CABLE_FRAME_MIN) {
		drop(c, p, C_TX_RUNT);
		return;
	}
	if (!usable(c, kp)) {
		stage(c, p, frame, len);
		send_init(c, p, false);
		return;
	}
	send_data(c, p, kp, frame, len);
	if (kp->initiator && (now(c) - kp->birth >= REKEY_AFTER_TIME ||
			      kp->send_counter >= REKEY_AFTER_MESSAGES))
		send_init(c, p, false);
}

static void zero_keys(struct cable *c, struct cable_peer *p)
{
	struct cable_peer_secret *s = p->sec;

	keypair_wipe(&s->prev);
	keypair_wipe(&s->cur);
	keypair_wipe(&s->next);
	sodium_memzero(&s->hs, sizeof(s->hs));
	sodium_memzero(&s->scratch, sizeof(s->scratch));
	p->hs_active = false;
	p->hs_retry_at = 0;
	p->keepalive_at = 0;
	p->newhs_at = 0;
	count(c, p, C_KEYS_ZEROED, 1);
	event(c, p, "keys zeroed");
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* Return: true if @p was a session and has been freed. */
static bool peer_timers(struct cable *c, struct cable_peer *p, uint64_t t)
{
	if (p->hs_active && p->hs_retry_at && t >= p->hs_retry_at) {
		p->hs_retry_at = 0;
		if (p->hs_attempts + 1 >= MAX_TIMER_HANDSHAKES) {
			p->hs_active = false;
			sodium_memzero(&p->sec->hs, sizeof(p->sec->hs));
			p->keepalive_at = 0;
			count(c, p, C_TX_STAGED_DROP, p->staged_n);
			p->staged_n = 0;
			count(c, p, C_HANDSHAKE_GIVEUP, 1);
			event(c, p, "handshake gave up");
			if (!p->zero_at)
				p->zero_at = t + ZERO_KEYS_AFTER;
		} else {
			p->hs_attempts++;
			send_init(c, p, true);
		}
	}
	if (p->keepalive_at && t >= p->keepalive_at) {
		p->keepalive_at = 0;
		if (usable(c, &p->sec->cur))
			send_data(c, p, &p->sec->cur, NULL, 0);
	}
	if (p->newhs_at && t >= p->newhs_at) {
		p->newhs_at = 0;
		send_init(c, p, false);
	}
	if (p->zero_at && t >= p->zero_at) {
		p->zero_at = 0;
		zero_keys(c, p);
		if (p->session) {
			session_close(c, p);
			return true;
		}
	}
	if (p->persistent_at && t >= p->persistent_at) {
		p->persistent_at = t + p->keepalive_interval;
		if (usable(c, &p->sec->cur))
			send_data(c, p, &p->sec->cur, NULL, 0);
		else
			send_init(c, p, false);
	}
	return false;
}

/**
 * cable_tick() - run the timers that are due
 * @c:	cable
 *
 * Return: the earliest pending deadline (monotonic ns), 0 if none.
 */
uint64_t cable_tick(struct cable *c)
{
	uint64_t t = now(c), next = 0;
	size_t i;

	for (i = 0; i < c->npeers; i++) {
		struct cable_peer *p = c->peers[i];

		if (peer_timers(c, p, t)) {
			i--;	/* the array moved down */
			continue;
		}
		next = earliest(next, p->hs_active ? p->hs_retry_at : 0);
		next = earliest(next, p->keepalive_at);
		next = earliest(next, p->newhs_at);
		next = earliest(next, p->zero_at);
		next = earliest(next, p->persistent_at);
	}
	return next;
}

/**
 * cable_peer_zeroed() - are all of @p's session keys wiped?
 * @p:	peer
 *
 * Return: true if every keypair slot and the handshake state are all zero.
 */
bool cable_peer_zeroed(const struct cable_peer *p)
{
	const struct cable_peer_secret *s = p->sec;

	return sodium_is_zero((const uint8_t *)&s->prev, sizeof(s->prev)) &&
	       sodium_is_zero((const uint8_t *)&s->cur, sizeof(s->cur)) &&
	       sodium_is_zero((const uint8_t *)&s->next, sizeof(s->next)) &&
	       sodium_is_zero((const uint8_t *)&s->hs, sizeof(s->hs));
}

/**
 * cable_new() - create a cable endpoint
 * @ops:	clock, RNG and output callbacks (copied)
 * @priv:	our static private key (copied into guarded memory)
 * @name:	optional cable name mixed into the prologue, or NULL
 *
 * Return: the cable, or NULL with errno set.
 */
struct cable *cable_new(const struct cable_ops *ops, const uint8_t priv[NOISE_KEYLEN],
			const char *name)
{
	struct cable *c = calloc(1, sizeof(*c));
	uint8_t rlkey[SRCLIMIT_KEYLEN];

	if (!c)
		goto fail;
	c->ops = *ops;
	c->sec = sodium_malloc(sizeof(*c->sec));
	if (!c->sec)
		goto fail;
	memcpy(c->sec->priv, priv, NOISE_KEYLEN);
	ops->random(ops->arg, rlkey, sizeof(rlkey));
	srclimit_init(&c->sec->rl, rlkey, RL_PER_IP_RATE, RL_PER_IP_BURST, RL_GLOBAL_RATE,
		      RL_GLOBAL_BURST);
	sodium_memzero(rlkey, sizeof(rlkey));
	if (noise_pub_from_priv(c->pub, priv)) {
		errno = EINVAL;
		goto fail;
	}
	cookie_checker_init(&c->sec->cc, c->pub);
	if (name && !(c->name = strdup(name)))
		goto fail;
	noise_mac1_key(c->mac1_key, c->pub);
	noise_hs_start(c->h0, c->ck0, c->pub, c->name);
	return c;
fail:
	cable_free(c);
	return NULL;
}

/**
 * cable_add_peer() - add a peer to the allow-list
 * @c:			cable
 * @pub:		its static public key
 * @psk:		32-byte pre-shared key, or NULL for none (zeros)
 * @ep:			its endpoint, or NULL until it contacts us
 * @may_initiate:	false for a listen-only side (PSK-mode server)
 * @keepalive_s:	persistent keepalive interval in seconds, 0 = off
 *
 * Return: the peer, or NULL with errno set (EINVAL: low-order key, our own
 * key or a duplicate; ENOSPC: too many peers; ENOMEM).
 */
struct cable_peer *cable_add_peer(struct cable *c, const uint8_t pub[NOISE_KEYLEN],
				  const uint8_t *psk, const struct cable_addr *ep,
				  bool may_initiate, unsigned keepalive_s)
{
	struct cable_peer *p = NULL;
	size_t i;

	if (c->npeers == CABLE_MAX_PEERS) {
		errno = ENOSPC;
		goto fail;
	}
	if (!memcmp(c->pub, pub, NOISE_KEYLEN)) {
		errno = EINVAL;		/* our own key: we would talk to ourselves */
		goto fail;
	}
	for (i = 0; i < c->npeers; i++)
		if (c->max_sessions || !memcmp(c->peers[i]->pub, pub, NOISE_KEYLEN)) {
			errno = EEXIST;		/* a PSK server has one key only */
			goto fail;
		}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	p->sec = sodium_malloc(sizeof(*p->sec));
	if (!p->sec)
		goto fail;
	sodium_memzero(p->sec, sizeof(*p->sec));
	if (noise_dh(p->sec->ss, c->sec->priv, pub)) {
		errno = EINVAL;
		goto fail;
	}
	if (psk)
		memcpy(p->sec->psk, psk, NOISE_KEYLEN);
	p->c = c;
	p->id = c->next_id++;
	memcpy(p->pub, pub, NOISE_KEYLEN);
	noise_mac1_key(p->mac1_key, pub);
	cookie_reply_key(p->cookie_key, pub);
	noise_hs_start(p->h0, p->ck0, pub, c->name);
	p->may_initiate = may_initiate;
	if (ep) {
		p->ep = *ep;
		p->has_ep = true;
	}
	p->keepalive_interval = keepalive_s * CABLE_SEC;
	if (p->keepalive_interval && p->has_ep)
		p->persistent_at = now(c) ? now(c) : 1;
	c->peers[c->npeers++] = p;
	return p;
fail:
	peer_free(p);
	return NULL;
}

/**
 * cable_add_psk_clients() - PSK mode server: accept several clients
 * @c:			cable, with no peers yet
 * @pub:		the clients' common static public key (from the PSK)
 * @psk:		the PSK
 * @max_sessions:	client sessions at most (1..CABLE_MAX_PEERS - 1)
 *
 * Every INIT under @pub starts or rekeys the session of the client at its
 * source address:port; see the theory of operation.
 *
 * Return: the shared peer (never a session itself), or NULL with errno set.
 */
struct cable_peer *cable_add_psk_clients(struct cable *c, const uint8_t pub[NOISE_KEYLEN],
					 const uint8_t *psk, size_t max_sessions)
{
	struct cable_peer *p = NULL;

	if (c->npeers || !max_sessions || max_sessions >= CABLE_MAX_PEERS) {
		errno = EINVAL;
		goto out;
	}
	p = cable_add_peer(c, pub, psk, NULL, false, 0);
	if (!p)
		goto out;
	p->shared = true;
	c->max_sessions = max_sessions;
out:
	return p;
}

/**
 * cable_free() - wipe and free everything
 * @c:	cable, may be NULL
 */
void cable_free(struct cable *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->npeers; i++)
		peer_free(c->peers[i]);
	sodium_free(c->sec);
	free(c->name);
	sodium_memzero(c->rxbuf, sizeof(c->rxbuf));
	free(c);
}
