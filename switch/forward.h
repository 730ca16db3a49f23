/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/forward.h - the per-frame forwarding pipeline, pure
 *
 * forward_frame() decides where one received frame goes and hands each
 * (egress port, frame bytes) pair to an emit callback; it never touches a
 * socket, so it is fuzzed on a fake port table.
 */
#ifndef VDEKIT_SWITCH_FORWARD_H
#define VDEKIT_SWITCH_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "fdb.h"
#include "mirror.h"
#include "fstp.h"
#include "port.h"

/* Largest datagram accepted (9216 MTU + header + tag) and the buffer size
 * a frame needs so that a tag can be inserted in the alternate buffer. */
#define FWD_FRAME_MAX	9234
#define FWD_ALT_SIZE	(FWD_FRAME_MAX + 4)

/* Largest offload super-frame (TCP segmentation offload: an IP packet of
 * up to 64 KiB behind an Ethernet header and tags) and the alternate
 * buffer one needs (forward_frame_vnet()). */
#define FWD_SUPER_MAX	(65536 + 128)
#define FWD_SUPER_ALT_SIZE (FWD_SUPER_MAX + 4)

struct fwd_stats {
	uint64_t frames;	/* frames handed to forward_frame() */
	uint64_t runt;		/* < 14 bytes */
	uint64_t oversize;	/* too long (or too long once tagged) */
	uint64_t vlan;		/* ingress not a member / no untagged VLAN */
	uint64_t loop;		/* known destination on the ingress port */
	uint64_t noport;	/* ingress port not active / out of range */
	uint64_t flooded, unicast;
	uint64_t bpdu;		/* consumed by FSTP */
	uint64_t blocked;	/* ingress on a port FSTP keeps discarding */
};

/* Called once per egress port; @frame stays valid until the caller's next
 * receive batch (it points into the receive or the alternate buffer). */
typedef void (*fwd_emit_fn)(void *arg, unsigned port, const uint8_t *frame, size_t len);

/* The same with the frame's offload metadata: @vh is NULL for a wire
 * frame, else the virtio_net_hdr of a super-frame (gso_type set) or of a
 * frame whose L4 checksum is left to complete (NEEDS_CSUM), consistent
 * with the bytes of this form (csum_start counts a tag inserted or
 * removed). */
typedef void (*fwd_emit_vnet_fn)(void *arg, unsigned port, const uint8_t *frame, size_t len,
				 const struct virtio_net_hdr *vh);

/* Called for each frame dropped on ingress for VLAN membership; @vid is
 * the tag's VID if @tagged, else the port's (missing) untagged VLAN. */
typedef void (*fwd_vlan_drop_fn)(void *arg, unsigned port, bool tagged, uint16_t vid,
				 const uint8_t *frame);

struct fwd_ctx {
	struct port_table *pt;
	struct fdb *fdb;
	fwd_emit_fn emit;
	fwd_emit_vnet_fn emit_vnet;	/* may be NULL; if set, used instead of emit */
	fwd_vlan_drop_fn vlan_drop;	/* may be NULL */
	struct mirror *mirror;		/* port mirroring, may be NULL */
	struct fstp *fstp;		/* may be NULL: no spanning tree */
	void *arg;
	struct fwd_stats st;
};

/**
 * forward_frame() - switch one frame received on @in_port
 * @fc: context (port table, MAC table, emit callback)
 * @in_port: ingress port
 * @frame: the frame, @len bytes
 * @alt: scratch of FWD_ALT_SIZE bytes for the re-tagged variant
 * @now: monotonic time in ns (MAC learning and aging)
 *
 * Runts are dropped and counted; the VLAN is the 802.1Q VID (the port must
 * be a member) or the port's untagged VLAN (vlan_ingress(); a drop is
 * counted globally and per port and reported to @fc->vlan_drop); unicast sources are learned;
 * multicast, broadcast and unknown destinations are flooded to the other
 * active members of the VLAN, a known one goes to its port only. Each
 * egress port gets the frame untagged if it is an untagged member, tagged
 * otherwise. Hub mode floods to every active port but 0, as VDE 2.
 * With @fc->mirror, frames received on a monitor port are dropped, monitor
 * ports are never egress ports, and every frame accepted on ingress (VLAN
 * check passed) is also emitted, exactly as received, to the monitor of
 * each matching session (mirror.h).
 * With FSTP on, BPDUs go to fstp_rx() and ports FSTP holds discarding
 * for the VLAN neither receive nor send.
 */
void forward_frame(struct fwd_ctx *fc, unsigned in_port, const uint8_t *frame, size_t len,
		   uint8_t *alt, uint64_t now);

/**
 * forward_frame_vnet() - forward_frame() for a frame with offload metadata
 * @vh: NULL (a wire frame: exactly forward_frame()), or the virtio_net_hdr
 *	of a super-frame of up to FWD_SUPER_MAX bytes or of a NEEDS_CSUM frame
 * @alt: scratch of FWD_SUPER_ALT_SIZE bytes when @vh is a super-frame's
 *
 * Decisions (VLAN, FSTP, learning, flooding, mirroring) use the Ethernet
 * header alone, as for a wire frame. Every form is handed to
 * @fc->emit_vnet (which must be set) with metadata matching its bytes: a
 * tag inserted adds 4 to csum_start (and to hdr_len if set), a tag removed
 * takes 4 away. Mirror copies get the metadata too: the emit callback
 * makes wire frames of them (a mirror shows what a wire would carry).
 */
void forward_frame_vnet(struct fwd_ctx *fc, unsigned in_port, const uint8_t *frame, size_t len,
			const struct virtio_net_hdr *vh, uint8_t *alt, uint64_t now);

#endif
