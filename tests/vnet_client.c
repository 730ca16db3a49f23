// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/vnet_client.c - a libvdeplug client that sends hostile virtio-net
 * headers (t-tap-ring-vnet.sh)
 *
 *   vnet_client [-f] [-n ROUNDS] VNL
 *   vnet_client -p COUNT VNL
 *
 * Opens VNL with vde_open_flags(VDE_OPEN_VNET) (plain vde_open() with -f)
 * and sends, ROUNDS times, the malformed frames below through
 * vde_send_vnet(), one call each; the library passes headers through on a
 * VNET ring, so the switch must check them. Prints "bad N empty M": N
 * frames whose header no switch may accept, M records of a header alone.
 * With -p: COUNT plain frames through vde_send() on the VNET connection
 * (records without a header on a VNET ring), broadcast, ethertype 0x88b6,
 * frame i of 60 + (i * 97) % 1455 bytes whose byte j after the Ethernet
 * header is (i + j) & 0xff; prints "plain COUNT".
 * Exit: 0 ok, 1 error.
 */
#include "config.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvdeplug.h"

static size_t frame(unsigned char *b, int tcp)
{
	static const unsigned char eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0x02, 0, 0, 0, 0x77, 1, 0x88, 0xb5 };
	size_t len = 200;

	memset(b, 0x5a, len);
	memcpy(b, eth, sizeof(eth));
	if (tcp) {	/* IPv4 / TCP header, no payload checksum care */
		b[12] = 0x08;
		b[13] = 0x00;
		b[14] = 0x45;
		b[15] = 0;
		b[16] = 0;
		b[17] = (unsigned char)(len - 14);
		b[20] = b[21] = 0;	/* no fragment */
		b[23] = 6;		/* TCP */
		b[14 + 20 + 12] = 0x50;	/* data offset 5 */
	}
	return len;
}

/* -p: plain frames on a VNET connection, contents checkable by the test */
static int send_plain(VDECONN *c, unsigned count)
{
	static const unsigned char eth[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0x02, 0, 0, 0, 0x77, 2, 0x88, 0xb6 };
	unsigned char b[1514];
	unsigned i, j;

	for (i = 0; i < count; i++) {
		size_t len = 60 + (i * 97) % 1455;

		memcpy(b, eth, sizeof(eth));
		for (j = 0; j < len - sizeof(eth); j++)
			b[sizeof(eth) + j] = (unsigned char)(i + j);
		if (vde_send(c, b, len, 0) != (ssize_t)len) {
			fprintf(stderr, "send %u: %s\n", i, strerror(errno));
			return 1;
		}
		usleep(1000);	/* a hub port's tap must keep up */
	}
	printf("plain %u\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char buf[VDE_VNET_HDR_LEN + 256];
	struct virtio_net_hdr *h = (struct virtio_net_hdr *)buf;
	unsigned rounds = 1, r, k, bad = 0, empty = 0;
	struct vde_msg m;
	int opt, plain = 0, ret;
	unsigned count = 0;
	VDECONN *c;

	while ((opt = getopt(argc, argv, "fn:p:")) != -1) {
		if (opt == 'f')
			plain = 1;
		else if (opt == 'p')
			count = (unsigned)atoi(optarg);
		else if (opt == 'n')
			rounds = (unsigned)atoi(optarg);
		else
			return 1;
	}
	if (optind != argc - 1)
		return 1;
	c = vde_open_flags(argv[optind], "vnet_client", NULL, plain ? 0 : VDE_OPEN_VNET);
	if (!c) {
		fprintf(stderr, "open %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	if (count) {
		ret = send_plain(c, count);
		vde_close(c);
		return ret;
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 6; k++) {
			memset(h, 0, VDE_VNET_HDR_LEN);
			m.buf = buf;
			m.len = VDE_VNET_HDR_LEN + frame(buf + VDE_VNET_HDR_LEN, k == 4);
			switch (k) {
			case 0:		/* TSO on a frame that is not TCP */
				h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
				h->gso_size = 1448;
				break;
			case 1:		/* checksum offsets past the frame */
				h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
				h->csum_start = 5000;
				h->csum_offset = 16;
				break;
			case 2:		/* unknown flag bits */
				h->flags = 0x80 | VIRTIO_NET_HDR_F_NEEDS_CSUM;
				h->csum_start = 34;
				h->csum_offset = 16;
				break;
			case 3:		/* unknown GSO type */
				h->gso_type = 0x33;
				h->gso_size = 100;
				break;
			case 4:		/* TCPv6 GSO on an IPv4 TCP frame */
				h->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
				h->gso_size = 100;
				break;
			case 5:		/* a header and no frame */
				m.len = VDE_VNET_HDR_LEN;
				break;
			}
			if (vde_send_vnet(c, &m, 1, VDE_SEND_WAIT) == 1) {
				if (k == 5)
					empty++;
				else
					bad++;
			} else if (errno != EINVAL) {
				fprintf(stderr, "send: %s\n", strerror(errno));
				return 1;
			}
		}
	}
	printf("bad %u empty %u\n", bad, empty);
	vde_close(c);
	return 0;
}
