// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/srclimit.c - handshake rate limit per source address (pure, injected clock)
 *
 * Theory of operation
 *
 * Every handshake datagram that would cost the cable public-key work first
 * asks srclimit_allow(). Each source address (without the port: one host,
 * one bucket) has a token bucket of `rate` packets per second with bursts
 * of `burst`; all sources together share one more bucket (`grate`,
 * `gburst`) that bounds the CPU spent on handshakes. Buckets hold
 * nanoseconds of credit, one packet costing 1 s / rate (WireGuard's
 * ratelimiter arithmetic), so no division happens per packet and the
 * buckets refill exactly with the injected clock.
 *
 * The table is small and fixed: SRCLIMIT_SLOTS slots, an address hashed
 * (SipHash, random key, so a sender cannot choose its slot) to a start slot
 * and SRCLIMIT_PROBES slots tried from there. A slot idle for a second has
 * a full bucket and may be taken by another address; if all probed slots
 * are busy, the packet is refused (SRCLIMIT_FULL): bounded memory and time
 * whatever the number of sources. The cable asks only after mac1 (and,
 * under load, the cookie) checked, so a sender that spoofs its address
 * never reaches this table while the cable is under load.
 *
 * No I/O, no clock of its own: tests drive time by hand.
 */
#include "config.h"

#include <string.h>
#include <netinet/in.h>

#include <sodium.h>

#include "srclimit.h"

/**
 * srclimit_init() - empty table
 * @l:		limiter
 * @key:	random hash key
 * @rate:	packets per second per source (> 0)
 * @burst:	burst per source (> 0)
 * @grate:	packets per second for all sources (> 0)
 * @gburst:	burst for all sources (> 0)
 */
void srclimit_init(struct srclimit *l, const uint8_t key[SRCLIMIT_KEYLEN], uint64_t rate,
		   uint64_t burst, uint64_t grate, uint64_t gburst)
{
	memset(l, 0, sizeof(*l));
	memcpy(l->key, key, SRCLIMIT_KEYLEN);
	l->rate = rate;
	l->burst = burst;
	l->grate = grate;
	l->gburst = gburst;
}

/**
 * srclimit_bucket() - take one packet from a token bucket
 * @tokens:	credit in ns
 * @last:	time of the last refill, 0 for a new (full) bucket
 * @t:		now, ns
 * @rate:	packets per second (> 0)
 * @burst:	bucket size in packets
 *
 * Return: true if the packet may pass (one packet's credit taken).
 */
bool srclimit_bucket(uint64_t *tokens, uint64_t *last, uint64_t t, uint64_t rate,
		     uint64_t burst)
{
	uint64_t cost = SRCLIMIT_SEC / rate, max = cost * burst;
	bool ok = false;

	if (!*last) {
		*tokens = max;
	} else if (t > *last) {
		*tokens = t - *last >= max - *tokens ? max : *tokens + (t - *last);
	}
	*last = t ? t : 1;
	if (*tokens >= cost) {
		*tokens -= cost;
		ok = true;
	}
	return ok;
}

/**
 * srclimit_addr() - the address (16 bytes, IPv4 in the low four) and port
 * @src:	socket address (AF_INET or AF_INET6; anything else gives zeros)
 * @addr:	out: address bytes
 * @port:	out: port in network order, may be NULL
 */
void srclimit_addr(const struct sockaddr_storage *src, uint8_t addr[16], uint16_t *port)
{
	uint16_t pt = 0;

	memset(addr, 0, 16);
	if (src->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)src;

		memcpy(addr, &in->sin_addr, 4);
		pt = in->sin_port;
	} else if (src->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)src;

		memcpy(addr, &in6->sin6_addr, 16);
		pt = in6->sin6_port;
	}
	if (port)
		*port = pt;
}

/**
 * srclimit_allow() - may a handshake from @src be processed now?
 * @l:		limiter
 * @src:	source address of the datagram
 * @t:		now, monotonic ns
 *
 * Return: SRCLIMIT_OK, or why not.
 */
enum srclimit_verdict srclimit_allow(struct srclimit *l, const struct sockaddr_storage *src,
				     uint64_t t)
{
	enum srclimit_verdict v = SRCLIMIT_FULL;
	struct srclimit_slot *slot = NULL;
	sa_family_t fam = src->ss_family;
	uint8_t addr[16], h[8];
	uint64_t hv;
	size_t i;

	srclimit_addr(src, addr, NULL);
	crypto_shorthash(h, addr, sizeof(addr), l->key);
	memcpy(&hv, h, sizeof(hv));
	for (i = 0; i < SRCLIMIT_PROBES; i++) {
		struct srclimit_slot *s = &l->slot[(hv + i) % SRCLIMIT_SLOTS];

		if (s->last && s->family == fam && !memcmp(s->addr, addr, 16)) {
			slot = s;
			break;
		}
		/* a slot idle for a second has a full bucket: reuse it */
		if (!slot && (!s->last || t - s->last >= SRCLIMIT_SEC))
			slot = s;
	}
	if (!slot)
		goto out;
	if (slot->family != fam || memcmp(slot->addr, addr, 16)) {
		slot->family = fam;
		memcpy(slot->addr, addr, 16);
		slot->last = 0;
	}
	v = SRCLIMIT_SOURCE;
	if (!srclimit_bucket(&slot->tokens, &slot->last, t, l->rate, l->burst))
		goto out;
	v = SRCLIMIT_GLOBAL;
	if (!srclimit_bucket(&l->gtokens, &l->glast, t, l->grate, l->gburst))
		goto out;
	v = SRCLIMIT_OK;
out:
	return v;
}
