/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/capture.h - capture ports: copies of forwarded frames for vdecapture
 *
 * A capture port is asked for with a type-2 request on the ctl socket
 * (capture/capreq.h, docs/capture.md section 3). It is not in the port
 * table: it never receives forwarded traffic, what its client sends is
 * dropped, and it takes no port number. Each copy goes out at once with a
 * 24-byte header (direction, port, VLAN, sequence number, time) by one
 * non-blocking sendmsg(); a full socket drops the copy (the sequence
 * number still advances, so the client counts it). No queue, no pause:
 * a slow capture never slows real traffic.
 */
#ifndef VDEKIT_SWITCH_CAPTURE_H
#define VDEKIT_SWITCH_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sw;
struct capture_port;

struct capture_set {
	struct capture_port *list;
	unsigned n;			/* capture ports open */
	uint64_t batch;			/* monotonic time of the batch ts_ns is for */
	uint64_t ts_ns;			/* CLOCK_REALTIME of that batch */
};

/* capture_is_request() - whether @buf is a capture request (type 2). */
bool capture_is_request(const uint8_t *buf, size_t len);

/**
 * capture_open() - grant a capture request: a capture endpoint (never
 * attached to a port) with its data socket DIR/cap.<fd>, and the reply
 * @sw:		switch
 * @ctl_fd:	the client's ctl stream (not watched by the loop); it becomes
 *		the capture port's on success (its ID), stays the caller's on error
 * @buf:	the request (capture_is_request() said yes)
 * @len:	its length
 * @why:	on error, the step that failed (for the log line)
 *
 * Return: 0, or -1 with errno (EINVAL malformed, EPERM port ACL, other
 * socket errors); the caller then refuses and closes @ctl_fd.
 */
int capture_open(struct sw *sw, int ctl_fd, const uint8_t *buf, size_t len, const char **why);

/* capture_rx() - inbound copies of @frame received on @port (before forwarding). */
void capture_rx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len);

/* capture_tx() - outbound copies of @frame sent to @port. */
void capture_tx(struct sw *sw, unsigned port, const uint8_t *frame, size_t len);

/* capture_commands_register() - port/capture on the console. 0 or -1. */
int capture_commands_register(struct sw *sw);

#endif
