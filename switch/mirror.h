/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/mirror.h - port mirroring (SPAN sessions), pure
 *
 * A session copies frames the switch forwards to a monitor port: all of
 * them, those received on or sent to one source port, or those of one
 * VLAN. The copy is the frame exactly as it was received (its ingress
 * tag, or none). A monitor port is dedicated: it gets only the copies,
 * and what it sends is dropped (counted), so mirroring can never loop.
 * forward.c asks this module which ports are monitors and which sessions
 * a frame matches; epcore.c reports copies lost on a full monitor queue
 * (a monitor never back-pressures real traffic). No allocation: sessions
 * live in a fixed table.
 */
#ifndef VDEKIT_SWITCH_MIRROR_H
#define VDEKIT_SWITCH_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define MIRROR_MAX	16		/* sessions (one per monitor port) */
#define MIRROR_WORDS	((PORT_MAX_NUMPORTS + 1 + 63) / 64)

enum mirror_filter {
	MIRROR_ALL,			/* every forwarded frame */
	MIRROR_PORT,			/* received on or sent to port src */
	MIRROR_VLAN,			/* of VLAN vid */
};

struct mirror_session {
	bool used;
	unsigned monitor;
	enum mirror_filter filter;
	unsigned src;			/* MIRROR_PORT */
	uint16_t vid;			/* MIRROR_VLAN */
	uint64_t frames, bytes;		/* copies handed to the monitor */
	uint64_t drops;			/* copies lost: monitor queue full */
	uint64_t rxdrops;		/* frames the monitor sent, not forwarded */
};

struct mirror {
	unsigned n;			/* sessions in use */
	struct mirror_session s[MIRROR_MAX];
	uint64_t monitors[MIRROR_WORDS];	/* bitmap: ports that are monitors */
	uint64_t srcs[MIRROR_WORDS];	/* bitmap: source ports of MIRROR_PORT */
};

/* Called for each copy: the monitor port and the frame as received. */
typedef void (*mirror_emit_fn)(void *arg, unsigned port, const uint8_t *frame, size_t len);

static inline bool mirror_bit(const uint64_t *b, unsigned p)
{
	return p < (unsigned)MIRROR_WORDS * 64 && ((b[p / 64] >> (p % 64)) & 1);
}

/* mirror_is_monitor() - whether @port is the monitor of a session (@m may
 * be NULL: no mirroring). */
static inline bool mirror_is_monitor(const struct mirror *m, unsigned port)
{
	return m && m->n && mirror_bit(m->monitors, port);
}

/**
 * mirror_set() - make @monitor a monitor port with filter @f
 * @m: sessions
 * @pt: port table (ports must exist)
 * @monitor: port 1..numports
 * @f: filter
 * @arg: the source port (MIRROR_PORT, 0..numports, not @monitor) or the
 *       VLAN (MIRROR_VLAN, 0..4094); ignored for MIRROR_ALL
 *
 * An existing session of @monitor gets the new filter and zeroed counters.
 * Return: 0; EINVAL (port or VLAN out of range, source == monitor), ENXIO
 * (a port that does not exist), ENOSPC (MIRROR_MAX sessions).
 */
int mirror_set(struct mirror *m, const struct port_table *pt, unsigned monitor,
	       enum mirror_filter f, unsigned arg);

/* mirror_del() - end the session of @monitor. 0 or ENXIO (none). */
int mirror_del(struct mirror *m, unsigned monitor);

/* mirror_forget_port() - end every session whose monitor or source is
 * @port (the port was removed). */
void mirror_forget_port(struct mirror *m, unsigned port);

/* mirror_find() - the session of @monitor, or NULL. */
struct mirror_session *mirror_find(struct mirror *m, unsigned monitor);

/* mirror_src_mask() - bit i set for each session i filtering on source
 * port @port: forward.c ORs it over the egress ports of a frame. */
uint32_t mirror_src_mask(const struct mirror *m, unsigned port);

/**
 * mirror_match() - the mirror decision for one session
 * @s: session in use
 * @in_port: ingress port of the frame
 * @vid: its VLAN (the tag's VID, or the ingress port's untagged VLAN)
 * @to_src: the frame is sent to the session's source port
 *
 * Return: whether the frame is copied to @s->monitor.
 */
bool mirror_match(const struct mirror_session *s, unsigned in_port, uint16_t vid, bool to_src);

/**
 * mirror_frame() - hand one forwarded frame to every matching monitor
 * @m: sessions
 * @pt: port table (inactive monitors get nothing)
 * @in_port, @vid: as mirror_match()
 * @hits: OR of mirror_src_mask() over the ports the frame was sent to
 * @frame, @len: the frame as received
 * @emit, @arg: called once per copy
 *
 * Return: the number of copies.
 */
unsigned mirror_frame(struct mirror *m, const struct port_table *pt, unsigned in_port,
		      uint16_t vid, uint32_t hits, const uint8_t *frame, size_t len,
		      mirror_emit_fn emit, void *arg);

/* mirror_monitor_rx() - a frame received on monitor @port was dropped. */
void mirror_monitor_rx(struct mirror *m, unsigned port);

/* mirror_count_drop() - a frame to @port was dropped for a full queue;
 * counted if @port is a monitor. */
void mirror_count_drop(struct mirror *m, unsigned port);

/* mirror_reset_counters() - zero the counters of @monitor's session, or of
 * every session when @monitor is negative. */
void mirror_reset_counters(struct mirror *m, long long monitor);

/* mirror_describe() - the filter as text: "all frames", "port 0003",
 * "VLAN 0010". Returns @buf. */
const char *mirror_describe(const struct mirror_session *s, char *buf, size_t len);

#endif
