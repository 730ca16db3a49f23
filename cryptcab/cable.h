/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cryptcab/cable.h - the vdecab v1 protocol engine (pure: no sockets, injected clock)
 *
 * The I/O shell (cryptcab/main.c) owns the UDP socket and the VDE ports. It
 * feeds every datagram to cable_rx() and every frame from a peer's port to
 * cable_tx(), calls cable_tick() when the deadline it returned has passed,
 * and gets datagrams to send and frames to deliver back through callbacks.
 * Time (monotonic and real), randomness and output all come through
 * struct cable_ops, so tests can jump the clock and fix the RNG.
 */
#ifndef VDEKIT_CABLE_H
#define VDEKIT_CABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "cookie.h"
#include "noise.h"
#include "replay.h"
#include "srclimit.h"

#define CABLE_MSG_INIT		1
#define CABLE_MSG_RESP		2
#define CABLE_MSG_COOKIE	3
#define CABLE_MSG_DATA		4
#define CABLE_INIT_LEN		148
#define CABLE_RESP_LEN		92
#define CABLE_COOKIE_LEN	64
#define CABLE_DATA_HDR		16
#define CABLE_DATA_MIN		(CABLE_DATA_HDR + NOISE_TAGLEN)		/* 32 */
#define CABLE_FRAME_MIN		14
#define CABLE_FRAME_MAX		1518
#define CABLE_DATA_MAX		(CABLE_DATA_MIN + CABLE_FRAME_MAX)	/* 1550 */
#define CABLE_MAX_PEERS		64
#define CABLE_STAGED_MAX	32

#define CABLE_SEC		1000000000ULL
#define REKEY_AFTER_MESSAGES	(1ULL << 60)
#define REKEY_AFTER_TIME	(120 * CABLE_SEC)
#define REJECT_AFTER_TIME	(180 * CABLE_SEC)
#define REKEY_ON_RECV_TIME	(165 * CABLE_SEC)	/* 180 - 10 - 5 */
#define REKEY_TIMEOUT		(5 * CABLE_SEC)
#define REKEY_JITTER_MAX	(333 * 1000000ULL)
#define MAX_TIMER_HANDSHAKES	18			/* 90 s / REKEY_TIMEOUT */
#define KEEPALIVE_TIMEOUT	(10 * CABLE_SEC)
#define ZERO_KEYS_AFTER		(3 * REJECT_AFTER_TIME)	/* 540 s */
#define INIT_MIN_INTERVAL	(CABLE_SEC / 50)	/* 20 ms */
#define RL_PER_IP_RATE		20			/* handshake packets/s per IP */
#define RL_PER_IP_BURST		5
#define RL_GLOBAL_RATE		200
#define RL_GLOBAL_BURST		50
#define CABLE_SEEN_INITS	64	/* PSK server: ephemerals of recent INITs */

