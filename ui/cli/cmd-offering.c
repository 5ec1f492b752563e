/* Service offerings: the vCPU count and memory a VM is deployed with. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/store.h"
#include "model/text.h"

/* Bounds QEMU accepts for a q35 guest and a host could plausibly hold. */
#define OFFERING_CPU_MAX 288
#define OFFERING_MEMORY_MIN_MIB 32
#define OFFERING_MEMORY_MAX_MIB (16L * 1024 * 1024)

static void offering_write(struct reply *reply, const char *key,
			   const struct service_offering *offering)
{
	reply_object_begin(reply, key);
	reply_string(reply, "id", offering->id);
	reply_string(reply, "name", offering->name);
	reply_int(reply, "cpunumber", offering->cpunumber);
	reply_int(reply, "memory", offering->memory_mib);
	reply_time(reply, "created", offering->created);
	reply_object_end(reply);
}

static int cmd_offering_create_exec(struct cli_ctx *ctx, const struct kv_args *args,
				    struct reply *reply, struct bd_error *err)
{
	struct service_offering offering = { 0 };
	const char *name, *cpu_text, *memory_text;
	long cpus, memory;

	name = cli_require(args, "name", err);
	if (!name || name_check("name", name, err) < 0)
		return -1;
	cpu_text = cli_require(args, "cpunumber", err);
	if (!cpu_text || text_parse_long("cpunumber", cpu_text, 1, OFFERING_CPU_MAX, &cpus, err) < 0)
		return -1;
	memory_text = cli_require(args, "memory", err);
	if (!memory_text ||
	    text_parse_long("memory", memory_text, OFFERING_MEMORY_MIN_MIB, OFFERING_MEMORY_MAX_MIB,
			    &memory, err) < 0)
		return -1;
	snprintf(offering.name, sizeof offering.name, "%s", name);
	offering.cpunumber = (int)cpus;
	offering.memory_mib = memory;
	offering.created = time(NULL);
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_offering_insert(ctx->store, &offering, err) < 0 ||
	    cmd_event_commit(ctx->store, "SERVICE.OFFERING.CREATE", "created service offering",
			     offering.id, offering.name, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	offering_write(reply, "serviceoffering", &offering);
	return 0;
}

static int cmd_offering_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
				  struct reply *reply, struct bd_error *err)
{
	const char *id = kv_args_get(args, "id");
	struct service_offering *list = NULL;
	size_t count = 0;

	if (id) {
		struct service_offering one;

		if (store_offering_get(ctx->store, id, &one, err) < 0)
			return -1;
		list = malloc(sizeof *list);
		if (!list)
			return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		list[0] = one;
		count = 1;
	} else if (store_offering_list(ctx->store, &list, &count, err) < 0) {
		return -1;
	}
	reply_list_begin(reply, "serviceoffering", count);
	for (size_t i = 0; i < count; i++)
		offering_write(reply, NULL, &list[i]);
	reply_list_end(reply);
	free(list);
	return 0;
}

static int cmd_offering_delete_exec(struct cli_ctx *ctx, const struct kv_args *args,
				    struct reply *reply, struct bd_error *err)
{
	struct service_offering offering;
	const char *id;

	id = cli_require(args, "id", err);
	if (!id)
		return -1;
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_offering_get(ctx->store, id, &offering, err) < 0 ||
	    store_offering_delete(ctx->store, offering.id, err) < 0 ||
	    cmd_event_commit(ctx->store, "SERVICE.OFFERING.DELETE", "deleted service offering",
			     offering.id, offering.name, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	cmd_success_write(reply);
	return 0;
}

static const char *const offering_create_keys[] = { "name", "cpunumber", "memory", NULL };
static const char *const offering_list_keys[] = { "id", NULL };
static const char *const offering_delete_keys[] = { "id", NULL };

const struct cli_command cmd_offering_create = {
	.api = "createServiceOffering",
	.keys = offering_create_keys,
	.synopsis = "name= cpunumber= memory=MiB",
	.help = "create a service offering (vCPUs and memory in MiB)",
	.exec = cmd_offering_create_exec,
};

const struct cli_command cmd_offering_list = {
	.api = "listServiceOfferings",
	.keys = offering_list_keys,
	.synopsis = "[id=]",
	.help = "list service offerings",
	.exec = cmd_offering_list_exec,
};

const struct cli_command cmd_offering_delete = {
	.api = "deleteServiceOffering",
	.keys = offering_delete_keys,
	.synopsis = "id=",
	.help = "delete a service offering",
	.exec = cmd_offering_delete_exec,
};
