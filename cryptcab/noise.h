/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cryptcab/noise.h - Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b on libsodium
 *
 * The pure handshake of the "vdecab v1" cable (docs/cable.md, "Handshake"): no
 * sockets, no clock, no randomness (ephemeral private keys are passed in),
 * so the messages can be compared byte for byte with an independent Noise
 * implementation. Message bodies here are the Noise payloads only (108 and
 * 48 bytes); the cable adds the type/index header and mac1/mac2.
 */
#ifndef VDEKIT_NOISE_H
#define VDEKIT_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_KEYLEN		32
#define NOISE_HASHLEN		64
#define NOISE_BLOCKLEN		128
#define NOISE_TAGLEN		16
#define NOISE_TIMESTAMPLEN	12
#define NOISE_MSG1_LEN		(32 + 32 + NOISE_TAGLEN + NOISE_TIMESTAMPLEN + NOISE_TAGLEN)	/* 108 */
#define NOISE_MSG2_LEN		(32 + NOISE_TAGLEN)						/* 48 */
#define NOISE_MAC_LEN		16

#define NOISE_PROTOCOL_NAME	"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b"
#define NOISE_PROLOGUE		"VDE-cable v1"

/* Symmetric + handshake state of one handshake in progress. */
struct noise_hs {
	uint8_t h[NOISE_HASHLEN];
	uint8_t ck[NOISE_HASHLEN];
	uint8_t k[NOISE_KEYLEN];	/* current handshake cipher key */
	uint8_t e_priv[NOISE_KEYLEN];
	uint8_t e_pub[NOISE_KEYLEN];
	uint8_t re[NOISE_KEYLEN];	/* remote ephemeral */
	uint8_t rs[NOISE_KEYLEN];	/* remote static (as received/configured) */
};

/* Output of a completed handshake. */
struct noise_keys {
	uint8_t send[NOISE_KEYLEN];
	uint8_t recv[NOISE_KEYLEN];
};

void noise_hash(uint8_t out[NOISE_HASHLEN], const uint8_t *a, size_t alen,
		const uint8_t *b, size_t blen);
void noise_hmac(uint8_t out[NOISE_HASHLEN], const uint8_t *key, size_t keylen,
		const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
void noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikmlen,
		uint8_t *o1, uint8_t *o2, uint8_t *o3);

/* Initial (h, ck) after the prologue (plus optional cable @name) and the
 * responder's static key: depends only on public values, so it can be
 * precomputed per responder key. */
void noise_hs_start(uint8_t h[NOISE_HASHLEN], uint8_t ck[NOISE_HASHLEN],
		    const uint8_t responder_pub[NOISE_KEYLEN], const char *name);

int noise_pub_from_priv(uint8_t pub[NOISE_KEYLEN], const uint8_t priv[NOISE_KEYLEN]);
int noise_dh(uint8_t out[NOISE_KEYLEN], const uint8_t priv[NOISE_KEYLEN],
	     const uint8_t pub[NOISE_KEYLEN]);

/* mac1 key = BLAKE2b-256("mac1----" || pub); mac = BLAKE2b-128(key, msg). */
void noise_mac1_key(uint8_t key[NOISE_KEYLEN], const uint8_t pub[NOISE_KEYLEN]);
void noise_mac(uint8_t mac[NOISE_MAC_LEN], const uint8_t key[NOISE_KEYLEN],
	       const uint8_t *msg, size_t len);

int noise_create_init(struct noise_hs *hs, const uint8_t h0[NOISE_HASHLEN],
		      const uint8_t ck0[NOISE_HASHLEN], const uint8_t e_priv[NOISE_KEYLEN],
		      const uint8_t s_pub[NOISE_KEYLEN], const uint8_t rs[NOISE_KEYLEN],
		      const uint8_t ss[NOISE_KEYLEN], const uint8_t ts[NOISE_TIMESTAMPLEN],
		      uint8_t out[NOISE_MSG1_LEN]);
int noise_consume_init_static(struct noise_hs *hs, const uint8_t h0[NOISE_HASHLEN],
			      const uint8_t ck0[NOISE_HASHLEN],
			      const uint8_t s_priv[NOISE_KEYLEN],
			      const uint8_t msg[NOISE_MSG1_LEN]);
int noise_consume_init_finish(struct noise_hs *hs, const uint8_t ss[NOISE_KEYLEN],
			      const uint8_t msg[NOISE_MSG1_LEN],
			      uint8_t ts[NOISE_TIMESTAMPLEN]);
int noise_create_resp(struct noise_hs *hs, const uint8_t e_priv[NOISE_KEYLEN],
		      const uint8_t psk[NOISE_KEYLEN], uint8_t out[NOISE_MSG2_LEN],
		      struct noise_keys *keys);
int noise_consume_resp(struct noise_hs *hs, const uint8_t s_priv[NOISE_KEYLEN],
		       const uint8_t psk[NOISE_KEYLEN], const uint8_t msg[NOISE_MSG2_LEN],
		       struct noise_keys *keys);

void noise_nonce(uint8_t nonce[12], uint64_t counter);

#endif
