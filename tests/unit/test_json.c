// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/test_json.c - the JSON writer's exact bytes
 *
 * Escapes (quotes, backslashes, every control byte, DEL), well-formed UTF-8
 * kept as it is, each kind of ill-formed UTF-8 replaced by one U+FFFD per
 * maximal invalid subpart, numbers (u64 max, i64 min, doubles shortest,
 * NaN/Inf as null), commas and keys, and misuse reported by json_end()
 * without invalid output.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static char *str_of(const char *s, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	json_write_string(f, s, n);
	fclose(f);
	return out;
}

static void check_str(const char *in, size_t n, const char *want, const char *what)
{
	char *got = str_of(in, n);

	ok(strcmp(got, want) == 0, "string %s: got %s want %s", what, got, want);
	free(got);
}

static void test_strings(void)
{
	char all[32];
	char *got;
	int i;

	check_str("", 0, "\"\"", "empty");
	check_str("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"", "quote, backslash, slash kept");
	check_str("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"", "short escapes");
	check_str("x\0y", 3, "\"x\\u0000y\"", "NUL inside");
	check_str("\x1f\x7f", 2, "\"\\u001f\\u007f\"", "0x1f and DEL");
	for (i = 0; i < 32; i++)
		all[i] = (char)i;
	got = str_of(all, 32);
	ok(!strpbrk(got + 1, "\x01\x02\x03\x1b\x1f") && strlen(got) > 32 * 2,
	   "every control byte escaped: %s", got);
	free(got);
	check_str("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "valid 2-, 3-, 4-byte UTF-8 kept");
	check_str("\x80", 1, "\"\\ufffd\"", "stray continuation byte");
	check_str("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"", "overlong 2-byte (C0 is never valid)");
	check_str("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"", "overlong 3-byte");
	check_str("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"", "surrogate D800");
	check_str("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "above U+10FFFF");
	check_str("\xe2\x82", 2, "\"\\ufffd\"", "truncated 3-byte at the end: one U+FFFD");
	check_str("\xe2\x82x", 3, "\"\\ufffdx\"", "truncated 3-byte then ASCII");
	check_str("\xf0\x9f\x98", 3, "\"\\ufffd\"", "truncated 4-byte");
	check_str("\xff\xfe", 2, "\"\\ufffd\\ufffd\"", "FF FE");
	check_str("a\xc3", 2, "\"a\\ufffd\"", "lead byte at the end");
}

static char *doc(void (*build)(struct json *), int *end_rc)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct json j;

	json_init(&j, f);
	build(&j);
	*end_rc = json_end(&j);
	fclose(f);
	return out;
}

static void build_full(struct json *j)
{
	json_obj(j, NULL);
	json_u64(j, "u", UINT64_MAX);
	json_i64(j, "i", INT64_MIN);
	json_dbl(j, "d", 0.1);
	json_dbl(j, "e", 1e300);
	json_dbl(j, "nan", NAN);
	json_dbl(j, "inf", -INFINITY);
	json_bool(j, "t", true);
	json_null(j, "n");
	json_str(j, "s", NULL);
	json_arr(j, "a");
	json_u64(j, NULL, 1);
	json_obj(j, NULL);
	json_obj_end(j);
	json_arr(j, NULL);
	json_arr_end(j);
	json_arr_end(j);
	json_str(j, "k\"ey", "v");
	json_obj_end(j);
}

static void build_missing_key(struct json *j)
{
	json_obj(j, NULL);
	json_u64(j, NULL, 1);		/* a member without a key */
	json_obj_end(j);
}

static void build_key_in_array(struct json *j)
{
	json_arr(j, NULL);
	json_u64(j, "k", 1);
	json_arr_end(j);
}

static void build_unclosed(struct json *j)
{
	json_obj(j, NULL);
	json_arr(j, "a");
}

static void build_two_docs(struct json *j)
{
	json_obj(j, NULL);
	json_obj_end(j);
	json_u64(j, NULL, 2);
}

static void build_mismatch(struct json *j)
{
	json_obj(j, NULL);
	json_arr_end(j);
}

static void build_deep(struct json *j)
{
	int i;

	for (i = 0; i < JSON_DEPTH_MAX + 1; i++)
		json_arr(j, NULL);
}

static void build_empty(struct json *j)
{
	(void)j;
}

static void test_documents(void)
{
	int rc;
	char *got = doc(build_full, &rc);

	ok(rc == 0 && strcmp(got, "{\"u\":18446744073709551615,\"i\":-9223372036854775808,"
			     "\"d\":0.1,\"e\":1e+300,\"nan\":null,\"inf\":null,\"t\":true,"
			     "\"n\":null,\"s\":null,\"a\":[1,{},[]],\"k\\\"ey\":\"v\"}") == 0,
	   "document bytes: %s", got);
	free(got);
	got = doc(build_missing_key, &rc);
	ok(rc < 0 && strcmp(got, "{") == 0, "member without key: error, nothing more written (%s)", got);
	free(got);
	got = doc(build_key_in_array, &rc);
	ok(rc < 0 && strcmp(got, "[") == 0, "key in an array: error (%s)", got);
	free(got);
	got = doc(build_unclosed, &rc);
	ok(rc < 0, "unclosed containers: error");
	free(got);
	got = doc(build_two_docs, &rc);
	ok(rc < 0 && strcmp(got, "{}") == 0, "second top-level value: error, not written");
	free(got);
	got = doc(build_mismatch, &rc);
	ok(rc < 0 && strcmp(got, "{") == 0, "closing an array in an object: error");
	free(got);
	got = doc(build_deep, &rc);
	ok(rc < 0 && strlen(got) == JSON_DEPTH_MAX, "depth limit: error at %d levels",
	   JSON_DEPTH_MAX);
	free(got);
	got = doc(build_empty, &rc);
	ok(rc < 0 && strcmp(got, "") == 0, "no value: error");
	free(got);
}

int main(void)
{
	test_strings();
	test_documents();
	return tap_done();
}
