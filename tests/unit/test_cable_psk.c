// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cable_psk.c - PSK mode server with several clients (engine)
 *
 * One server engine (cable_add_psk_clients) and three client engines that
 * share its PSK, on a simulated wire with a fake clock: one session per
 * client address:port, each confirmed session announced once (session_up),
 * frames kept apart per session in both directions, an INIT replayed from
 * another port refused without a reply, a client roaming inside its
 * session, a full server refusing a new client until a session is dead and
 * then reusing its room, and every session closed (session_down) when its
 * keys are wiped after 540 s.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sodium.h>

#include "../../cryptcab/cable.h"
#include "../../cryptcab/conf.h"
#include "tap.h"

#define NCLI	3
#define QMAX	256

struct pkt {
	int to;			/* -1: server, else client */
	struct cable_addr from;
	size_t len;
	uint8_t data[CABLE_DATA_MAX];
};

struct end {
	int id;			/* -1: server */
	struct cable *c;
	struct cable_peer *peer;	/* clients: the server */
	struct cable_addr addr;
	uint64_t sent;
	uint64_t delivered;
	struct cable_peer *last_from;	/* server: session of the last frame */
	uint32_t last_seq;
};

static uint64_t now_ns = 1000 * CABLE_SEC, rng;
static struct end srv, cli[NCLI];
static struct pkt q[QMAX];
static size_t qn;
static struct cable_peer *up[16], *down[16];
static size_t nup, ndown;
static int refuse_up;

static uint64_t t_now(void *arg)
{
	return now_ns;
}

static void t_realtime(void *arg, struct timespec *ts)
{
	uint64_t t = now_ns + 1700000000ULL * CABLE_SEC;

	ts->tv_sec = (time_t)(t / CABLE_SEC);
	ts->tv_nsec = (long)(t % CABLE_SEC);
}

static void t_random(void *arg, void *buf, size_t len)
{
	uint8_t seed[32] = { 7 };

	memcpy(seed + 1, &rng, sizeof(rng));
	rng++;
	randombytes_buf_deterministic(buf, len, seed);
}

static int t_send(void *arg, struct cable_peer *p, const struct cable_addr *to,
		  const uint8_t *buf, size_t len)
{
	struct end *e = arg;
	int i, dst = -1;

	e->sent++;
	if (e->id >= 0) {
		dst = -1;
	} else {
		for (i = 0; i < NCLI; i++)
			if (cable_addr_equal(&cli[i].addr, to))
				dst = i;
		if (dst < 0)
			return 0;	/* nobody there any more */
	}
	if (qn == QMAX)
		return 0;
	q[qn].to = dst;
	q[qn].from = e->addr;
	q[qn].len = len;
	memcpy(q[qn].data, buf, len);
	qn++;
	return 0;
}

static void t_deliver(void *arg, struct cable_peer *p, const uint8_t *f, size_t len)
{
	struct end *e = arg;

	e->delivered++;
	e->last_from = p;
	memcpy(&e->last_seq, f + 14, sizeof(e->last_seq));
}

static int t_up(void *arg, struct cable_peer *p)
{
	if (refuse_up)
		return -1;
	up[nup++ % 16] = p;
	return 0;
}

static void t_down(void *arg, struct cable_peer *p)
{
	down[ndown++ % 16] = p;
}

static void addr(struct cable_addr *a, const char *ip, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
	a->len = sizeof(*in);
}

/* Deliver what is queued, and what that triggers, until the wire is quiet. */
static void pump(void)
{
	static struct pkt batch[QMAX];
	size_t i, n;
	int rounds;

	for (rounds = 0; rounds < 8 && qn; rounds++) {
		n = qn;
		memcpy(batch, q, n * sizeof(q[0]));
		qn = 0;
		for (i = 0; i < n; i++)
			cable_rx(batch[i].to < 0 ? srv.c : cli[batch[i].to].c, batch[i].data,
				 batch[i].len, &batch[i].from);
	}
}

static void frame(uint8_t *f, uint32_t seq)
{
	memset(f, 0xff, 6);
	memset(f + 6, 2, 6);
	f[12] = 8;
	f[13] = 0;
	memcpy(f + 14, &seq, sizeof(seq));
	memset(f + 18, 0x5a, 42);
}

/* client i sends frame seq; the server must deliver it from its session */
static struct cable_peer *from_client(int i, uint32_t seq)
{
	uint8_t f[60];
	uint64_t d = srv.delivered;

	frame(f, seq);
	cable_tx(cli[i].c, cli[i].peer, f, sizeof(f));
	pump();
	return srv.delivered == d + 1 && srv.last_seq == seq ? srv.last_from : NULL;
}

static struct cable_peer *session_of(int i)
{
	size_t k;

	for (k = 0; k < srv.c->npeers; k++)
		if (srv.c->peers[k]->session && cable_addr_equal(&srv.c->peers[k]->ep, &cli[i].addr))
			return srv.c->peers[k];
	return NULL;
}

static void setup(size_t max)
{
	uint8_t psk[32], cpriv[32], spriv[32], cpub[32], spub[32];
	int i;

	memset(psk, 0x42, sizeof(psk));
	key_psk_static(cpriv, psk, true);
	key_psk_static(spriv, psk, false);
	noise_pub_from_priv(cpub, cpriv);
	noise_pub_from_priv(spub, spriv);
	srv.id = -1;
	addr(&srv.addr, "10.0.0.1", 7667);
	{
		struct cable_ops ops = {
			.now = t_now, .realtime = t_realtime, .random = t_random, .send = t_send,
			.deliver = t_deliver, .session_up = t_up, .session_down = t_down,
			.arg = &srv,
		};

		srv.c = cable_new(&ops, spriv, NULL);
		cable_add_psk_clients(srv.c, cpub, psk, max);
	}
	for (i = 0; i < NCLI; i++) {
		struct cable_ops ops = {
			.now = t_now, .realtime = t_realtime, .random = t_random, .send = t_send,
			.deliver = t_deliver, .arg = &cli[i],
		};

		cli[i].id = i;
		addr(&cli[i].addr, "10.0.0.2", (uint16_t)(1000 + i));
		cli[i].c = cable_new(&ops, cpriv, NULL);
		cli[i].peer = cable_add_peer(cli[i].c, spub, psk, &srv.addr, true, 0);
	}
}

