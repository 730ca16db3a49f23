// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_vnl.c - VNL parser, description and request encoder
 *
 * The input (cut at the first NUL, at most 8 KiB) is parsed as a VNL twice
 * into two structs: the results must agree, the error must be one of the
 * documented ones, and on success every field must be terminated, in range
 * and consistent (cmd argv within cmdbuf and NULL-terminated, udp ports
 * numeric, vde port <= VNL_PORTMAX). The input is also used as a port
 * description and socket path for vnl_describe()/vnl_request() (length
 * rules of protocol v3) and as raw reply bytes for vnl_reply().
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vnl a, b;
static char str[8193];

static void check_str(const char *s, size_t size)
{
	if (strnlen(s, size) >= size)
		abort();
}

static void check_port(const char *p, long min)
{
	char *end;
	long v;

	if (!*p)
		abort();
	v = strtol(p, &end, 10);
	if (*end || v < min || v > 65535)
		abort();
}

static void check_vnl(const struct vnl *v)
{
	int i;

	check_str(v->path, sizeof(v->path));
	check_str(v->portgroup, sizeof(v->portgroup));
	check_str(v->group, sizeof(v->group));
	check_str(v->src_host, sizeof(v->src_host));
	check_str(v->dst_host, sizeof(v->dst_host));
	check_str(v->cmdbuf, sizeof(v->cmdbuf));
	if (v->has_port && v->port > VNL_PORTMAX)
		abort();
	if (v->has_mode && v->mode > 07777)
		abort();
	switch (v->kind) {
	case VNL_VDE:
		break;
	case VNL_PTP:
		if (!v->path[0])
			abort();
		break;
	case VNL_UDP:
		check_port(v->src_port, 0);
		check_port(v->dst_port, 1);
		if (!v->dst_host[0])
			abort();
		break;
	case VNL_NULL:
		break;
	case VNL_VHOST:
		if (!v->path[0])
			abort();
		break;
	case VNL_TAP:
		if (!v->path[0] || strlen(v->path) > VNL_IFNAMEMAX || strchr(v->path, '/'))
			abort();
		break;
	case VNL_VXLAN:
	case VNL_VXVDE:
		if (v->vx.naddr < 1 || v->vx.naddr > VNL_MAXREMOTES || v->vx.vni > 0xffffff ||
		    v->vx.port < 1 || v->vx.port > 65535 ||
		    (v->vx.family != AF_INET && v->vx.family != AF_INET6))
			abort();
		for (i = 0; i < (int)v->vx.naddr; i++)
			check_str(v->vx.addr[i], sizeof(v->vx.addr[i]));
		check_str(v->vx.local, sizeof(v->vx.local));
		check_str(v->vx.ifname, sizeof(v->vx.ifname));
		if (v->kind == VNL_VXVDE && (v->vx.naddr != 1 || !v->vx.multicast))
			abort();
		break;
	case VNL_CMD:
		if (!v->argv[0])
			abort();
		for (i = 0; v->argv[i]; i++) {
			if (i >= VNL_MAXARGS)
				abort();
			if (!v->use_shell && (v->argv[i] < v->cmdbuf ||
					      v->argv[i] >= v->cmdbuf + sizeof(v->cmdbuf)))
				abort();
		}
		if (v->use_shell && (i != 3 || v->argv[2] != v->cmdbuf))
			abort();
		break;
	default:
		abort();
	}
}

static void compare(const struct vnl *x, const struct vnl *y)
{
	int i;

	if (x->kind != y->kind || strcmp(x->path, y->path) || x->has_port != y->has_port ||
	    x->port != y->port || x->ptp_server != y->ptp_server ||
	    strcmp(x->portgroup, y->portgroup) || strcmp(x->group, y->group) ||
	    x->has_mode != y->has_mode || x->mode != y->mode ||
	    strcmp(x->src_host, y->src_host) || strcmp(x->src_port, y->src_port) ||
	    strcmp(x->dst_host, y->dst_host) || strcmp(x->dst_port, y->dst_port) ||
	    x->use_shell != y->use_shell || memcmp(&x->vx, &y->vx, sizeof(x->vx)))
		abort();
	if (x->kind != VNL_CMD)
		return;
	for (i = 0; x->argv[i] || y->argv[i]; i++)
		if (!x->argv[i] || !y->argv[i] || strcmp(x->argv[i], y->argv[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t req[VDE_REQ_MAXLEN];
	char descr[VDE_REQ_DESCRMAX], path[108];
	size_t len = size < sizeof(str) - 1 ? size : sizeof(str) - 1, n, dl;
	int ra, rb;

	memcpy(str, data, len);
	str[len] = '\0';
	ra = vnl_parse(str, &a);
	rb = vnl_parse(str, &b);
	if (ra != rb)
		abort();
	if (ra == 0) {
		check_vnl(&a);
		compare(&a, &b);
	} else if (ra != -EINVAL && ra != -EPROTONOSUPPORT && ra != -ENAMETOOLONG &&
		   ra != -E2BIG) {
		abort();
	}

	dl = vnl_describe(descr, sizeof(descr), str, "user", 12345, str);
	if (dl != strlen(descr) || dl > VDE_REQ_DESCRMAX - 1)
		abort();
	n = vnl_request(req, VDE_REQ_NEW_CONTROL, (unsigned int)size & VNL_PORTMAX, str, descr);
	if (strlen(str) < 108) {
		uint32_t magic, type;

		if (n != VDE_REQ_HDRLEN + dl)
			abort();
		memcpy(&magic, req, 4);
		memcpy(&type, req + 8, 4);
		if (magic != VDE_REQ_MAGIC || type != ((unsigned int)size & VNL_PORTMAX) << 8 ||
		    memcmp(req + VDE_REQ_HDRLEN, descr, dl))
			abort();
	} else if (n != 0) {
		abort();
	}
	if (vnl_reply(data, size, path) == 0 &&
	    (size != VDE_SUN_LEN || strnlen(path, sizeof(path)) >= sizeof(path) || !path[0]))
		abort();
	return 0;
}
