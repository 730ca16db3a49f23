// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/mirror.c - port mirroring (SPAN sessions)
 *
 * Theory of operation: at most one session per monitor port, in a fixed
 * table. Two bitmaps answer the per-frame questions in O(1) when the port
 * is not involved: "is this port a monitor" (its frames are dropped on
 * ingress and it is never an egress of normal forwarding) and "is this
 * port the source of a port-filtered session". For a port filter the
 * frame matches when it was received on the source port or sent to it;
 * forward.c learns the latter by OR-ing mirror_src_mask() over the egress
 * ports it actually used, so whatever decides the egress set (VLANs, the
 * MAC table, hub mode, spanning tree) also decides the mirror. Copies are
 * never mirrored themselves, and a monitor's own frames are not forwarded,
 * so no loop can form through mirroring.
 */
#include "config.h"

#include "mirror.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void bit_set(uint64_t *b, unsigned p, bool v)
{
	if (v)
		b[p / 64] |= 1ULL << (p % 64);
	else
		b[p / 64] &= ~(1ULL << (p % 64));
}

/* Recompute both bitmaps from the sessions (configuration time only). */
static void mirror_rebuild(struct mirror *m)
{
	unsigned i;

	memset(m->monitors, 0, sizeof(m->monitors));
	memset(m->srcs, 0, sizeof(m->srcs));
	m->n = 0;
	for (i = 0; i < MIRROR_MAX; i++) {
		const struct mirror_session *s = &m->s[i];

		if (!s->used)
			continue;
		m->n++;
		bit_set(m->monitors, s->monitor, true);
		if (s->filter == MIRROR_PORT)
			bit_set(m->srcs, s->src, true);
	}
}

struct mirror_session *mirror_find(struct mirror *m, unsigned monitor)
{
	unsigned i;

	for (i = 0; i < MIRROR_MAX; i++)
		if (m->s[i].used && m->s[i].monitor == monitor)
			return &m->s[i];
	return NULL;
}

int mirror_set(struct mirror *m, const struct port_table *pt, unsigned monitor,
	       enum mirror_filter f, unsigned arg)
{
	struct mirror_session *s;
	unsigned i;
	int r = 0;

	if (monitor == 0 || monitor >= pt->nslots ||
	    (f == MIRROR_PORT && (arg >= pt->nslots || arg == monitor)) ||
	    (f == MIRROR_VLAN && arg >= VLAN_NONE) || f > MIRROR_VLAN) {
		r = EINVAL;
		goto out;
	}
	if (!pt->v[monitor].exists || (f == MIRROR_PORT && !pt->v[arg].exists)) {
		r = ENXIO;
		goto out;
	}
	s = mirror_find(m, monitor);
	for (i = 0; !s && i < MIRROR_MAX; i++)
		if (!m->s[i].used)
			s = &m->s[i];
	if (!s) {
		r = ENOSPC;
		goto out;
	}
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->monitor = monitor;
	s->filter = f;
	if (f == MIRROR_PORT)
		s->src = arg;
	else if (f == MIRROR_VLAN)
		s->vid = (uint16_t)arg;
	mirror_rebuild(m);
out:
	return r;
}

int mirror_del(struct mirror *m, unsigned monitor)
{
	struct mirror_session *s = mirror_find(m, monitor);

	if (!s)
		return ENXIO;
	memset(s, 0, sizeof(*s));
	mirror_rebuild(m);
	return 0;
}

void mirror_forget_port(struct mirror *m, unsigned port)
{
	unsigned i;

	for (i = 0; i < MIRROR_MAX; i++) {
		struct mirror_session *s = &m->s[i];

		if (s->used && (s->monitor == port || (s->filter == MIRROR_PORT && s->src == port)))
			memset(s, 0, sizeof(*s));
	}
	mirror_rebuild(m);
}

uint32_t mirror_src_mask(const struct mirror *m, unsigned port)
{
	uint32_t mask = 0;
	unsigned i;

	if (!m || !m->n || !mirror_bit(m->srcs, port))
		return 0;
	for (i = 0; i < MIRROR_MAX; i++)
		if (m->s[i].used && m->s[i].filter == MIRROR_PORT && m->s[i].src == port)
			mask |= 1U << i;
	return mask;
}

bool mirror_match(const struct mirror_session *s, unsigned in_port, uint16_t vid, bool to_src)
{
	switch (s->filter) {
	case MIRROR_ALL:
		return true;
	case MIRROR_PORT:
		return in_port == s->src || to_src;
	case MIRROR_VLAN:
		return vid == s->vid;
	}
	return false;
}

unsigned mirror_frame(struct mirror *m, const struct port_table *pt, unsigned in_port,
		      uint16_t vid, uint32_t hits, const uint8_t *frame, size_t len,
		      mirror_emit_fn emit, void *arg)
{
	unsigned i, copies = 0;

	if (!m || !m->n)
		return 0;
	for (i = 0; i < MIRROR_MAX; i++) {
		struct mirror_session *s = &m->s[i];

		if (!s->used || s->monitor == in_port || !port_active(pt, s->monitor) ||
		    !mirror_match(s, in_port, vid, (hits >> i) & 1))
			continue;
		s->frames++;
		s->bytes += len;
		emit(arg, s->monitor, frame, len);
		copies++;
	}
	return copies;
}

void mirror_monitor_rx(struct mirror *m, unsigned port)
{
	struct mirror_session *s = mirror_find(m, port);

	if (s)
		s->rxdrops++;
}

void mirror_count_drop(struct mirror *m, unsigned port)
{
	struct mirror_session *s;

	if (!mirror_is_monitor(m, port))
		return;
	s = mirror_find(m, port);
	if (s)
		s->drops++;
}

void mirror_reset_counters(struct mirror *m, long long monitor)
{
	unsigned i;

	for (i = 0; i < MIRROR_MAX; i++) {
		struct mirror_session *s = &m->s[i];

		if (s->used && (monitor < 0 || s->monitor == monitor))
			s->frames = s->bytes = s->drops = s->rxdrops = 0;
	}
}

const char *mirror_describe(const struct mirror_session *s, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	switch (s->filter) {
	case MIRROR_ALL:
		snprintf(buf, len, "all frames");
		break;
	case MIRROR_PORT:
		snprintf(buf, len, "port %04u", s->src);
		break;
	case MIRROR_VLAN:
		snprintf(buf, len, "VLAN %04u", s->vid);
		break;
	}
	return buf;
}
