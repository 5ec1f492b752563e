/* Hosts: onboarding with a proven firmware probe, and their upkeep. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include "backend/hostops.h"
#include "backend/recover.h"
#include "backend/store.h"
#include "model/text.h"

static const char *uefi_label(const struct host_caps *caps)
{
	if (!caps->uefi)
		return "No";
	return caps->secure ? "Legacy+Secure" : "Legacy";
}

/* The host with the given details (already read from the store). */
static void host_write(struct reply *reply, const char *key, const struct host *host,
		       const struct detail *list, size_t count)
{
	/* The stored URL may carry a password; output never shows it. */
	char *shown = hv_url_redact(host->url);

	reply_object_begin(reply, key);
	reply_string(reply, "id", host->id);
	reply_string(reply, "name", host->name);
	reply_string(reply, "clusterid", host->cluster_id);
	reply_string(reply, "clustername", host->cluster_name);
	reply_string(reply, "state", host_state_name(host->state));
	reply_string(reply, "resourcestate", allocation_state_name(host->allocation));
	reply_string(reply, "hypervisor", hypervisor_type_name(host->hypervisor));
	reply_string(reply, "hypervisorversion", host->hypervisor_version);
	reply_string(reply, "virttype", host->caps.virt_type);
	reply_string(reply, "url", shown);
	reply_string(reply, "arch", host->arch);
	reply_int(reply, "cpunumber", host->cpus);
	reply_int(reply, "cpuallocated", host->cpu_allocated);
	reply_int(reply, "memorytotal", host->memory_mib);
	reply_int(reply, "memoryallocated", host->memory_allocated_mib);
	reply_bool(reply, "ueficapability", host->caps.uefi);
	reply_bool(reply, "uefisecurecapability", host->caps.uefi && host->caps.secure);
	reply_string(reply, "uefi", uefi_label(&host->caps));
	reply_string(reply, "lasterror", host->last_error);
	reply_time(reply, "created", host->created);
	reply_object_begin(reply, "details");
	for (size_t i = 0; i < count; i++)
		reply_string(reply, list[i].key, list[i].value);
	reply_object_end(reply);
	reply_object_end(reply);
	free(shown);
}

/* {"host": {...}}, its details read from the store. */
static void host_response(struct cli_ctx *ctx, const struct host *host, struct reply *reply)
{
	struct detail *list = NULL;
	size_t count = 0;

	if (store_host_details(ctx->store, host->id, &list, &count, NULL) < 0)
		count = 0;
	host_write(reply, "host", host, list, count);
	store_detail_list_free(list, count);
}

/* A listing is written as the store walks the hosts: one host in memory
 * at a time, however large the fleet. */
static int host_list_begin(void *opaque, size_t count, struct bd_error *err)
{
	(void)err;
	reply_list_begin(opaque, "host", count);
	return 0;
}

static int host_list_one(void *opaque, struct host *host, const struct detail *details,
			 size_t ndetail, struct bd_error *err)
{
	(void)err;
	host_write(opaque, NULL, host, details, ndetail);
	return 0;
}

static int cmd_host_add_exec(struct cli_ctx *ctx, const struct kv_args *args,
			     struct reply *reply, struct bd_error *err)
{
	struct host_add_request req = {
		.cluster_id = cli_require(args, "clusterid", err),
		.url = NULL,
		.virt_type = kv_args_get(args, "virttype"),
		.uefi_properties = kv_args_get(args, "uefiproperties"),
		.name = kv_args_get(args, "name"),
	};
	struct host host = { 0 };
	int rc;

	if (!req.cluster_id || !(req.url = cli_require(args, "url", err)))
		return -1;
	rc = hostops_add(ctx->store, &req, &host, ctx->progress, ctx->progress_opaque, err);
	if (rc == 0)
		host_response(ctx, &host, reply);
	host_clear(&host);
	return rc;
}

static int cmd_host_reconnect_exec(struct cli_ctx *ctx, const struct kv_args *args,
				   struct reply *reply, struct bd_error *err)
{
	const char *id = cli_require(args, "id", err);
	struct host host = { 0 };
	int rc;

	if (!id)
		return -1;
	rc = hostops_reconnect(ctx->store, id, &host, ctx->progress, ctx->progress_opaque, err);
	/* Back from a fault: clear what work cut short by it left there. */
	if (rc == 0)
		rc = recover_sweep_host(ctx->store, host.id, NULL, err);
	if (rc == 0)
		host_response(ctx, &host, reply);
	host_clear(&host);
	return rc;
}

