// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/fuzz/standalone_main.c - replay a fuzz corpus without libFuzzer
 *
 * Linked into every harness when not building with --enable-fuzzing, so
 * `make check` replays each seed and each kept crash with gcc too. With file
 * or directory arguments it replays those; with none it replays
 * $top_srcdir/tests/fuzz/corpus/<name>/ and tests/fuzz/regressions/<name>/,
 * where <name> is the program name without the "fuzz_" prefix.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = -1;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	replayed++;
	ret = 0;
out:
	free(buf);
	fclose(f);
	return ret;
}

static int replay(const char *path, int must_exist)
{
	struct stat st;
	struct dirent **names;
	int n, i, ret = 0;

	if (stat(path, &st)) {
		if (!must_exist && errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char sub[4096];

		if (names[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name) < (int)sizeof(sub) &&
		    replay(sub, 1))
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	const char *name = strrchr(argv[0], '/');
	char path[4096];
	int i, ret = 0;

	name = name ? name + 1 : argv[0];
	if (!strncmp(name, "lt-", 3))
		name += 3;
	if (!strncmp(name, "fuzz_", 5))
		name += 5;
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			ret |= replay(argv[i], 1);
	} else {
		snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
		ret |= replay(path, 1);
		snprintf(path, sizeof(path), "%s/tests/fuzz/regressions/%s", top ? top : ".", name);
		ret |= replay(path, 0);
	}
	printf("%s: replayed %d inputs\n", name, replayed);
	return ret || !replayed;
}
