/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/refsum.h - the tests' reference Internet checksum (RFC 1071),
 * byte pair by byte pair, written apart from lib's vnet_csum() so that it
 * can judge it (test_vnet, test_slirp, tests/vhost_front) */
#ifndef VDEKIT_TESTS_REFSUM_H
#define VDEKIT_TESTS_REFSUM_H

#include <stddef.h>
#include <stdint.h>

/* the one's complement sum of @n bytes at @p (big-endian pairs, an odd
 * last byte padded with zero) added to @s, folded to 16 bits, not
 * inverted */
static inline uint16_t ref_sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif
