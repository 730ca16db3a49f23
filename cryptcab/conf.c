// SPDX-License-Identifier: GPL-2.0-or-later
/* cryptcab/conf.c - keys and configuration of vde_cryptcab
 *
 * Keys are 32 bytes written as 44 characters of standard base64 with
 * padding (sodium_bin2base64 ORIGINAL variant, the `wg genkey` format). A
 * key file holds one key and an optional trailing newline. Key files are
 * opened with O_NOFOLLOW and refused unless they are regular files owned by
 * the effective user with no group or world permission bits; their bytes
 * are wiped after decoding. In PSK mode both ends derive two static keys
 * from the PSK, one per role (docs/cable.md, "Keys and modes"), so a reflected
 * initiation cannot complete.
 *
 * The config file (key mode) has one statement per line, '#' comments:
 *   private-key FILE
 *   name CABLE-NAME                 (mixed into the prologue)
 *   listen-port N
 *   peer PUBKEY [endpoint HOST:PORT] [psk-file FILE] [persistent-keepalive N]
 * The parser is pure (no file access) so it can be fuzzed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "parse.h"

#define LINE_MAX_	4096
#define MAX_TOKENS	16

__attribute__((format(printf, 3, 4)))
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/**
 * key_from_base64() - decode a 44-character base64 key
 * @out:	32-byte output (untouched on failure)
 * @s:		the characters (not necessarily NUL-terminated)
 * @len:	their number; must be exactly 44
 *
 * Return: 0, or -1 for anything but the canonical encoding of 32 bytes.
 */
