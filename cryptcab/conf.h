/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cryptcab/conf.h - vde_cryptcab keys and configuration: base64 keys, key
 * files with permission checks, PSK-mode static keys, config file lines */
#ifndef VDEKIT_CABLE_CONF_H
#define VDEKIT_CABLE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_KEYLEN		32
#define CONF_B64LEN		44	/* base64 of 32 bytes, with padding */
#define CONF_MAX_PEERS		64
#define CONF_PATH_MAX		1024
#define CONF_HOST_MAX		256
#define CABLE_DEFAULT_PORT	7667

struct conf_peer {
	uint8_t pub[CONF_KEYLEN];
	char endpoint[CONF_HOST_MAX + 8];	/* "" = none */
	char psk_file[CONF_PATH_MAX];		/* "" = none */
	unsigned keepalive;			/* seconds, 0 = off */
};

struct conf {
	char private_key[CONF_PATH_MAX];
	char name[128];
	unsigned listen_port;			/* 0 = unset */
	struct conf_peer peers[CONF_MAX_PEERS];
	size_t npeers;
};

int key_from_base64(uint8_t out[CONF_KEYLEN], const char *s, size_t len);
void key_to_base64(char out[CONF_B64LEN + 1], const uint8_t key[CONF_KEYLEN]);
int key_file_read(const char *path, uint8_t *out, char *err, size_t errlen);
int key_file_check(int fd, const char *path, char *err, size_t errlen);
void key_psk_static(uint8_t priv[CONF_KEYLEN], const uint8_t psk[CONF_KEYLEN], bool client);

int conf_parse_line(struct conf *cf, const char *line, size_t len, char *err, size_t errlen);
int conf_split_hostport(const char *s, char *host, size_t hostlen, char *port, size_t portlen);

#endif
