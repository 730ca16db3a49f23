/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/cryptcab/cable_sim.h - two cable engines on a simulated wire, fake clock
 *
 * Shared by tests/unit/test_cable_session.c, the cable fuzz harnesses and the
 * seed generator. Side 0 ("A", client) initiates to side 1 ("B", server).
 * Datagrams each side sends are queued (with source/destination address) and
 * moved by sim_pump(); delivered frames are recorded. Time is a plain
 * counter in ns; randomness is deterministic (seeded).
 */
#ifndef VDEKIT_CABLE_SIM_H
#define VDEKIT_CABLE_SIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sodium.h>

#include "../../cryptcab/cable.h"

#define SIM_QMAX	4096
#define SIM_PKTMAX	2048

struct sim_pkt {
	int to;				/* side */
	struct cable_addr from;
	size_t len;
	uint8_t data[SIM_PKTMAX];
};

struct sim;

struct sim_side {
	struct sim *sim;
	int side;
	struct cable *c;
	struct cable_peer *peer;
	struct cable_addr addr;		/* where this side's datagrams come from */
	uint64_t sent, delivered, delivered_bytes;
	uint8_t last[CABLE_FRAME_MAX];
	size_t last_len;
	void (*on_deliver)(struct sim_side *s, const uint8_t *f, size_t len);
};

struct sim {
	uint64_t now;
	uint64_t rng_ctr;
	uint8_t rng_seed[32];
	struct sim_side side[2];
	struct sim_pkt *q;
	size_t qn;
};

static inline void sim_addr(struct cable_addr *a, const char *ip, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
	a->len = sizeof(*in);
}

static inline uint64_t sim_now(void *arg)
{
	return ((struct sim_side *)arg)->sim->now;
}

static inline void sim_realtime(void *arg, struct timespec *ts)
{
	uint64_t t = ((struct sim_side *)arg)->sim->now + 1700000000ULL * CABLE_SEC;

	ts->tv_sec = (time_t)(t / CABLE_SEC);
	ts->tv_nsec = (long)(t % CABLE_SEC);
}

static inline void sim_random(void *arg, void *buf, size_t len)
{
	struct sim *s = ((struct sim_side *)arg)->sim;
	uint8_t seed[32];

	memcpy(seed, s->rng_seed, 32);
	memcpy(seed, &s->rng_ctr, sizeof(s->rng_ctr));
	s->rng_ctr++;
	randombytes_buf_deterministic(buf, len, seed);
}

static inline int sim_send(void *arg, struct cable_peer *peer, const struct cable_addr *to,
			   const uint8_t *buf, size_t len)
{
	struct sim_side *me = arg;
	struct sim *s = me->sim;
	struct sim_pkt *p;

	(void)to;
	(void)peer;
	me->sent++;
	if (s->qn == SIM_QMAX || len > SIM_PKTMAX)
		return 0;	/* the wire lost it */
	p = &s->q[s->qn++];
	p->to = !me->side;
	p->from = me->addr;
	p->len = len;
	memcpy(p->data, buf, len);
	return 0;
}

static inline void sim_deliver(void *arg, struct cable_peer *peer, const uint8_t *f, size_t len)
{
	struct sim_side *me = arg;

	(void)peer;
	me->delivered++;
	me->delivered_bytes += len;
	memcpy(me->last, f, len);
	me->last_len = len;
	if (me->on_deliver)
		me->on_deliver(me, f, len);
}

static inline void sim_key(uint8_t k[32], uint8_t v)
{
	memset(k, v, 32);
}

/* Set up A (initiator, endpoint of B known) and B (responder). */
static inline int sim_init(struct sim *s, const uint8_t *psk, unsigned seed)
{
	uint8_t ka[32], kb[32], pa[32], pb[32];
	int i;

	memset(s, 0, sizeof(*s));
	s->q = calloc(SIM_QMAX, sizeof(*s->q));
	if (!s->q)
		return -1;
	s->now = 1000 * CABLE_SEC;
	memset(s->rng_seed, (int)seed, sizeof(s->rng_seed));
	sim_key(ka, 0x11);
	sim_key(kb, 0x22);
	noise_pub_from_priv(pa, ka);
	noise_pub_from_priv(pb, kb);
	sim_addr(&s->side[0].addr, "10.0.0.1", 1111);
	sim_addr(&s->side[1].addr, "10.0.0.2", 2222);
	for (i = 0; i < 2; i++) {
		struct cable_ops ops = {
			.now = sim_now, .realtime = sim_realtime, .random = sim_random,
			.send = sim_send, .deliver = sim_deliver, .event = NULL,
			.arg = &s->side[i],
		};

		s->side[i].sim = s;
		s->side[i].side = i;
		s->side[i].c = cable_new(&ops, i ? kb : ka, NULL);
		if (!s->side[i].c)
			return -1;
	}
	s->side[0].peer = cable_add_peer(s->side[0].c, pb, psk, &s->side[1].addr, true, 0);
	s->side[1].peer = cable_add_peer(s->side[1].c, pa, psk, NULL, true, 0);
	return s->side[0].peer && s->side[1].peer ? 0 : -1;
}

static inline void sim_free(struct sim *s)
{
	cable_free(s->side[0].c);
	cable_free(s->side[1].c);
	free(s->q);
}

/* Deliver everything queued (and whatever that triggers), in order. */
static inline void sim_pump(struct sim *s)
{
	size_t i;

	for (i = 0; i < s->qn; i++)
		cable_rx(s->side[s->q[i].to].c, s->q[i].data, s->q[i].len, &s->q[i].from);
	s->qn = 0;
}

static inline void sim_tick(struct sim *s)
{
	cable_tick(s->side[0].c);
	cable_tick(s->side[1].c);
}

static inline void sim_frame(uint8_t *f, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	if (len >= 4)
		memcpy(f, &seq, 4);
}

/* Handshake A -> B by sending one frame; returns 0 if B got it. */
static inline int sim_establish(struct sim *s)
{
	uint8_t f[64];

	sim_frame(f, sizeof(f), 0xabcdef);
	cable_tx(s->side[0].c, s->side[0].peer, f, sizeof(f));
	sim_pump(s);
	return s->side[1].delivered == 1 && cable_peer_usable(s->side[1].peer) ? 0 : -1;
}

#endif
