/* Clusters: groups of hosts sharing overcommit factors (CloudStack's
 * cpu.overcommit.ratio and mem.overcommit.ratio). */
#include "cmd.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/store.h"
#include "model/text.h"

/* Far above any sane factor; catches typos such as 15 for 1.5 only partly,
 * but refuses values that would overflow capacity sums. */
#define CLUSTER_RATIO_MAX 1000.0

static int cluster_ratio_parse(const char *key, const char *text, double *out,
			       struct bd_error *err)
{
	char buf[32];
	char shown[TEXT_QUOTE_MAX];
	char *end;
	double value;
	size_t len;
	const char *start = text_trim_span(text, &len);

	if (len == 0 || len >= sizeof buf)
		goto bad;
	memcpy(buf, start, len);
	buf[len] = '\0';
	errno = 0;
	value = strtod(buf, &end);
	if (errno || *end || !isfinite(value) || value <= 0 || value > CLUSTER_RATIO_MAX)
		goto bad;
	*out = value;
	return 0;
bad:
	return bd_error_set(err, BD_ERR_PARAM,
			    "invalid %s '%s': expected a number greater than 0 and at most %g",
			    key, text_quote(text, shown, sizeof shown), CLUSTER_RATIO_MAX);
}

/* Reads the optional factors into cluster; *given counts those present. */
static int cluster_ratios_read(const struct kv_args *args, struct cluster *cluster, int *given,
			       struct bd_error *err)
{
	const char *cpu = kv_args_get(args, "cpuovercommitratio");
	const char *mem = kv_args_get(args, "memoryovercommitratio");

	*given = 0;
	if (cpu) {
		if (cluster_ratio_parse("cpuovercommitratio", cpu, &cluster->cpu_overcommit, err) < 0)
			return -1;
		(*given)++;
	}
	if (mem) {
		if (cluster_ratio_parse("memoryovercommitratio", mem, &cluster->mem_overcommit,
					err) < 0)
			return -1;
		(*given)++;
	}
	return 0;
}

static void cluster_write(struct reply *reply, const char *key, const struct cluster *cluster)
{
	reply_object_begin(reply, key);
	reply_string(reply, "id", cluster->id);
	reply_string(reply, "name", cluster->name);
	reply_double(reply, "cpuovercommitratio", cluster->cpu_overcommit);
	reply_double(reply, "memoryovercommitratio", cluster->mem_overcommit);
	reply_time(reply, "created", cluster->created);
	reply_object_end(reply);
}

static int cmd_cluster_create_exec(struct cli_ctx *ctx, const struct kv_args *args,
				   struct reply *reply, struct bd_error *err)
{
	struct cluster cluster = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };
	const char *name;
	int given;

	name = cli_require(args, "name", err);
	if (!name || name_check("name", name, err) < 0)
		return -1;
	if (cluster_ratios_read(args, &cluster, &given, err) < 0)
		return -1;
	snprintf(cluster.name, sizeof cluster.name, "%s", name);
	cluster.created = time(NULL);
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_cluster_insert(ctx->store, &cluster, err) < 0 ||
	    cmd_event_commit(ctx->store, "CLUSTER.CREATE", "created cluster", cluster.id,
			     cluster.name, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	cluster_write(reply, "cluster", &cluster);
	return 0;
}

static int cmd_cluster_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
				 struct reply *reply, struct bd_error *err)
{
	const char *id = kv_args_get(args, "id");
	const char *name = kv_args_get(args, "name");
	struct cluster *list = NULL;
	size_t count = 0, shown = 0;

	if (id) {
		struct cluster one;

		if (store_cluster_get(ctx->store, id, &one, err) < 0)
			return -1;
		list = malloc(sizeof *list);
		if (!list)
			return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		list[0] = one;
		count = 1;
	} else if (store_cluster_list(ctx->store, &list, &count, err) < 0) {
		return -1;
	}
	/* The count comes first, so the name filter runs twice. */
	for (size_t i = 0; i < count; i++)
		shown += !name || strcmp(list[i].name, name) == 0;
	reply_list_begin(reply, "cluster", shown);
	for (size_t i = 0; i < count; i++) {
		if (!name || strcmp(list[i].name, name) == 0)
			cluster_write(reply, NULL, &list[i]);
	}
	reply_list_end(reply);
	free(list);
	return 0;
}

static int cmd_cluster_update_exec(struct cli_ctx *ctx, const struct kv_args *args,
				   struct reply *reply, struct bd_error *err)
{
	struct cluster cluster;
	const char *id;
	int given;

	id = cli_require(args, "id", err);
	if (!id)
		return -1;
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_cluster_get(ctx->store, id, &cluster, err) < 0 ||
	    cluster_ratios_read(args, &cluster, &given, err) < 0)
		goto fail;
	if (given == 0) {
		bd_error_set(err, BD_ERR_PARAM,
			     "nothing to update for cluster '%s': give cpuovercommitratio or memoryovercommitratio",
			     cluster.name);
		goto fail;
	}
	if (store_cluster_update(ctx->store, &cluster, err) < 0 ||
	    cmd_event_commit(ctx->store, "CLUSTER.UPDATE", "updated cluster", cluster.id,
			     cluster.name, err) < 0)
		goto fail;
	cluster_write(reply, "cluster", &cluster);
	return 0;
fail:
	store_rollback(ctx->store);
	return -1;
}

static int cmd_cluster_delete_exec(struct cli_ctx *ctx, const struct kv_args *args,
				   struct reply *reply, struct bd_error *err)
{
	struct cluster cluster;
	const char *id;

	id = cli_require(args, "id", err);
	if (!id)
		return -1;
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_cluster_get(ctx->store, id, &cluster, err) < 0 ||
	    store_cluster_delete(ctx->store, cluster.id, err) < 0 ||
	    cmd_event_commit(ctx->store, "CLUSTER.DELETE", "deleted cluster", cluster.id,
			     cluster.name, err) < 0) {
		store_rollback(ctx->store);
		return -1;
	}
	cmd_success_write(reply);
	return 0;
}

static const char *const cluster_create_keys[] = {
	"name", "cpuovercommitratio", "memoryovercommitratio", NULL
};
static const char *const cluster_list_keys[] = { "id", "name", NULL };
static const char *const cluster_update_keys[] = {
	"id", "cpuovercommitratio", "memoryovercommitratio", NULL
};
static const char *const cluster_delete_keys[] = { "id", NULL };

const struct cli_command cmd_cluster_create = {
	.api = "createCluster",
	.keys = cluster_create_keys,
	.synopsis = "name= [cpuovercommitratio=] [memoryovercommitratio=]",
	.help = "create a cluster; overcommit factors are numbers > 0 (default 1.0)",
	.exec = cmd_cluster_create_exec,
};

const struct cli_command cmd_cluster_list = {
	.api = "listClusters",
	.keys = cluster_list_keys,
	.synopsis = "[id=] [name=]",
	.help = "list clusters",
	.exec = cmd_cluster_list_exec,
};

const struct cli_command cmd_cluster_update = {
	.api = "updateCluster",
	.keys = cluster_update_keys,
	.synopsis = "id= [cpuovercommitratio=] [memoryovercommitratio=]",
	.help = "change a cluster's overcommit factors",
	.exec = cmd_cluster_update_exec,
};

const struct cli_command cmd_cluster_delete = {
	.api = "deleteCluster",
	.keys = cluster_delete_keys,
	.synopsis = "id=",
	.help = "delete a cluster that has no hosts",
	.exec = cmd_cluster_delete_exec,
};
