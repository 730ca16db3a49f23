// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/cookie.c - cookie replies: handshakes under load (pure, injected clock)
 *
 * Theory of operation
 *
 * An initiation with a valid mac1 costs the responder two Diffie-Hellman
 * operations before it knows whether the sender is a peer, and its source
 * address proves nothing. When more initiations arrive than a cable ever
 * needs (cookie_load_note(): a token bucket of COOKIE_LOAD_RATE per second,
 * bursts of COOKIE_LOAD_BURST; once it runs dry the cable is "under load"
 * until COOKIE_LOAD_HOLD has passed without it running dry again), the
 * responder does no public-key work for an initiation unless its mac2 is a
 * MAC under the cookie of the datagram's source address and port. Others
 * are answered with a cookie reply and go no further.
 *
 * The cookie is BLAKE2b-128 keyed with a random secret over the source
 * address, port and family: nothing is stored per source. The secret is
 * replaced every COOKIE_ROTATE (cookie_rotate(), lazily, when a check
 * needs it); the previous one is still accepted until it is COOKIE_VALID
 * old, so a cookie handed out is good for at least COOKIE_ROTATE, and the
 * initiator uses one for COOKIE_USE_MAX at most.
 *
 * The reply carries the cookie encrypted with XChaCha20-Poly1305 under
 * BLAKE2b-256("cookie--" || responder's public key), a random 24-byte
 * nonce, and the initiation's mac1 as additional data: only a host that
 * sent that initiation (and so knows the responder's key) and that
 * receives datagrams at its source address can use the cookie. A sender
 * that forges its source address never sees the reply, so every packet it
 * sends costs one mac1 check, two cookie MACs and a reply, and never a DH.
 *
 * No I/O, no clock, no randomness of its own: the caller passes time and a
 * random source, so tests drive rotation and load by hand.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "srclimit.h"

#define COOKIE_MSG_TYPE	3

/**
 * cookie_checker_init() - responder state without a secret yet
 * @cc:		checker
 * @pub:	our static public key
 */
void cookie_checker_init(struct cookie_checker *cc, const uint8_t pub[32])
{
	sodium_memzero(cc, sizeof(*cc));
	cookie_reply_key(cc->reply_key, pub);
}

/**
 * cookie_load_note() - count one initiation; is the responder under load?
 * @cc:	checker
 * @t:	now, monotonic ns
 *
 * Return: true if cookies are required now.
 */
bool cookie_load_note(struct cookie_checker *cc, uint64_t t)
{
	if (!srclimit_bucket(&cc->load_tokens, &cc->load_last, t, COOKIE_LOAD_RATE,
			     COOKIE_LOAD_BURST))
		cc->load_until = t + COOKIE_LOAD_HOLD;
	return t < cc->load_until;
}

/**
 * cookie_rotate() - make a secret if there is none or it is COOKIE_ROTATE old
 * @cc:		checker
 * @t:		now, monotonic ns
 * @rnd:	random source
 * @arg:	its argument
 */
void cookie_rotate(struct cookie_checker *cc, uint64_t t, cookie_random_fn *rnd, void *arg)
{
	if (cc->born[0] && t - cc->born[0] < COOKIE_ROTATE)
		return;
	if (cc->born[0] && t - cc->born[0] < COOKIE_VALID) {
		memcpy(cc->secret[1], cc->secret[0], COOKIE_KEYLEN);
		cc->born[1] = cc->born[0];
	} else {
		sodium_memzero(cc->secret[1], COOKIE_KEYLEN);
		cc->born[1] = 0;
	}
	rnd(arg, cc->secret[0], COOKIE_KEYLEN);
	cc->born[0] = t ? t : 1;
}

/**
 * cookie_value() - the cookie of a source address under a secret
 * @secret:	secret
 * @src:	source address and port
 * @cookie:	out
 */
void cookie_value(const uint8_t secret[COOKIE_KEYLEN], const struct sockaddr_storage *src,
		  uint8_t cookie[COOKIE_LEN])
{
	uint8_t in[16 + 2 + 1];
	uint16_t port;

	srclimit_addr(src, in, &port);
	memcpy(in + 16, &port, 2);
	in[18] = (uint8_t)src->ss_family;
	crypto_generichash(cookie, COOKIE_LEN, in, sizeof(in), secret, COOKIE_KEYLEN);
}

/**
 * cookie_mac2() - the mac2 an initiator puts after @msg
 * @mac:	out
 * @cookie:	the cookie from the responder's reply
 * @msg:	the message up to mac2 (mac1 included)
 * @len:	its length
 */
void cookie_mac2(uint8_t mac[COOKIE_MAC_LEN], const uint8_t cookie[COOKIE_LEN],
		 const uint8_t *msg, size_t len)
{
	crypto_generichash(mac, COOKIE_MAC_LEN, msg, len, cookie, COOKIE_LEN);
}

/**
 * cookie_check_mac2() - does @msg carry a MAC under a fresh cookie of @src?
 * @cc:		checker (cookie_rotate() called before, at the same @t)
 * @msg:	the message; mac2 is the COOKIE_MAC_LEN bytes at @msg + @len
 * @len:	bytes covered by mac2
 * @src:	source address and port of the datagram
 * @t:		now, monotonic ns
 *
 * Return: COOKIE_MAC2_VALID, _ABSENT (all zeros) or _INVALID.
 */
enum cookie_mac2 cookie_check_mac2(const struct cookie_checker *cc, const uint8_t *msg,
				   size_t len, const struct sockaddr_storage *src, uint64_t t)
{
	enum cookie_mac2 ret = COOKIE_MAC2_ABSENT;
	uint8_t cookie[COOKIE_LEN], mac[COOKIE_MAC_LEN];
	int i;

	if (sodium_is_zero(msg + len, COOKIE_MAC_LEN))
		goto out;
	ret = COOKIE_MAC2_INVALID;
	for (i = 0; i < 2; i++) {
		if (!cc->born[i] || t - cc->born[i] >= COOKIE_VALID)
			continue;
		cookie_value(cc->secret[i], src, cookie);
		cookie_mac2(mac, cookie, msg, len);
		if (!sodium_memcmp(mac, msg + len, COOKIE_MAC_LEN)) {
			ret = COOKIE_MAC2_VALID;
			break;
		}
	}
out:
	sodium_memzero(cookie, sizeof(cookie));
	return ret;
}

/**
 * cookie_make_reply() - the cookie reply to an initiation from @src
 * @cc:		checker (with a secret: cookie_rotate() called before)
 * @src:	source address and port of the initiation
 * @index:	the initiation's sender index
 * @mac1:	the initiation's mac1
 * @nonce:	24 random bytes
 * @out:	the datagram
 */
void cookie_make_reply(const struct cookie_checker *cc, const struct sockaddr_storage *src,
		       uint32_t index, const uint8_t mac1[COOKIE_MAC_LEN],
		       const uint8_t nonce[COOKIE_NONCE_LEN], uint8_t out[COOKIE_REPLY_LEN])
{
	uint8_t cookie[COOKIE_LEN];

	memset(out, 0, 8);
	out[0] = COOKIE_MSG_TYPE;
	out[4] = (uint8_t)index;
	out[5] = (uint8_t)(index >> 8);
	out[6] = (uint8_t)(index >> 16);
	out[7] = (uint8_t)(index >> 24);
	memcpy(out + 8, nonce, COOKIE_NONCE_LEN);
	cookie_value(cc->secret[0], src, cookie);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + 8 + COOKIE_NONCE_LEN, NULL, cookie,
						   COOKIE_LEN, mac1, COOKIE_MAC_LEN, NULL, nonce,
						   cc->reply_key);
	sodium_memzero(cookie, sizeof(cookie));
}

/**
 * cookie_reply_key() - key of the cookie replies a responder sends
 * @key:		out
 * @responder_pub:	the responder's static public key
 */
void cookie_reply_key(uint8_t key[COOKIE_KEYLEN], const uint8_t responder_pub[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, COOKIE_KEYLEN);
	crypto_generichash_update(&st, (const uint8_t *)"cookie--", 8);
	crypto_generichash_update(&st, responder_pub, 32);
	crypto_generichash_final(&st, key, COOKIE_KEYLEN);
}

/**
 * cookie_open_reply() - the cookie in a reply to our initiation
 * @key:	cookie_reply_key() of the responder
 * @pkt:	the reply (type and size already checked)
 * @mac1:	mac1 of the initiation we sent
 * @cookie:	out
 *
 * Return: 0, or -1 if the reply does not authenticate (forged, damaged, or
 * not an answer to that initiation).
 */
int cookie_open_reply(const uint8_t key[COOKIE_KEYLEN], const uint8_t pkt[COOKIE_REPLY_LEN],
		      const uint8_t mac1[COOKIE_MAC_LEN], uint8_t cookie[COOKIE_LEN])
{
	return crypto_aead_xchacha20poly1305_ietf_decrypt(
		       cookie, NULL, NULL, pkt + 8 + COOKIE_NONCE_LEN,
		       COOKIE_REPLY_LEN - 8 - COOKIE_NONCE_LEN, mac1, COOKIE_MAC_LEN,
		       pkt + 8, key) ? -1 : 0;
}