int key_from_base64(uint8_t out[CONF_KEYLEN], const char *s, size_t len)
{
	char copy[CONF_B64LEN + 1], again[CONF_B64LEN + 1];
	uint8_t tmp[CONF_KEYLEN];
	const char *end = NULL;
	size_t binlen = 0;
	int ret = -1;

	if (len != CONF_B64LEN || memchr(s, 0, len))
		goto out;
	memcpy(copy, s, len);
	copy[len] = 0;
	if (sodium_base642bin(tmp, sizeof(tmp), copy, len, NULL, &binlen, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    binlen != CONF_KEYLEN || end != copy + len)
		goto out;
	key_to_base64(again, tmp);
	if (sodium_memcmp(again, copy, CONF_B64LEN))
		goto out;
	memcpy(out, tmp, CONF_KEYLEN);
	ret = 0;
out:
	sodium_memzero(copy, sizeof(copy));
	sodium_memzero(again, sizeof(again));
	sodium_memzero(tmp, sizeof(tmp));
	return ret;
}

/**
 * key_to_base64() - encode a key as 44 characters plus NUL
 * @out:	output buffer
 * @key:	32-byte key
 */
void key_to_base64(char out[CONF_B64LEN + 1], const uint8_t key[CONF_KEYLEN])
{
	sodium_bin2base64(out, CONF_B64LEN + 1, key, CONF_KEYLEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

/**
 * key_file_check() - refuse key files others could read or that are not ours
 * @fd:		open descriptor
 * @path:	for the message
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0 if the file is a regular file owned by the euid without
 * group/world permissions, else -1 with a message.
 */
int key_file_check(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		seterr(err, errlen, "%s: owned by uid %u, not by uid %u: refusing key file",
		       path, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & 077) {
		seterr(err, errlen,
		       "%s: permissions %04o allow group/world access: refusing key file (chmod 600 %s)",
		       path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/**
 * key_file_read() - read one base64 key from a protected file
 * @path:	file name
 * @out:	32-byte output, ideally in sodium_malloc() memory
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -1 with a message in @err.
 */
int key_file_read(const char *path, uint8_t *out, char *err, size_t errlen)
{
	char buf[128];
	ssize_t n;
	size_t len = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (key_file_check(fd, path, err, errlen))
		goto out;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
		       buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (key_from_base64(out, buf, len)) {
		seterr(err, errlen, "%s: not a key (expected 44 characters of base64)", path);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * key_psk_static() - PSK-mode static private key of a role
 * @priv:	output
 * @psk:	the pre-shared key
 * @client:	true for the client's key, false for the server's
 *
 * BLAKE2b-256(key = psk, "vdecab v1 client static" / "... server static").
 */
void key_psk_static(uint8_t priv[CONF_KEYLEN], const uint8_t psk[CONF_KEYLEN], bool client)
{
	const char *m = client ? "vdecab v1 client static" : "vdecab v1 server static";

	crypto_generichash(priv, CONF_KEYLEN, (const uint8_t *)m, strlen(m), psk, CONF_KEYLEN);
}

/**
 * conf_split_hostport() - split "host:port", "[v6]:port" or "host"
 * @s:		input
 * @host:	output host
 * @hostlen:	its size
 * @port:	output port (default 7667 when absent)
 * @portlen:	its size
 *
 * Return: 0, or -1 if malformed or too long.
 */
int conf_split_hostport(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *h = s, *p = NULL, *colon;
	size_t hl;
	const char *errstr;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
		else if (close[1])
			return -1;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL;	/* bare IPv6 address, no port */
		hl = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			p = colon + 1;
	}
	if (!hl || hl >= hostlen)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	if (p) {
		if (strlen(p) >= portlen)
			return -1;
		parse_num(p, 1, 65535, &errstr);
		if (errstr)
			return -1;
		strcpy(port, p);
	} else {
		if (portlen < 6)
			return -1;
		snprintf(port, portlen, "%d", CABLE_DEFAULT_PORT);
	}
	return 0;
}

static int copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (!n || n >= size)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int parse_peer(struct conf *cf, char **tok, size_t ntok, char *err, size_t errlen)
{
	struct conf_peer pe;
	const char *errstr;
	size_t i;
	int ret = -1;

	memset(&pe, 0, sizeof(pe));
	if (ntok < 2 || key_from_base64(pe.pub, tok[1], strlen(tok[1]))) {
		seterr(err, errlen, "peer: expected a 44-character base64 public key");
		goto out;
	}
	for (i = 2; i < ntok; i += 2) {
		const char *k = tok[i], *v = i + 1 < ntok ? tok[i + 1] : NULL;

		if (!v) {
			seterr(err, errlen, "peer: %s needs a value", k);
			goto out;
		}
		if (!strcmp(k, "endpoint")) {
			char host[CONF_HOST_MAX], port[8];

			if (conf_split_hostport(v, host, sizeof(host), port, sizeof(port)) ||
			    copy_str(pe.endpoint, sizeof(pe.endpoint), v)) {
				seterr(err, errlen, "peer: bad endpoint '%s' (HOST:PORT or [IPv6]:PORT)", v);
				goto out;
			}
		} else if (!strcmp(k, "psk-file")) {
			if (copy_str(pe.psk_file, sizeof(pe.psk_file), v)) {
				seterr(err, errlen, "peer: bad psk-file");
				goto out;
			}
		} else if (!strcmp(k, "persistent-keepalive")) {
			pe.keepalive = (unsigned)parse_num(v, 0, 65535, &errstr);
			if (errstr) {
				seterr(err, errlen, "peer: persistent-keepalive %s: %s", errstr, v);
				goto out;
			}
		} else {
			seterr(err, errlen, "peer: unknown option '%s'", k);
			goto out;
		}
	}
	for (i = 0; i < cf->npeers; i++)
		if (!memcmp(cf->peers[i].pub, pe.pub, CONF_KEYLEN)) {
			seterr(err, errlen, "peer: %s listed twice", tok[1]);
			goto out;
		}
	if (cf->npeers == CONF_MAX_PEERS) {
		seterr(err, errlen, "peer: more than %d peers", CONF_MAX_PEERS);
		goto out;
	}
	cf->peers[cf->npeers++] = pe;
	ret = 0;
out:
	return ret;
}

/**
 * conf_parse_line() - apply one config file line
 * @cf:		configuration being built
 * @line:	the line, with or without "\n" / "\r\n"
 * @len:	its length
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0 (also for blank and comment lines), or -1 with a message.
 */
int conf_parse_line(struct conf *cf, const char *line, size_t len, char *err, size_t errlen)
{
	char buf[LINE_MAX_ + 1], *tok[MAX_TOKENS], *save = NULL, *t;
	const char *errstr;
	size_t ntok = 0;
	int ret = -1;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > LINE_MAX_) {
		seterr(err, errlen, "line too long");
		goto out;
	}
	if (memchr(line, 0, len)) {
		seterr(err, errlen, "NUL byte in line");
		goto out;
	}
	memcpy(buf, line, len);
	buf[len] = 0;
	for (t = strtok_r(buf, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (t[0] == '#')
			break;
		if (ntok == MAX_TOKENS) {
			seterr(err, errlen, "too many words");
			goto out;
		}
		tok[ntok++] = t;
	}
	if (!ntok) {
		ret = 0;
		goto out;
	}
	if (!strcmp(tok[0], "peer")) {
		ret = parse_peer(cf, tok, ntok, err, errlen);
		goto out;
	}
	if (ntok != 2) {
		seterr(err, errlen, "%s: expected exactly one value", tok[0]);
		goto out;
	}
	if (!strcmp(tok[0], "private-key")) {
		if (copy_str(cf->private_key, sizeof(cf->private_key), tok[1])) {
			seterr(err, errlen, "private-key: path too long");
			goto out;
		}
	} else if (!strcmp(tok[0], "name")) {
		if (copy_str(cf->name, sizeof(cf->name), tok[1])) {
			seterr(err, errlen, "name: too long");
			goto out;
		}
	} else if (!strcmp(tok[0], "listen-port")) {
		cf->listen_port = (unsigned)parse_num(tok[1], 1, 65535, &errstr);
		if (errstr) {
			seterr(err, errlen, "listen-port %s: %s", errstr, tok[1]);
			goto out;
		}
	} else {
		seterr(err, errlen, "unknown keyword '%s'", tok[0]);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	return ret;
}
