// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/ctlreq.c - pure parser of the VDE switch control request
 *
 * Theory of operation: the request is a packed little-endian struct. The
 * u32 at offset 4 decides the layout: 3 means v3 (type at 8, sockaddr_un
 * at 12, description at 122); 0 or 1 means the legacy v1 layout where that
 * u32 is the request type itself (6 ignored bytes, sockaddr_un at 14,
 * description at 124), so a v1 request can never name a port; 2 or more
 * than 3 is an unsupported version. Every length is checked against the
 * layout before any field is read, and the description is bounded.
 */
#include "config.h"

#include "ctlreq.h"

#include <string.h>

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Parse the sockaddr_un at @sa (CTL_SUN_LEN bytes available). */
static int parse_sun(const uint8_t *sa, struct ctl_request *req)
{
	const uint8_t *path = sa + 2;
	size_t n = 0;

	if ((unsigned)(sa[0] | sa[1] << 8) != 1)
		return CTL_EFAMILY;
	while (n < CTL_PATH_MAX && path[n])
		n++;
	if (n == 0 || path[0] != '/')
		return CTL_EPATH;
	memcpy(req->path, path, n);
	req->path[n] = '\0';
	return CTL_OK;
}

static void parse_descr(const uint8_t *d, size_t len, struct ctl_request *req)
{
	size_t i;

	if (len > CTL_DESCR_MAX)
		len = CTL_DESCR_MAX;
	for (i = 0; i < len && d[i]; i++)
		req->descr[i] = (d[i] >= 0x20 && d[i] < 0x7f) ? (char)d[i] : '?';
	req->descr[i] = '\0';
}

int ctl_parse_request(const uint8_t *buf, size_t len, struct ctl_request *req)
{
	uint32_t v, type;
	size_t hdr;
	int ret;

	memset(req, 0, sizeof(*req));
	if (len < 8) {
		ret = CTL_ESHORT;
		goto out;
	}
	if (get_le32(buf) != CTL_MAGIC) {
		ret = CTL_EMAGIC;
		goto out;
	}
	v = get_le32(buf + 4);
	if (v == 3) {
		hdr = CTL_V3_HDR;
		if (len < hdr) {
			ret = CTL_ESHORT;
			goto out;
		}
		type = get_le32(buf + 8);
		req->version = 3;
	} else if (v <= 1) {
		hdr = CTL_V1_HDR;
		if (len < hdr) {
			ret = CTL_ESHORT;
			goto out;
		}
		type = v;
		req->version = 1;
	} else {
		ret = CTL_EVERSION;
		goto out;
	}
	if (len > hdr + CTL_DESCR_MAX) {
		ret = CTL_ELONG;
		goto out;
	}
	if ((type & 0xff) > CTL_REQ_NEW_PORT0) {
		ret = CTL_ETYPE;
		goto out;
	}
	req->type = (enum ctl_reqtype)(type & 0xff);
	req->port = type >> 8;
	ret = parse_sun(buf + hdr - CTL_SUN_LEN, req);
	if (ret != CTL_OK)
		goto out;
	parse_descr(buf + hdr, len - hdr, req);
out:
	if (ret != CTL_OK)
		memset(req, 0, sizeof(*req));
	return ret;
}

const char *ctl_strerror(int err)
{
	static const char *const msg[] = {
		[CTL_OK] = "ok",
		[CTL_ESHORT] = "short request",
		[CTL_ELONG] = "request too long",
		[CTL_EMAGIC] = "bad magic",
		[CTL_EVERSION] = "unsupported version",
		[CTL_ETYPE] = "unknown request type",
		[CTL_EFAMILY] = "not an AF_UNIX address",
		[CTL_EPATH] = "bad socket path",
	};

	if (err < 0 || (size_t)err >= sizeof(msg) / sizeof(msg[0]))
		return "unknown error";
	return msg[err];
}
