/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/fstp.h - VDE 2's fast spanning tree, per VLAN, pure
 *
 * The state machine of fstp.c: it is fed received BPDUs, port membership
 * changes (fstp_sync() against the port table) and hello ticks, with the
 * time passed in by the caller, and acts through three callbacks: send a
 * BPDU to a port, flush a VLAN's MAC table, print a debug line. The data
 * path asks fstp_forwarding() whether a port passes frames of a VLAN.
 */
#ifndef VDEKIT_SWITCH_FSTP_H
#define VDEKIT_SWITCH_FSTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "port.h"

#define FSTP_ID_LEN	8		/* priority (BE) + MAC */
#define FSTP_BPDU_LEN	53		/* untagged BPDU; +4 when tagged */
#define FSTP_BPDU_MIN	51		/* shortest BPDU accepted (as VDE 2) */
#define FSTP_PORT_COST	20000000U
#define FSTP_NSEC	1000000000ULL
#define FSTP_HELLO_NS	(4 * FSTP_NSEC)	/* hello period: fstp_tick() interval */
#define FSTP_MAXAGE	3		/* hellos without root info: take over */
#define FSTP_TC_HOLD_NS	FSTP_NSEC	/* received TCs passed on once per second */
#define FSTP_HIST_HELLOS 4		/* hellos per receive-history window */

/* debug categories (VDE 2 tags) */
#define FSTP_DBG_PLUS	041
#define FSTP_DBG_MINUS	042
#define FSTP_DBG_STATUS	044
#define FSTP_DBG_ROOT	045

/* BPDU flag bits, VDE 2's encoding (docs/protocol.md, "FSTP BPDUs") */
#define FSTP_F_TC	0x01
#define FSTP_F_BACKUP	0x02
#define FSTP_F_NOTBACKUP 0x04
#define FSTP_F_NOTROOT	0x08
#define FSTP_F_LEARNING	0x10
#define FSTP_F_FORWARDING 0x20
#define FSTP_F_AGREEMENT 0x40
#define FSTP_F_TCACK	0x80
#define FSTP_F_ROLEMASK	0x0c

struct fstp_ops {
	/* send @frame (a BPDU, already tagged if needed) to @port */
	void (*send)(void *arg, unsigned port, const uint8_t *frame, size_t len);
	/* topology change: forget the MAC addresses learned in @vid */
	void (*flush)(void *arg, uint16_t vid);
	/* one debug line under category @tag, e.g. "Port 0001 VLAN 00:00" */
	void (*debug)(void *arg, unsigned tag, const char *line);
};

struct fstp_stats {
	uint64_t rx, tx;		/* BPDUs */
	uint64_t rx_bad;		/* too short, wrong version/type */
	uint64_t rx_ignored;		/* edge port, not a member */
	uint64_t tc;			/* topology changes */
};

struct fstp_vlan;

struct fstp {
	bool enabled;
	uint8_t id[FSTP_ID_LEN];	/* our bridge id */
	struct fstp_ops ops;
	void *arg;
	unsigned nports;		/* slots covered by the per-VLAN arrays */
	struct fstp_vlan *v[VLAN_NONE];	/* allocated on first use */
	unsigned hellos;		/* hello ticks so far */
	unsigned hist;			/* current receive-history window, 0/1 */
	uint64_t enabled_at;
	struct fstp_stats st;
	uint8_t buf[FSTP_BPDU_LEN + 4];
};

/* fstp_init() - disabled, bridge id from @priority and @mac. */
void fstp_init(struct fstp *f, const uint8_t mac[6], unsigned priority,
	       const struct fstp_ops *ops, void *arg);
void fstp_free(struct fstp *f);

/**
 * fstp_enable() - turn the protocol on or off
 * @f: state
 * @pt: port table (membership)
 * @on: new state
 * @now: monotonic ns
 *
 * On: every active member port of every VLAN joins (fstp/+, a BPDU); off:
 * every port forwards again and all state is forgotten (edge and bonus
 * settings are kept). Return: 0, or -1 (ENOMEM).
 */
