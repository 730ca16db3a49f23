/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slirp/glue.h - one libslirp instance driven by a vdekit event loop
 *
 * Used by slirpvde (slirp/main.c) and by the slirp:// plugin
 * (slirp/plugin.c, in its own thread with its own loop). The owner feeds
 * guest frames with glue_input() and gets libslirp's frames through
 * ops->send; libslirp's host sockets and timers live in the owner's struct
 * loop. Forwards can be added and removed at any time. Never prints: log
 * lines go to ops->log when set.
 */
#ifndef VDEKIT_SLIRP_GLUE_H
#define VDEKIT_SLIRP_GLUE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "conf.h"
#include "frame.h"

#define GLUE_MAXLEASES	16		/* libslirp's NB_BOOTP_CLIENTS */

struct loop;
struct glue;

struct glue_ops {
	/* a frame for the guest network; < 0 = not sent (counted) */
	ssize_t (*send)(void *arg, const void *frame, size_t len);
	/* optional: a log line (syslog priority) */
	void (*log)(void *arg, int pri, const char *msg);
	/* optional: clock in ns (default: CLOCK_MONOTONIC); for tests */
	int64_t (*now)(void *arg);
};

struct glue_stats {
	uint64_t in_frames, in_bytes;		/* guest -> slirp, accepted */
	uint64_t out_frames, out_bytes;		/* slirp -> guest, sent */
	uint64_t out_errors;			/* ops->send failed */
	uint64_t drop_runt, drop_big, drop_tcpfrag, drop_trunc;
	uint64_t drop_notus;			/* unicast to another MAC */
	uint64_t drop_tftp;			/* TFTP requests, TFTP off */
	uint64_t urg_cleared;			/* TCP segments whose URG was removed */
	uint64_t guest_errors;			/* libslirp's guest_error reports */
	uint64_t dhcp_acks;
	uint64_t frag_held, frag_done, frag_dropped, frag_evicted;	/* IPv4 reassembly */
};

struct glue_lease {
	struct sdhcp_lease l;
	uint64_t when_ns;			/* 0 = empty slot */
};

struct glue *glue_new(struct loop *l, const struct sconf *c, const struct glue_ops *ops,
		      void *arg);
void glue_free(struct glue *g);

/* One guest frame (vetted by sframe_guest_check(), may be rewritten). */
void glue_input(struct glue *g, uint8_t *frame, size_t len);
/* After a batch of glue_input(): let libslirp update its sockets. */
void glue_service(struct glue *g);

/* Forwards: 0 or -errno. UNIX forwards with guest address 0 or the
 * virtual host's are on the virtual host (on_vhost, the address written
 * back to @f): they really live on the network's last host address, the
 * frames are rewritten (sframe_alias_in/out). */
int glue_fwd_add(struct glue *g, struct sfwd *f);
int glue_fwd_del(struct glue *g, const struct sfwd *f);
size_t glue_fwd_count(const struct glue *g);
const struct sfwd *glue_fwd_get(const struct glue *g, size_t i);

const struct glue_stats *glue_stats(const struct glue *g);
const struct glue_lease *glue_leases(const struct glue *g);	/* GLUE_MAXLEASES */
const struct sconf *glue_conf(const struct glue *g);
/* libslirp's connection and neighbour tables, as text, to @out. */
void glue_print_connections(struct glue *g, FILE *out);
void glue_print_neighbors(struct glue *g, FILE *out);
/* The configuration, one "key value" per line. */
void glue_print_conf(const struct glue *g, FILE *out);

#endif
