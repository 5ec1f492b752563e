/* Virtual machines: deploy with a firmware choice, and the lifecycle. */
#include "cmd.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/store.h"
#include "backend/vmops.h"
#include "model/text.h"

/* A VM as listVirtualMachines shows it, with its placement trail. */
static void vm_write(struct reply *reply, const char *key, const struct vm *vm)
{
	reply_object_begin(reply, key);
	reply_string(reply, "id", vm->id);
	reply_string(reply, "name", vm->name);
	reply_string(reply, "displayname", vm->displayname);
	reply_string(reply, "state", vm_state_name(vm->state));
	if (vm->host_id[0]) {
		reply_string(reply, "hostid", vm->host_id);
		reply_string(reply, "hostname", vm->host_name);
		reply_string(reply, "clusterid", vm->cluster_id);
	}
	reply_string(reply, "templateid", vm->template_id);
	reply_string(reply, "serviceofferingid", vm->offering_id);
	reply_int(reply, "cpunumber", vm->cpunumber);
	reply_int(reply, "memory", vm->memory_mib);
	/* Always present, BIOS VMs included. */
	reply_string(reply, "boottype", boot_type_name(vm->boot.type));
	reply_string(reply, "bootmode", boot_mode_name(vm->boot.mode));
	reply_string(reply, "machine", vm->machine);
	reply_string(reply, "loader", vm->loader);
	reply_string(reply, "nvram", vm->nvram);
	reply_string(reply, "disk", vm->disk);
	reply_string(reply, "consolelog", vm->console_log);
	reply_time(reply, "created", vm->created);
	if (vm->placement) {
		/* Stored as JSON text; json-c reads it back. */
		json_object *placement = json_tokener_parse(vm->placement);

		if (placement)
			reply_json(reply, "placement", placement);
		json_object_put(placement);
	}
	reply_object_end(reply);
}

static int vm_response(const struct vm *vm, struct reply *reply)
{
	vm_write(reply, "virtualmachine", vm);
	return 0;
}

static int optional_bool(const struct kv_args *args, const char *key, bool fallback, bool *out,
			 struct bd_error *err)
{
	const char *text = kv_args_get(args, key);

	*out = fallback;
	return text ? text_parse_bool(key, text, out, err) : 0;
}

static int cmd_vm_deploy_exec(struct cli_ctx *ctx, const struct kv_args *args,
			      struct reply *reply, struct bd_error *err)
{
	struct deploy_request req = {
		.displayname = kv_args_get(args, "displayname"),
		.boottype = kv_args_get(args, "boottype"),
		.bootmode = kv_args_get(args, "bootmode"),
		.cluster_id = kv_args_get(args, "clusterid"),
		.host_id = kv_args_get(args, "hostid"),
	};
	struct vm vm = { 0 };
	int rc;

	if (!(req.name = cli_require(args, "name", err)) ||
	    !(req.template_id = cli_require(args, "templateid", err)) ||
	    !(req.offering_id = cli_require(args, "serviceofferingid", err)) ||
	    optional_bool(args, "startvm", true, &req.start, err) < 0)
		return -1;
	rc = vmops_deploy(ctx->store, &req, &vm, ctx->progress, ctx->progress_opaque, err);
	if (rc == 0)
		vm_response(&vm, reply);
	vm_clear(&vm);
	return rc;
}

/* A listing is written as the store walks the VMs, one in memory at a time. */
static int vm_list_begin(void *opaque, size_t count, struct bd_error *err)
{
	(void)err;
	reply_list_begin(opaque, "virtualmachine", count);
	return 0;
}

static int vm_list_one(void *opaque, struct vm *vm, struct bd_error *err)
{
	(void)err;
	vm_write(opaque, NULL, vm);
	return 0;
}

static int cmd_vm_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
			    struct reply *reply, struct bd_error *err)
{
	struct vm_filter filter = {
		.id = kv_args_get(args, "id"),
		.host_id = kv_args_get(args, "hostid"),
		.state = -1,
	};
	const char *state = kv_args_get(args, "state");
	const struct store_vm_walk walk = {
		.begin = vm_list_begin,
		.vm = vm_list_one,
		.opaque = reply,
	};

	if (state && (filter.state = enum_parse(&vm_state_table, "state", state, err)) < 0)
		return -1;
	if (filter.id) {
		struct vm one = { 0 };

		if (store_vm_get(ctx->store, filter.id, &one, err) < 0)
			return -1;
		vm_clear(&one);
	}
	if (filter.host_id) {
		struct host host = { 0 };

		if (store_host_get(ctx->store, filter.host_id, &host, err) < 0)
			return -1;
		host_clear(&host);
	}
	/* Recorded states are checked against the hypervisors first. */
	if (vmops_reconcile(ctx->store, filter.id, err) < 0)
		return -1;
	reply_stream(reply, ctx->out);
	if (store_vm_each(ctx->store, &filter, &walk, err) < 0)
		return -1;
	reply_list_end(reply);
	return 0;
}

