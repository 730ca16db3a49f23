// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/noise.c - the IKpsk2 handshake of vdecab v1, built only from libsodium
 *
 * Theory of operation
 *
 * Noise rev. 34 with HASH = BLAKE2b-512 (crypto_generichash, 64-byte output,
 * 128-byte block). libsodium 1.0.18 has no HMAC-BLAKE2b and no HKDF, so both
 * are written here exactly as the Noise spec defines them (RFC 2104 HMAC with
 * 0x36/0x5c pads over a 128-byte block; HKDF with 1..3 outputs). Cipher keys
 * are the first 32 bytes of a 64-byte HKDF output. DH is X25519 through
 * crypto_scalarmult(), whose -1 for low-order points is a handshake failure.
 * The AEAD is ChaCha20-Poly1305-IETF with the Noise nonce 0^4 || LE64(n);
 * since every MixKey() resets n to 0 and IK never encrypts twice under one
 * key, the handshake always uses n = 0.
 *
 *   pre-message  <- s                     h = MixHash(prologue), MixHash(rs)
 *   msg1         -> e, es, s, ss, {ts}    (psk mode: every e also MixKey(e))
 *   msg2         <- e, ee, se, psk, {}
 *   Split()      (k_i2r, k_r2i) = HKDF(ck, "", 2)
 *
 * The responder's consume is split in two steps so the caller can check the
 * decrypted static key against its allow-list (and pick the precomputed ss
 * and the psk of that peer) before any further work. Every failure wipes the
 * handshake state; callers wipe it after Split() too.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "noise.h"

/**
 * noise_hash() - HASH(a || b) with BLAKE2b-512
 * @out:	64-byte output
 * @a:		first part
 * @alen:	its length
 * @b:		second part (may be NULL with @blen 0)
 * @blen:	its length
 */
void noise_hash(uint8_t out[NOISE_HASHLEN], const uint8_t *a, size_t alen,
		const uint8_t *b, size_t blen)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	if (alen)
		crypto_generichash_update(&st, a, alen);
	if (blen)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof(st));
}

/**
 * noise_hmac() - HMAC-BLAKE2b(key, a || b) as in RFC 2104
 * @out:	64-byte output
 * @key:	key, at most 128 bytes (one block) as Noise only uses 64
 * @keylen:	its length
 * @a:		first part of the message
 * @alen:	its length
 * @b:		second part
 * @blen:	its length
 */
void noise_hmac(uint8_t out[NOISE_HASHLEN], const uint8_t *key, size_t keylen,
		const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t pad[NOISE_BLOCKLEN], inner[NOISE_HASHLEN];
	crypto_generichash_state st;
	size_t i;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, keylen < sizeof(pad) ? keylen : sizeof(pad));
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36;
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, pad, sizeof(pad));
	if (alen)
		crypto_generichash_update(&st, a, alen);
	if (blen)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, inner, sizeof(inner));
	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	crypto_generichash_init(&st, NULL, 0, NOISE_HASHLEN);
	crypto_generichash_update(&st, pad, sizeof(pad));
	crypto_generichash_update(&st, inner, sizeof(inner));
	crypto_generichash_final(&st, out, NOISE_HASHLEN);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}

/**
 * noise_hkdf() - Noise HKDF(ck, ikm) with 1, 2 or 3 outputs
 * @ck:		chaining key (HMAC key)
 * @ikm:	input key material
 * @ikmlen:	its length
 * @o1:		first 64-byte output
 * @o2:		second output or NULL
 * @o3:		third output or NULL
 *
 * An output may alias @ck: @ck is read only before any output is written.
 */
void noise_hkdf(const uint8_t ck[NOISE_HASHLEN], const uint8_t *ikm, size_t ikmlen,
		uint8_t *o1, uint8_t *o2, uint8_t *o3)
{
	uint8_t t[NOISE_HASHLEN], out1[NOISE_HASHLEN], out2[NOISE_HASHLEN];
	uint8_t c;

	noise_hmac(t, ck, NOISE_HASHLEN, ikm, ikmlen, NULL, 0);
	c = 1;
	noise_hmac(out1, t, sizeof(t), &c, 1, NULL, 0);
	if (o2 || o3) {
		c = 2;
		noise_hmac(out2, t, sizeof(t), out1, sizeof(out1), &c, 1);
	}
	if (o3) {
		c = 3;
		noise_hmac(o3, t, sizeof(t), out2, sizeof(out2), &c, 1);
	}
	if (o2)
		memcpy(o2, out2, NOISE_HASHLEN);
	memcpy(o1, out1, NOISE_HASHLEN);
	sodium_memzero(t, sizeof(t));
	sodium_memzero(out1, sizeof(out1));
	sodium_memzero(out2, sizeof(out2));
}