static void teardown(void)
{
	int i;

	cable_free(srv.c);
	for (i = 0; i < NCLI; i++)
		cable_free(cli[i].c);
	memset(&srv, 0, sizeof(srv));
	memset(cli, 0, sizeof(cli));
	nup = ndown = 0;
	qn = 0;
}

static void check_sessions(void)
{
	struct cable_peer *s[NCLI];
	uint8_t f[60];
	uint64_t d[NCLI], sent;
	static struct pkt init;
	int i, j, ok_iso = 1;

	setup(CABLE_MAX_PEERS - 1);
	for (i = 0; i < NCLI; i++) {
		s[i] = from_client(i, 100 + (uint32_t)i);
		ok(s[i] != NULL, "client %d: first frame delivered through its own session", i);
	}
	ok(cable_sessions(srv.c) == NCLI && nup == NCLI && up[0] == s[0] && up[1] == s[1] &&
	   up[2] == s[2] && s[0] != s[1] && s[1] != s[2] && s[0] != s[2],
	   "three sessions, each announced once by session_up");
	ok(from_client(1, 200) == s[1] && nup == NCLI, "a later frame: same session, no new port");
	/* server -> session i reaches client i only */
	for (i = 0; i < NCLI; i++) {
		for (j = 0; j < NCLI; j++)
			d[j] = cli[j].delivered;
		frame(f, 300 + (uint32_t)i);
		cable_tx(srv.c, s[i], f, sizeof(f));
		pump();
		for (j = 0; j < NCLI; j++)
			if (cli[j].delivered != d[j] + (i == j) ||
			    (i == j && cli[j].last_seq != 300 + (uint32_t)i))
				ok_iso = 0;
	}
	ok(ok_iso, "frames for session i reach client i and no other");

	/* client 0 rekeys (capture its INIT), the INIT is replayed from another port */
	now_ns += 121 * CABLE_SEC;
	frame(f, 400);
	cable_tx(cli[0].c, cli[0].peer, f, sizeof(f));
	init.len = 0;
	for (i = 0; i < (int)qn; i++)
		if (q[i].len == CABLE_INIT_LEN)
			init = q[i];
	pump();
	ok(init.len == CABLE_INIT_LEN && session_of(0) == s[0] && cable_sessions(srv.c) == NCLI,
	   "client 0 rekeys inside its session");
	sent = srv.sent;
	addr(&init.from, "10.0.0.9", 4444);
	now_ns += CABLE_SEC;
	cable_rx(srv.c, init.data, init.len, &init.from);
	ok(srv.sent == sent && qn == 0 && cable_sessions(srv.c) == NCLI &&
	   srv.c->stats[C_RX_HANDSHAKE_REPLAY] == 1,
	   "its INIT replayed from another address: no reply, no session, rx_handshake_replay");

	/* client 2 roams: its data moves its session's endpoint, no new session */
	addr(&cli[2].addr, "10.0.0.3", 3333);
	ok(from_client(2, 500) == s[2] && cable_sessions(srv.c) == NCLI &&
	   cable_addr_equal(&s[2]->ep, &cli[2].addr), "client 2 roams inside its session");

	/* 540 s without a handshake: every session closed, session_down for each */
	now_ns += 600 * CABLE_SEC;
	cable_tick(srv.c);
	ok(cable_sessions(srv.c) == 0 && ndown == NCLI && srv.c->stats[C_SESSIONS_CLOSED] == NCLI,
	   "+600 s: all sessions closed, session_down called for each");
	teardown();
}

static void check_full(void)
{
	struct cable_peer *a, *b;
	uint8_t f[60];
	uint64_t sent;

	setup(2);
	a = from_client(0, 1);
	b = from_client(1, 2);
	ok(a && b && cable_sessions(srv.c) == 2, "max 2: two clients served");
	sent = srv.sent;
	frame(f, 3);
	cable_tx(cli[2].c, cli[2].peer, f, sizeof(f));
	pump();
	ok(srv.sent == sent && cable_sessions(srv.c) == 2 && srv.c->stats[C_RX_NO_SLOT] == 1,
	   "a third client while both are live: no reply, rx_no_slot");
	now_ns += 181 * CABLE_SEC;
	ok(from_client(0, 4) != NULL, "client 0 rekeys after 181 s and goes on");
	now_ns += 6 * CABLE_SEC;
	cable_tick(cli[2].c);	/* client 2 retries its handshake */
	pump();
	ok(ndown == 1 && down[0] == b && cable_sessions(srv.c) == 2 && nup == 3 &&
	   up[2] == session_of(2) && srv.last_from == up[2] && srv.last_seq == 3,
	   "full: the dead session (no usable key) makes room for client 2, whose staged frame arrives");
	ok(from_client(2, 5) == up[2] && nup == 3, "client 2 goes on in its session");
	teardown();

	setup(4);
	refuse_up = 1;
	ok(from_client(0, 6) == NULL && cable_sessions(srv.c) == 0 && ndown == 1 &&
	   srv.c->stats[C_RX_NO_SLOT] == 1,
	   "the shell has no port for a session: frame dropped, session closed");
	refuse_up = 0;
	teardown();
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	check_sessions();
	check_full();
	return tap_done();
}
