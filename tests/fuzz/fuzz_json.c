// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/fuzz_json.c - fuzz the JSON writer: whatever the bytes, valid JSON
 *
 * Input: one mode byte, then data.
 *  mode even: the data is one string (quotes, backslashes, control bytes,
 *    invalid UTF-8); it is written as a string, as a key and inside an
 *    array. Oracles: the output parses (validator below); the decoded
 *    string is well-formed UTF-8; when the input was well-formed UTF-8 the
 *    decoded string is exactly the input; otherwise it holds U+FFFD.
 *  mode odd: the data is a program of writer calls (open/close object and
 *    array, string, u64, i64, double from raw bits (NaN, Inf), bool, null,
 *    each with or without a key), misuse included. Oracle: whenever
 *    json_end() reports success the output parses as exactly one value.
 *
 * The validator and the UTF-8 check (jsoncheck.c) are written independently of json.c
 * (code point decoding with explicit range checks, not a lead-byte table).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsoncheck.h"

/* --- harness ------------------------------------------------------------- */

static void string_mode(const uint8_t *d, size_t n)
{
	struct jc_parser ps = { 0 };
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	bool valid = jc_utf8_ok(d, n);

	if (!f)
		abort();
	json_write_string(f, (const char *)d, n);
	fclose(f);
	if (!jc_valid(&ps, out, olen))
		abort();		/* not JSON */
	if (!jc_utf8_ok(ps.dec, ps.dlen))
		abort();		/* decoded text is not UTF-8 */
	if (valid && (ps.dlen != n || (n && memcmp(ps.dec, d, n) != 0)))
		abort();		/* valid text did not round-trip */
	if (!valid && !(ps.dlen >= 3 && memmem(ps.dec, ps.dlen, "\xef\xbf\xbd", 3)))
		abort();		/* invalid bytes left no U+FFFD */
	free(out);
	free(ps.dec);
}

static void program_mode(const uint8_t *d, size_t n)
{
	struct jc_parser ps = { 0 };
	struct json j;
	char *out = NULL;
	size_t olen = 0, i = 0;
	FILE *f = open_memstream(&out, &olen);
	int ok;

	if (!f)
		abort();
	json_init(&j, f);
	while (i < n) {
		uint8_t op = d[i++];
		char key[32];
		const char *k = NULL;
		uint64_t v = 0;
		double dv;
		size_t l;

		if (op & 0x80) {	/* a key from the next bytes */
			l = i < n ? d[i++] % sizeof(key) : 0;
			if (l > n - i)
				l = n - i;
			memcpy(key, d + i, l);
			key[l] = '\0';	/* json keys are C strings */
			i += l;
			k = key;
		}
		switch (op & 0x0f) {
		case 0: json_obj(&j, k); break;
		case 1: json_obj_end(&j); break;
		case 2: json_arr(&j, k); break;
		case 3: json_arr_end(&j); break;
		case 4:
			l = i < n ? d[i++] : 0;
			if (l > n - i)
				l = n - i;
			json_strn(&j, k, (const char *)d + i, l);
			i += l;
			break;
		case 5: case 6: case 9:
			l = n - i < 8 ? n - i : 8;
			memcpy(&v, d + i, l);
			i += l;
			if ((op & 0x0f) == 5) {
				json_u64(&j, k, v);
			} else if ((op & 0x0f) == 9) {
				json_i64(&j, k, (int64_t)v);
			} else {
				memcpy(&dv, &v, sizeof(dv));
				json_dbl(&j, k, dv);
			}
			break;
		case 7: json_bool(&j, k, op & 0x10); break;
		case 8: json_null(&j, k); break;
		default: json_str(&j, k, NULL); break;
		}
	}
	ok = json_end(&j);
	fclose(f);
	if (ok == 0 && !jc_valid(&ps, out, olen))
		abort();		/* a document the writer called good is not JSON */
	free(out);
	free(ps.dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		program_mode(data + 1, size - 1);
	else
		string_mode(data + 1, size - 1);
	return 0;
}
