/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cryptcab/srclimit.h - handshake rate limit per source address (pure, injected clock) */
#ifndef VDEKIT_SRCLIMIT_H
#define VDEKIT_SRCLIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define SRCLIMIT_SLOTS		256
#define SRCLIMIT_PROBES		8
#define SRCLIMIT_KEYLEN		16
#define SRCLIMIT_SEC		1000000000ULL

struct srclimit_slot {
	uint8_t addr[16];
	sa_family_t family;
	uint64_t tokens;		/* ns of credit */
	uint64_t last;			/* 0 = free */
};

struct srclimit {
	uint8_t key[SRCLIMIT_KEYLEN];	/* hash key: a source cannot aim at a slot */
	uint64_t rate, burst;		/* per source: packets/s, packets */
	uint64_t grate, gburst;		/* all sources together */
	uint64_t gtokens, glast;
	struct srclimit_slot slot[SRCLIMIT_SLOTS];
};

enum srclimit_verdict {
	SRCLIMIT_OK,
	SRCLIMIT_SOURCE,	/* this source is over its rate */
	SRCLIMIT_GLOBAL,	/* all sources together are over the global rate */
	SRCLIMIT_FULL,		/* every slot it may use belongs to an active source */
};

void srclimit_init(struct srclimit *l, const uint8_t key[SRCLIMIT_KEYLEN], uint64_t rate,
		   uint64_t burst, uint64_t grate, uint64_t gburst);
enum srclimit_verdict srclimit_allow(struct srclimit *l, const struct sockaddr_storage *src,
				     uint64_t t);
bool srclimit_bucket(uint64_t *tokens, uint64_t *last, uint64_t t, uint64_t rate,
		     uint64_t burst);
void srclimit_addr(const struct sockaddr_storage *src, uint8_t addr[16], uint16_t *port);

#endif
