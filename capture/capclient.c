// SPDX-License-Identifier: GPL-2.0-or-later
/* capture/capclient.c - open a capture port on a vde_switch (client I/O)
 *
 * The same steps as an ordinary vde:// port (lib/vdeplug/mod_vde.c), with
 * the capture request of capreq.h and a reply that must carry the "VCAP"
 * acknowledgement: a switch that answers with a bare sockaddr_un treated
 * the request as something else, and is refused here rather than captured
 * from wrongly. VDE 2 closes the ctl stream on an unknown request type (or,
 * 2.3.2, stays silent): both are reported as "does not support capture".
 */
#include "config.h"

#include "capclient.h"
#include "deadline.h"
#include "tool.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RCVBUF		(4 << 20)

static int unix_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* Bind @fd at DIR/.<pid>-<seq>c, or /tmp/vdecap.<pid>-<seq>. */
static int bind_sock(int fd, const char *dir, char *out, size_t size)
{
	struct sockaddr_un sun;
	int seq, d;

	for (d = 0; d < 2; d++) {
		for (seq = 0; seq < 100; seq++) {
			int n = d == 0 ? snprintf(out, size, "%s/.%05ld-%05dc", dir, (long)getpid(), seq)
				       : snprintf(out, size, "/tmp/vdecap.%05ld-%05d", (long)getpid(), seq);

			if (n < 0 || (size_t)n >= size || unix_addr(&sun, out))
				break;
			if (!bind(fd, (struct sockaddr *)&sun, sizeof(sun)))
				return 0;
			if (errno != EADDRINUSE)
				break;
		}
	}
	return -1;
}

int capclient_open(const char *dir, unsigned port, unsigned vlan, unsigned snaplen,
		   struct capclient *c, char *err, size_t errlen)
{
	char real[PATH_MAX], ctl[PATH_MAX + 8], sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint8_t req[CAPREQ_MAXLEN], reply[CAPREPLY_LEN];
	struct capreq r = { .port = port, .vlan = vlan, .snaplen = snaplen, .sockpath = sock };
	struct capreply rep;
	struct sockaddr_un sun;
	char descr[64];
	bool bound = false;
	struct stat st;
	mode_t mode = 0700;
	size_t len, got;
	ssize_t n;
	int ret = -1;

	c->ctl_fd = c->data_fd = -1;
	/* no switch, a file, no access: the words every tool uses for them */
	if (!realpath(dir, real)) {
		snprintf(err, errlen, "%s", tool_vnl_error(dir, errno));
		goto out;
	}
	snprintf(ctl, sizeof(ctl), "%s/ctl", real);
	c->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->ctl_fd < 0 || unix_addr(&sun, ctl) ||
	    connect(c->ctl_fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		/* a socket where the directory should be: a -M console */
		if (e == ENOTDIR && !stat(real, &st) && S_ISSOCK(st.st_mode))
			e = EPROTO;
		snprintf(err, errlen, "%s", tool_vnl_error(dir, e));
		goto out;
	}
	c->data_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->data_fd < 0 || bind_sock(c->data_fd, real, sock, sizeof(sock))) {
		snprintf(err, errlen, "datagram socket: %s", strerror(errno));
		goto out;
	}
	bound = true;
	/* a switch run by another (non-root) user must be able to reach us */
	if (!stat(ctl, &st) && st.st_uid != 0 && st.st_uid != geteuid())
		mode = chown(sock, (uid_t)-1, st.st_gid) == 0 ? 0770 : 0777;
	if (chmod(sock, mode)) {
		snprintf(err, errlen, "%s: %s", sock, strerror(errno));
		goto out;
	}
	snprintf(descr, sizeof(descr), "vdecapture PID=%ld", (long)getpid());
	r.descr = descr;
	len = capreq_encode(&r, req);
	if (!len) {
		snprintf(err, errlen, "cannot encode the request (socket path too long?)");
		goto out;
	}
	do
		n = send(c->ctl_fd, req, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		snprintf(err, errlen, "%s: sending the request: %s", ctl, strerror(errno));
		goto out;
	}
	/* no reply, a short one or EOF: told by got */
	(void)recv_by(c->ctl_fd, reply, sizeof(reply), deadline_in(CAPCLIENT_REPLY_MS), &got);
	if (got < CAPREQ_SUN_LEN) {
		snprintf(err, errlen, "%s refused the capture port (%s): not allowed (port ACL), "
			 "or a switch without capture ports (VDE 2)", real,
			 got ? "short reply" : "no reply");
		goto out;
	}
	if (got != sizeof(reply) || capreply_parse(reply, sizeof(reply), &rep)) {
		snprintf(err, errlen, "%s answered as to an ordinary port: it does not support "
			 "capture ports", real);
		goto out;
	}
	if (unix_addr(&sun, rep.path) ||
	    connect(c->data_fd, (struct sockaddr *)&sun, sizeof(sun))) {
		snprintf(err, errlen, "%s: %s", rep.path, strerror(errno));
		goto out;
	}
	c->hdrlen = rep.hdrlen;
	/* a deep queue rides out bursts; beyond it the switch drops copies */
	setsockopt(c->data_fd, SOL_SOCKET, SO_RCVBUF, &(int){ RCVBUF }, sizeof(int));
	ret = 0;
out:
	if (bound)
		unlink(sock);
	if (ret)
		capclient_close(c);
	return ret;
}

void capclient_close(struct capclient *c)
{
	if (c->data_fd >= 0)
		close(c->data_fd);
	if (c->ctl_fd >= 0)
		close(c->ctl_fd);
	c->data_fd = c->ctl_fd = -1;
}