int fstp_enable(struct fstp *f, const struct port_table *pt, bool on, uint64_t now);

/**
 * fstp_sync() - reconcile FSTP membership with the port table
 * @f: state
 * @pt: port table
 * @now: monotonic ns
 *
 * Call after anything that can change which active ports are members of
 * which VLAN (endpoint attach/detach, port/setvlan, vlan/addport, ...).
 * New members join forwarding and get a BPDU; leaving members are
 * forgotten, and losing the root port makes this switch the root.
 * Return: 0, or -1 (ENOMEM: some ports were not added).
 */
int fstp_sync(struct fstp *f, const struct port_table *pt, uint64_t now);

/**
 * fstp_is_bpdu() - whether @frame (at least 14 bytes) is addressed to
 * 01:80:c2:00:00:00, the group FSTP consumes when enabled.
 */
bool fstp_is_bpdu(const uint8_t *frame);

/**
 * fstp_rx() - process a BPDU received on @port for VLAN @vid
 * @f: state
 * @port: ingress port
 * @vid: the frame's VLAN
 * @frame: the whole frame, @len bytes, tagged if @tagged
 * @now: monotonic ns
 *
 * Short or foreign BPDUs are counted and ignored, as are BPDUs on edge
 * ports and ports that are not members.
 */
void fstp_rx(struct fstp *f, unsigned port, uint16_t vid, const uint8_t *frame, size_t len,
	     bool tagged, uint64_t now);

/**
 * fstp_tick() - the hello timer, to be called every FSTP_HELLO_NS
 * @f: state
 * @now: monotonic ns
 *
 * Root information older than FSTP_MAXAGE hellos is dropped (this switch
 * becomes the root of that VLAN); every non-edge member port gets a hello;
 * every FSTP_HIST_HELLOS ticks the receive history rotates and backup ports
 * that heard nothing during the window just ended forward again.
 */
void fstp_tick(struct fstp *f, uint64_t now);

/* fstp_forwarding() - whether @port passes frames of @vid (ingress and
 * egress): always when disabled; not when it is a backup (discarding). */
bool fstp_forwarding(const struct fstp *f, uint16_t vid, unsigned port);

/* fstp_setedge() / fstp_setbonus() - console settings; 0 or an errno
 * value (EINVAL: VLAN or port out of range; ENOMEM). */
int fstp_setedge(struct fstp *f, long long vid, long long port, bool edge, uint64_t now);
int fstp_setbonus(struct fstp *f, long long vid, long long port, long long cost);

/* fstp_status() - "Forwarding" or "Discarding" for vlan/print. */
const char *fstp_status(const struct fstp *f, uint16_t vid, unsigned port);

/* What fstp/print shows of a VLAN (fstp_info()). */
struct fstp_info {
	uint8_t root[FSTP_ID_LEN];
	uint8_t designated[FSTP_ID_LEN];	/* ff..ff: none (we are the root) */
	unsigned rootport;			/* 0: this switch is the root */
	uint32_t cost;
	uint64_t age;				/* seconds */
	unsigned bonusport;
	uint32_t bonuscost;
};

/* fstp_info() - the state fstp/print prints for VLAN @vid. */
void fstp_info(const struct fstp *f, uint16_t vid, uint64_t now, struct fstp_info *fi);

/* fstp_role() - "Root", "Designated", "Alternate/Backup" or "Edge". */
const char *fstp_role(const struct fstp *f, uint16_t vid, unsigned port);

/* fstp_print() - fstp/print for VLAN @vid (which must exist), VDE 2's format. */
void fstp_print(const struct fstp *f, const struct port_table *pt, FILE *out, uint16_t vid,
		uint64_t now);

/* fstp_id_str() - "xx:xx:xx:xx:xx:xx:xx:xx" into @buf (24 bytes). */
char *fstp_id_str(const uint8_t id[FSTP_ID_LEN], char *buf);

#endif
