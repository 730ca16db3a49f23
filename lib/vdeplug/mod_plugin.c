// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/vdeplug/mod_plugin.c - any other module: a vdeplug4 plugin via dlopen
 *
 * Theory of operation
 *
 * vdeplug4 implements each VNL module as a shared object
 * libvdeplug_<module>.so exporting "vdeplug_ops", a struct of a flags word
 * and six functions mirroring the public API. Debian ships them (tap,
 * vxvde, vxlan, switch, hub, multi, bonding, seqpacket, ...) in
 * /usr/lib/<triplet>/vdeplug/. When a VNL names a module that is not built
 * in, we load that plugin so programs keep working when this library
 * replaces vdeplug4's libvdeplug.so.2.
 *
 * Search order: only the directories of $VDEPLUGIN_PATH (':'-separated)
 * when it is set; otherwise <dir of this library>/vdeplug, that directory
 * itself, then /usr/local/lib/vdeplug, /usr/lib/<triplet>/vdeplug,
 * /usr/lib/vdeplug. The module name must be [a-z0-9_]{1,32}, so a VNL
 * cannot name a path. A missing plugin is EPROTONOSUPPORT.
 *
 * The plugin gets a writable copy of the address after "://" (plugins cut
 * it in place) and returns its own connection object, which starts with
 * {handle, module} as in vdeplug4; we fill those in, wrap the object and
 * forward every call. vde_close() calls the plugin's close, then dlclose().
 * RTLD_DEEPBIND is not used (it breaks ASan builds); plugins that call
 * back into libvdeplug (nested VNLs) reach this library.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mod.h"
#include "vdeplug4_mod.h"

#define PLUGIN_NAMEMAX	32

#if defined(__x86_64__) && defined(__ILP32__)
#define MULTIARCH "x86_64-linux-gnux32"
#elif defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define MULTIARCH "arm-linux-gnueabihf"
#elif defined(__riscv) && __riscv_xlen == 64
#define MULTIARCH "riscv64-linux-gnu"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define MULTIARCH "s390x-linux-gnu"
#endif

static const char *const sysdirs[] = {
	"/usr/local/lib/vdeplug",
#ifdef MULTIARCH
	"/usr/lib/" MULTIARCH "/vdeplug",
#endif
	"/usr/lib/vdeplug",
};

static bool valid_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > PLUGIN_NAMEMAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_'))
			return false;
	return true;
}

static void *try_dir(const char *dir, size_t dlen, const char *name)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%.*s/libvdeplug_%s.so", (int)dlen, dir, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void *find_plugin(const char *name)
{
	const char *env = getenv("VDEPLUGIN_PATH");
	Dl_info info;
	void *h = NULL;
	size_t i;

	if (env) {
		const char *p = env;

		while (!h && *p) {
			size_t len = strcspn(p, ":");

			if (len)
				h = try_dir(p, len, name);
			p += len;
			if (*p == ':')
				p++;
		}
		return h;
	}
	if (dladdr((void *)vde_open_real, &info) && info.dli_fname) {
		const char *slash = strrchr(info.dli_fname, '/');

		if (slash) {
			char dir[PATH_MAX];
			size_t dlen = (size_t)(slash - info.dli_fname);

			if ((size_t)snprintf(dir, sizeof(dir), "%.*s/vdeplug", (int)dlen,
					     info.dli_fname) < sizeof(dir))
				h = try_dir(dir, strlen(dir), name);
			if (!h)
				h = try_dir(info.dli_fname, dlen, name);
		}
	}
	for (i = 0; !h && i < sizeof(sysdirs) / sizeof(sysdirs[0]); i++)
		h = try_dir(sysdirs[i], strlen(sysdirs[i]), name);
	return h;
}

/**
 * vdeplug_plugin_open() - open @vnl with the vdeplug4 plugin it names
 * @conn:		connection to fill
 * @vnl:		the whole VNL ("module://address")
 * @descr:		port description, passed as is
 * @interface_version:	as given to vde_open_real()
 * @args:		legacy open args, passed as is
 *
 * Return: 0, or -EPROTONOSUPPORT (bad name, no plugin), or the plugin's
 * -errno.
 */
int vdeplug_plugin_open(VDECONN *conn, const char *vnl, char *descr,
			int interface_version, struct vde_open_args *args)
{
	const char *sep = vnl ? strstr(vnl, "://") : NULL;
	char name[PLUGIN_NAMEMAX + 1], *addr = NULL;
	struct vdeplug4_module *ops;
	struct vdeplug4_conn *pc;
	void *h = NULL;
	int ret;

	if (!sep || !valid_name(vnl, (size_t)(sep - vnl)))
		return -EPROTONOSUPPORT;
	memcpy(name, vnl, (size_t)(sep - vnl));
	name[sep - vnl] = '\0';
	h = find_plugin(name);
	if (!h)
		return -EPROTONOSUPPORT;
	ops = dlsym(h, "vdeplug_ops");
	if (!ops || !ops->vde_open_real || !ops->vde_recv || !ops->vde_send ||
	    !ops->vde_datafd || !ops->vde_ctlfd || !ops->vde_close) {
		ret = -EPROTONOSUPPORT;
		goto fail;
	}
	addr = strdup(sep + 3);
	if (!addr) {
		ret = -ENOMEM;
		goto fail;
	}
	errno = 0;
	pc = ops->vde_open_real(addr, descr, interface_version, args);
	if (!pc) {
		ret = errno ? -errno : -ECONNREFUSED;
		goto fail;
	}
	pc->handle = h;
	pc->module = ops;
	conn->u.plugin.handle = h;
	conn->u.plugin.ops = ops;
	conn->u.plugin.pconn = pc;
	conn->fddata = ops->vde_datafd(pc);
	conn->fdctl = ops->vde_ctlfd(pc);
	free(addr);
	return 0;
fail:
	free(addr);
	dlclose(h);
	return ret;
}

static ssize_t plugin_recv(VDECONN *conn, void *buf, size_t len)
{
	const struct vdeplug4_module *ops = conn->u.plugin.ops;

	return ops->vde_recv(conn->u.plugin.pconn, buf, len, 0);
}

static ssize_t plugin_send(VDECONN *conn, const void *buf, size_t len)
{
	const struct vdeplug4_module *ops = conn->u.plugin.ops;

	return ops->vde_send(conn->u.plugin.pconn, buf, len, 0);
}

static void plugin_close(VDECONN *conn)
{
	const struct vdeplug4_module *ops = conn->u.plugin.ops;

	ops->vde_close(conn->u.plugin.pconn);
	dlclose(conn->u.plugin.handle);
	conn->fddata = conn->fdctl = -1;
}

const struct vde_module vdeplug_mod_plugin = {
	.name = "plugin",
	.open = NULL,		/* opened by vdeplug_plugin_open() */
	.recv = plugin_recv,
	.send = plugin_send,
	.close = plugin_close,
};
