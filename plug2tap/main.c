// SPDX-License-Identifier: GPL-2.0-or-later
/* plug2tap/main.c - vde_plug2tap: join a Linux tap interface to a VDE network
 *
 * Opens TAPNAME through libvdeplug's built-in tap:// module (a persistent
 * tap is attached, otherwise a transient one is created) and shuttles
 * frames between it and a switch (-s SOCK|VNL, default switch otherwise)
 * or, with -s -, a VDE byte stream on stdin/stdout (lib/stream.h), as in
 * `dpipe vde_plug SW = ssh host vde_plug2tap -s - tap0`. VDE 2's command
 * line. The run ends with a message when the tap is deleted, the switch
 * goes away, the stream input ends, or on SIGTERM/SIGINT/SIGHUP. Frames
 * the tap refuses (interface down) and frames a full switch queue refuses
 * are dropped and counted, never fatal.
 *
 * Offloads: a tap we create ourselves is opened with IFF_VNET_HDR and TSO
 * enabled (TUNSETOFFLOAD), so the local TCP stack hands over 64 KiB
 * super-frames with partial checksums instead of one packet per MSS; they
 * are cut into ordinary frames and checksummed here (lib/common/vnet.c) before they
 * reach the network. The other way, frames that arrive from a switch in one
 * batch (recvmmsg) and continue one TCP flow are merged into one
 * super-frame for the tap (GRO), after their checksums are verified. The
 * network only ever sees ordinary frames; the local stack does far fewer
 * per-packet steps. A persistent tap someone else owns, and --no-offload,
 * get plain frames as in VDE 2.
 *
 * With offloads and a VNL (not -s -), the tap's packets go to the library
 * whole, header included, a batch per wake-up (vde_send_vnet()), and what
 * the library receives comes with its header (vde_recv_vnet()): on our
 * switch, opened with VDE_OPEN_VNET, super-frames cross the shared-memory
 * rings whole both ways and are cut only by the switch, for the peers that
 * need wire frames; on any other connection the library cuts them. Runs of
 * wire frames (from peers without super-frames) are still merged here for
 * the tap.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon.h"
#include "libvdeplug.h"
#include "log.h"
#include "parse.h"
#include "stream.h"
#include "tool.h"
#include "vnet.h"

#define P2T_INBUF	65536
#define P2T_BATCH	64		/* frames per recvmmsg from the switch */
#define P2T_TAP_BURST	64		/* tap reads per wake-up before polling again */
#define P2T_MAXSEG	1024		/* frames from one super-frame (MSS >= 64) */
#define P2T_SEGBUF	(VNET_MAX_PKT + P2T_MAXSEG * 128)
#define P2T_OFFLOADS	(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
#define P2T_VBUF	VDE_VNET_BUFSIZE	/* header + any frame */
#define P2T_TX_BYTES	(256U << 10)	/* tap reads per batch stop there */

enum p2t_end {
	END_NONE,
	END_TAP_GONE,		/* interface deleted */
	END_NET_GONE,		/* switch closed the connection */
	END_INPUT_EOF,		/* -s -: end of stdin */
	END_OUTPUT_CLOSED,	/* -s -: stdout closed */
	END_SIGNAL,
	END_ERROR,		/* already logged */
};

