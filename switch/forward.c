// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/forward.c - the per-frame forwarding pipeline
 *
 * Theory of operation (docs/architecture.md, "The path of a frame"):
 * classify the frame's VLAN, learn its source, look up its destination, then emit it to each egress
 * port in the form that port wants. A frame is never sent back to the port
 * it came from, so sibling endpoints of one port never see each other's
 * frames. Two forms of a frame may exist at once: the received bytes and,
 * built lazily in @alt, the same frame with the tag removed or inserted.
 * Mirroring (mirror.h) hooks in at three points: a monitor's own frames
 * stop at ingress, monitors are skipped as egress ports, and once the
 * egress set is known the received bytes go to each matching monitor.
 * Offload super-frames (forward_frame_vnet()) take the same path: only
 * the length bound differs, and each form carries its virtio_net_hdr,
 * whose csum_start moves with the tag; cutting them into wire frames is
 * the emit callback's business (the egress endpoint's kind decides).
 */
#include "config.h"

#include "forward.h"

#include <string.h>

#include "ether.h"
#include "vlan.h"

struct fwd_frame {
	const uint8_t *orig;
	size_t len;
	bool tagged;
	uint16_t vid;
	uint8_t *alt;
	size_t alt_len;		/* 0 = not built yet */
	const struct virtio_net_hdr *vh;	/* NULL: a wire frame */
	struct virtio_net_hdr alt_vh;		/* metadata of the alt form */
	uint32_t mirror_hits;	/* sessions whose source port got the frame */
};

static void fwd_emit(struct fwd_ctx *fc, unsigned p, const uint8_t *b, size_t len,
		     const struct virtio_net_hdr *vh)
{
	if (fc->emit_vnet)
		fc->emit_vnet(fc->arg, p, b, len, vh);
	else
		fc->emit(fc->arg, p, b, len);
}

static bool is_super(const struct virtio_net_hdr *vh)
{
	return vh && vh->gso_type != VIRTIO_NET_HDR_GSO_NONE;
}

/* The alt form's metadata: @delta is +4 (tag inserted) or -4 (removed).
 * False if the offsets would fall inside the Ethernet header. */
static bool fwd_shift_vh(struct fwd_frame *f, int delta)
{
	const struct virtio_net_hdr *vh = f->vh;
	bool ok = true;

	if (!vh)
		return true;
	f->alt_vh = *vh;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (vh->csum_start < ETH_HDRLEN + VLAN_TAGLEN)
			ok = false;
		else
			f->alt_vh.csum_start = (uint16_t)(vh->csum_start + delta);
	}
	if (vh->hdr_len >= ETH_HDRLEN + VLAN_TAGLEN && vh->hdr_len <= UINT16_MAX - 4)
		f->alt_vh.hdr_len = (uint16_t)(vh->hdr_len + delta);
	return ok;
}

/* The frame in the form egress port @pp wants, *vh its metadata; NULL if
 * it cannot exist. */
static const uint8_t *fwd_form(struct fwd_frame *f, const struct port *pp, size_t *len,
			       const struct virtio_net_hdr **vh)
{
	bool want_tag = vlan_egress_tagged(pp, f->vid);

	if (want_tag == f->tagged) {
		*len = f->len;
		*vh = f->vh;
		return f->orig;
	}
	if (!f->alt_len) {
		if (!fwd_shift_vh(f, f->tagged ? -4 : 4))
			return NULL;
		if (f->tagged) {
			/* strip: MACs, then everything after the 4-byte tag */
			memcpy(f->alt, f->orig, 12);
			memcpy(f->alt + 12, f->orig + 16, f->len - 16);
			f->alt_len = f->len - 4;
		} else {
			if (f->len + 4 > (is_super(f->vh) ? FWD_SUPER_MAX : FWD_FRAME_MAX))
				return NULL;
			memcpy(f->alt, f->orig, 12);
			f->alt[12] = 0x81;
			f->alt[13] = 0x00;
			f->alt[14] = (uint8_t)(f->vid >> 8);
			f->alt[15] = (uint8_t)f->vid;
			memcpy(f->alt + 16, f->orig + 12, f->len - 12);
			f->alt_len = f->len + 4;
		}
	}
	*len = f->alt_len;
	*vh = f->vh ? &f->alt_vh : NULL;
	return f->alt;
}

static void fwd_to_port(struct fwd_ctx *fc, struct fwd_frame *f, unsigned p)
{
	const struct virtio_net_hdr *vh = NULL;
	const uint8_t *b;
	size_t len;

	if (mirror_is_monitor(fc->mirror, p))
		return;
	f->mirror_hits |= mirror_src_mask(fc->mirror, p);
	b = fwd_form(f, &fc->pt->v[p], &len, &vh);
	if (!b) {
		fc->st.oversize++;
		return;
	}
	fwd_emit(fc, p, b, len, vh);
}

