/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/common/deadline.h - read a reply within a deadline (see deadline.c) */
#ifndef VDEKIT_DEADLINE_H
#define VDEKIT_DEADLINE_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

long deadline_now(void);
long deadline_in(long ms);
ssize_t recvmsg_by(int fd, struct msghdr *mh, int flags, long deadline);
int recv_by(int fd, void *buf, size_t len, long deadline, size_t *got);

#endif