struct p2t_ctx {
	const char *tapname;
	char *sock;			/* NULL = default switch, "-" = stream */
	struct vde_open_args args;
	const char *pidfile;
	bool daemon;
	bool stream;
	bool no_offload;		/* --no-offload */
	bool vnet;			/* tap fd carries a virtio_net_hdr */
	bool netvnet;			/* headers to and from the VNL too */
	int tap_fd;
	VDECONN *net;
	int in_fd, out_fd;
	uint64_t to_net, to_tap, drops;
	uint64_t split, merged;		/* super-frames cut / built */
	uint64_t whole_out, whole_in;	/* super-frames to / from the VNL whole */
	uint8_t (*vtxbuf)[P2T_VBUF];	/* netvnet: P2T_BATCH tap reads */
	uint8_t (*vrxbuf)[P2T_VBUF];	/* netvnet: P2T_BATCH frames from the VNL */
	struct vde_msg vtx[P2T_BATCH], vrx[P2T_BATCH];
	struct stream_rx rx;
	struct stream_tx tx;
	struct vde_msg rxmsg[P2T_BATCH];
	struct vnet_frame rxf[P2T_BATCH];
	size_t seglen[P2T_MAXSEG];
	uint8_t buf[VDE_ETHBUFSIZE];
	uint8_t inbuf[P2T_INBUF];
	uint8_t tapbuf[VNET_MAX_PKT + 64];	/* one read from the tap */
	uint8_t segbuf[P2T_SEGBUF];		/* a super-frame, cut */
	uint8_t grobuf[VNET_MAX_PKT + 64];	/* frames merged for the tap */
	uint8_t rxbuf[P2T_BATCH][VDE_ETHBUFSIZE];
};

static const char usage_text[] =
"usage: vde_plug2tap [OPTIONS] TAPNAME\n"
"\n"
"Join the Linux tap interface TAPNAME to a VDE switch, or with -s - to a\n"
"VDE stream on stdin/stdout. A persistent tap TAPNAME is attached; otherwise\n"
"a transient one is created (needs CAP_NET_ADMIN) and removed at exit.\n"
"\n"
"options:\n"
"  -s, --sock SOCK|VNL     switch directory or vde(7) locator (default: the\n"
"                          default switch); - = stdin/stdout stream mode\n"
"  -p, --port N            connect to switch port N\n"
"  -g, --group GROUP       group of the data socket (default: none)\n"
"  -m, --mode OCTMODE      octal mode of the data socket (default 0700)\n"
"  -d, --daemon            run in the background (not with -s -)\n"
"  -P, --pidfile FILE      write the pid to FILE (removed at exit)\n"
"      --no-offload        plain frames on the tap: no TSO/checksum offload,\n"
"                          no merging of TCP segments (as VDE 2)\n"
"  -V, --version           print the version and exit\n"
"  -h, --help              print this help and exit\n";

static const struct tool_help help = { "vde_plug2tap", usage_text, TOOL_HELP_PARAGRAPH };

static void p2t_parse_args(struct p2t_ctx *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sock", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "group", required_argument, NULL, 'g' },
		{ "mode", required_argument, NULL, 'm' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "no-offload", no_argument, NULL, 'O' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *err;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:p:g:m:dP:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			c->sock = optarg;
			break;
		case 'p':
			c->args.port = tool_opt_port(optarg);
			break;
		case 'g':
			/* named here: vde_open() fails with EINVAL, "malformed VNL" */
			(void)parse_group_arg("group", optarg);
			c->args.group = optarg;
			break;
		case 'm':
			c->args.mode = tool_opt_sockmode("-m", optarg);
			break;
		case 'd':
			c->daemon = true;
			break;
		case 'P':
			c->pidfile = optarg;
			break;
		case 'O':
			c->no_offload = true;
			break;
		case 'V':
			tool_version("vde_plug2tap");
		case 'h':
			tool_usage(&help, EXIT_SUCCESS);
		default:
			tool_usage(&help, EXIT_FAILURE);
		}
	}
	if (optind != argc - 1)
		tool_misuse(&help, "%s", optind == argc ? "missing TAPNAME" : "only one TAPNAME");
	c->tapname = argv[optind];
	if ((err = ifname_error(c->tapname)))
		die("'%s': %s", c->tapname, err);
	c->stream = c->sock && !strcmp(c->sock, "-");
	if (c->daemon && c->stream)
		die("-d cannot be used with -s - (stdin/stdout are the data path)");
}