static void fwd_hub(struct fwd_ctx *fc, struct fwd_frame *f, unsigned in_port)
{
	struct port_table *pt = fc->pt;
	unsigned p;

	for (p = 1; p < pt->nslots; p++)
		if (p != in_port && pt->v[p].nep && !mirror_is_monitor(fc->mirror, p)) {
			f->mirror_hits |= mirror_src_mask(fc->mirror, p);
			fwd_emit(fc, p, f->orig, f->len, f->vh);
		}
}

/* Mirror copies of a frame with metadata: mirror_frame()'s emit callback
 * sees the frame alone, so the metadata rides in its argument. */
struct fwd_mirror_arg {
	struct fwd_ctx *fc;
	const struct virtio_net_hdr *vh;
};

static void fwd_mirror_emit(void *arg, unsigned port, const uint8_t *frame, size_t len)
{
	const struct fwd_mirror_arg *m = arg;

	fwd_emit(m->fc, port, frame, len, m->vh);
}

void forward_frame(struct fwd_ctx *fc, unsigned in_port, const uint8_t *frame, size_t len,
		   uint8_t *alt, uint64_t now)
{
	forward_frame_vnet(fc, in_port, frame, len, NULL, alt, now);
}

void forward_frame_vnet(struct fwd_ctx *fc, unsigned in_port, const uint8_t *frame, size_t len,
			const struct virtio_net_hdr *vh, uint8_t *alt, uint64_t now)
{
	struct port_table *pt = fc->pt;
	struct fwd_frame f = { .orig = frame, .len = len, .alt = alt, .vid = VLAN_NONE,
			       .vh = vh };
	const struct port *in;
	uint32_t dst;
	unsigned p;

	fc->st.frames++;
	if (len < ETH_MINFRAME) {
		fc->st.runt++;
		return;
	}
	if (len > (is_super(vh) ? FWD_SUPER_MAX : FWD_FRAME_MAX)) {
		fc->st.oversize++;
		return;
	}
	if (in_port >= pt->nslots || !pt->v[in_port].nep) {
		fc->st.noport++;
		return;
	}
	in = &pt->v[in_port];
	if (mirror_is_monitor(fc->mirror, in_port)) {
		mirror_monitor_rx(fc->mirror, in_port);
		return;
	}
	if (pt->hub) {
		fwd_hub(fc, &f, in_port);
		/* VLANs are ignored in hub mode; a VLAN filter sees the
		 * tag's VID or the port's untagged VLAN */
		if (fc->mirror && fc->mirror->n)
			(void)vlan_ingress(in, frame, len, &f.vid, &f.tagged);
		goto mirror;
	}
	if (eth_is_tagged(frame) && len < ETH_HDRLEN + VLAN_TAGLEN) {
		fc->st.runt++;
		return;
	}
	if (!vlan_ingress(in, frame, len, &f.vid, &f.tagged)) {
		fc->st.vlan++;
		pt->v[in_port].c.drop_vlan++;
		if (fc->vlan_drop)
			fc->vlan_drop(fc->arg, in_port, f.tagged, f.vid, frame);
		return;
	}
	if (fc->fstp && fc->fstp->enabled) {
		if (fstp_is_bpdu(frame)) {
			fc->st.bpdu++;
			fstp_rx(fc->fstp, in_port, f.vid, frame, len, f.tagged, now);
			return;
		}
		if (!fstp_forwarding(fc->fstp, f.vid, in_port)) {
			fc->st.blocked++;
			return;
		}
	}
	fdb_learn(fc->fdb, frame + 6, f.vid, in_port, now);
	dst = eth_is_multicast(frame) ? FDB_NONE : fdb_lookup(fc->fdb, frame, f.vid, now);
	if (dst != FDB_NONE && dst < pt->nslots && pt->v[dst].nep &&
	    port_vlan_member(&pt->v[dst], f.vid) && fstp_forwarding(fc->fstp, f.vid, dst)) {
		if (dst == in_port) {
			fc->st.loop++;
			goto mirror;
		}
		fc->st.unicast++;
		fwd_to_port(fc, &f, dst);
		goto mirror;
	}
	fc->st.flooded++;
	for (p = 0; p < pt->nslots; p++)
		if (p != in_port && pt->v[p].nep && port_vlan_member(&pt->v[p], f.vid) &&
		    fstp_forwarding(fc->fstp, f.vid, p))
			fwd_to_port(fc, &f, p);
mirror:
	if (fc->mirror) {
		struct fwd_mirror_arg m = { fc, vh };

		if (fc->emit_vnet)
			mirror_frame(fc->mirror, pt, in_port, f.vid, f.mirror_hits, frame, len,
				     fwd_mirror_emit, &m);
		else
			mirror_frame(fc->mirror, pt, in_port, f.vid, f.mirror_hits, frame, len,
				     fc->emit, fc->arg);
	}
}