/* Counters: drops by reason (docs/cable.md, "Drops and counters") and traffic. */
#define CABLE_COUNTERS(X) \
	X(RX_MALFORMED, "rx_malformed") X(RX_OVERSIZE, "rx_oversize") \
	X(RX_BAD_MAC1, "rx_bad_mac1") X(RX_RATELIMITED, "rx_ratelimited") \
	X(RX_HANDSHAKE_FAIL, "rx_handshake_fail") X(RX_HANDSHAKE_REPLAY, "rx_handshake_replay") \
	X(RX_UNKNOWN_INDEX, "rx_unknown_index") X(RX_EXPIRED, "rx_expired") \
	X(RX_REPLAY, "rx_replay") X(RX_AUTH_FAIL, "rx_auth_fail") X(RX_BAD_FRAME, "rx_bad_frame") \
	X(RX_INIT, "rx_init") X(RX_RESP, "rx_resp") X(RX_DATA, "rx_data") \
	X(RX_KEEPALIVE, "rx_keepalive") X(RX_BYTES, "rx_bytes") \
	X(TX_INIT, "tx_init") X(TX_RESP, "tx_resp") X(TX_DATA, "tx_data") \
	X(TX_KEEPALIVE, "tx_keepalive") X(TX_BYTES, "tx_bytes") X(TX_OVERSIZE, "tx_oversize") \
	X(TX_RUNT, "tx_runt") X(TX_EMSGSIZE, "tx_emsgsize") X(TX_ERROR, "tx_error") \
	X(TX_STAGED, "tx_staged") X(TX_STAGED_DROP, "tx_staged_drop") \
	X(TX_NO_ENDPOINT, "tx_no_endpoint") X(HANDSHAKES, "handshakes") \
	X(HANDSHAKE_GIVEUP, "handshake_giveup") X(KEYS_ZEROED, "keys_zeroed") \
	X(ROAMED, "endpoint_changes") X(RX_NO_SLOT, "rx_no_slot") \
	X(SESSIONS_OPENED, "sessions_opened") X(SESSIONS_CLOSED, "sessions_closed") \
	X(RX_NO_COOKIE, "rx_no_cookie") X(RX_BAD_COOKIE, "rx_bad_cookie") \
	X(RX_BAD_COOKIE_REPLY, "rx_bad_cookie_reply") X(RX_COOKIE, "rx_cookie") \
	X(TX_COOKIE, "tx_cookie")

#define CABLE_ENUM(id, name) C_##id,
enum cable_counter { CABLE_COUNTERS(CABLE_ENUM) C_N };
#undef CABLE_ENUM

extern const char *const cable_counter_names[C_N];

struct cable_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct cable;
struct cable_peer;

struct cable_ops {
	uint64_t (*now)(void *arg);				/* monotonic ns */
	void (*realtime)(void *arg, struct timespec *ts);	/* for TAI64N */
	void (*random)(void *arg, void *buf, size_t len);
	/* send one datagram; -1 with errno on failure */
	int (*send)(void *arg, struct cable_peer *p, const struct cable_addr *to,
		    const uint8_t *buf, size_t len);
	void (*deliver)(void *arg, struct cable_peer *p, const uint8_t *frame, size_t len);
	/* lifecycle and (rate-limited) drop messages; may be NULL */
	void (*event)(void *arg, struct cable_peer *p, const char *msg);
	/* PSK server: a client session was confirmed (its first data packet
	 * authenticated) and needs a port; -1 if it cannot have one (the
	 * session is then closed). May be NULL. */
	int (*session_up)(void *arg, struct cable_peer *p);
	/* PSK server: a client session (confirmed or not) is about to be
	 * freed; the shell must drop every reference to it. May be NULL. */
	void (*session_down)(void *arg, struct cable_peer *p);
	void *arg;
};

struct cable_keypair {
	bool valid;
	bool initiator;
	uint32_t local_index, remote_index;
	uint64_t birth;
	uint64_t send_counter;
	uint8_t send[NOISE_KEYLEN], recv[NOISE_KEYLEN];
	struct replay replay;
};

/* Everything secret about a peer: one sodium_malloc() block. */
struct cable_peer_secret {
	uint8_t psk[NOISE_KEYLEN];
	uint8_t ss[NOISE_KEYLEN];
	struct noise_hs hs;		/* pending handshake (initiator) */
	struct noise_hs scratch;
	struct cable_keypair prev, cur, next;
};

struct cable_staged {
	uint16_t len;
	uint8_t data[CABLE_FRAME_MAX];
};

struct cable_peer {
	struct cable *c;
	unsigned id;
	void *user;			/* the shell's port */
	uint8_t pub[NOISE_KEYLEN];
	uint8_t mac1_key[NOISE_KEYLEN];	/* for messages we send to this peer */
	uint8_t h0[NOISE_HASHLEN], ck0[NOISE_HASHLEN];	/* initiating to this peer */
	bool may_initiate;
	bool shared;			/* PSK server: the clients' common key, never a session */
	bool session;			/* PSK server: one client, created by its INIT */
	bool up;			/* session: confirmed, session_up() done */
	bool has_ep;
	struct cable_addr ep;
	uint64_t keepalive_interval;	/* persistent keepalive, 0 = off */
	struct cable_peer_secret *sec;

