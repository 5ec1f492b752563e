/* Every command's table entry, defined in the cmd-*.c file of its area. */
#ifndef BOOTDECK_UI_CLI_CMD_H
#define BOOTDECK_UI_CLI_CMD_H

#include "cli.h"

struct store;

/* cmd-cluster.c */
extern const struct cli_command cmd_cluster_create;
extern const struct cli_command cmd_cluster_list;
extern const struct cli_command cmd_cluster_update;
extern const struct cli_command cmd_cluster_delete;

/* cmd-template.c */
extern const struct cli_command cmd_template_register;
extern const struct cli_command cmd_template_list;
extern const struct cli_command cmd_template_delete;

/* cmd-offering.c */
extern const struct cli_command cmd_offering_create;
extern const struct cli_command cmd_offering_list;
extern const struct cli_command cmd_offering_delete;

/* cmd-event.c */
extern const struct cli_command cmd_event_list;
extern const struct cli_command cmd_alert_list;

/* Records the INFO event "<what> '<name>'" about resource_id and commits the
 * transaction the caller began, so no change lands without its event. */
int cmd_event_commit(struct store *store, const char *type, const char *what,
		     const char *resource_id, const char *name, struct bd_error *err);

/* {"success": true}, as CloudStack answers a delete. Owned. */
json_object *cmd_success_response(void);

#endif
