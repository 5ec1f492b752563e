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

/* cmd-host.c */
extern const struct cli_command cmd_host_add;
extern const struct cli_command cmd_host_list;
extern const struct cli_command cmd_host_reconnect;
extern const struct cli_command cmd_host_update;
extern const struct cli_command cmd_host_delete;

/* cmd-vm.c */
extern const struct cli_command cmd_vm_deploy;
extern const struct cli_command cmd_vm_list;
extern const struct cli_command cmd_vm_start;
extern const struct cli_command cmd_vm_stop;
extern const struct cli_command cmd_vm_reboot;
extern const struct cli_command cmd_vm_migrate;
extern const struct cli_command cmd_vm_update;
extern const struct cli_command cmd_vm_destroy;

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

/* {"success": true}, as CloudStack answers a delete. */
void cmd_success_write(struct reply *reply);

#endif