/* Attach to (or create) the tap, as libvdeplug's tap:// does, but with a
 * virtio_net_hdr and offloads when we create it (see the top comment). A
 * tap that exists already may be persistent: its offload settings would
 * outlive us and break its next user, so it gets plain frames. */
static int p2t_tap_attach(struct p2t_ctx *c)
{
	bool mine = !c->no_offload && if_nametoindex(c->tapname) == 0;
	struct ifreq ifr;
	int fd, e;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (mine ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, c->tapname, strlen(c->tapname));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	c->vnet = mine;
	if (mine && ioctl(fd, TUNSETOFFLOAD, (unsigned long)P2T_OFFLOADS) < 0)
		log_debug("tap %s: no offloads: %s", c->tapname, strerror(errno));
	c->tap_fd = fd;
	return 0;
}

static void p2t_open_tap(struct p2t_ctx *c)
{
	if (p2t_tap_attach(c) == 0)
		return;
	switch (errno) {
	case ENOENT:
	case ENODEV:
		die("cannot open /dev/net/tun: %s (is the tun driver available?)",
		    strerror(errno));
	case EPERM:
	case EACCES:
		die("cannot attach tap %s: %s (creating a tap needs CAP_NET_ADMIN; "
		    "without it only a persistent tap owned by this user can be used)",
		    c->tapname, strerror(errno));
	case EBUSY:
		die("tap %s is busy: another process has it open", c->tapname);
	case EINVAL:
		die("cannot attach tap %s: %s (is %s an interface of another kind?)",
		    c->tapname, strerror(errno), c->tapname);
	default:
		die_perror("cannot attach tap %s", c->tapname);
	}
}

static void p2t_open_net(struct p2t_ctx *c)
{
	const char *name = c->sock ? c->sock : "the default switch";

	if (!c->args.mode)
		c->args.mode = 0700;
	c->net = vde_open_flags(c->sock, "vde_plug2tap:", &c->args,
				c->vnet ? VDE_OPEN_VNET : 0);
	if (c->net) {
		if (c->vnet) {
			/* touched only as traffic needs them */
			c->vtxbuf = calloc(P2T_BATCH, P2T_VBUF);
			c->vrxbuf = calloc(P2T_BATCH, P2T_VBUF);
			if (!c->vtxbuf || !c->vrxbuf)
				die("out of memory");
			c->netvnet = true;
		}
		return;
	}
	if (errno == ETIMEDOUT)
		die("switch %s did not grant a port (port %d in use?)", name, c->args.port);
	die("%s", tool_vnl_error(c->sock, errno));
}

static void p2t_send_net(struct p2t_ctx *c, const uint8_t *frame, size_t len)
{
	if (vde_send(c->net, frame, len, 0) < 0)
		c->drops++;
	else
		c->to_net++;
}

/* Write one packet (a frame, or @n frames merged) to the tap; a zeroed
 * virtio_net_hdr goes first when the tap wants one. */
