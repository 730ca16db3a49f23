/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvdeplug.h - the VDE client library (placeholder; lib helper writes the real one) */
#ifndef _LIBVDEPLUG_H
#define _LIBVDEPLUG_H
#define LIBVDEPLUG_INTERFACE_VERSION 1
#endif
