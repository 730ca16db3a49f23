/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cryptcab/cookie.h - cookie replies: handshakes under load (pure, injected clock) */
#ifndef VDEKIT_COOKIE_H
#define VDEKIT_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define COOKIE_LEN		16
#define COOKIE_KEYLEN		32
#define COOKIE_NONCE_LEN	24
#define COOKIE_MAC_LEN		16
#define COOKIE_REPLY_LEN	64	/* type, 3 zeros, index, nonce, cookie + tag */
#define COOKIE_SEC		1000000000ULL
#define COOKIE_ROTATE		(120 * COOKIE_SEC)	/* a new secret every 2 min */
#define COOKIE_VALID		(2 * COOKIE_ROTATE)	/* the previous one too */
#define COOKIE_USE_MAX		(115 * COOKIE_SEC)	/* initiator: 5 s margin */
#define COOKIE_LOAD_RATE	50			/* INITs/s before cookies */
#define COOKIE_LOAD_BURST	100
#define COOKIE_LOAD_HOLD	COOKIE_SEC		/* under load until quiet 1 s */

/* Responder side; lives in guarded memory (the secrets). */
struct cookie_checker {
	uint8_t secret[2][COOKIE_KEYLEN];	/* current, previous */
	uint64_t born[2];			/* 0 = none */
	uint8_t reply_key[COOKIE_KEYLEN];	/* BLAKE2b-256("cookie--" || our pub) */
	uint64_t load_tokens, load_last, load_until;
};

enum cookie_mac2 {
	COOKIE_MAC2_VALID,	/* MAC under the cookie of this source, fresh secret */
	COOKIE_MAC2_ABSENT,	/* all zeros: the initiator has no cookie */
	COOKIE_MAC2_INVALID,	/* stale, for another address, or forged */
};

typedef void cookie_random_fn(void *arg, void *buf, size_t len);

void cookie_checker_init(struct cookie_checker *cc, const uint8_t pub[32]);
bool cookie_load_note(struct cookie_checker *cc, uint64_t t);
void cookie_rotate(struct cookie_checker *cc, uint64_t t, cookie_random_fn *rnd, void *arg);
void cookie_value(const uint8_t secret[COOKIE_KEYLEN], const struct sockaddr_storage *src,
		  uint8_t cookie[COOKIE_LEN]);
enum cookie_mac2 cookie_check_mac2(const struct cookie_checker *cc, const uint8_t *msg,
				   size_t len, const struct sockaddr_storage *src, uint64_t t);
void cookie_make_reply(const struct cookie_checker *cc, const struct sockaddr_storage *src,
		       uint32_t index, const uint8_t mac1[COOKIE_MAC_LEN],
		       const uint8_t nonce[COOKIE_NONCE_LEN], uint8_t out[COOKIE_REPLY_LEN]);

/* Initiator side. */
void cookie_reply_key(uint8_t key[COOKIE_KEYLEN], const uint8_t responder_pub[32]);
int cookie_open_reply(const uint8_t key[COOKIE_KEYLEN], const uint8_t pkt[COOKIE_REPLY_LEN],
		      const uint8_t mac1[COOKIE_MAC_LEN], uint8_t cookie[COOKIE_LEN]);
void cookie_mac2(uint8_t mac[COOKIE_MAC_LEN], const uint8_t cookie[COOKIE_LEN],
		 const uint8_t *msg, size_t len);

#endif
