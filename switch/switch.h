/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/switch.h - the vde_switch context shared by its I/O modules
 *
 * One struct sw holds all state (no globals): configuration from the
 * command line, the port table, the MAC table, the forwarding context,
 * the receive buffers of the data path and the console. This header only
 * holds types and limits: each module declares its functions in its own
 * header (endpoint.h, ctlserver.h, swdir.h, topology.h, commands.h), so
 * no module needs another's header just to reach the context.
 */
#ifndef VDEKIT_SWITCH_SWITCH_H
#define VDEKIT_SWITCH_SWITCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "accept.h"
#include "capture.h"
#include "plugins.h"
#include "portrate.h"
#include "fdb.h"
#include "forward.h"
#include "mirror.h"
#include "fstp.h"
#include "port.h"
#include "ratelimit.h"
#include "endpoint.h"

#define SW_BATCH	EP_BATCH	/* frames per receive / transmit batch */
#define SW_RXSLOT	(FWD_SUPER_MAX + 1)	/* +1 detects oversize frames */
#define SW_SEG_MAX	1024		/* segments of one super-frame */
#define SW_SEG_ROOM	(SW_SEG_MAX * 160 + FWD_SUPER_MAX)	/* their bytes, at most */
#define SW_SEGBUF	(4 * SW_SEG_ROOM)	/* wire forms of one receive batch */
#define SW_TXQ_BYTES	(2U << 20)	/* per-endpoint queue, allocated on demand */
#define SW_TXQ_FRAMES	1024
#define SW_TXQ_IDLE_NS	(1000 * 1000000ULL)	/* empty this long: ring freed */
#define SW_SOCKBUF	(4 << 20)
#define SW_PAUSE_NS	(20 * 1000000ULL)	/* longest back-pressure pause */
#define SW_REQ_TIMEOUT_NS (10 * 1000000000ULL)	/* connect, then silence */
#define SW_REFUSE_LOG_BURST 10	/* refusal lines per second, then a summary */
#define SW_STUCK_NS	(1000 * 1000000ULL)	/* no drain for this long: stuck */
#define SW_PROMPT	"vde$ "
#define SW_BANNER	"VDE switch V.2.3.2\n" \
			"(C) Virtual Square Team (coord. R. Davoli) 2005,2006,2007 - GPLv2\n"

struct loop;
struct console;
struct ctl_conn;
struct fp_srv;

struct sw_drops {
	uint64_t qfull;			/* transmit queue overflow */
	uint64_t senderr;		/* send errors other than EAGAIN */
	uint64_t ctl_refused;		/* control requests refused */
	uint64_t pauses;		/* ingress paused by back-pressure */
	uint64_t empty;			/* zero-length datagrams received */
};

struct sw {
	struct loop *loop;
	struct console *con;
	struct port_table pt;
	struct fdb fdb;
	struct fwd_ctx fwd;
	struct sw_drops drops;
	struct mirror mirror;		/* port mirroring sessions */
	struct capture_set capture;	/* capture ports (capture.h) */
	struct plugins plugins;		/* pdump, dump, iplog (plugins.h) */
	struct portrate rates;		/* live rates of port/stats (portrate.h) */
	struct fstp fstp;
	/* a port became active or inactive (topology.c sets it) */
	void (*port_event)(struct sw *sw, unsigned port, bool active);

	/* configuration */
	char *ctl_dir;			/* absolute once swdir_init() ran */
	char ctl_path[CTL_PATH_MAX + 1];
	mode_t mode, dirmode;
	gid_t group;			/* (gid_t)-1: none */
	const char *mgmt_path;
	mode_t mgmt_mode;
	gid_t mgmt_group;
	uint8_t mac[6];
	unsigned priority;
	bool fstp_on;			/* -F */
	bool no_offload;		/* --no-offload: plain taps */
	bool shortcuts;			/* --shortcuts (ep_ring.c, docs/fastpath.md section 10) */
	uint64_t gcint;			/* ns */
	long gc_timer;
	long fstp_timer;
	uint64_t start_ns;

	/* switch directory (swdir.c) */
	bool dir_abs;			/* ctl_dir was malloc()ed by realpath */

	/* control socket (ctlserver.c) */
	int ctl_fd;
	bool ctl_created;		/* we created (and must remove) DIR/ctl */
	struct ctl_conn *conns;		/* connections waiting for their request */
	struct accept_guard accept;	/* pauses accept() when out of fds */
	struct ratelimit refuse_rl;	/* bounds the refusal log lines */
	long refuse_timer;		/* reports the refusals not logged */

	/* DIR/.fastpath (ep_ring.c), NULL: no shared-memory rings */
	struct fp_srv *fastpath;

	/* data path (epcore.c) */
	uint8_t *altbuf;		/* SW_BATCH * FWD_ALT_SIZE */
	struct ep_rxbatch rx;		/* SW_BATCH * SW_RXSLOT */
	uint8_t *segbuf;		/* SW_SEGBUF: wire forms of super-frames */
	size_t segused;
	size_t seglen[SW_SEG_MAX];	/* the cached wire form's frames */
	const uint8_t *seg_src;		/* its source, NULL: none cached */
	size_t seg_srclen, seg_off;
	unsigned seg_n;
	struct endpoint *eps;		/* every endpoint */
	struct endpoint *dirty;		/* endpoints with batched frames */
	struct endpoint *paused;	/* ingress endpoints not being read */
	long resume_timer;
	bool congested;			/* set by a flush, handled by ep_input */
	uint64_t now;			/* time of the current receive batch */
	unsigned emit_n, emit_port;	/* the ports the current frame went to */
	/* shortcuts (ep_ring.c sets these with --shortcuts; NULL: none) */
	void (*sc_unicast)(struct sw *sw, struct endpoint *from, unsigned port,
			   const uint8_t *frame);
	void (*sc_revoke_all)(struct sw *sw);
	void (*sc_sync)(struct sw *sw);	/* shortcut frames into the port counters */
	void (*sc_revoke_mac)(struct sw *sw, const uint8_t *mac);
	struct endpoint *graveyard;	/* closed endpoints, freed later */
	long reap_timer;

	/* process (main.c) */
	const char *pidfile;		/* -p, NULL: none */
	bool pidfile_written;
	int exit_status;
};

#endif