static void p2t_tap_write(struct p2t_ctx *c, const struct virtio_net_hdr *h,
			  const uint8_t *pkt, size_t len, unsigned n)
{
	static const struct virtio_net_hdr none;
	struct iovec iov[2] = {
		{ .iov_base = (void *)(h ? h : &none), .iov_len = VNET_HDR_LEN },
		{ .iov_base = (void *)pkt, .iov_len = len },
	};
	ssize_t r;

	do
		r = c->vnet ? writev(c->tap_fd, iov, 2) : write(c->tap_fd, pkt, len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		c->drops += n;	/* EIO: the interface is down */
	else
		c->to_tap += n;
}

static void p2t_send_tap(struct p2t_ctx *c, const uint8_t *frame, size_t len)
{
	p2t_tap_write(c, NULL, frame, len, 1);
}

/* A batch of frames for the tap: runs of one TCP flow go in merged. */
static void p2t_send_tap_batch(struct p2t_ctx *c, const struct vnet_frame *f, unsigned n)
{
	struct virtio_net_hdr h;
	unsigned i = 0, used;
	size_t len;

	while (i < n) {
		len = c->vnet ? vnet_coalesce(f + i, n - i, &used, c->grobuf,
					      sizeof(c->grobuf), &h) : 0;
		if (len) {
			p2t_tap_write(c, &h, c->grobuf, len, used);
			c->merged++;
		} else {
			used = 1;
			p2t_send_tap(c, f[i].data, f[i].len);
		}
		i += used;
	}
}

static void p2t_stream_frame(void *arg, const uint8_t *frame, size_t len)
{
	p2t_send_tap(arg, frame, len);
}

/* Writing to the output stream (-s -: stdout) failed (errno): its reader
 * went away, or an error named with its side. */
static enum p2t_end p2t_out_error(void)
{
	if (tool_out_gone(errno))
		return END_OUTPUT_CLOSED;
	log_err("write to stdout: %s", strerror(errno));
	return END_ERROR;
}

/* One frame from the tap into the network or the output stream. */
static enum p2t_end p2t_out(struct p2t_ctx *c, const uint8_t *frame, size_t len)
{
	if (len > VDE_ETHBUFSIZE) {	/* MTU beyond what VDE carries */
		c->drops++;
		return END_NONE;
	}
	if (!c->stream) {
		p2t_send_net(c, frame, len);
		return END_NONE;
	}
	{
		struct iovec v = { .iov_base = (void *)frame, .iov_len = len };
		ssize_t w = stream_tx_frames(&c->tx, c->out_fd, &v, 1);

		if (w >= 0) {
			c->to_net += (uint64_t)w;
			return END_NONE;
		}
	}
	return p2t_out_error();
}

/* One packet read from the tap: a frame, or a super-frame to cut. */
static enum p2t_end p2t_tap_packet(struct p2t_ctx *c, struct virtio_net_hdr *h,
				   uint8_t *pkt, size_t len)
{
	enum p2t_end end = END_NONE;
	const uint8_t *p;
	int n, i;

	if (!c->vnet || h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (c->vnet && vnet_finish_csum(h, pkt, len) < 0) {
			c->drops++;
			return END_NONE;
		}
		return p2t_out(c, pkt, len);
	}
	n = vnet_segment(h, pkt, len, c->segbuf, sizeof(c->segbuf), c->seglen, P2T_MAXSEG);
	if (n < 0) {
		c->drops++;
		return END_NONE;
	}
	c->split++;
	for (i = 0, p = c->segbuf; i < n && end == END_NONE; p += c->seglen[i], i++)
		end = p2t_out(c, p, c->seglen[i]);
	return end;
}

/* Drain the tap (up to P2T_TAP_BURST packets, until EAGAIN). */
static enum p2t_end p2t_from_tap(struct p2t_ctx *c)
{
	struct virtio_net_hdr h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = VNET_HDR_LEN },
		{ .iov_base = c->tapbuf, .iov_len = sizeof(c->tapbuf) },
	};
	enum p2t_end end = END_NONE;
	unsigned k;
	ssize_t r;

	for (k = 0; k < P2T_TAP_BURST && end == END_NONE; k++) {
		r = c->vnet ? readv(c->tap_fd, iov, 2) : read(c->tap_fd, c->tapbuf, sizeof(c->tapbuf));
		if (r == 0)
			return END_TAP_GONE;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			if (errno == EBADFD)
				return END_TAP_GONE;	/* interface deleted */
			log_err("read from tap %s: %s", c->tapname, strerror(errno));
			return END_ERROR;
		}
		if (c->vnet && (size_t)r < VNET_HDR_LEN)
			continue;
		end = p2t_tap_packet(c, &h, c->tapbuf, (size_t)r - (c->vnet ? VNET_HDR_LEN : 0));
	}
	return end;
}