/**
 * noise_nonce() - ChaChaPoly nonce: 4 zero bytes || LE64(counter)
 * @nonce:	12-byte output
 * @counter:	message counter
 */
void noise_nonce(uint8_t nonce[12], uint64_t counter)
{
	int i;

	memset(nonce, 0, 4);
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

static void mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	noise_hash(hs->h, hs->h, sizeof(hs->h), data, len);
}

static void mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t len)
{
	uint8_t tk[NOISE_HASHLEN];

	noise_hkdf(hs->ck, ikm, len, hs->ck, tk, NULL);
	memcpy(hs->k, tk, NOISE_KEYLEN);
	sodium_memzero(tk, sizeof(tk));
}

static void mix_key_and_hash(struct noise_hs *hs, const uint8_t psk[NOISE_KEYLEN])
{
	uint8_t th[NOISE_HASHLEN], tk[NOISE_HASHLEN];

	noise_hkdf(hs->ck, psk, NOISE_KEYLEN, hs->ck, th, tk);
	mix_hash(hs, th, sizeof(th));
	memcpy(hs->k, tk, NOISE_KEYLEN);
	sodium_memzero(th, sizeof(th));
	sodium_memzero(tk, sizeof(tk));
}

/* MixKey(DH(priv, pub)); -1 on a low-order point. */
static int mix_dh(struct noise_hs *hs, const uint8_t *priv, const uint8_t *pub)
{
	uint8_t shared[NOISE_KEYLEN];
	int ret = -1;

	if (crypto_scalarmult(shared, priv, pub) != 0)
		goto out;
	mix_key(hs, shared, sizeof(shared));
	ret = 0;
out:
	sodium_memzero(shared, sizeof(shared));
	return ret;
}

static void encrypt_and_hash(struct noise_hs *hs, uint8_t *out, const uint8_t *pt, size_t len)
{
	uint8_t nonce[12];

	noise_nonce(nonce, 0);
	crypto_aead_chacha20poly1305_ietf_encrypt(out, NULL, pt, len, hs->h, sizeof(hs->h),
						  NULL, nonce, hs->k);
	mix_hash(hs, out, len + NOISE_TAGLEN);
}

static int decrypt_and_hash(struct noise_hs *hs, uint8_t *out, const uint8_t *ct, size_t len)
{
	uint8_t nonce[12];

	noise_nonce(nonce, 0);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, ct, len, hs->h,
						      sizeof(hs->h), nonce, hs->k) != 0)
		return -1;
	mix_hash(hs, ct, len);
	return 0;
}

static void split(struct noise_hs *hs, struct noise_keys *keys, bool initiator)
{
	uint8_t k1[NOISE_HASHLEN], k2[NOISE_HASHLEN];

	noise_hkdf(hs->ck, NULL, 0, k1, k2, NULL);
	memcpy(initiator ? keys->send : keys->recv, k1, NOISE_KEYLEN);
	memcpy(initiator ? keys->recv : keys->send, k2, NOISE_KEYLEN);
	sodium_memzero(k1, sizeof(k1));
	sodium_memzero(k2, sizeof(k2));
	sodium_memzero(hs, sizeof(*hs));
}

/**
 * noise_hs_start() - initial h and ck for a given responder static key
 * @h:			output handshake hash
 * @ck:			output chaining key
 * @responder_pub:	the responder's static public key (pre-message)
 * @name:		optional cable name appended to the prologue, or NULL
 */
void noise_hs_start(uint8_t h[NOISE_HASHLEN], uint8_t ck[NOISE_HASHLEN],
		    const uint8_t responder_pub[NOISE_KEYLEN], const char *name)
{
	uint8_t prologue[256];
	size_t plen = sizeof(NOISE_PROLOGUE) - 1;

	memset(h, 0, NOISE_HASHLEN);
	memcpy(h, NOISE_PROTOCOL_NAME, sizeof(NOISE_PROTOCOL_NAME) - 1);
	memcpy(ck, h, NOISE_HASHLEN);
	memcpy(prologue, NOISE_PROLOGUE, plen);
	if (name) {
		size_t nlen = strlen(name);

		if (nlen > sizeof(prologue) - plen)
			nlen = sizeof(prologue) - plen;
		memcpy(prologue + plen, name, nlen);
		plen += nlen;
	}
	noise_hash(h, h, NOISE_HASHLEN, prologue, plen);
	noise_hash(h, h, NOISE_HASHLEN, responder_pub, NOISE_KEYLEN);
}