/* Lifecycle commands share one shape: id= plus an optional flag. */
static int vm_lifecycle(struct cli_ctx *ctx, const struct kv_args *args, struct reply *reply,
			struct bd_error *err,
			int (*act)(struct cli_ctx *, const char *, const struct kv_args *,
				   struct vm *, struct bd_error *))
{
	const char *id = cli_require(args, "id", err);
	struct vm vm = { 0 };
	int rc;

	if (!id)
		return -1;
	/* Act on what the hypervisor really has, not on a stale record. */
	if (vmops_reconcile(ctx->store, id, err) < 0)
		return -1;
	rc = act(ctx, id, args, &vm, err);
	if (rc == 0)
		vm_response(&vm, reply);
	vm_clear(&vm);
	return rc;
}

static int act_start(struct cli_ctx *ctx, const char *id, const struct kv_args *args,
		     struct vm *vm, struct bd_error *err)
{
	(void)args;
	return vmops_start(ctx->store, id, vm, ctx->progress, ctx->progress_opaque, err);
}

static int act_stop(struct cli_ctx *ctx, const char *id, const struct kv_args *args,
		    struct vm *vm, struct bd_error *err)
{
	bool forced;

	if (optional_bool(args, "forced", false, &forced, err) < 0)
		return -1;
	return vmops_stop(ctx->store, id, forced, vm, err);
}

static int act_reboot(struct cli_ctx *ctx, const char *id, const struct kv_args *args,
		      struct vm *vm, struct bd_error *err)
{
	(void)args;
	return vmops_reboot(ctx->store, id, vm, err);
}

static int act_destroy(struct cli_ctx *ctx, const char *id, const struct kv_args *args,
		       struct vm *vm, struct bd_error *err)
{
	bool expunge;

	if (optional_bool(args, "expunge", false, &expunge, err) < 0)
		return -1;
	return vmops_destroy(ctx->store, id, expunge, vm, err);
}

static int act_migrate(struct cli_ctx *ctx, const char *id, const struct kv_args *args,
		       struct vm *vm, struct bd_error *err)
{
	const char *host = cli_require(args, "hostid", err);

	return host ? vmops_migrate(ctx->store, id, host, vm, err) : -1;
}

#define LIFECYCLE_EXEC(name, act)                                                      \
	static int name(struct cli_ctx *ctx, const struct kv_args *args,               \
			struct reply *reply, struct bd_error *err)                  \
	{                                                                              \
		return vm_lifecycle(ctx, args, reply, err, act);                    \
	}

LIFECYCLE_EXEC(cmd_vm_start_exec, act_start)
LIFECYCLE_EXEC(cmd_vm_stop_exec, act_stop)
LIFECYCLE_EXEC(cmd_vm_reboot_exec, act_reboot)
LIFECYCLE_EXEC(cmd_vm_destroy_exec, act_destroy)
LIFECYCLE_EXEC(cmd_vm_migrate_exec, act_migrate)

/* The firmware is chosen once, for the VM's whole life (design document:
 * "conversion of an instance's boot type is not allowed"). */
static int refuse_boot_change(const struct vm *vm, const struct kv_args *args,
			      struct bd_error *err)
{
	const char *type = kv_args_get(args, "boottype");
	const char *mode = kv_args_get(args, "bootmode");
	struct bd_error parse = { 0 };
	int wanted;

	if (type && ((wanted = enum_parse(&boot_type_table, "boottype", type, &parse)) < 0 ||
		     wanted != (int)vm->boot.type))
		return bd_error_set(err, BD_ERR_PARAM,
				    "boottype of VM '%s' cannot change: it was deployed %s and keeps "
				    "its firmware for its whole life",
				    vm->name, boot_type_name(vm->boot.type));
	if (mode && ((wanted = enum_parse(&boot_mode_table, "bootmode", mode, &parse)) < 0 ||
		     wanted != (int)vm->boot.mode))
		return bd_error_set(err, BD_ERR_PARAM,
				    "bootmode of VM '%s' cannot change: it was deployed %s %s and keeps "
				    "its boot mode for its whole life",
				    vm->name, boot_type_name(vm->boot.type),
				    boot_mode_name(vm->boot.mode));
	return 0;
}

