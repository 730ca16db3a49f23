/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/vnet.h - tap offloads in software: finish checksums, split TCP
 * super-frames (TSO, read side) and merge runs of TCP segments (GRO, write
 * side) around a virtio_net_hdr, so plain VDE peers only ever see plain
 * frames; vnet_check() tells whether a header from a peer can be cut.
 */
#ifndef VDEKIT_VNET_H
#define VDEKIT_VNET_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_HDR_LEN	sizeof(struct virtio_net_hdr)	/* 10 */
#define VNET_MAX_PKT	65535			/* largest super-frame, without hdr */

/* One frame: a pointer and a length. */
struct vnet_frame {
	const uint8_t *data;
	size_t len;
};

uint16_t vnet_csum(const uint8_t *p, size_t len, uint32_t sum);
int vnet_finish_csum(const struct virtio_net_hdr *h, uint8_t *frame, size_t len);
int vnet_check(const struct virtio_net_hdr *h, const uint8_t *frame, size_t len, size_t size,
	       unsigned max);
int vnet_segment(const struct virtio_net_hdr *h, const uint8_t *frame, size_t len,
		 uint8_t *out, size_t size, size_t *lens, unsigned max);
size_t vnet_coalesce(const struct vnet_frame *f, unsigned n, unsigned *used, uint8_t *out,
		     size_t size, struct virtio_net_hdr *h);

#endif
