// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_cable_conf.c - vde_cryptcab keys and config lines
 *
 * base64 keys (exactly the canonical 44-character form), HOST:PORT
 * splitting, config statements and their errors, key-file permission
 * checks, and the PSK-mode role keys (distinct per role, deterministic).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../../cryptcab/conf.h"
#include "tap.h"

static int line(struct conf *cf, const char *s, char *err)
{
	return conf_parse_line(cf, s, strlen(s), err, 256);
}

int main(void)
{
	static struct conf cf;
	uint8_t k[32], k2[32], psk[32], a[32], b[32];
	char enc[45], err[256], host[256], port[8], path[] = "/tmp/test_cable_conf.XXXXXX";
	char buf[512];
	int fd;

	if (sodium_init() < 0)
		return 99;
	memset(k2, 0x5a, sizeof(k2));
	key_to_base64(enc, k2);
	ok(strlen(enc) == 44 && !key_from_base64(k, enc, 44) && !memcmp(k, k2, 32),
	   "base64 round trip: %s", enc);
	ok(key_from_base64(k, enc, 43) && key_from_base64(k, "AAAA", 4), "43 chars refused");
	snprintf(buf, sizeof(buf), "%sA", enc);
	ok(key_from_base64(k, buf, 45), "45 chars refused");
	strcpy(buf, enc);
	buf[42] = (char)(buf[42] == 'A' ? 'B' : 'A');
	ok(key_from_base64(k, buf, 44) != 0 || (key_to_base64(enc, k), !strcmp(enc, buf)),
	   "non-canonical last character refused");
	ok(key_from_base64(k, "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8=", 44),
	   "URL-safe alphabet refused");

	ok(!conf_split_hostport("127.0.0.1:7000", host, sizeof(host), port, sizeof(port)) &&
	   !strcmp(host, "127.0.0.1") && !strcmp(port, "7000"), "host:port");
	ok(!conf_split_hostport("[::1]:7001", host, sizeof(host), port, sizeof(port)) &&
	   !strcmp(host, "::1") && !strcmp(port, "7001"), "[v6]:port");
	ok(!conf_split_hostport("::1", host, sizeof(host), port, sizeof(port)) &&
	   !strcmp(host, "::1") && !strcmp(port, "7667"), "bare v6 gets the default port");
	ok(!conf_split_hostport("alpha", host, sizeof(host), port, sizeof(port)) &&
	   !strcmp(port, "7667"), "host alone gets 7667");
	ok(conf_split_hostport("h:0", host, sizeof(host), port, sizeof(port)) &&
	   conf_split_hostport("h:65536", host, sizeof(host), port, sizeof(port)) &&
	   conf_split_hostport("[::1", host, sizeof(host), port, sizeof(port)) &&
	   conf_split_hostport(":80", host, sizeof(host), port, sizeof(port)) &&
	   conf_split_hostport("h:x", host, sizeof(host), port, sizeof(port)),
	   "bad ports, unclosed bracket, empty host refused");

	memset(&cf, 0, sizeof(cf));
	ok(!line(&cf, "  # comment\n", err) && !line(&cf, "\r\n", err), "blank and comment lines");
	ok(!line(&cf, "private-key /k/priv\r\n", err) && !strcmp(cf.private_key, "/k/priv"),
	   "private-key with CRLF");
	snprintf(buf, sizeof(buf), "peer %s endpoint [::1]:9 psk-file /k/psk persistent-keepalive 25", enc);
	ok(!line(&cf, buf, err) && cf.npeers == 1 && !strcmp(cf.peers[0].endpoint, "[::1]:9") &&
	   !strcmp(cf.peers[0].psk_file, "/k/psk") && cf.peers[0].keepalive == 25, "peer line");
	ok(line(&cf, buf, err) && strstr(err, "listed twice"), "duplicate peer: %s", err);
	ok(line(&cf, "peer AAAA", err) && strstr(err, "44-character"), "bad key: %s", err);
	ok(line(&cf, "listen-port 0", err) && strstr(err, "too small"), "listen-port 0: %s", err);
	ok(line(&cf, "frobnicate 1", err) && strstr(err, "unknown keyword"), "unknown keyword");
	ok(conf_parse_line(&cf, "name a\0b", 8, err, sizeof(err)) && strstr(err, "NUL"), "embedded NUL");
	{
		static char longl[5000];

		memset(longl, 'x', sizeof(longl));
		ok(conf_parse_line(&cf, longl, sizeof(longl), err, sizeof(err)) &&
		   strstr(err, "too long"), "over-long line");
	}

	fd = mkstemp(path);
	key_to_base64(enc, k2);
	dprintf(fd, "%s\n", enc);
	fchmod(fd, 0600);
	ok(!key_file_read(path, k, err, sizeof(err)) && !memcmp(k, k2, 32), "key file 0600 read");
	fchmod(fd, 0640);
	ok(key_file_read(path, k, err, sizeof(err)) && strstr(err, "0640"), "0640 refused: %s", err);
	fchmod(fd, 0602);
	ok(key_file_read(path, k, err, sizeof(err)) != 0, "0602 refused");
	close(fd);
	unlink(path);

	memset(psk, 7, sizeof(psk));
	key_psk_static(a, psk, true);
	key_psk_static(b, psk, false);
	ok(memcmp(a, b, 32) != 0, "PSK mode: client and server static keys differ");
	key_psk_static(k, psk, true);
	ok(!memcmp(a, k, 32), "PSK mode: derivation is deterministic");
	return tap_done();
}