static int cmd_vm_update_exec(struct cli_ctx *ctx, const struct kv_args *args,
			      struct reply *reply, struct bd_error *err)
{
	const char *id = cli_require(args, "id", err);
	const char *displayname = kv_args_get(args, "displayname");
	struct vm vm = { 0 };
	int rc = -1;

	if (!id || store_vm_get(ctx->store, id, &vm, err) < 0)
		return -1;
	if (refuse_boot_change(&vm, args, err) < 0)
		goto out;
	if (displayname) {
		size_t len;

		text_trim_span(displayname, &len);
		if (len == 0 || strlen(displayname) >= sizeof vm.displayname) {
			bd_error_set(err, BD_ERR_PARAM,
				     "invalid displayname: give 1 to %zu characters",
				     sizeof vm.displayname - 1);
			goto out;
		}
		for (const char *p = displayname; *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				bd_error_set(err, BD_ERR_PARAM,
					     "invalid displayname: control characters are not allowed");
				goto out;
			}
		}
		snprintf(vm.displayname, sizeof vm.displayname, "%s", displayname);
	}
	if (store_begin(ctx->store, err) < 0)
		goto out;
	if (store_vm_update(ctx->store, &vm, err) < 0) {
		store_rollback(ctx->store);
		goto out;
	}
	if (cmd_event_commit(ctx->store, "VM.UPDATE", "updated VM", vm.id, vm.name, err) < 0) {
		store_rollback(ctx->store);
		goto out;
	}
	rc = vm_response(&vm, reply);
out:
	vm_clear(&vm);
	return rc;
}

static const char *const vm_deploy_keys[] = {
	"name", "displayname", "templateid", "serviceofferingid", "boottype", "bootmode",
	"clusterid", "hostid", "startvm", NULL
};
static const char *const vm_list_keys[] = { "id", "hostid", "state", NULL };
static const char *const vm_id_keys[] = { "id", NULL };
static const char *const vm_stop_keys[] = { "id", "forced", NULL };
static const char *const vm_destroy_keys[] = { "id", "expunge", NULL };
static const char *const vm_migrate_keys[] = { "id", "hostid", NULL };
static const char *const vm_update_keys[] = { "id", "displayname", "boottype", "bootmode", NULL };

const struct cli_command cmd_vm_deploy = {
	.api = "deployVirtualMachine",
	.keys = vm_deploy_keys,
	.synopsis = "name= templateid= serviceofferingid= [boottype=BIOS|UEFI] [bootmode=LEGACY|SECURE] "
		    "[clusterid=] [hostid=] [startvm=true|false] [displayname=]",
	.help = "deploy a VM in the chosen firmware on a host that can boot it",
	.exec = cmd_vm_deploy_exec,
};

const struct cli_command cmd_vm_list = {
	.api = "listVirtualMachines",
	.keys = vm_list_keys,
	.synopsis = "[id=] [hostid=] [state=]",
	.help = "list VMs with their boot type and boot mode",
	.exec = cmd_vm_list_exec,
};

const struct cli_command cmd_vm_start = {
	.api = "startVirtualMachine",
	.keys = vm_id_keys,
	.synopsis = "id=",
	.help = "start a VM (planned again if it has no host)",
	.exec = cmd_vm_start_exec,
};

const struct cli_command cmd_vm_stop = {
	.api = "stopVirtualMachine",
	.keys = vm_stop_keys,
	.synopsis = "id= [forced=true]",
	.help = "shut a VM down (forced: power it off)",
	.exec = cmd_vm_stop_exec,
};

const struct cli_command cmd_vm_reboot = {
	.api = "rebootVirtualMachine",
	.keys = vm_id_keys,
	.synopsis = "id=",
	.help = "reboot a running VM",
	.exec = cmd_vm_reboot_exec,
};

const struct cli_command cmd_vm_destroy = {
	.api = "destroyVirtualMachine",
	.keys = vm_destroy_keys,
	.synopsis = "id= [expunge=true]",
	.help = "destroy a VM; expunge also removes its domain, NVRAM and disk",
	.exec = cmd_vm_destroy_exec,
};

const struct cli_command cmd_vm_migrate = {
	.api = "migrateVirtualMachine",
	.keys = vm_migrate_keys,
	.synopsis = "id= hostid=",
	.help = "move a BIOS VM to another host (UEFI VMs stay on their host)",
	.exec = cmd_vm_migrate_exec,
};

const struct cli_command cmd_vm_update = {
	.api = "updateVirtualMachine",
	.keys = vm_update_keys,
	.synopsis = "id= [displayname=]",
	.help = "rename a VM; its boot type and boot mode never change",
	.exec = cmd_vm_update_exec,
};