/* One batch from the network (any VNL: vde_recv_batch() is right for every
 * module, nested plugins included), merged where it can be for the tap. */
static enum p2t_end p2t_from_vnl(struct p2t_ctx *c)
{
	int n = tool_recv(c->net, c->rxmsg, c->rxbuf, P2T_BATCH), i;

	if (n == TOOL_GONE)
		return END_NET_GONE;
	if (n == TOOL_ERROR) {
		log_err("read from %s: %s", c->sock ? c->sock : "the switch", strerror(errno));
		return END_ERROR;
	}
	if (n == 0)
		return END_NONE;
	for (i = 0; i < n; i++) {
		c->rxf[i].data = c->rxmsg[i].buf;
		c->rxf[i].len = c->rxmsg[i].len;
	}
	p2t_send_tap_batch(c, c->rxf, (unsigned)n);
	return END_NONE;
}

static enum p2t_end p2t_from_vnl_vnet(struct p2t_ctx *c);

static enum p2t_end p2t_from_net(struct p2t_ctx *c)
{
	ssize_t r;

	if (c->netvnet)
		return p2t_from_vnl_vnet(c);
	if (!c->stream)
		return p2t_from_vnl(c);
	r = read(c->in_fd, c->inbuf, sizeof(c->inbuf));
	if (r > 0) {
		stream_rx_feed(&c->rx, c->inbuf, (size_t)r, p2t_stream_frame, c);
		return END_NONE;
	}
	if (r == 0)
		return END_INPUT_EOF;
	if (errno == EINTR || errno == EAGAIN)
		return END_NONE;
	log_err("read from stdin: %s", strerror(errno));
	return END_ERROR;
}

/* Hand the tap's packets [0, n) to the VNL, header and all; a full
 * connection makes us wait (as vde_send() did), a malformed header costs
 * that packet. */
static void p2t_send_vnet(struct p2t_ctx *c, unsigned n)
{
	unsigned i = 0, j;
	ssize_t r;

	while (i < n) {
		r = vde_send_vnet(c->net, c->vtx + i, n - i, VDE_SEND_WAIT);
		if (r > 0) {
			for (j = i; j < i + (unsigned)r; j++)
				if (((const struct virtio_net_hdr *)c->vtx[j].buf)->gso_type !=
				    VIRTIO_NET_HDR_GSO_NONE)
					c->whole_out++;
			c->to_net += (uint64_t)r;
			i += (unsigned)r;
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && errno == EINVAL) {
			c->drops++;
			i++;
		} else {
			c->drops += n - i;	/* switch gone: the ctl fd says so next */
			break;
		}
	}
}

/* Drain the tap into one batch (P2T_BATCH packets or P2T_TX_BYTES, until
 * EAGAIN), each read with its header straight into its buffer. */
static enum p2t_end p2t_from_tap_vnet(struct p2t_ctx *c)
{
	enum p2t_end end = END_NONE;
	size_t bytes = 0;
	unsigned k = 0;
	ssize_t r;

	while (k < P2T_BATCH && bytes < P2T_TX_BYTES) {
		r = read(c->tap_fd, c->vtxbuf[k], P2T_VBUF);
		if (r == 0) {
			end = END_TAP_GONE;
			break;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			if (errno == EBADFD) {
				end = END_TAP_GONE;	/* interface deleted */
				break;
			}
			log_err("read from tap %s: %s", c->tapname, strerror(errno));
			end = END_ERROR;
			break;
		}
		if ((size_t)r <= VNET_HDR_LEN)
			continue;
		c->vtx[k].buf = c->vtxbuf[k];
		c->vtx[k].len = (size_t)r;
		bytes += (size_t)r;
		k++;
	}
	if (k)
		p2t_send_vnet(c, k);
	return end;
}

