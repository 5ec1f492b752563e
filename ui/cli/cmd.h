/* Every command's table entry, defined in the cmd-*.c file of its area. */
#ifndef BOOTDECK_UI_CLI_CMD_H
#define BOOTDECK_UI_CLI_CMD_H

#include "cli.h"

#endif
