/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/ctlreq.h - pure parser of the VDE switch control request
 *
 * The first (and only) message a client sends on the ctl stream asks for a
 * port and names the client's datagram socket. Two layouts exist (see
 * docs/protocol.md, "Control request"): v3 (magic, version 3, type, sockaddr_un, description)
 * and the legacy v1 (magic, type, 6 ignored bytes, sockaddr_un, description).
 * No sockets, no allocation: unit-tested and fuzzed.
 */
#ifndef VDEKIT_SWITCH_CTLREQ_H
#define VDEKIT_SWITCH_CTLREQ_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC		0xfeedfaceU
#define CTL_SUN_LEN		110	/* sizeof(struct sockaddr_un) on Linux */
#define CTL_PATH_MAX		108
#define CTL_DESCR_MAX		128
#define CTL_V3_HDR		(12 + CTL_SUN_LEN)	/* 122 */
#define CTL_V1_HDR		(14 + CTL_SUN_LEN)	/* 124 */
#define CTL_REQ_MAX		(CTL_V1_HDR + CTL_DESCR_MAX)	/* 252 */

enum ctl_reqtype {
	CTL_REQ_NEW_CONTROL = 0,	/* a normal port (explicit or "any") */
	CTL_REQ_NEW_PORT0 = 1,		/* the management port 0 */
};

enum ctl_parse_err {
	CTL_OK = 0,
	CTL_ESHORT,		/* fewer bytes than the layout needs */
	CTL_ELONG,		/* more bytes than any valid request */
	CTL_EMAGIC,		/* no 0xfeedface */
	CTL_EVERSION,		/* version 2 or > 3 */
	CTL_ETYPE,		/* request type not 0/1 */
	CTL_EFAMILY,		/* sun_family != AF_UNIX */
	CTL_EPATH,		/* empty, abstract or relative socket path */
};

struct ctl_request {
	unsigned version;		/* 1 or 3 */
	enum ctl_reqtype type;
	unsigned port;			/* 0 = any (v1 is always 0) */
	char path[CTL_PATH_MAX + 1];	/* NUL-terminated absolute path */
	char descr[CTL_DESCR_MAX + 1];	/* printable ASCII, NUL-terminated */
};

/**
 * ctl_parse_request() - parse one control request
 * @buf: bytes received in one read on the ctl stream
 * @len: their number
 * @req: filled on success (zeroed on failure)
 *
 * Non-printable description bytes are replaced by '?', the description
 * stops at the first NUL. Return: CTL_OK or an enum ctl_parse_err value.
 */
int ctl_parse_request(const uint8_t *buf, size_t len, struct ctl_request *req);

/* ctl_strerror() - short text for an enum ctl_parse_err value. */
const char *ctl_strerror(int err);

#endif
