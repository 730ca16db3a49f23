/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wirefilter/wirefilter.h - state shared by wirefilter's shell and its console commands */
#ifndef VDEKIT_WIREFILTER_H
#define VDEKIT_WIREFILTER_H

#include <stdint.h>

#include "model.h"
#include "stream.h"

struct console;

#define WF_BANNER	"\nVDE wirefilter V.2.3.2\n(C) R.Davoli 2005,2006 - GPLv2"
#define WF_PROMPT	"VDEwf$ "
#define WF_DEBUG_MARKOV	0100	/* debug tag of Markov transitions */

struct wf_ctx {
	struct wf_model *m;
	struct console *con;
	int ndirs;			/* 1: stdin -> stdout only, 2: both ways */
	uint64_t seed;
	const char *blink_path;		/* NULL if no --blink */
	const char *blink_id;
	uint64_t tx_errors[WF_NDIRS];	/* output failures (peer full/gone) */
	/* the byte stream each direction is read from, NULL for a VNL: its
	 * resynchronisation (bytes skipped) and empty-record counters */
	const struct stream_rx *stream_in[WF_NDIRS];
	uint64_t (*now)(void *arg);	/* clock, ns */
	void (*changed)(void *arg);	/* a setting changed: re-plan timers */
	void *arg;			/* for now() and changed() */
};

int wf_commands_register(struct wf_ctx *w, struct console *c);
int wf_feature_by_option(const char *name);
int wf_apply(struct wf_ctx *w, enum wf_feature f, const char *value);

#endif
