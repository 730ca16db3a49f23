// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cable_noise.c - known-answer tests of the vdecab handshake
 *
 * The expected messages and transport keys below were produced by
 * python3-dissononce (tests/cryptcab/noise_vectors.py) with the same fixed
 * keys; t-cryptcab-noise.sh also recomputes them live and compares them with
 * this program's --vectors output. Also checks HMAC-BLAKE2b against Python's
 * hmac module, rejection of bit-flipped messages and of low-order points.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../../cryptcab/noise.h"
#include "tap.h"

static const char *v_psk[] = {
	"23b7bb8c91ae008711fb12846780bcdf1e065f821bdfec49f57e7c7dcd4c4823a536b54afbd9b40684297410650d4e3e24233716a7420f2a16f39afaed1c2a76ec85c6e4180243da9cdb7cc5d377897f5ae3ed7f1579288492c04265191e151c55e79c996e43b207909c1d94",
	"605a725d2a4adfeeb1a29e17edd621c1b7593ee8cdbc44ac6c4ab6e2f805d23c29405d5f27294443a968df9c95453cea",
	"2fd9d65b8a0293e45435d268f9babac46538414f2da486e73c8f8674141f369d",
	"1470dd5c887eff23a01822bbc209d9171c7b52c6cfb484cfd71b5fe41059b394",
	"a486294217e7570d8fa83e2deb43eaba0de34f5674ce",
};
static const char *v_nopsk[] = {
	"23b7bb8c91ae008711fb12846780bcdf1e065f821bdfec49f57e7c7dcd4c4823a536b54afbd9b40684297410650d4e3e24233716a7420f2a16f39afaed1c2a76ec85c6e4180243da9cdb7cc5d377897f5ae3ed7f1579288492c04265191e151c55e79c996e43b207909c1d94",
	"605a725d2a4adfeeb1a29e17edd621c1b7593ee8cdbc44ac6c4ab6e2f805d23c7cb5a731bb49925ffae43b4c8e52c628",
	"d336f2e5227582afe3a71d347d4d1bf74f2d9956ee07afa9dbaf5c6ddb081902",
	"f5277cdfdd045aea792d6b087b8ce717ed5f2591ff8c7d573e49f33fdaa2ca61",
	"55f063fcc0b42dcde4e19d711c5e2e7cfd7918bc5a77",
};
static const char *names[] = { "msg1", "msg2", "k_i2r", "k_r2i", "transport0" };

struct run {
	uint8_t msg1[NOISE_MSG1_LEN], msg2[NOISE_MSG2_LEN];
	struct noise_keys ik, rk;
	uint8_t t0[6 + NOISE_TAGLEN];
	uint8_t ts[NOISE_TIMESTAMPLEN];
	int rc;
};