	bool hs_active;
	uint32_t hs_index;
	unsigned hs_attempts;
	uint64_t hs_last_sent;		/* 0 = never */
	uint64_t hs_retry_at;
	uint8_t init_pkt[CABLE_INIT_LEN];	/* the pending INIT as sent */
	bool init_had_cookie;		/* ... with a mac2 */
	bool cookie_resent;		/* ... resent at once after a cookie reply */

	uint8_t cookie_key[COOKIE_KEYLEN];	/* cookie replies from this peer */
	uint8_t cookie[COOKIE_LEN];	/* from the peer's latest cookie reply */
	uint64_t cookie_at;		/* when it came, 0 = none */

	bool has_ts;
	uint8_t last_ts[NOISE_TIMESTAMPLEN];
	uint64_t last_init_rx;		/* 0 = never */
	uint64_t created;		/* session: when its first INIT was accepted */

	uint64_t keepalive_at, newhs_at, zero_at, persistent_at;	/* 0 = unset */
	uint64_t last_handshake;	/* completion time, 0 = never */
	uint64_t last_rx, last_tx;

	struct cable_staged staged[CABLE_STAGED_MAX];
	unsigned staged_head, staged_n;

	uint64_t stats[C_N];
};

struct cable_secret {
	uint8_t priv[NOISE_KEYLEN];
	struct srclimit rl;		/* handshakes per source (its hash key is secret) */
	struct cookie_checker cc;	/* cookie secrets and the load meter */
};

enum cable_cookie_mode {
	CABLE_COOKIES_AUTO,		/* required under load (docs/cable.md) */
	CABLE_COOKIES_ALWAYS,		/* required for every INIT (testing) */
	CABLE_COOKIES_OFF,		/* never sent nor accepted: the old behaviour (benchmarks) */
};

struct cable {
	struct cable_ops ops;
	struct cable_secret *sec;
	uint8_t pub[NOISE_KEYLEN];
	uint8_t mac1_key[NOISE_KEYLEN];	/* messages sent to us */
	uint8_t h0[NOISE_HASHLEN], ck0[NOISE_HASHLEN];	/* responding */
	char *name;
	struct cable_peer *peers[CABLE_MAX_PEERS];
	size_t npeers;
	size_t max_sessions;		/* PSK server: client sessions at most */
	unsigned next_id;
	uint8_t seen_e[CABLE_SEEN_INITS][NOISE_KEYLEN];	/* PSK server */
	unsigned seen_next;
	uint64_t stats[C_N];
	uint64_t last_log[C_N];
	enum cable_cookie_mode cookie_mode;
	uint8_t txbuf[CABLE_DATA_MAX];
	uint8_t rxbuf[CABLE_FRAME_MAX + NOISE_TAGLEN];
};

struct cable *cable_new(const struct cable_ops *ops, const uint8_t priv[NOISE_KEYLEN],
			const char *name);
void cable_free(struct cable *c);
struct cable_peer *cable_add_peer(struct cable *c, const uint8_t pub[NOISE_KEYLEN],
				  const uint8_t *psk, const struct cable_addr *ep,
				  bool may_initiate, unsigned keepalive_s);
void cable_rx(struct cable *c, const uint8_t *buf, size_t len, const struct cable_addr *src);
void cable_tx(struct cable *c, struct cable_peer *p, const uint8_t *frame, size_t len);
uint64_t cable_tick(struct cable *c);
struct cable_peer *cable_add_psk_clients(struct cable *c, const uint8_t pub[NOISE_KEYLEN],
					 const uint8_t *psk, size_t max_sessions);
size_t cable_sessions(const struct cable *c);
bool cable_peer_zeroed(const struct cable_peer *p);
bool cable_peer_usable(const struct cable_peer *p);
bool cable_under_load(const struct cable *c);
bool cable_addr_equal(const struct cable_addr *a, const struct cable_addr *b);

#endif
