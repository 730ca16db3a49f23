/* SPDX-License-Identifier: GPL-2.0-or-later */
/* switch/commands.h - the switch's console commands */
#ifndef VDEKIT_SWITCH_COMMANDS_H
#define VDEKIT_SWITCH_COMMANDS_H

struct sw;

/* sw_commands_register() - add the switch's commands and debug categories
 * (ds/, hash/, fstp/, port/, vlan/) to sw->con. 0 or -1. */
int sw_commands_register(struct sw *sw);

/* sw_json_register() - the JSON forms of the commands (cmdjson.c). 0 or -1. */
int sw_json_register(struct sw *sw);

#endif