/**
 * noise_pub_from_priv() - X25519 public key of @priv
 * Return: 0, or -1 if the result is degenerate.
 */
int noise_pub_from_priv(uint8_t pub[NOISE_KEYLEN], const uint8_t priv[NOISE_KEYLEN])
{
	return crypto_scalarmult_base(pub, priv) == 0 ? 0 : -1;
}

/**
 * noise_dh() - X25519(priv, pub)
 * Return: 0, or -1 for a low-order @pub (all-zero result).
 */
int noise_dh(uint8_t out[NOISE_KEYLEN], const uint8_t priv[NOISE_KEYLEN],
	     const uint8_t pub[NOISE_KEYLEN])
{
	return crypto_scalarmult(out, priv, pub) == 0 ? 0 : -1;
}

/**
 * noise_mac1_key() - mac1 key of a static public key
 * @key:	output, BLAKE2b-256("mac1----" || @pub)
 * @pub:	the static public key of the receiver of the message
 */
void noise_mac1_key(uint8_t key[NOISE_KEYLEN], const uint8_t pub[NOISE_KEYLEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, NOISE_KEYLEN);
	crypto_generichash_update(&st, (const uint8_t *)"mac1----", 8);
	crypto_generichash_update(&st, pub, NOISE_KEYLEN);
	crypto_generichash_final(&st, key, NOISE_KEYLEN);
}

/**
 * noise_mac() - BLAKE2b-128 keyed MAC
 * @mac:	output
 * @key:	32-byte key
 * @msg:	covered bytes
 * @len:	their length
 */
void noise_mac(uint8_t mac[NOISE_MAC_LEN], const uint8_t key[NOISE_KEYLEN],
	       const uint8_t *msg, size_t len)
{
	crypto_generichash(mac, NOISE_MAC_LEN, msg, len, key, NOISE_KEYLEN);
}

/**
 * noise_create_init() - write msg1 (e, es, s, ss, {ts}) as the initiator
 * @hs:		handshake state, filled for the response
 * @h0:		noise_hs_start() hash for the responder key @rs
 * @ck0:	noise_hs_start() chaining key
 * @e_priv:	fresh ephemeral private key
 * @s_pub:	our static public key
 * @rs:		the responder's static public key
 * @ss:		precomputed DH(s, rs)
 * @ts:		TAI64N timestamp payload
 * @out:	108-byte message body
 *
 * Return: 0, or -1 (low-order key; @hs wiped).
 */
int noise_create_init(struct noise_hs *hs, const uint8_t h0[NOISE_HASHLEN],
		      const uint8_t ck0[NOISE_HASHLEN], const uint8_t e_priv[NOISE_KEYLEN],
		      const uint8_t s_pub[NOISE_KEYLEN], const uint8_t rs[NOISE_KEYLEN],
		      const uint8_t ss[NOISE_KEYLEN], const uint8_t ts[NOISE_TIMESTAMPLEN],
		      uint8_t out[NOISE_MSG1_LEN])
{
	int ret = -1;

	memcpy(hs->h, h0, NOISE_HASHLEN);
	memcpy(hs->ck, ck0, NOISE_HASHLEN);
	memcpy(hs->e_priv, e_priv, NOISE_KEYLEN);
	memcpy(hs->rs, rs, NOISE_KEYLEN);
	if (noise_pub_from_priv(hs->e_pub, e_priv))
		goto out;
	memcpy(out, hs->e_pub, NOISE_KEYLEN);
	mix_hash(hs, hs->e_pub, NOISE_KEYLEN);
	mix_key(hs, hs->e_pub, NOISE_KEYLEN);
	if (mix_dh(hs, hs->e_priv, rs))
		goto out;
	encrypt_and_hash(hs, out + 32, s_pub, NOISE_KEYLEN);
	mix_key(hs, ss, NOISE_KEYLEN);
	encrypt_and_hash(hs, out + 32 + 48, ts, NOISE_TIMESTAMPLEN);
	ret = 0;
out:
	if (ret)
		sodium_memzero(hs, sizeof(*hs));
	return ret;
}

/**
 * noise_consume_init_static() - first half of reading msg1 as the responder
 * @hs:		handshake state to fill; hs->rs receives the initiator's static key
 * @h0:		noise_hs_start() hash for our own static key
 * @ck0:	noise_hs_start() chaining key
 * @s_priv:	our static private key
 * @msg:	108-byte message body
 *
 * Return: 0 with hs->rs set, or -1 (bad point or AEAD failure; @hs wiped).
 */