static void key(uint8_t k[32], unsigned start)
{
	unsigned i;

	for (i = 0; i < 32; i++)
		k[i] = (uint8_t)(start + i);
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

static int same(const uint8_t *b, size_t n, const char *want)
{
	char buf[512];

	hex(buf, b, n);
	return !strcmp(buf, want);
}

static void run_handshake(struct run *r, int with_psk)
{
	uint8_t s_i[32], s_r[32], e_i[32], e_r[32], psk[32], pub_i[32], pub_r[32];
	uint8_t ss_i[32], ss_r[32], h0[64], ck0[64], ts[12], nonce[12];
	struct noise_hs ihs, rhs;
	unsigned i;

	key(s_i, 0x10);
	key(s_r, 0x40);
	key(e_i, 0x70);
	key(e_r, 0xa0);
	key(psk, 0xd0);
	if (!with_psk)
		memset(psk, 0, sizeof(psk));
	for (i = 0; i < 12; i++)
		ts[i] = (uint8_t)(0x30 + i);
	noise_pub_from_priv(pub_i, s_i);
	noise_pub_from_priv(pub_r, s_r);
	noise_dh(ss_i, s_i, pub_r);
	noise_dh(ss_r, s_r, pub_i);
	noise_hs_start(h0, ck0, pub_r, NULL);
	r->rc = noise_create_init(&ihs, h0, ck0, e_i, pub_i, pub_r, ss_i, ts, r->msg1);
	r->rc |= noise_consume_init_static(&rhs, h0, ck0, s_r, r->msg1);
	r->rc |= memcmp(rhs.rs, pub_i, 32) != 0;
	r->rc |= noise_consume_init_finish(&rhs, ss_r, r->msg1, r->ts);
	r->rc |= memcmp(r->ts, ts, 12) != 0;
	r->rc |= noise_create_resp(&rhs, e_r, psk, r->msg2, &r->rk);
	r->rc |= noise_consume_resp(&ihs, s_i, psk, r->msg2, &r->ik);
	noise_nonce(nonce, 0);
	crypto_aead_chacha20poly1305_ietf_encrypt(r->t0, NULL, (const uint8_t *)"vdecab", 6,
						  NULL, 0, NULL, nonce, r->ik.send);
}

static void print_vectors(int with_psk)
{
	struct run r;
	char buf[512];

	run_handshake(&r, with_psk);
	hex(buf, r.msg1, sizeof(r.msg1));
	printf("msg1 %s\n", buf);
	hex(buf, r.msg2, sizeof(r.msg2));
	printf("msg2 %s\n", buf);
	hex(buf, r.ik.send, 32);
	printf("k_i2r %s\n", buf);
	hex(buf, r.ik.recv, 32);
	printf("k_r2i %s\n", buf);
	hex(buf, r.t0, sizeof(r.t0));
	printf("transport0 %s\n", buf);
}

static void check_vectors(int with_psk)
{
	const char **v = with_psk ? v_psk : v_nopsk;
	const char *m = with_psk ? "psk" : "zero psk";
	struct run r;

	run_handshake(&r, with_psk);
	ok(r.rc == 0, "%s: handshake completes", m);
	ok(same(r.msg1, sizeof(r.msg1), v[0]), "%s: %s = dissononce", m, names[0]);
	ok(same(r.msg2, sizeof(r.msg2), v[1]), "%s: %s = dissononce", m, names[1]);
	ok(same(r.ik.send, 32, v[2]), "%s: %s = dissononce", m, names[2]);
	ok(same(r.ik.recv, 32, v[3]), "%s: %s = dissononce", m, names[3]);
	ok(same(r.t0, sizeof(r.t0), v[4]), "%s: %s = dissononce", m, names[4]);
	ok(!memcmp(r.ik.send, r.rk.recv, 32) && !memcmp(r.ik.recv, r.rk.send, 32),
	   "%s: both sides derive the same keys", m);
}

static void check_tamper(void)
{
	uint8_t s_i[32], s_r[32], e_i[32], e_r[32], psk[32], pub_i[32], pub_r[32];
	uint8_t ss_i[32], ss_r[32], h0[64], ck0[64], ts[12] = { 0 }, ts2[12];
	uint8_t msg1[NOISE_MSG1_LEN], bad[NOISE_MSG1_LEN], msg2[NOISE_MSG2_LEN];
	uint8_t bad2[NOISE_MSG2_LEN], zero[32] = { 0 };
	struct noise_hs ihs, rhs, tmp;
	struct noise_keys k;
	size_t i;
	int fails = 0, rc;

	key(s_i, 1);
	key(s_r, 2);
	key(e_i, 3);
	key(e_r, 4);
	key(psk, 5);
	noise_pub_from_priv(pub_i, s_i);
	noise_pub_from_priv(pub_r, s_r);
	noise_dh(ss_i, s_i, pub_r);
	noise_dh(ss_r, s_r, pub_i);
	noise_hs_start(h0, ck0, pub_r, NULL);
	noise_create_init(&ihs, h0, ck0, e_i, pub_i, pub_r, ss_i, ts, msg1);
	for (i = 0; i < sizeof(msg1) * 8; i++) {
		memcpy(bad, msg1, sizeof(bad));
		bad[i / 8] ^= (uint8_t)(1U << (i % 8));
		rc = noise_consume_init_static(&rhs, h0, ck0, s_r, bad);
		if (!rc && !memcmp(rhs.rs, pub_i, 32))
			rc = noise_consume_init_finish(&rhs, ss_r, bad, ts2);
		else
			rc = -1;
		fails += rc != 0;
	}
	ok(fails == (int)sizeof(msg1) * 8, "every bit flip of msg1 is rejected (%d/%zu)",
	   fails, sizeof(msg1) * 8);

	memcpy(bad, msg1, sizeof(bad));
	memset(bad, 0, 32);
	ok(noise_consume_init_static(&rhs, h0, ck0, s_r, bad) == -1,
	   "all-zero ephemeral rejected");
	ok(noise_dh(ss_i, s_i, zero) == -1, "crypto_scalarmult rejects an all-zero public key");

	noise_consume_init_static(&rhs, h0, ck0, s_r, msg1);
	noise_consume_init_finish(&rhs, ss_r, msg1, ts2);
	ok(noise_create_resp(&rhs, e_r, psk, msg2, &k) == 0, "response created");
	fails = 0;
	for (i = 0; i < sizeof(msg2) * 8; i++) {
		memcpy(bad2, msg2, sizeof(bad2));
		bad2[i / 8] ^= (uint8_t)(1U << (i % 8));
		tmp = ihs;
		fails += noise_consume_resp(&tmp, s_i, psk, bad2, &k) != 0;
	}
	ok(fails == (int)sizeof(msg2) * 8, "every bit flip of msg2 is rejected");
	tmp = ihs;
	psk[0] ^= 1;
	ok(noise_consume_resp(&tmp, s_i, psk, msg2, &k) != 0, "wrong psk is rejected");
	psk[0] ^= 1;
	tmp = ihs;
	ok(noise_consume_resp(&tmp, s_i, psk, msg2, &k) == 0, "right psk is accepted");

	/* a different prologue (cable name) fails closed */
	noise_hs_start(h0, ck0, pub_r, "other");
	ok(noise_consume_init_static(&rhs, h0, ck0, s_r, msg1) == -1,
	   "other cable name: msg1 rejected");
}

static void check_primitives(void)
{
	uint8_t out[64], k[64], mk[32], pub[32];
	unsigned i;

	noise_hmac(out, (const uint8_t *)"keykeykey", 9,
		   (const uint8_t *)"The quick ", 10, (const uint8_t *)"brown fox", 9);
	ok(same(out, 64, "ba72a42db92c5f56472bc0b68b5049486a7984d4da86ca9ade36ef27760b577a0327205e737b780bee34fc032ba5fe28c057afb1f37dee08a030284fbcf14c77"),
	   "HMAC-BLAKE2b = Python hmac (short key)");
	for (i = 0; i < 64; i++)
		k[i] = (uint8_t)i;
	noise_hmac(out, k, 64, NULL, 0, NULL, 0);
	ok(same(out, 64, "ea1896ab7c8319a824482f757c038b70089765501b1f8bdb78153d195915bd330bde7a8c0fb6dbf3de09277662ba661fde80017dc277309eedfe05bdf5b27e18"),
	   "HMAC-BLAKE2b = Python hmac (64-byte key, empty message)");
	for (i = 0; i < 32; i++)
		pub[i] = (uint8_t)i;
	noise_mac1_key(mk, pub);
	ok(same(mk, 32, "b941bf1b95db7cb783423638ff760265304756babdb2510836584fbfbe257274"),
	   "mac1 key = BLAKE2b-256(\"mac1----\" || pub)");
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 99;
	if (argc > 1 && !strcmp(argv[1], "--vectors")) {
		print_vectors(!(argc > 2 && !strcmp(argv[2], "nopsk")));
		return 0;
	}
	check_primitives();
	check_vectors(1);
	check_vectors(0);
	check_tamper();
	return tap_done();
}
