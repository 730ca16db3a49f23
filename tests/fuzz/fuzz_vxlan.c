// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_vxlan.c - VXLAN decapsulation and the VTEP table
 *
 * The input is a received UDP payload: vxlan_check() must classify it
 * exactly as an independent reading of RFC 7348 does (the oracle below),
 * and only a packet classed OK may reach the table. Then learning/lookup
 * run with a clock advanced by the input: a looked-up entry is always one
 * that was learnt, for a unicast MAC, within expire. vxlan_flow_hash()
 * reads the inner frame whatever its length (ASan checks the bounds).
 * udpgso_run() (lib/common/udpgso.c, as the switch's VTEP and
 * vde_cryptcab call it) over lengths and keys taken from the input keeps
 * its bounds and makes the longest run that may share a GSO datagram.
 * The same bytes, 3 at a time, are also a program on a small table of
 * its own (learn / look up / forget, the clock moving on) checked against
 * a model: a lookup finds only the VTEP last learnt for that MAC, fresh,
 * not forgotten since, and always finds it while nothing was evicted since
 * it was learnt (so eviction picks only what it may).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "udpgso.h"
#include "vxlan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vxlan_table t;
static uint64_t clock_s;	/* monotonic across inputs, as the real clock */

static enum vxlan_rx oracle(const uint8_t *p, size_t n, uint32_t vni)
{
	if (n < 8)
		return VXLAN_RX_SHORT;
	if (p[0] != 0x08 || p[1] || p[2] || p[3] || p[7])
		return VXLAN_RX_FLAGS;
	if (((uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 | p[6]) != vni)
		return VXLAN_RX_VNI;
	if (n == 8)
		return VXLAN_RX_EMPTY;
	return n < 8 + 14 ? VXLAN_RX_RUNT : VXLAN_RX_OK;
}

/* the input as frame lengths and keys (3 bytes a frame); bit 7 of the
 * first byte: whole datagrams (no header, as vde_cryptcab calls it). The
 * run must be one that may share a GSO datagram, and no longer one may. */
static void gso_check(const uint8_t *data, size_t size)
{
	struct iovec iov[64];
	uint32_t len[64], key[64];
	size_t n = 0, r, i, bytes, max_segs, max_bytes, hdr;

	if (size < 2)
		return;
	max_segs = 1 + data[0] % 64;
	hdr = data[0] & 0x80 ? 0 : 8;
	max_bytes = (size_t)data[1] * 300;
	for (i = 2; i + 3 <= size && n < 64; i += 3, n++) {
		len[n] = (uint32_t)(data[i] << 8 | data[i + 1]);
		iov[n] = (struct iovec){ NULL, len[n] };
		key[n] = data[i + 2] & 3;
	}
	r = udpgso_run(iov, hdr, key, n, max_segs, max_bytes);
	if ((n == 0) != (r == 0) || r > n || (r > 1 && r > max_segs))
		abort();
	bytes = 0;
	for (i = 0; i < r; i++) {
		bytes += len[i] + hdr;
		if (key[i] != key[0] || len[i] > len[0] || (i + 1 < r && len[i] != len[0]))
			abort();
	}
	if (r > 1 && bytes > max_bytes)
		abort();
	/* the next one could not have joined */
	if (r && r < n && r < max_segs && key[r] == key[0] && len[r] <= len[0] &&
	    len[r - 1] == len[0] && bytes + len[r] + hdr <= max_bytes)
		abort();
}

/* [op: bits 0-1 learn/lookup/forget, bit 2 multicast MAC, bits 3-7 clock
 * step] [MAC's last byte] [VTEP's last address byte]; 256 MACs, 16 entries */
static void table_check(const uint8_t *data, size_t size)
{
	static struct model {
		bool known;
		uint8_t ip;
		uint64_t seen, evicted;	/* when learnt, t.evicted then */
	} m[256];
	struct vxlan_table tt;
	struct vxlan_addr from = { .family = AF_INET, .port = 4789 };
	const struct vxlan_addr *got;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint64_t now = 100;
	size_t i, k;

	if (vxlan_table_init(&tt, 16, 10))
		abort();
	memset(m, 0, sizeof(m));
	for (i = 0; i + 3 <= size; i += 3) {
		uint8_t op = data[i], b = data[i + 1], ip = data[i + 2];

		now += op >> 3;
		mac[0] = op & 4 ? 0x03 : 0x02;
		mac[5] = b;
		from.ip[3] = ip;
		switch (op & 3) {
		case 0:
			vxlan_learn(&tt, mac, &from, now);
			if (!(op & 4))
				m[b] = (struct model){ true, ip, now, tt.evicted };
			break;
		case 1:
		case 3:
			got = vxlan_lookup(&tt, mac, now);
			if (got && ((op & 4) || !m[b].known || got->ip[3] != m[b].ip ||
				    got->family != AF_INET || now - m[b].seen > 10))
				abort();	/* a VTEP the model does not have */
			if (!got && !(op & 4) && m[b].known && now - m[b].seen <= 10 &&
			    tt.evicted == m[b].evicted)
				abort();	/* lost without an eviction */
			break;
		case 2:
			vxlan_forget(&tt, &from);
			for (k = 0; k < 256; k++)
				if (m[k].ip == ip)
					m[k].known = false;
			break;
		}
	}
	vxlan_table_free(&tt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint32_t vni = 0x000102;
	struct vxlan_addr from = { .family = AF_INET };
	const struct vxlan_addr *got;
	enum vxlan_rx r;
	uint64_t now;

	if (!t.e && vxlan_table_init(&t, 16, 10))
		abort();
	gso_check(data, size);
	table_check(data, size);
	r = vxlan_check(data, size, vni);
	if (r != oracle(data, size, vni))
		abort();
	(void)vxlan_flow_hash(data, size);
	if (r != VXLAN_RX_OK)
		return 0;
	(void)vxlan_flow_hash(data + 8, size - 8);
	clock_s += data[8 + 13];	/* the ethertype's low byte advances the clock */
	now = clock_s;
	from.ip[3] = data[8 + 12];
	vxlan_learn(&t, data + 8 + 6, &from, now);
	got = vxlan_lookup(&t, data + 8 + 6, now);
	if (data[8 + 6] & 1) {
		if (got)
			abort();	/* multicast sources are never learnt */
	} else if (!got || !vxlan_addr_eq(got, &from)) {
		abort();
	}
	got = vxlan_lookup(&t, data + 8, now + 11);
	if (got)
		abort();	/* everything is older than expire by then */
	return 0;
}