int noise_consume_init_static(struct noise_hs *hs, const uint8_t h0[NOISE_HASHLEN],
			      const uint8_t ck0[NOISE_HASHLEN],
			      const uint8_t s_priv[NOISE_KEYLEN],
			      const uint8_t msg[NOISE_MSG1_LEN])
{
	int ret = -1;

	memcpy(hs->h, h0, NOISE_HASHLEN);
	memcpy(hs->ck, ck0, NOISE_HASHLEN);
	memcpy(hs->re, msg, NOISE_KEYLEN);
	mix_hash(hs, hs->re, NOISE_KEYLEN);
	mix_key(hs, hs->re, NOISE_KEYLEN);
	if (mix_dh(hs, s_priv, hs->re))
		goto out;
	if (decrypt_and_hash(hs, hs->rs, msg + 32, NOISE_KEYLEN + NOISE_TAGLEN))
		goto out;
	ret = 0;
out:
	if (ret)
		sodium_memzero(hs, sizeof(*hs));
	return ret;
}

/**
 * noise_consume_init_finish() - second half of reading msg1
 * @hs:		state from noise_consume_init_static()
 * @ss:		precomputed DH(s, rs) for the peer hs->rs
 * @msg:	the same 108-byte body
 * @ts:		output timestamp payload
 *
 * Return: 0, or -1 (AEAD failure; @hs wiped).
 */
int noise_consume_init_finish(struct noise_hs *hs, const uint8_t ss[NOISE_KEYLEN],
			      const uint8_t msg[NOISE_MSG1_LEN],
			      uint8_t ts[NOISE_TIMESTAMPLEN])
{
	int ret = -1;

	mix_key(hs, ss, NOISE_KEYLEN);
	if (decrypt_and_hash(hs, ts, msg + 80, NOISE_TIMESTAMPLEN + NOISE_TAGLEN))
		goto out;
	ret = 0;
out:
	if (ret)
		sodium_memzero(hs, sizeof(*hs));
	return ret;
}

/**
 * noise_create_resp() - write msg2 (e, ee, se, psk, {}) and split
 * @hs:		state after noise_consume_init_finish(); wiped on return
 * @e_priv:	fresh ephemeral private key
 * @psk:	pre-shared key (32 zero bytes when none)
 * @out:	48-byte message body
 * @keys:	transport keys, responder's view
 *
 * Return: 0, or -1 (low-order key).
 */
int noise_create_resp(struct noise_hs *hs, const uint8_t e_priv[NOISE_KEYLEN],
		      const uint8_t psk[NOISE_KEYLEN], uint8_t out[NOISE_MSG2_LEN],
		      struct noise_keys *keys)
{
	int ret = -1;

	memcpy(hs->e_priv, e_priv, NOISE_KEYLEN);
	if (noise_pub_from_priv(hs->e_pub, e_priv))
		goto out;
	memcpy(out, hs->e_pub, NOISE_KEYLEN);
	mix_hash(hs, hs->e_pub, NOISE_KEYLEN);
	mix_key(hs, hs->e_pub, NOISE_KEYLEN);
	if (mix_dh(hs, hs->e_priv, hs->re) || mix_dh(hs, hs->e_priv, hs->rs))
		goto out;
	mix_key_and_hash(hs, psk);
	encrypt_and_hash(hs, out + 32, NULL, 0);
	split(hs, keys, false);
	ret = 0;
out:
	sodium_memzero(hs, sizeof(*hs));
	return ret;
}

/**
 * noise_consume_resp() - read msg2 as the initiator and split
 * @hs:		state from noise_create_init(); wiped on return
 * @s_priv:	our static private key
 * @psk:	pre-shared key
 * @msg:	48-byte message body
 * @keys:	transport keys, initiator's view
 *
 * Return: 0, or -1 (bad point or AEAD failure).
 */
int noise_consume_resp(struct noise_hs *hs, const uint8_t s_priv[NOISE_KEYLEN],
		       const uint8_t psk[NOISE_KEYLEN], const uint8_t msg[NOISE_MSG2_LEN],
		       struct noise_keys *keys)
{
	uint8_t empty[1];
	int ret = -1;

	memcpy(hs->re, msg, NOISE_KEYLEN);
	mix_hash(hs, hs->re, NOISE_KEYLEN);
	mix_key(hs, hs->re, NOISE_KEYLEN);
	if (mix_dh(hs, hs->e_priv, hs->re) || mix_dh(hs, s_priv, hs->re))
		goto out;
	mix_key_and_hash(hs, psk);
	if (decrypt_and_hash(hs, empty, msg + 32, NOISE_TAGLEN))
		goto out;
	split(hs, keys, true);
	ret = 0;
out:
	sodium_memzero(hs, sizeof(*hs));
	return ret;
}