static int cmd_host_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
			      struct reply *reply, struct bd_error *err)
{
	struct host_filter filter = {
		.id = kv_args_get(args, "id"),
		.cluster_id = kv_args_get(args, "clusterid"),
		.uefi = -1,
	};
	const char *uefi = kv_args_get(args, "ueficapability");
	const struct store_host_walk walk = {
		.begin = host_list_begin,
		.host = host_list_one,
		.opaque = reply,
	};

	if (uefi) {
		bool want;

		if (text_parse_bool("ueficapability", uefi, &want, err) < 0)
			return -1;
		filter.uefi = want ? 1 : 0;
	}
	/* An unknown id or cluster is an error, not an empty list. */
	if (filter.id) {
		struct host one = { 0 };

		if (store_host_get(ctx->store, filter.id, &one, err) < 0)
			return -1;
		host_clear(&one);
	}
	if (filter.cluster_id) {
		struct cluster cluster;

		if (store_cluster_get(ctx->store, filter.cluster_id, &cluster, err) < 0)
			return -1;
	}
	reply_stream(reply, ctx->out);
	if (store_host_each(ctx->store, &filter, &walk, err) < 0)
		return -1;
	reply_list_end(reply);
	return 0;
}

static int cmd_host_delete_exec(struct cli_ctx *ctx, const struct kv_args *args,
				struct reply *reply, struct bd_error *err)
{
	const char *id = cli_require(args, "id", err);

	if (!id || hostops_delete(ctx->store, id, err) < 0)
		return -1;
	cmd_success_write(reply);
	return 0;
}

static int cmd_host_update_exec(struct cli_ctx *ctx, const struct kv_args *args,
				struct reply *reply, struct bd_error *err)
{
	const char *id = cli_require(args, "id", err);
	const char *state;
	struct host host = { 0 };
	char shown[TEXT_QUOTE_MAX];
	size_t len;
	const char *start;
	enum allocation_state allocation;
	int rc;

	if (!id || !(state = cli_require(args, "allocationstate", err)))
		return -1;
	/* CloudStack's verbs: Enable / Disable. */
	start = text_trim_span(state, &len);
	if (len == 6 && strncasecmp(start, "Enable", 6) == 0)
		allocation = ALLOCATION_ENABLED;
	else if (len == 7 && strncasecmp(start, "Disable", 7) == 0)
		allocation = ALLOCATION_DISABLED;
	else
		return bd_error_set(err, BD_ERR_PARAM,
				    "invalid allocationstate '%s': accepted values are Enable, Disable",
				    text_quote(state, shown, sizeof shown));
	rc = hostops_set_allocation(ctx->store, id, allocation, &host, err);
	if (rc == 0)
		host_response(ctx, &host, reply);
	host_clear(&host);
	return rc;
}

static const char *const host_add_keys[] = {
	"clusterid", "url", "virttype", "uefiproperties", "name", NULL
};
static const char *const host_id_keys[] = { "id", NULL };
static const char *const host_list_keys[] = { "id", "clusterid", "ueficapability", NULL };
static const char *const host_update_keys[] = { "id", "allocationstate", NULL };

const struct cli_command cmd_host_add = {
	.api = "addHost",
	.keys = host_add_keys,
	.synopsis = "clusterid= url=<libvirt URI> [virttype=kvm|qemu] [uefiproperties=<path>] [name=]",
	.help = "onboard a host: connect, then prove its UEFI and Secure Boot firmware",
	.exec = cmd_host_add_exec,
};

const struct cli_command cmd_host_reconnect = {
	.api = "reconnectHost",
	.keys = host_id_keys,
	.synopsis = "id=",
	.help = "reconnect a host and probe its firmware again",
	.exec = cmd_host_reconnect_exec,
};

const struct cli_command cmd_host_list = {
	.api = "listHosts",
	.keys = host_list_keys,
	.synopsis = "[id=] [clusterid=] [ueficapability=true|false]",
	.help = "list hosts with their UEFI and Secure Boot capability",
	.exec = cmd_host_list_exec,
};

const struct cli_command cmd_host_update = {
	.api = "updateHost",
	.keys = host_update_keys,
	.synopsis = "id= allocationstate=Enable|Disable",
	.help = "allow or forbid placing VMs on a host",
	.exec = cmd_host_update_exec,
};

const struct cli_command cmd_host_delete = {
	.api = "deleteHost",
	.keys = host_id_keys,
	.synopsis = "id=",
	.help = "remove a host (refused while VMs live on it)",
	.exec = cmd_host_delete_exec,
};
