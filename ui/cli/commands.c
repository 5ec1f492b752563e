/* The command table: adding a command is adding its row here. */
#include "cli.h"

#include "cmd.h"

const struct cli_command *const cli_commands[] = {
	NULL,
};
