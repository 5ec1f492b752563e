/* The command table: adding a command is adding its row here. */
#include "cli.h"

#include "cmd.h"

const struct cli_command *const cli_commands[] = {
	&cmd_cluster_create,
	&cmd_cluster_list,
	&cmd_cluster_update,
	&cmd_cluster_delete,
	&cmd_host_add,
	&cmd_host_list,
	&cmd_host_reconnect,
	&cmd_host_update,
	&cmd_host_delete,
	&cmd_template_register,
	&cmd_template_list,
	&cmd_template_delete,
	&cmd_offering_create,
	&cmd_offering_list,
	&cmd_offering_delete,
	&cmd_vm_deploy,
	&cmd_vm_list,
	&cmd_vm_start,
	&cmd_vm_stop,
	&cmd_vm_reboot,
	&cmd_vm_migrate,
	&cmd_vm_update,
	&cmd_vm_destroy,
	&cmd_event_list,
	&cmd_alert_list,
	NULL,
};
