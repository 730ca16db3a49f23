// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_cable_conf.c - vde_cryptcab config lines, base64 keys, host:port
 *
 * The input is split into lines fed to conf_parse_line(); the whole input is
 * also tried as a base64 key and as HOST:PORT. Invariants (abort()): a
 * decoded key re-encodes to exactly the input (one canonical spelling per
 * key); the peer list stays bounded and free of duplicates; stored strings
 * are NUL-terminated and non-empty; every stored endpoint splits again; a
 * split host:port has a non-empty host and a port in 1..65535.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../cryptcab/conf.h"
#include "parse.h"

static struct conf cf;

static void check_conf(void)
{
	size_t i, j;

	if (cf.npeers > CONF_MAX_PEERS)
		abort();
	if (memchr(cf.private_key, 0, sizeof(cf.private_key)) == NULL ||
	    memchr(cf.name, 0, sizeof(cf.name)) == NULL)
		abort();
	for (i = 0; i < cf.npeers; i++) {
		struct conf_peer *p = &cf.peers[i];
		char host[CONF_HOST_MAX], port[8];

		if (!memchr(p->endpoint, 0, sizeof(p->endpoint)) ||
		    !memchr(p->psk_file, 0, sizeof(p->psk_file)) || p->keepalive > 65535)
			abort();
		if (p->endpoint[0] &&
		    conf_split_hostport(p->endpoint, host, sizeof(host), port, sizeof(port)))
			abort();
		for (j = 0; j < i; j++)
			if (!memcmp(cf.peers[j].pub, p->pub, CONF_KEYLEN))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	char err[256], host[CONF_HOST_MAX], port[8], enc[CONF_B64LEN + 1], *s;
	uint8_t key[CONF_KEYLEN];
	const char *errstr;
	size_t start = 0, i;

	if (!inited) {
		if (sodium_init() < 0)
			abort();
		inited = 1;
	}
	memset(&cf, 0, sizeof(cf));
	for (i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			err[0] = 0;
			if (conf_parse_line(&cf, (const char *)data + start, i - start, err,
					    sizeof(err)) && !err[0])
				abort();	/* every error has a message */
			check_conf();
			start = i + 1;
		}
	}
	if (!key_from_base64(key, (const char *)data, size)) {
		key_to_base64(enc, key);
		if (size != CONF_B64LEN || memcmp(enc, data, size))
			abort();
	}
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	if (!conf_split_hostport(s, host, sizeof(host), port, sizeof(port))) {
		if (!host[0] || strlen(host) >= sizeof(host))
			abort();
		parse_num(port, 1, 65535, &errstr);
		if (errstr)
			abort();
	}
	free(s);
	return 0;
}
