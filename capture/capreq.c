// SPDX-License-Identifier: GPL-2.0-or-later
/* capture/capreq.c - the capture-port request of the VDE ctl protocol (pure)
 *
 * Both ends of the exchange described in capreq.h and docs/capture.md:
 * the client encodes the request and parses the reply and the per-frame
 * headers, the switch decodes the request and encodes the reply and the
 * headers. Every length is checked before a field is read.
 */
#include "config.h"

#include "capreq.h"

#include <string.h>
#include <sys/socket.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* sockaddr_un: family AF_UNIX (host order, as every VDE peer writes it),
 * then the path. */
static int put_sun(uint8_t *p, const char *path)
{
	uint16_t fam = AF_UNIX;
	size_t n = strlen(path);

	if (n == 0 || n >= CAPREQ_SUN_LEN - 2)
		return -1;
	memset(p, 0, CAPREQ_SUN_LEN);
	memcpy(p, &fam, 2);
	memcpy(p + 2, path, n);
	return 0;
}

static int get_sun(const uint8_t *p, char *path)
{
	uint16_t fam;
	size_t n;

	memcpy(&fam, p, 2);
	if (fam != AF_UNIX)
		return -1;
	n = strnlen((const char *)p + 2, CAPREQ_SUN_LEN - 2);
	if (n == 0 || n == CAPREQ_SUN_LEN - 2 || p[2] != '/')
		return -1;
	memcpy(path, p + 2, n);
	path[n] = '\0';
	return 0;
}

size_t capreq_encode(const struct capreq *r, uint8_t buf[CAPREQ_MAXLEN])
{
	size_t dlen = r->descr ? strnlen(r->descr, CAPREQ_DESCR_MAX) : 0;

	if (r->port > CAPREQ_PORT_MAX || !r->sockpath || r->sockpath[0] != '/')
		return 0;
	if (r->vlan != CAPREQ_VLAN_ANY && r->vlan > CAPREQ_VLAN_MAX)
		return 0;
	memset(buf, 0, CAPREQ_MAXLEN);
	put32(buf, CAPREQ_MAGIC);
	put32(buf + 4, CAPREQ_VERSION);
	put32(buf + 8, CAPREQ_TYPE | (uint32_t)r->port << 8);
	if (put_sun(buf + 12, r->sockpath))
		return 0;
	put16(buf + CAPREQ_HDR, 1);
	put16(buf + CAPREQ_HDR + 2, (uint16_t)r->vlan);
	put32(buf + CAPREQ_HDR + 4, r->snaplen);
	memcpy(buf + CAPREQ_HDR + CAPREQ_BLOCK, r->descr ? r->descr : "", dlen);
	return CAPREQ_HDR + CAPREQ_BLOCK + dlen;
}

int capreq_decode(const uint8_t *buf, size_t len, struct capreq *r,
		  char path[CAPREQ_SUN_LEN - 1], char descr[CAPREQ_DESCR_MAX + 1])
{
	size_t i, dlen;
	uint32_t type;
	unsigned vlan;

	if (len < CAPREQ_HDR + CAPREQ_BLOCK || len > CAPREQ_MAXLEN)
		return -1;
	type = get32(buf + 8);
	if (get32(buf) != CAPREQ_MAGIC || get32(buf + 4) != CAPREQ_VERSION ||
	    (type & 0xff) != CAPREQ_TYPE)
		return -1;
	if (get16(buf + CAPREQ_HDR) != 1)
		return -1;
	vlan = get16(buf + CAPREQ_HDR + 2);
	if (vlan != CAPREQ_VLAN_ANY && vlan > CAPREQ_VLAN_MAX)
		return -1;
	if (get_sun(buf + 12, path))
		return -1;
	dlen = len - CAPREQ_HDR - CAPREQ_BLOCK;
	for (i = 0; i < dlen; i++) {
		uint8_t c = buf[CAPREQ_HDR + CAPREQ_BLOCK + i];

		if (!c)
			break;
		descr[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	descr[i] = '\0';
	r->port = type >> 8;
	r->vlan = vlan;
	r->snaplen = get32(buf + CAPREQ_HDR + 4);
	r->sockpath = path;
	r->descr = descr;
	return 0;
}

size_t capreply_encode(const char *path, uint8_t buf[CAPREPLY_LEN])
{
	if (!path || path[0] != '/' || put_sun(buf, path))
		return 0;
	put32(buf + CAPREQ_SUN_LEN, CAPREPLY_MAGIC);
	put16(buf + CAPREQ_SUN_LEN + 4, CAPHDR_VERSION);
	put16(buf + CAPREQ_SUN_LEN + 6, CAPHDR_LEN);
	return CAPREPLY_LEN;
}

int capreply_parse(const uint8_t *buf, size_t len, struct capreply *out)
{
	if (len != CAPREPLY_LEN || get_sun(buf, out->path))
		return -1;
	if (get32(buf + CAPREQ_SUN_LEN) != CAPREPLY_MAGIC)
		return -1;
	out->version = get16(buf + CAPREQ_SUN_LEN + 4);
	out->hdrlen = get16(buf + CAPREQ_SUN_LEN + 6);
	if (out->version != CAPHDR_VERSION || out->hdrlen < CAPHDR_LEN)
		return -1;
	return 0;
}

size_t caphdr_parse(const uint8_t *buf, size_t len, size_t hdrlen, struct caphdr *h)
{
	if (hdrlen < CAPHDR_LEN || len < hdrlen)
		return 0;
	if (buf[0] != CAPHDR_VERSION || (buf[1] != CAPHDR_IN && buf[1] != CAPHDR_OUT))
		return 0;
	h->dir = (enum caphdr_dir)buf[1];
	h->vlan = get16(buf + 2);
	h->port = get32(buf + 4);
	h->seq = get32(buf + 8);
	h->orig_len = get32(buf + 12);
	h->ts_ns = (uint64_t)get32(buf + 16) | (uint64_t)get32(buf + 20) << 32;
	if (len - hdrlen > h->orig_len)
		return 0;
	return hdrlen;
}

void caphdr_encode(const struct caphdr *h, uint8_t buf[CAPHDR_LEN])
{
	buf[0] = CAPHDR_VERSION;
	buf[1] = (uint8_t)h->dir;
	put16(buf + 2, (uint16_t)h->vlan);
	put32(buf + 4, h->port);
	put32(buf + 8, h->seq);
	put32(buf + 12, h->orig_len);
	put32(buf + 16, (uint32_t)h->ts_ns);
	put32(buf + 20, (uint32_t)(h->ts_ns >> 32));
}