/* Write a packet that holds its header already. */
static void p2t_tap_write_raw(struct p2t_ctx *c, const void *pkt, size_t len, unsigned n)
{
	ssize_t r;

	do
		r = write(c->tap_fd, pkt, len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		c->drops += n;
	else
		c->to_tap += n;
}

/* A batch from the VNL with headers: frames with metadata (super-frames,
 * partial checksums) go to the tap as they are; runs of wire frames
 * (zeroed headers) of one TCP flow are merged first. */
static enum p2t_end p2t_from_vnl_vnet(struct p2t_ctx *c)
{
	static const struct virtio_net_hdr none;
	struct virtio_net_hdr h;
	unsigned i, j, k, used;
	ssize_t n;
	size_t len;

	for (i = 0; i < P2T_BATCH; i++) {
		c->vrx[i].buf = c->vrxbuf[i];
		c->vrx[i].len = P2T_VBUF;
	}
	n = tool_recv_sort(vde_recv_vnet(c->net, c->vrx, P2T_BATCH, 0));
	if (n == TOOL_GONE)
		return END_NET_GONE;
	if (n == TOOL_ERROR) {
		log_err("read from %s: %s", c->sock ? c->sock : "the switch", strerror(errno));
		return END_ERROR;
	}
	for (i = 0; i < (unsigned)n; i = j) {
		if (memcmp(c->vrx[i].buf, &none, VNET_HDR_LEN)) {
			if (((const struct virtio_net_hdr *)c->vrx[i].buf)->gso_type !=
			    VIRTIO_NET_HDR_GSO_NONE)
				c->whole_in++;
			p2t_tap_write_raw(c, c->vrx[i].buf, c->vrx[i].len, 1);
			j = i + 1;
			continue;
		}
		/* a run of wire frames */
		for (j = i; j < (unsigned)n && !memcmp(c->vrx[j].buf, &none, VNET_HDR_LEN); j++) {
			c->rxf[j - i].data = (const uint8_t *)c->vrx[j].buf + VNET_HDR_LEN;
			c->rxf[j - i].len = c->vrx[j].len - VNET_HDR_LEN;
		}
		for (k = 0; k < j - i; k += used) {
			len = vnet_coalesce(c->rxf + k, j - i - k, &used, c->grobuf,
					    sizeof(c->grobuf), &h);
			if (len) {
				p2t_tap_write(c, &h, c->grobuf, len, used);
				c->merged++;
			} else {
				used = 1;
				p2t_tap_write_raw(c, c->vrx[i + k].buf, c->vrx[i + k].len, 1);
			}
		}
	}
	return END_NONE;
}

static enum p2t_end p2t_run(struct p2t_ctx *c)
{
	enum { PFD_TAP, PFD_DATA, PFD_CTL, PFD_OUT, PFD_N };
	struct pollfd pfd[PFD_N] = {
		[PFD_TAP] = { .fd = c->tap_fd, .events = POLLIN },
		[PFD_DATA] = { .fd = c->stream ? c->in_fd : vde_datafd(c->net), .events = POLLIN },
		[PFD_CTL] = { .fd = c->stream ? -1 : vde_ctlfd(c->net), .events = POLLIN },
		[PFD_OUT] = { .fd = -1, .events = POLLOUT },
	};
	enum p2t_end end = END_NONE;

	stream_rx_init(&c->rx);
	stream_tx_init(&c->tx);
	while (end == END_NONE) {
		bool backlog = stream_tx_pending(&c->tx);
		enum tool_wait w;

		/* -s -: while the output has a backlog, wait for it, not the tap */
		pfd[PFD_TAP].fd = backlog ? -1 : c->tap_fd;
		pfd[PFD_OUT].fd = backlog ? c->out_fd : -1;
		w = tool_wait(pfd, PFD_N);
		if (w != TOOL_WAIT_READY) {
			end = w == TOOL_WAIT_STOP ? END_SIGNAL : END_ERROR;
			break;
		}
		if (pfd[PFD_OUT].revents && stream_tx_flush(&c->tx, c->out_fd) < 0)
			end = p2t_out_error();
		if (end == END_NONE && pfd[PFD_CTL].revents && tool_ctl_gone(pfd[PFD_CTL].fd))
			end = END_NET_GONE;
		if (end == END_NONE && pfd[PFD_TAP].revents)
			end = c->netvnet ? p2t_from_tap_vnet(c) : p2t_from_tap(c);
		if (end == END_NONE && pfd[PFD_DATA].revents)
			end = p2t_from_net(c);
	}
	if (end == END_INPUT_EOF && stream_rx_partial(&c->rx))
		log_warn("input ended inside a record (truncated frame dropped)");
	/* what the reader has not taken yet: a bounded last chance, as in
	 * vde_plug (no wait when the user stopped us; none if it is gone) */
	if (end != END_OUTPUT_CLOSED)
		(void)tool_out_drain(&c->tx, c->out_fd, TOOL_DRAIN_MS);
	if (stream_tx_pending(&c->tx))
		c->drops++;
	c->drops += c->rx.empty + c->tx.drops;
	return end;
}

static const char *p2t_end_text(enum p2t_end end)
{
	switch (end) {
	case END_TAP_GONE:
		return "tap interface deleted";
	case END_NET_GONE:
		return "switch closed the connection";
	case END_INPUT_EOF:
		return "end of input";
	case END_OUTPUT_CLOSED:
		return "output closed";
	case END_SIGNAL:
		return "terminated by signal";
	case END_ERROR:
		return "I/O error";
	case END_NONE:
		break;
	}
	return "?";
}

int main(int argc, char **argv)
{
	static struct p2t_ctx ctx;	/* ~0.9 MiB of buffers: not on the stack */
	struct p2t_ctx *c = &ctx;
	enum p2t_end end;

	tool_init("vde_plug2tap");
	c->in_fd = STDIN_FILENO;
	c->out_fd = STDOUT_FILENO;
	p2t_parse_args(c, argc, argv);

	/* a bad pid file is reported here, not after -d detached (exit 0) */
	tool_pidfile_check(c->pidfile);
	p2t_open_tap(c);
	if (!c->stream)
		p2t_open_net(c);
	tool_daemonize(c->daemon);
	tool_pidfile_write(c->pidfile);
	{
		char what[512];

		snprintf(what, sizeof(what), "tap %s <-> %s", c->tapname,
			 c->stream ? "stdin/stdout" : c->sock ? c->sock : "the default switch");
		daemon_ready(what);
	}

	{
		/* -s -: a stalled reader must not hold the loop (the writer
		 * keeps a backlog, the tap waits meanwhile) */
		int out_flags = c->stream ? tool_out_nonblock(c->out_fd) : -1;

		end = p2t_run(c);
		tool_out_restore(c->out_fd, out_flags);
	}
	logmsg(end == END_ERROR ? LOG_ERR : LOG_NOTICE,
	       "%s %s: %s; frames to the network %llu, to the tap %llu, dropped %llu; "
	       "%s: %llu super-frames cut, %llu merged, %llu sent whole, %llu received whole",
	       end == END_TAP_GONE ? "tap" : "stopping,", c->tapname, p2t_end_text(end),
	       (unsigned long long)c->to_net, (unsigned long long)c->to_tap,
	       (unsigned long long)c->drops, c->vnet ? "offloads" : "no offloads",
	       (unsigned long long)c->split, (unsigned long long)c->merged,
	       (unsigned long long)c->whole_out, (unsigned long long)c->whole_in);
	daemon_stopping(p2t_end_text(end));
	if (c->net)
		vde_close(c->net);
	close(c->tap_fd);
	free(c->vtxbuf);
	free(c->vrxbuf);
	if (c->pidfile)
		pidfile_remove();
	return end == END_ERROR ? EXIT_FAILURE : EXIT_SUCCESS;
}
