/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/fpproto.h - the fast path's negotiation messages and shared
 * memory region, for both ends (libvdeplug's fastpath.c and the switch);
 * the protocol is docs/fastpath.md
 */
#ifndef VDEKIT_FPPROTO_H
#define VDEKIT_FPPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "shmring.h"

#define FASTPATH_SOCK		".fastpath"	/* SOCK_SEQPACKET in the switch directory */
#define FASTPATH_MAX_FDS	4		/* fds accepted per message (extra are closed) */

/* Feature bit of the REQUEST/OFFER (not a ring feature: never in the
 * region header): doorbells on two pipes instead of zero-length datagrams.
 * An OFFER granting it carries FASTPATH_OFFER_FDS fds in this order. */
#define FASTPATH_FEAT_PIPES	(1U << 1)
enum fastpath_offer_fd {
	FASTPATH_FD_REGION = 0,		/* the sealed memfd */
	FASTPATH_FD_S2C_READ,		/* s2c doorbells: the client reads */
	FASTPATH_FD_C2S_WRITE,		/* c2s doorbells: the client writes */
	FASTPATH_FD_C2S_KEEP,		/* a reader of c2s for the client to hold (never read):
					 * its writes then never fail with EPIPE/SIGPIPE */
	FASTPATH_OFFER_FDS,
};

/* Feature bit of the REQUEST/OFFER: shortcuts (docs/fastpath.md section
 * 10). With it granted the .fastpath connection stays open after ACTIVE as
 * the endpoint's control channel (switch to client only), and the switch
 * may give the client rings shared with another client of the same user
 * for known unicast. Needs PIPES. */
#define FASTPATH_FEAT_SHORTCUT	(1U << 2)

/* Feature bit of the REQUEST/OFFER: shortcuts on a VNET ring. A client
 * asks for it with SHMRING_FEAT_VNET and FASTPATH_FEAT_SHORTCUT when it
 * can take VNET shortcuts (a region whose header says SHMRING_FEAT_VNET,
 * named in the SC_RX/SC_TX message's features); the switch grants
 * FASTPATH_FEAT_SHORTCUT together with SHMRING_FEAT_VNET only with this
 * bit, so a client of an older build that takes super-frames never gets a
 * shortcut, and a switch of an older build never grants it (it grants
 * only the bits it knows). */
#define FASTPATH_FEAT_SC_VNET	(1U << 3)

/* The feature bits of the messages only, never of a region header. */
#define FASTPATH_FEAT_MSG	(FASTPATH_FEAT_PIPES | FASTPATH_FEAT_SHORTCUT | FASTPATH_FEAT_SC_VNET)

/* Shortcut messages (on the control channel): status = the shortcut's id
 * (>= 1), ring_size = its ring's size, features (SC_RX, SC_TX) = its
 * region's: SHMRING_FEAT_VNET (only between two clients granted
 * FASTPATH_FEAT_SC_VNET) or 0; SC_TX's endpoint[0..5] = the destination
 * MAC address, the rest zero (every other message: zero). */
enum fastpath_sc_fd {			/* the fds of an SC_TX, in this order */
	FASTPATH_SC_REGION = 0,		/* the shortcut's sealed memfd */
	FASTPATH_SC_BELL,		/* the receiver's s2c pipe: write one byte to wake it */
	FASTPATH_SC_KEEP,		/* a reader of that pipe to hold (never read) */
	FASTPATH_SC_TX_FDS,
};

/* Page 0 of a region, at FASTPATH_AUX_OFF (after the region header): an
 * endpoint's region uses seq; a shortcut's region the rest. Hostile like
 * every shared byte: each side reads what the other writes as a hint. */
#define FASTPATH_AUX_OFF	1024u
struct fastpath_aux {
	uint32_t seq;			/* switch: +1 per control message sent */
	uint8_t pad0[60];
	uint32_t revoked;		/* switch: 1 = the shortcut is withdrawn */
	uint8_t pad1[60];
	uint32_t prod_done;		/* sender (or the switch once the sender is
					 * gone): 1 = nothing more will be written */
	uint8_t pad2[60];
	uint32_t open;			/* switch: 1 = the sender may start (what it sent
					 * before has been forwarded, nothing waits for
					 * the receiver in the switch) */
	uint8_t pad4[60];
	uint32_t fwd;			/* switch, endpoint region: its c2s position up to
					 * which frames were consumed and forwarded */
	uint32_t mark;			/* switch, shortcut region: the receiver's s2c
					 * position after the sender's last frame that
					 * crossed the switch; the receiver reads the
					 * shortcut only past it */
	uint8_t pad5[56];
	uint64_t frames, bytes;		/* sender: put into the ring */
	uint64_t full;			/* sender: dropped, the ring was full */
	uint64_t late;			/* client, endpoint region: withdrawn shortcuts
					 * it stopped waiting for (SC_DRAIN_MS) */
	uint64_t super;			/* sender: super-frames among frames (a VNET
					 * shortcut; 0 in a region of an older build) */
	uint8_t pad3[24];
};

/* The switch's ends of the doorbell pipes (non-blocking, its own open
 * file descriptions) and the client's, to pass in the OFFER. */
struct fastpath_bells {
	int s2c_write;			/* switch: one byte = one doorbell to the client */
	int c2s_read;			/* switch: doorbells from the client */
	int peer[FASTPATH_OFFER_FDS];	/* [REGION] unused (-1); the client's three ends */
};

/* Negotiation messages: every message is exactly sizeof(struct
 * fastpath_msg) bytes, native byte order. */
enum fastpath_msg_type {
	FASTPATH_REQUEST = 1,	/* c->s: endpoint, ring_size wish, features wish */
	FASTPATH_OFFER = 2,	/* s->c: ring_size, features; SCM_RIGHTS memfd */
	FASTPATH_REFUSE = 3,	/* s->c: status = errno */
	FASTPATH_ACCEPT = 4,	/* c->s: the region is fine, activate */
	FASTPATH_DECLINE = 5,	/* c->s: status = errno; stay on datagrams */
	FASTPATH_ACTIVE = 6,	/* s->c: rings in use, data socket carries doorbells */
	FASTPATH_SC_RX = 7,	/* s->c: a shortcut to receive from; its memfd */
	FASTPATH_SC_TX = 8,	/* s->c: a shortcut to send to MAC; enum fastpath_sc_fd */
	FASTPATH_SC_REVOKE = 9,	/* s->c: the shortcut is withdrawn */
};

struct fastpath_msg {
	uint32_t magic;		/* SHMRING_MAGIC */
	uint16_t version;	/* SHMRING_VERSION */
	uint16_t type;		/* enum fastpath_msg_type */
	int32_t status;		/* 0 or a positive errno */
	uint32_t ring_size;	/* bytes per ring (0 in a REQUEST: default) */
	uint32_t features;	/* enum shmring_features */
	uint32_t reserved;	/* 0 */
	char endpoint[108];	/* REQUEST: the switch's data socket path, NUL-terminated */
};

void fastpath_msg_init(struct fastpath_msg *m, uint16_t type, int32_t status);
int fastpath_msg_check(const void *buf, size_t len, struct fastpath_msg *out);
int fastpath_msg_send(int sock, const struct fastpath_msg *m, int fd);
int fastpath_msg_send_fds(int sock, const struct fastpath_msg *m, const int *fds, size_t nfds);
int fastpath_msg_reply(int sock, uint16_t type, int32_t status);
int fastpath_msg_recv(int sock, struct fastpath_msg *m, int *fds, size_t *nfds, long ms);
int fastpath_region_create(uint32_t ring_size, uint32_t features, void **map, size_t *maplen);
int fastpath_region_map(int memfd, uint32_t ring_size, uint32_t features, void **map,
			size_t *maplen, struct shmring_layout *l);

int fastpath_bells_create(struct fastpath_bells *b);
int fastpath_pipe_reopen(int fd, int flags);
void fastpath_bells_close(struct fastpath_bells *b);
int fastpath_bells_check(const int *fds);

#endif
