/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/vdeplug/fastpath.h - shared-memory rings between our libvdeplug and
 * our vde_switch, client side (protocol: docs/fastpath.md)
 *
 * Used by mod_vde.c only: after a normal vde:// open, fastpath_open() asks
 * the switch for rings; when it grants them, recv/send (and the batch
 * calls) go through fastpath_*; otherwise nothing changes. Like the
 * socket calls they replace, one thread may receive while another sends;
 * two concurrent receivers (or senders) on one connection are not supported.
 */
#ifndef VDEKIT_VDEPLUG_FASTPATH_H
#define VDEKIT_VDEPLUG_FASTPATH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "fpproto.h"
#include "shmring.h"

#define FASTPATH_ENV		"VDEPLUG_FASTPATH"	/* "0": never ask */
#define FASTPATH_PIPES_ENV	"VDEPLUG_FASTPATH_PIPES"	/* "0": doorbells stay datagrams */
#define FASTPATH_VNET_ENV	"VDEPLUG_VNET"		/* "0": never ask for VNET */
#define FASTPATH_SC_ENV		"VDEPLUG_SHORTCUTS"	/* "0": never ask for shortcuts */
#define FASTPATH_OWED_WAIT_MS	20	/* longest wait for a doorbell in flight */
#define FASTPATH_SC_MAX		32	/* shortcuts per direction: the switch grants 8, and
					 * withdrawn ones stay until drained */
/* Ring size wished with VNET: 256 KiB holds only 3 super-frames, and a
 * producer that finds its ring full waits with a backoff (20 us .. 1 ms).
 * Memory is touched only as traffic goes round. */
#define FASTPATH_VNET_RING	(2u * 1024 * 1024)

/* A shortcut (docs/fastpath.md section 10): a ring shared with another
 * client, which the switch gave us to send to one MAC address (sctx) or to
 * receive from (scrx). */
struct fp_sc {
	uint32_t id;
	uint8_t mac[6];		/* sender: the destination */
	bool ready;		/* sender: our c2s ring was empty once since the grant */
	bool held;		/* sender: the hold before it opened is over (sc_send()) */
	long hold_ms;		/* sender: when that hold began, 0 before */
	bool revoked;		/* withdrawn: the receiver drains it, then drops it;
				 * the sender waits for that (bounded), then drops it */
	long revoked_ms;	/* sender: when it learnt of the withdrawal */
	void *map;
	size_t maplen;
	struct fastpath_aux *aux;
	struct shmring r;	/* ring 0 of its region: the sender produces */
	int bell, keep;		/* sender: the receiver's s2c pipe, a reader of it */
};

/* Client state of one connection in ring mode. */
struct vde_fastpath {
	int sock;		/* the endpoint's data socket: frames before ACTIVE (and
				 * the doorbells, without pipes) */
	int ctl;		/* the ctl stream: EOF = switch gone */
	int bell_rx;		/* doorbells from the switch: vde_datafd() (sock, or the
				 * s2c pipe, opened read-write, at sock's old number) */
	int bell_tx;		/* doorbells to the switch: sock, or the c2s pipe */
	int bell_nb;		/* pipes: the s2c read end, O_NONBLOCK of ours, else -1 */
	int bell_keep;		/* pipes: our reader of c2s (never read), else -1 */
	bool pipes;		/* doorbells are bytes on two pipes */
	void *map;
	size_t maplen;
	struct shmring tx;	/* c2s, we produce */
	struct shmring rx;	/* s2c, we consume */
	bool predrain;		/* frames sent before ACTIVE may wait on sock */
	bool vnet;		/* SHMRING_FEAT_VNET granted: records may carry a header */
	uint64_t vnet_bad;	/* records with a header we could not use (dropped) */
	uint64_t doorbells_rx, doorbells_tx, pokes, stray;
	/* shortcuts: only with FASTPATH_FEAT_SHORTCUT granted (chan >= 0) */
	int chan;		/* the control channel, or -1 */
	int bell_self;		/* a non-blocking writer of our s2c pipe, or -1 */
	struct fastpath_aux *aux;	/* our region's: seq says a message waits */
	uint32_t chan_seen;	/* the last seq acted on */
	pthread_mutex_t sc_lock;	/* the tables: a sender and a receiver thread */
	unsigned int ntx, nrx;
	unsigned int sc_turn;	/* the shortcut a receive starts with (in turn) */
	bool rx_turn;		/* this receive takes the shortcuts before s2c */
	uint32_t owed_orphan;	/* doorbells owed by shortcuts since dropped */
	struct fp_sc sctx[FASTPATH_SC_MAX], scrx[FASTPATH_SC_MAX];
	uint64_t sc_out, sc_full, sc_in, sc_late;
};

struct vdeconn;
struct vde_msg;
struct mmsghdr;

int fastpath_open(struct vdeconn *conn, const char *dir, const char *endpoint, bool vnet);
int fastpath_negotiate(int sock, const char *endpoint, uint32_t ring_size, uint32_t features,
		       void **map, size_t *maplen, struct shmring_layout *l, int *bells,
		       uint32_t *granted);
struct vde_fastpath *fastpath_attach(int sock, int ctl, void *map, size_t maplen,
				     const struct shmring_layout *l, int *bells, int chan);
ssize_t fastpath_recv(struct vde_fastpath *fp, void *buf, size_t len);
ssize_t fastpath_send(struct vde_fastpath *fp, const void *buf, size_t len);
int fastpath_recv_batch(struct vde_fastpath *fp, struct mmsghdr *msgs, unsigned int n,
			int flags);
int fastpath_send_batch(struct vde_fastpath *fp, struct mmsghdr *msgs, unsigned int n,
			int flags);
ssize_t fastpath_recv_vnet(struct vde_fastpath *fp, struct vde_msg *msg, unsigned int n);
ssize_t fastpath_send_vnet(struct vde_fastpath *fp, const struct vde_msg *msg, unsigned int n,
			   int flags);
void fastpath_free(struct vde_fastpath *fp, int linger_ms);
void fastpath_close(struct vdeconn *conn);

#endif
