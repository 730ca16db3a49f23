// SPDX-License-Identifier: GPL-2.0-or-later
/* switch/swdir.c - the switch directory: DIR holds DIR/ctl (ctlserver.c)
 * and one data socket DIR/NNN.FD per client endpoint (ep_dgram.c)
 *
 * The directory is made with the -dirmode/-g permissions when it does not
 * exist, and its path made absolute (the switch may chdir when it becomes
 * a daemon). Its path must leave room for the data socket names. At exit
 * it is removed when it is empty and this switch made DIR/ctl: a directory
 * shared with other files stays. Only DIR itself is made, never a missing
 * parent (its owner and mode are the administrator's to choose): the error
 * then names the parent and how to create it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "switch.h"
#include "swdir.h"

/* Say why DIR could not be made, and when its parent is missing, what to
 * do: the switch makes only DIR itself, never its parents (their owner and
 * mode are the administrator's choice, /run/vde shared by a group say). */
static void swdir_mkdir_error(const char *dir, gid_t group, int err)
{
	char *parent = strdup(dir);
	char *slash = parent ? strrchr(parent, '/') : NULL;
	struct group *gr = group != (gid_t)-1 ? getgrgid(group) : NULL;
	char how[64] = "-m 0755";
	struct stat st;

	if (slash && slash != parent)
		*slash = '\0';
	else
		slash = NULL;		/* "x" or "/x": the parent exists */
	/* with -g, the parent is usually shared by that group too */
	if (gr)
		snprintf(how, sizeof(how), "-m 0775 -g %s", gr->gr_name);
	else if (group != (gid_t)-1)
		snprintf(how, sizeof(how), "-m 0775 -g %u", (unsigned)group);
	if (err == ENOENT && slash && parent[0] && stat(parent, &st) < 0 && errno == ENOENT)
		log_err("Could not create the VDE ctl directory %s: its parent directory %s "
			"does not exist (vde_switch creates only the last component): create it "
			"first, e.g. `install -d %s %s`, or with systemd's "
			"RuntimeDirectory=", dir, parent, how, parent);
	else
		log_err("Could not create the VDE ctl directory %s: %s", dir, strerror(err));
	free(parent);
}

/**
 * swdir_init() - see swdir.h
 */
int swdir_init(struct sw *sw)
{
	bool made_dir = false;
	char *abs = NULL;
	int n, ret = -1;

	if (mkdir(sw->ctl_dir, 0777) == 0) {
		made_dir = true;
		/* as VDE 2: a directory made but not given its owner stays */
		if (sw->group != (gid_t)-1 && chown(sw->ctl_dir, (uid_t)-1, sw->group) < 0) {
			log_err("chown %s: %s", sw->ctl_dir, strerror(errno));
			goto out;
		}
		if (chmod(sw->ctl_dir, sw->dirmode) < 0) {
			log_err("chmod %s: %s", sw->ctl_dir, strerror(errno));
			goto out;
		}
	} else if (errno != EEXIST) {
		swdir_mkdir_error(sw->ctl_dir, sw->group, errno);
		goto out;
	}
	abs = realpath(sw->ctl_dir, NULL);
	if (!abs) {
		log_err("%s: %s", sw->ctl_dir, strerror(errno));
		goto out;
	}
	n = snprintf(sw->ctl_path, sizeof(sw->ctl_path), "%s/ctl", abs);
	/* leave room for the data socket names DIR/nnn.fd */
	if (n < 0 || (size_t)n + 12 >= sizeof(sw->ctl_path)) {
		/* do not leave behind the directory we just made */
		if (made_dir)
			rmdir(abs);
		log_err("ctl directory path too long (at most %zu bytes): %s",
			sizeof(sw->ctl_path) - 17, abs);
		goto out;
	}
	sw->ctl_dir = abs;
	sw->dir_abs = true;
	abs = NULL;
	ret = 0;
out:
	free(abs);
	return ret;
}

/**
 * swdir_remove_stale() - a switch that died (kill -9) left its data
 * sockets NNN.FD behind: with no switch on DIR/ctl they are all stale.
 * Remove them, or the directory could never be removed at exit.
 */
void swdir_remove_stale(struct sw *sw)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(sw->ctl_dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		size_t dot = strspn(n, "0123456789");

		if (dot != 3 || n[3] != '.' || !n[4] || strspn(n + 4, "0123456789") != strlen(n + 4))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", sw->ctl_dir, n) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) == 0)
			log_debug("removed stale data socket %s", path);
	}
	closedir(d);
	/* and DIR/.fastpath (ep_ring.c), which a switch without rings keeps */
	if (snprintf(path, sizeof(path), "%s/.fastpath", sw->ctl_dir) < (int)sizeof(path) &&
	    lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
}

/**
 * swdir_cleanup() - see swdir.h
 */
void swdir_cleanup(struct sw *sw)
{
	if (sw->ctl_created && rmdir(sw->ctl_dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
		log_debug("rmdir %s: %s", sw->ctl_dir, strerror(errno));
	if (sw->dir_abs)
		free(sw->ctl_dir);
	sw->dir_abs = false;
	sw->ctl_dir = NULL;
}
