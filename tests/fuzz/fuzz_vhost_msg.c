// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_vhost_msg.c - the vhost-user protocol core on hostile input
 *
 * A front end that sends whatever the fuzzer says: the input is le16 n,
 * then n bytes of records { u8 fds; le16 len; len bytes }, each sent on a socketpair with
 * descriptors attached as fds % 4 says: 0 none, 1 a 64 KiB memfd (guest
 * memory, filled with the whole input so rings and descriptors are the
 * fuzzer's), 2 an eventfd, 3 the memfd twice (two regions). What follows
 * the records is only memory (rings and frames at the offsets the records
 * name). After each record the device handles what
 * arrived and moves frames both ways on whatever rings got set up, the way
 * a record's length says: bit 0 holds tails (recv_hold), bit 1 transmits
 * with vhost_dev_xmit() (the switch's way: stop at a full ring) instead of
 * vhost_dev_send(), bits 2-3 are vhost_dev_want()'s frames and room, and
 * vhost_dev_room() is asked (it reads the guest's avail index). Oracles:
 * no crash or sanitizer report, every call returns, a send takes at most
 * what it was given, a failure leaves a
 * reason, and a detached device holds no descriptors (the process's fd
 * count is back where it started).
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/vhost/vhost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEMSZ	65536

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void send_rec(int s, const uint8_t *p, size_t len, const int *fds, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)p, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *c;

		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (len && sendmsg(s, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* full or closed: the device decides */
	}
}

/* one frame to the guest, as the switch (xmit) or the plug (send) does */
static int tx(struct vhost_dev *d, const struct vhost_pkt *p, bool xmit)
{
	int r = xmit ? vhost_dev_xmit(d, p, 1) : vhost_dev_send(d, p, 1);

	if (r > 1)
		abort();	/* took more than it was given */
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[1600], rxbuf[4][2048];
	struct vhost_pkt out = { .data = frame, .len = 60 }, in[4];
	struct vhost_dev *d = NULL;
	int sv[2] = { -1, -1 }, fds[2] = { -1, -1 }, base;
	size_t off = 2, end, i;
	int n;

	if (size < 2)
		return 0;
	end = 2 + (size_t)(data[0] | data[1] << 8);
	if (end > size)
		end = size;
	base = count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	fds[0] = memfd_create("fuzzmem", MFD_CLOEXEC);
	fds[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fds[0] < 0 || fds[1] < 0 || ftruncate(fds[0], MEMSZ) ||
	    pwrite(fds[0], data, size < MEMSZ ? size : MEMSZ, 0) < 0)
		abort();
	d = vhost_dev_new(VHOST_FEATURES_OFFLOAD);
	if (!d || vhost_dev_attach(d, sv[1]))
		abort();
	vhost_dev_set_tail_ms(d, 0);	/* a record is sent whole: no tail to wait for */
	sv[1] = -1;			/* the device owns it */
	memset(frame, 0xff, sizeof(frame));
	for (i = 0; i < 4; i++)
		in[i] = (struct vhost_pkt){ .data = rxbuf[i], .size = sizeof(rxbuf[i]) };
	while (off + 3 <= end && vhost_dev_attached(d)) {
		unsigned int kind = data[off] % 4;
		int att[2] = { kind == 2 ? fds[1] : fds[0], fds[0] };
		size_t len = (size_t)(data[off + 1] | data[off + 2] << 8);

		off += 3;
		if (len > end - off)
			len = end - off;
		send_rec(sv[0], data + off, len, att, kind == 0 ? 0 : kind == 3 ? 2 : 1);
		off += len;
		/* every other record: frames held (tails in guest memory) and
		 * sent back to the guest with their tails before the release */
		n = -1;
		if (vhost_dev_poll(d) >= 0) {
			vhost_dev_want(d, len & 4, len & 8);
			(void)vhost_dev_room(d);
			n = len & 1 ? vhost_dev_recv_hold(d, in, 4, 64, 128) : vhost_dev_recv(d, in, 4);
		}
		if (n > 0 && in[0].tail.len)
			n = tx(d, &in[0], len & 2);
		vhost_dev_release(d);
		if (n < 0 || tx(d, &out, len & 2) < 0) {
			if (!strcmp(vhost_dev_error(d), "no error"))
				abort();	/* a failure without a reason */
			vhost_dev_detach(d);
		}
	}
	vhost_dev_free(d);
	close(sv[0]);
	close(fds[0]);
	close(fds[1]);
	if (count_fds() != base)
		abort();		/* a descriptor leaked */
	return 0;
}
