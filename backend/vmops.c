/* Deploy and the VM lifecycle: validate, plan and reserve in one write
 * transaction, create the disk, define and start on the chosen host, record
 * everything; retry elsewhere when a host fails; keep the record and the
 * hypervisor in step. */
#include "vmops.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/hostops.h"
#include "backend/log.h"

#define DEPLOY_MAX_TRIES 3
#define STOP_TIMEOUT_S 30
#define DEPLOY_STEPS 6

static void report(hv_progress_fn progress, void *opaque, int step, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(hv_progress_fn progress, void *opaque, int step, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!progress)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	progress(opaque, step, DEPLOY_STEPS, msg);
}

static void set_owned(char **field, const char *value)
{
	free(*field);
	*field = value ? strdup(value) : NULL;
}

void placement_clear(struct placement *placement)
{
	if (!placement)
		return;
	free(placement->trail_json);
	free(placement->summary);
	placement->trail_json = NULL;
	placement->summary = NULL;
}

/* ---- the planner's view of the fleet ---- */

/* A plan reads every cluster's kept sums (store_cluster_plan_list) to order
 * the clusters, then the hosts of the clusters it reaches, one cluster at a
 * time (store_host_plan_cluster): reading all 10,000 host rows was most of
 * a plan. Hosts read are appended; an index names a host for good. */
struct fleet {
	struct store *store;
	struct cluster_plan_row *clusters;
	size_t ncluster;
	struct plan_cluster *pclusters;
	struct plan_cluster_sums *sums;
	struct host_plan_row *hosts;    /* read so far; the store appends */
	size_t nhost;
	size_t host_cap;
	struct plan_host *phosts;       /* the same, as the planner sees them */
	size_t phost_cap;
	const struct host_plan_row *named; /* where phosts' names point */
	size_t *members;                /* the last cluster handed over */
	size_t member_cap;
	size_t nfed;                    /* clusters read one query each */
	/* Once a plan has reached many clusters, the rest come from one scan:
	 * ncluster + 1 offsets into scan_members, host indices by cluster. */
	size_t *scan_first;
	size_t *scan_members;
	struct fleet_cluster_key *by_id; /* clusters sorted by id, made when needed */
};

/* Past this share of the clusters (1/n), a plan reads the remaining hosts
 * in one scan: a query per cluster reads each row through the cluster
 * index, and a plan that finds little room (or none) would otherwise cost
 * about twice the whole-table scan it replaced. */
#define FLEET_SCAN_AFTER_SHARE 16

/* A cluster's id with its index in fleet->clusters, sorted for bsearch. */
struct fleet_cluster_key {
	const char *id;
	size_t index;
};

static int fleet_cluster_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fleet_cluster_key *)a)->id,
		      ((const struct fleet_cluster_key *)b)->id);
}

static void fleet_free(struct fleet *fleet)
{
	free(fleet->clusters);
	free(fleet->pclusters);
	free(fleet->sums);
	free(fleet->hosts);
	free(fleet->phosts);
	free(fleet->members);
	free(fleet->scan_first);
	free(fleet->scan_members);
	free(fleet->by_id);
	memset(fleet, 0, sizeof *fleet);
}

/* Binary search (a linear one per host of a scan cost hosts x clusters). */
static long fleet_find_cluster(struct fleet *fleet, const char *id)
{
	struct fleet_cluster_key key = { id, 0 };
	const struct fleet_cluster_key *found;

	if (!fleet->by_id) {
		fleet->by_id = malloc((fleet->ncluster ? fleet->ncluster : 1) * sizeof *fleet->by_id);
		if (!fleet->by_id)
			return -1;
		for (size_t c = 0; c < fleet->ncluster; c++)
			fleet->by_id[c] = (struct fleet_cluster_key){ fleet->clusters[c].id, c };
		qsort(fleet->by_id, fleet->ncluster, sizeof *fleet->by_id, fleet_cluster_cmp);
	}
	found = fleet->ncluster ? bsearch(&key, fleet->by_id, fleet->ncluster,
					  sizeof *fleet->by_id, fleet_cluster_cmp)
				: NULL;
	return found ? (long)found->index : -1;
}

/* Gives the rows from `from` on their planner view: all in cluster index
 * c, or (c < 0) each in the cluster its row names. */
static int fleet_plan_hosts(struct fleet *fleet, size_t from, long c, struct bd_error *err)
{
	if (fleet->phost_cap < fleet->host_cap) {
		struct plan_host *grown = realloc(fleet->phosts, fleet->host_cap * sizeof *grown);

		if (!grown)
			return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		fleet->phosts = grown;
		fleet->phost_cap = fleet->host_cap;
	}
	/* The planner's name pointers follow the rows when they moved. */
	if (fleet->named != fleet->hosts) {
		for (size_t h = 0; h < from; h++) {
			fleet->phosts[h].id = fleet->hosts[h].id;
			fleet->phosts[h].name = fleet->hosts[h].name;
		}
		fleet->named = fleet->hosts;
	}
	for (size_t h = from; h < fleet->nhost; h++) {
		const struct host_plan_row *host = &fleet->hosts[h];
		struct plan_host *ph = &fleet->phosts[h];
		long in = c >= 0 ? c : fleet_find_cluster(fleet, host->cluster_id);
		const struct cluster_plan_row *cluster;

		/* The schema's foreign key makes this a broken database. */
		if (in < 0)
			return bd_error_set(err, BD_ERR_INTERNAL,
					    "host '%s' belongs to an unknown cluster", host->name);
		cluster = &fleet->clusters[in];
		memset(ph, 0, sizeof *ph);
		ph->id = host->id;
		ph->name = host->name;
		ph->cluster = (size_t)in;
		ph->up = host->state == HOST_STATE_UP;
		ph->enabled = host->allocation == ALLOCATION_ENABLED;
		ph->uefi = host->uefi;
		ph->secure = host->uefi && host->secure;
		/* As the kept cluster totals count them (schema v4). */
		ph->cpu_total = (int64_t)(host->cpus * cluster->cpu_overcommit);
		ph->mem_total_mib = (int64_t)((double)host->memory_mib * cluster->mem_overcommit);
		ph->cpu_used = host->cpu_used;
		ph->mem_used_mib = host->memory_used_mib;
	}
	return 0;
}

/* Reads every host in one scan and groups them by cluster (a counting
 * sort: onboarding order stays within each cluster). Hosts read before
 * stay where they are; the plan no longer asks for their clusters. */
static int fleet_scan_rest(struct fleet *fleet, struct bd_error *err)
{
	struct host_plan_row *rows = NULL;
	size_t nrow = 0, base = fleet->nhost;
	size_t *fill;
	int ret = -1;

	if (store_host_plan_list(fleet->store, &rows, &nrow, err) < 0)
		return -1;
	if (base + nrow > fleet->host_cap) {
		struct host_plan_row *grown = realloc(fleet->hosts, (base + nrow) * sizeof *grown);

		if (!grown) {
			bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
			goto cleanup;
		}
		fleet->hosts = grown;
		fleet->host_cap = base + nrow;
	}
	if (nrow)
		memcpy(fleet->hosts + base, rows, nrow * sizeof *rows);
	fleet->nhost += nrow;
	if (fleet_plan_hosts(fleet, base, -1, err) < 0)
		goto cleanup;
	fleet->scan_first = calloc(fleet->ncluster + 2, sizeof *fleet->scan_first);
	fleet->scan_members = malloc((nrow ? nrow : 1) * sizeof *fleet->scan_members);
	if (!fleet->scan_first || !fleet->scan_members) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		goto cleanup;
	}
	/* Counts at [c + 2], offsets at [c + 1] while filling, at [c] after. */
	for (size_t h = base; h < fleet->nhost; h++)
		fleet->scan_first[fleet->phosts[h].cluster + 2]++;
	for (size_t c = 1; c <= fleet->ncluster; c++)
		fleet->scan_first[c + 1] += fleet->scan_first[c];
	fill = fleet->scan_first + 1;
	for (size_t h = base; h < fleet->nhost; h++)
		fleet->scan_members[fill[fleet->phosts[h].cluster]++] = h;
	ret = 0;
cleanup:
	free(rows);
	if (ret < 0) {
		free(fleet->scan_first);
		fleet->scan_first = NULL;
	}
	return ret;
}

/* plan_members_fn: reads cluster c's hosts when the planner reaches it. */
static int fleet_members(void *opaque, size_t c, const struct plan_host **table,
			 const size_t **members, size_t *count, struct bd_error *err)
{
	struct fleet *fleet = opaque;
	size_t base = fleet->nhost, nrow;

	if (!fleet->scan_first && fleet->nfed > fleet->ncluster / FLEET_SCAN_AFTER_SHARE &&
	    fleet_scan_rest(fleet, err) < 0)
		return -1;
	if (fleet->scan_first) {
		*table = fleet->phosts;
		*members = fleet->scan_members + fleet->scan_first[c];
		*count = fleet->scan_first[c + 1] - fleet->scan_first[c];
		return 0;
	}
	fleet->nfed++;
	if (store_host_plan_cluster(fleet->store, fleet->clusters[c].id, &fleet->hosts,
				    &fleet->nhost, &fleet->host_cap, err) < 0 ||
	    fleet_plan_hosts(fleet, base, (long)c, err) < 0)
		return -1;
	nrow = fleet->nhost - base;
	if (nrow > fleet->member_cap) {
		size_t *grown = realloc(fleet->members, nrow * sizeof *grown);

		if (!grown)
			return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		fleet->members = grown;
		fleet->member_cap = nrow;
	}
	for (size_t i = 0; i < nrow; i++)
		fleet->members[i] = base + i;
	*table = fleet->phosts;
	*members = fleet->members;
	*count = nrow;
	return 0;
}

/* Runs inside the deploy's write transaction, once per plan: the clusters
 * with their kept sums; hosts come later, as the planner asks. */
static int fleet_load(struct store *store, struct fleet *fleet, struct bd_error *err)
{
	memset(fleet, 0, sizeof *fleet);
	fleet->store = store;
	if (store_cluster_plan_list(store, &fleet->clusters, &fleet->ncluster, err) < 0)
		goto fail;
	fleet->pclusters = calloc(fleet->ncluster ? fleet->ncluster : 1, sizeof *fleet->pclusters);
	fleet->sums = calloc(fleet->ncluster ? fleet->ncluster : 1, sizeof *fleet->sums);
	if (!fleet->pclusters || !fleet->sums) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	_Static_assert((int)PLAN_CLASS_ANY == (int)CAPACITY_ANY &&
		       (int)PLAN_CLASS_UEFI == (int)CAPACITY_UEFI &&
		       (int)PLAN_CLASS_SECURE == (int)CAPACITY_SECURE &&
		       (int)PLAN_CLASS_LAST == (int)CAPACITY_CLASS_LAST,
		       "the planner's firmware classes are the store's");
	for (size_t c = 0; c < fleet->ncluster; c++) {
		const struct cluster_plan_row *row = &fleet->clusters[c];
		struct plan_cluster_sums *sums = &fleet->sums[c];

		fleet->pclusters[c].id = row->id;
		fleet->pclusters[c].name = row->name;
		sums->nhost = (size_t)row->capacity[CAPACITY_ANY].hosts;
		sums->nuefi = (size_t)row->capacity[CAPACITY_UEFI].hosts;
		sums->nsecure = (size_t)row->capacity[CAPACITY_SECURE].hosts;
		for (int k = 0; k < PLAN_CLASS_LAST; k++) {
			const struct cluster_capacity *kept = &row->capacity[k];

			sums->usable[k] = (struct plan_sums){ kept->cpu_used, kept->cpu_total,
							      kept->memory_used_mib,
							      kept->memory_total_mib };
		}
	}
	return 0;
fail:
	fleet_free(fleet);
	return -1;
}

/* Reads one host by id into the fleet: its index, -1 when it is gone, or
 * -2 with err set. */
static long fleet_read_host(struct fleet *fleet, const char *id, struct bd_error *err)
{
	struct host_plan_row row;

	if (store_host_plan_get(fleet->store, id, &row, NULL) < 0)
		return -1;
	if (fleet->nhost == fleet->host_cap) {
		size_t cap = fleet->host_cap ? 2 * fleet->host_cap : 16;
		struct host_plan_row *grown = realloc(fleet->hosts, cap * sizeof *grown);

		if (!grown) {
			bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
			return -2;
		}
		fleet->hosts = grown;
		fleet->host_cap = cap;
	}
	fleet->hosts[fleet->nhost++] = row;
	if (fleet_plan_hosts(fleet, fleet->nhost - 1, -1, err) < 0)
		return -2;
	return (long)fleet->nhost - 1;
}

/* What one placement asks for, with the hosts to stay away from. */
struct plan_ask {
	struct boot_choice boot;
	int cpu;
	int64_t mem_mib;
	const char *host_id;       /* explicit host (resolved id) or NULL */
	const char *cluster_id;    /* explicit cluster (resolved id) or NULL */
	char (*avoid)[ID_LEN];     /* ids of hosts that failed this operation */
	size_t navoid;
};

/* Clusters that no request of this firmware could use are never reached by
 * first fit, so the trail does not show them: name them in the summary
 * (a few, then a count) so every host passed over is accounted for. */
static void placement_note_unsuitable(char *summary, size_t size, const struct fleet *fleet,
				      const struct plan_ask *ask)
{
	char names[160] = "";
	size_t used = 0, total = 0;

	if (ask->boot.type != BOOT_TYPE_UEFI)
		return;
	for (size_t c = 0; c < fleet->ncluster; c++) {
		/* The kept counts: hosts able to boot it, in any state. */
		if (ask->boot.mode == BOOT_MODE_SECURE ? fleet->sums[c].nsecure : fleet->sums[c].nuefi)
			continue;
		if (total++ < 3 && used < sizeof names)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'",
						 used ? ", " : "", fleet->clusters[c].name);
	}
	if (total == 0)
		return;
	used = strlen(summary);
	if (total > 3)
		snprintf(summary + used, size - used, "; clusters %s and %zu more lack %s", names,
			 total - 3, ask->boot.mode == BOOT_MODE_SECURE ? "proven Secure Boot" : "UEFI");
	else
		snprintf(summary + used, size - used, "; %s %s %s %s", total == 1 ? "cluster" : "clusters",
			 names, total == 1 ? "lacks" : "lack",
			 ask->boot.mode == BOOT_MODE_SECURE ? "proven Secure Boot" : "UEFI");
}

/* Turns a planner result into the stored explanation. */
static void placement_fill(struct placement *out, const struct fleet *fleet,
			   const struct plan_result *result, const struct plan_ask *ask)
{
	json_object *root = json_object_new_object();
	json_object *trail = json_object_new_array();
	char summary[512];
	size_t skipped = 0;

	for (size_t i = 0; i < result->nstep; i++) {
		const struct plan_step *step = &result->steps[i];
		json_object *entry = json_object_new_object();

		json_object_object_add(entry, "cluster",
				       json_object_new_string(fleet->clusters[step->cluster].name));
		if (step->host >= 0)
			json_object_object_add(entry, "host",
					       json_object_new_string(fleet->hosts[step->host].name));
		json_object_object_add(entry, "reason",
				       json_object_new_string(plan_reason_text(step->reason)));
		json_object_array_add(trail, entry);
		if (step->host >= 0 && step->reason != PLAN_CHOSEN)
			skipped++;
	}
	if (result->host >= 0) {
		const struct host_plan_row *host = &fleet->hosts[result->host];

		snprintf(out->host_id, sizeof out->host_id, "%s", host->id);
		snprintf(out->host_name, sizeof out->host_name, "%s", host->name);
		snprintf(out->cluster_id, sizeof out->cluster_id, "%s", host->cluster_id);
		int used = snprintf(summary, sizeof summary,
				    "host '%s' in cluster '%s': first host with room for %s (%d vCPU, %lld MiB)",
				    host->name, fleet->clusters[fleet->phosts[result->host].cluster].name,
				    boot_choice_label(ask->boot), ask->cpu, (long long)ask->mem_mib);

		if (skipped && used > 0 && (size_t)used < sizeof summary)
			snprintf(summary + used, sizeof summary - (size_t)used, ", %zu %s passed over",
				 skipped, skipped == 1 ? "host" : "hosts");
		json_object_object_add(root, "hostid", json_object_new_string(host->id));
		json_object_object_add(root, "hostname", json_object_new_string(host->name));
	} else {
		snprintf(summary, sizeof summary, "no host can take %s (%d vCPU, %lld MiB): %zu passed over",
			 boot_choice_label(ask->boot), ask->cpu, (long long)ask->mem_mib, skipped);
	}
	placement_note_unsuitable(summary, sizeof summary, fleet, ask);
	json_object_object_add(root, "summary", json_object_new_string(summary));
	json_object_object_add(root, "trail", trail);
	free(out->trail_json);
	free(out->summary);
	out->trail_json = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	out->summary = strdup(summary);
	json_object_put(root);
}

/* Appends "; host a: reason, host b: reason" to err's text, so a refusal
 * carries the trail that explains it. */
static void error_append_trail(struct bd_error *err, const struct fleet *fleet,
			       const struct plan_result *result)
{
	size_t used = strlen(err->text);

	for (size_t i = 0; i < result->nstep && used + 4 < sizeof err->text; i++) {
		const struct plan_step *step = &result->steps[i];

		if (step->host < 0)
			continue;
		used += (size_t)snprintf(err->text + used, sizeof err->text - used, "%s%s: %s",
					 used && i ? "; " : " [", fleet->hosts[step->host].name,
					 plan_reason_text(step->reason));
	}
	if (used + 2 < sizeof err->text && result->nstep)
		snprintf(err->text + used, sizeof err->text - used, "]");
}

/* Plans one placement on a loaded fleet: the explicit host and the hosts
 * to avoid are read first, the clusters' hosts as the planner reaches them. */
static int plan_on(struct fleet *fleet, const struct plan_ask *ask, struct placement *out,
		   long *chosen, struct bd_error *err)
{
	struct plan_request req = {
		.boot = ask->boot,
		.cpu = ask->cpu,
		.mem_mib = ask->mem_mib,
		.only_host = -1,
		.only_cluster = -1,
	};
	struct plan_source source = {
		.clusters = fleet->pclusters,
		.sums = fleet->sums,
		.ncluster = fleet->ncluster,
		.members = fleet_members,
		.opaque = fleet,
	};
	struct plan_result result = { 0 };
	struct plan_host *held = NULL;
	struct host_plan_row *held_rows = NULL;
	size_t first_avoided;
	int rc = -1;

	if (ask->host_id) {
		req.only_host = fleet_read_host(fleet, ask->host_id, err);
		if (req.only_host < -1)
			return -1;
	}
	first_avoided = fleet->nhost;
	for (size_t a = 0; a < ask->navoid; a++) {
		if (fleet_read_host(fleet, ask->avoid[a], err) < -1)
			return -1;
	}
	/* Copies, names included: the fleet's arrays move as clusters are read. */
	held = malloc((fleet->nhost ? fleet->nhost : 1) * sizeof *held);
	held_rows = malloc((fleet->nhost ? fleet->nhost : 1) * sizeof *held_rows);
	if (!held || !held_rows) {
		free(held);
		free(held_rows);
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	}
	/* No host read yet leaves both arrays NULL, which memcpy may not take. */
	if (fleet->nhost) {
		memcpy(held, fleet->phosts, fleet->nhost * sizeof *held);
		memcpy(held_rows, fleet->hosts, fleet->nhost * sizeof *held_rows);
	}
	for (size_t h = 0; h < fleet->nhost; h++) {
		held[h].id = held_rows[h].id;
		held[h].name = held_rows[h].name;
	}
	source.known = held;
	source.nknown = fleet->nhost;
	source.avoided = held + first_avoided;
	source.navoid = fleet->nhost - first_avoided;
	if (ask->cluster_id)
		req.only_cluster = fleet_find_cluster(fleet, ask->cluster_id);
	rc = planner_place_source(&source, &req, &result, err);
	placement_fill(out, fleet, &result, ask);
	if (rc < 0)
		error_append_trail(err, fleet, &result);
	*chosen = rc < 0 ? -1 : result.host;
	plan_result_clear(&result);
	free(held);
	free(held_rows);
	return rc;
}

/* ---- from records to hypervisor specs ---- */

struct vm_context {
	struct vm vm;
	struct host host;
	struct template tmpl;
	struct host_session session;
	bool have_host;
	/* What this attempt made on the host, so a failed attempt removes
	 * exactly that and never a guest or disk that is not its own. */
	bool created_disk;
	bool defined_domain;
	/* The live guest failed the Secure Boot check and was stopped. */
	bool insecure;
};

static void vm_context_clear(struct vm_context *ctx)
{
	vm_clear(&ctx->vm);
	host_clear(&ctx->host);
	template_clear(&ctx->tmpl);
	memset(ctx, 0, sizeof *ctx);
}

static void spec_fill(struct hv_vm_spec *spec, const struct vm *vm, const struct host *host,
		      const struct template *tmpl)
{
	memset(spec, 0, sizeof *spec);
	spec->name = vm->name;
	spec->uuid = vm->id;
	spec->vcpus = vm->cpunumber;
	spec->memory_mib = vm->memory_mib;
	spec->boot = vm->boot;
	spec->caps = &host->caps;
	spec->nvram_path = vm->nvram;
	spec->disk_path = vm->disk;
	spec->disk_format = TEMPLATE_QCOW2; /* overlays are always qcow2 */
	spec->cdrom_path = tmpl && tmpl->format == TEMPLATE_ISO ? tmpl->url : NULL;
	spec->serial_log = vm->console_log;
}

/* Records a hypervisor failure: an unreachable host becomes Disconnected. */
static void note_host_failure(struct store *store, struct host *host, const struct bd_error *err)
{
	if (err->code == BD_ERR_UNAVAILABLE)
		hostops_mark_disconnected(store, host, err);
}

/* The per-VM files on the host: serial log and, for explicit firmware,
 * the NVRAM copy. */
static int vm_paths_fill(struct vm *vm, const struct host *host, struct host_session *s,
			 struct bd_error *err)
{
	char *dir = NULL;
	char *path = NULL;

	if (s->drv->storage_dir(s->conn, &dir, err) < 0)
		return -1;
	if (!vm->console_log && asprintf(&path, "%s/%s.serial.log", dir, vm->name) >= 0)
		vm->console_log = path;
	path = NULL;
	if (vm->boot.type == BOOT_TYPE_UEFI && !host->caps.autoselect && !vm->nvram &&
	    asprintf(&path, "%s/%s_VARS.fd", dir, vm->name) >= 0)
		vm->nvram = path;
	if (vm->boot.type == BOOT_TYPE_UEFI && !host->caps.autoselect)
		set_owned(&vm->loader, vm->boot.mode == BOOT_MODE_SECURE ? host->caps.loader_secure
									: host->caps.loader_legacy);
	free(dir);
	return 0;
}

/* Makes the VM exist on its host, and run when `start`: disk, definition,
 * start, and the Secure Boot check of the live guest. `fresh`: the VM is
 * new to this host, so a guest of its name there belongs to someone else. */
static int vm_bring_up(struct store *store, struct vm_context *ctx, bool fresh, bool start,
		       hv_progress_fn progress, void *opaque, struct bd_error *err)
{
	struct host_session *s = &ctx->session;
	struct hv_vm_spec spec;
	bool exists = false, running = false;

	if (hostops_open(store, &ctx->host, s, err) < 0)
		return -1;
	if (vm_paths_fill(&ctx->vm, &ctx->host, s, err) < 0)
		goto hv_fail;
	if (!ctx->vm.disk) {
		struct hv_disk_request disk = {
			.vm_name = ctx->vm.name,
			.template_path = ctx->tmpl.url,
			.template_format = ctx->tmpl.format,
		};

		report(progress, opaque, 4, "creating the disk on '%s'", ctx->host.name);
		if (s->drv->disk_create(s->conn, &disk, &ctx->vm.disk, err) < 0)
			goto hv_fail;
		ctx->created_disk = true;
		if (store_vm_update(store, &ctx->vm, err) < 0)
			return -1;
	}
	if (s->drv->state(s->conn, ctx->vm.name, &exists, &running, err) < 0)
		goto hv_fail;
	if (exists && fresh && !ctx->defined_domain) {
		bd_error_set(err, BD_ERR_INTERNAL, "host '%s' already has a guest named '%s'",
			     ctx->host.name, ctx->vm.name);
		goto hv_fail;
	}
	if (!exists) {
		report(progress, opaque, 5, "defining %s domain '%s' on '%s'",
		       boot_choice_label(ctx->vm.boot), ctx->vm.name, ctx->host.name);
		spec_fill(&spec, &ctx->vm, &ctx->host, &ctx->tmpl);
		if (s->drv->define(s->conn, &spec, err) < 0)
			goto hv_fail;
		ctx->defined_domain = true;
	}
	if (!start || running)
		return 0;
	report(progress, opaque, 5, "starting '%s' on '%s'", ctx->vm.name, ctx->host.name);
	if (s->drv->start(s->conn, ctx->vm.name, err) < 0)
		goto hv_fail;
	if (ctx->vm.boot.mode == BOOT_MODE_SECURE &&
	    s->drv->verify_secure(s->conn, ctx->vm.name, err) < 0) {
		struct bd_error ignored;

		/* Never leave a Secure VM running without Secure Boot. */
		s->drv->destroy(s->conn, ctx->vm.name, &ignored);
		ctx->insecure = true;
		bd_error_prefix(err, "VM '%s' started without Secure Boot on host '%s' and was stopped",
				ctx->vm.name, ctx->host.name);
		return -1;
	}
	if (ctx->vm.boot.type == BOOT_TYPE_UEFI) {
		char *loader = NULL, *nvram = NULL;
		struct bd_error ignored;

		/* Record what the hypervisor really chose, for the VM's page. */
		if (s->drv->firmware(s->conn, ctx->vm.name, &loader, &nvram, &ignored) == 0) {
			if (loader)
				set_owned(&ctx->vm.loader, loader);
			if (nvram)
				set_owned(&ctx->vm.nvram, nvram);
		}
		free(loader);
		free(nvram);
	}
	return 0;
hv_fail:
	if (err->code == BD_ERR_UNAVAILABLE) {
		/* The shared connection is closed with the host marked
		 * Disconnected: nothing more can be asked of it. */
		note_host_failure(store, &ctx->host, err);
		memset(s, 0, sizeof *s);
	}
	return -1;
}

/* Best-effort removal of what a failed attempt made on its host. */
static void vm_tear_down(struct vm_context *ctx)
{
	struct host_session *s = &ctx->session;
	struct bd_error ignored;
	bool exists = false, running = false;

	if (s->drv && ctx->defined_domain &&
	    s->drv->state(s->conn, ctx->vm.name, &exists, &running, &ignored) == 0 && exists) {
		if (running)
			s->drv->destroy(s->conn, ctx->vm.name, &ignored);
		s->drv->undefine(s->conn, ctx->vm.name, &ignored);
	}
	if (s->drv && ctx->created_disk && ctx->vm.disk)
		s->drv->disk_delete(s->conn, ctx->vm.disk, &ignored);
	ctx->defined_domain = ctx->created_disk = false;
	set_owned(&ctx->vm.disk, NULL);
	set_owned(&ctx->vm.nvram, NULL);
	set_owned(&ctx->vm.loader, NULL);
	set_owned(&ctx->vm.console_log, NULL);
}

static void vm_event(struct store *store, const struct vm *vm, const char *type,
		     enum event_level level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void vm_event(struct store *store, const struct vm *vm, const char *type,
		     enum event_level level, const char *fmt, ...)
{
	char text[BD_ERROR_TEXT_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	store_event_add(store, type, level, vm->id[0] ? vm->id : NULL, text);
	if (level == EVENT_ERROR) {
		store_alert_add(store, type, vm->id[0] ? vm->id : NULL, text);
		log_msg(LOG_ERROR, type, "%s", text);
	}
}

/* ---- deploy ---- */

struct deploy_input {
	struct boot_choice boot;
	struct template tmpl;
	struct service_offering offering;
	char host_id[ID_LEN];
	char cluster_id[ID_LEN];
};

static int deploy_validate(struct store *store, const struct deploy_request *req,
			   struct deploy_input *in, struct bd_error *err)
{
	struct vm existing = { 0 };

	memset(in, 0, sizeof *in);
	if (name_check("name", req->name, err) < 0 ||
	    boot_resolve(req->boottype, req->bootmode, &in->boot, err) < 0 ||
	    store_template_get(store, req->template_id, &in->tmpl, err) < 0)
		return -1;
	if (store_offering_get(store, req->offering_id, &in->offering, err) < 0)
		goto fail;
	if (req->host_id) {
		struct host host = { 0 };

		if (store_host_get(store, req->host_id, &host, err) < 0)
			goto fail;
		snprintf(in->host_id, sizeof in->host_id, "%s", host.id);
		host_clear(&host);
	}
	if (req->cluster_id) {
		struct cluster cluster;

		if (store_cluster_get(store, req->cluster_id, &cluster, err) < 0)
			goto fail;
		snprintf(in->cluster_id, sizeof in->cluster_id, "%s", cluster.id);
	}
	if (store_vm_get(store, req->name, &existing, NULL) == 0) {
		vm_clear(&existing);
		bd_error_set(err, BD_ERR_PARAM, "a VM named '%s' already exists", req->name);
		goto fail;
	}
	return 0;
fail:
	template_clear(&in->tmpl);
	return -1;
}

static void ask_from_input(struct plan_ask *ask, const struct deploy_input *in)
{
	memset(ask, 0, sizeof *ask);
	ask->boot = in->boot;
	ask->cpu = in->offering.cpunumber;
	ask->mem_mib = in->offering.memory_mib;
	ask->host_id = in->host_id[0] ? in->host_id : NULL;
	ask->cluster_id = in->cluster_id[0] ? in->cluster_id : NULL;
}

int vmops_preview(struct store *store, const struct deploy_request *req,
		  struct placement *out, struct bd_error *err)
{
	struct deploy_input in;
	struct plan_ask ask;
	struct fleet fleet;
	long chosen;
	int rc;

	memset(out, 0, sizeof *out);
	if (deploy_validate(store, req, &in, err) < 0)
		return -1;
	ask_from_input(&ask, &in);
	rc = fleet_load(store, &fleet, err);
	if (rc == 0) {
		rc = plan_on(&fleet, &ask, out, &chosen, err);
		fleet_free(&fleet);
	}
	template_clear(&in.tmpl);
	return rc;
}

/* Claims the VM for an action: moves it into the action's first state
 * only from the state it was read in, so of two bootdecks acting on one
 * VM at once only one goes on; the other is told to look again. */
static int vm_claim(struct store *store, const struct vm *vm, enum vm_state next,
		    const char *action, struct bd_error *err)
{
	bool changed = false;

	if (store_vm_swap_state(store, vm->id, vm->state, next, &changed, err) < 0)
		return -1;
	if (!changed)
		return bd_error_set(err, BD_ERR_PARAM,
				    "cannot %s VM '%s': another bootdeck changed it since it was "
				    "read (it was %s); list it again and retry",
				    action, vm->name, vm_state_name(vm->state));
	return 0;
}

/* Plans and reserves in one write transaction: the chosen host's capacity
 * is taken by the Starting record before any other process can plan. On
 * the first try the record is created; later tries move it. */
static int deploy_reserve(struct store *store, struct vm_context *ctx, const struct plan_ask *ask,
			  bool first, struct bd_error *err)
{
	struct placement placement = { 0 };
	struct fleet fleet;
	long chosen = -1;

	if (store_begin(store, err) < 0)
		return -1;
	if (fleet_load(store, &fleet, err) < 0)
		goto fail;
	if (plan_on(&fleet, ask, &placement, &chosen, err) < 0) {
		set_owned(&ctx->vm.placement, placement.trail_json);
		fleet_free(&fleet);
		goto fail;
	}
	host_clear(&ctx->host);
	if (store_host_get(store, fleet.hosts[chosen].id, &ctx->host, err) < 0) {
		fleet_free(&fleet);
		goto fail;
	}
	fleet_free(&fleet);
	/* A VM on record is claimed in the same transaction that reserves. */
	if (!first && vm_claim(store, &ctx->vm, VM_STATE_STARTING, "start", err) < 0)
		goto fail;
	ctx->have_host = true;
	snprintf(ctx->vm.host_id, sizeof ctx->vm.host_id, "%s", ctx->host.id);
	snprintf(ctx->vm.host_name, sizeof ctx->vm.host_name, "%s", ctx->host.name);
	snprintf(ctx->vm.cluster_id, sizeof ctx->vm.cluster_id, "%s", ctx->host.cluster_id);
	ctx->vm.state = VM_STATE_STARTING;
	set_owned(&ctx->vm.placement, placement.trail_json);
	if ((first ? store_vm_insert(store, &ctx->vm, err) : store_vm_update(store, &ctx->vm, err)) < 0)
		goto fail;
	if (store_commit(store, err) < 0)
		goto fail_nocommit;
	placement_clear(&placement);
	return 0;
fail:
	store_rollback(store);
fail_nocommit:
	placement_clear(&placement);
	return -1;
}

int vmops_deploy(struct store *store, const struct deploy_request *req, struct vm *out,
		 hv_progress_fn progress, void *opaque, struct bd_error *err)
{
	struct deploy_input in;
	struct vm_context ctx = { 0 };
	struct plan_ask ask;
	char avoid[DEPLOY_MAX_TRIES][ID_LEN];
	struct bd_error last = { 0 };
	bool recorded = false;
	int rc = -1;

	report(progress, opaque, 1, "checking the request");
	if (deploy_validate(store, req, &in, err) < 0) {
		log_error("deployVirtualMachine", err);
		return -1;
	}
	ask_from_input(&ask, &in);
	ask.avoid = avoid;
	ctx.tmpl = in.tmpl;
	snprintf(ctx.vm.name, sizeof ctx.vm.name, "%s", req->name);
	snprintf(ctx.vm.displayname, sizeof ctx.vm.displayname, "%s",
		 req->displayname ? req->displayname : req->name);
	snprintf(ctx.vm.template_id, sizeof ctx.vm.template_id, "%s", in.tmpl.id);
	snprintf(ctx.vm.offering_id, sizeof ctx.vm.offering_id, "%s", in.offering.id);
	snprintf(ctx.vm.machine, sizeof ctx.vm.machine, "q35");
	ctx.vm.boot = in.boot;
	ctx.vm.cpunumber = in.offering.cpunumber;
	ctx.vm.memory_mib = in.offering.memory_mib;

	for (int attempt = 0; attempt < DEPLOY_MAX_TRIES; attempt++) {
		report(progress, opaque, 2, "planning %s placement", boot_choice_label(in.boot));
		if (deploy_reserve(store, &ctx, &ask, !recorded, err) < 0) {
			if (!recorded) {
				struct vm none = { 0 };

				vm_event(store, &none, "VM.CREATE", EVENT_ERROR,
					 "deploy of VM '%s' (%s) refused: %s", req->name,
					 boot_choice_label(in.boot), err->text);
				goto out;
			}
			if (last.code) /* nothing left after failures: report the failure */
				*err = last;
			break;
		}
		recorded = true;
		report(progress, opaque, 3, "reserved %d vCPU and %lld MiB on '%s'",
		       ctx.vm.cpunumber, (long long)ctx.vm.memory_mib, ctx.host.name);
		if (vm_bring_up(store, &ctx, true, req->start, progress, opaque, err) == 0) {
			rc = 0;
			break;
		}
		last = *err;
		vm_event(store, &ctx.vm, "VM.DEPLOY", EVENT_WARN,
			 "VM '%s' failed on host '%s': %s; trying another host", ctx.vm.name,
			 ctx.host.name, err->text);
		vm_tear_down(&ctx);
		snprintf(avoid[ask.navoid++], ID_LEN, "%s", ctx.host.id);
		/* Release the reservation until the next plan takes one. */
		ctx.vm.host_id[0] = ctx.vm.host_name[0] = ctx.vm.cluster_id[0] = '\0';
		store_vm_update(store, &ctx.vm, NULL);
	}
	if (rc < 0) {
		ctx.vm.state = VM_STATE_ERROR;
		ctx.vm.host_id[0] = ctx.vm.host_name[0] = ctx.vm.cluster_id[0] = '\0';
		store_vm_update(store, &ctx.vm, NULL);
		vm_event(store, &ctx.vm, "VM.CREATE", EVENT_ERROR, "deploy of VM '%s' failed: %s",
			 ctx.vm.name, err->text);
		goto out;
	}
	ctx.vm.state = req->start ? VM_STATE_RUNNING : VM_STATE_STOPPED;
	report(progress, opaque, 6, "recording VM '%s'", ctx.vm.name);
	if (store_vm_update(store, &ctx.vm, err) < 0) {
		rc = -1;
		goto out;
	}
	vm_event(store, &ctx.vm, "VM.CREATE", EVENT_INFO, "VM '%s' created on host '%s' as %s",
		 ctx.vm.name, ctx.host.name, boot_choice_label(ctx.vm.boot));
	if (req->start)
		vm_event(store, &ctx.vm, "VM.START", EVENT_INFO, "VM '%s' started on host '%s'",
			 ctx.vm.name, ctx.host.name);
	rc = store_vm_get(store, ctx.vm.id, out, err);
out:
	if (rc < 0)
		log_error("deployVirtualMachine", err);
	vm_context_clear(&ctx);
	return rc;
}

/* ---- lifecycle ---- */

/* Loads a VM with its host and template. */
static int vm_context_load(struct store *store, const char *vm_id, struct vm_context *ctx,
			   struct bd_error *err)
{
	memset(ctx, 0, sizeof *ctx);
	if (store_vm_get(store, vm_id, &ctx->vm, err) < 0)
		return -1;
	if (store_template_get(store, ctx->vm.template_id, &ctx->tmpl, err) < 0)
		goto fail;
	if (ctx->vm.host_id[0]) {
		if (store_host_get(store, ctx->vm.host_id, &ctx->host, err) < 0)
			goto fail;
		ctx->have_host = true;
	}
	return 0;
fail:
	vm_context_clear(ctx);
	return -1;
}

static int vm_require_state(const struct vm *vm, const char *action, struct bd_error *err,
			    int nstates, ...)
{
	va_list ap;
	bool ok = false;

	va_start(ap, nstates);
	for (int i = 0; i < nstates; i++)
		ok = ok || (int)vm->state == va_arg(ap, int);
	va_end(ap);
	if (ok)
		return 0;
	return bd_error_set(err, BD_ERR_PARAM, "cannot %s VM '%s' while it is %s", action, vm->name,
			    vm_state_name(vm->state));
}

/* Finishes a lifecycle call: re-reads the VM into out. */
static int vm_finish(struct store *store, struct vm_context *ctx, struct vm *out, int rc,
		     const char *context, struct bd_error *err)
{
	if (rc == 0 && out)
		rc = store_vm_get(store, ctx->vm.id, out, err);
	if (rc < 0)
		log_error(context, err);
	vm_context_clear(ctx);
	return rc;
}

int vmops_start(struct store *store, const char *vm_id, struct vm *out,
		hv_progress_fn progress, void *opaque, struct bd_error *err)
{
	struct vm_context ctx;
	struct plan_ask ask = { 0 };
	enum vm_state before;
	bool had_host;
	int rc = -1;

	if (vm_context_load(store, vm_id, &ctx, err) < 0)
		return -1;
	if (vm_require_state(&ctx.vm, "start", err, 2, VM_STATE_STOPPED, VM_STATE_ERROR) < 0)
		goto out;
	before = ctx.vm.state;
	had_host = ctx.have_host;
	ask.boot = ctx.vm.boot;
	ask.cpu = ctx.vm.cpunumber;
	ask.mem_mib = ctx.vm.memory_mib;
	/* A VM with a host starts there (its disk lives there); one without is
	 * planned again under the same rules. */
	ask.host_id = ctx.have_host ? ctx.vm.host_id : NULL;
	report(progress, opaque, 2, "planning '%s'", ctx.vm.name);
	if (deploy_reserve(store, &ctx, &ask, false, err) < 0)
		goto out;
	if (vm_bring_up(store, &ctx, !had_host, true, progress, opaque, err) < 0) {
		/* A guest that came up without Secure Boot is not merely stopped:
		 * its definition on the host is wrong until someone looks. */
		ctx.vm.state = before == VM_STATE_ERROR || ctx.insecure ? VM_STATE_ERROR
									: VM_STATE_STOPPED;
		store_vm_update(store, &ctx.vm, NULL);
		vm_event(store, &ctx.vm, "VM.START", EVENT_ERROR, "VM '%s' failed to start on '%s': %s",
			 ctx.vm.name, ctx.host.name, err->text);
		goto out;
	}
	ctx.vm.state = VM_STATE_RUNNING;
	if (store_vm_update(store, &ctx.vm, err) < 0)
		goto out;
	vm_event(store, &ctx.vm, "VM.START", EVENT_INFO, "VM '%s' started on host '%s'", ctx.vm.name,
		 ctx.host.name);
	rc = 0;
out:
	return vm_finish(store, &ctx, out, rc, "startVirtualMachine", err);
}

int vmops_stop(struct store *store, const char *vm_id, bool forced, struct vm *out,
	       struct bd_error *err)
{
	struct vm_context ctx;
	int rc = -1;

	if (vm_context_load(store, vm_id, &ctx, err) < 0)
		return -1;
	if (vm_require_state(&ctx.vm, "stop", err, 2, VM_STATE_RUNNING, VM_STATE_STOPPING) < 0)
		goto out;
	if (hostops_open(store, &ctx.host, &ctx.session, err) < 0 ||
	    vm_claim(store, &ctx.vm, VM_STATE_STOPPING, "stop", err) < 0)
		goto out;
	if ((forced ? ctx.session.drv->destroy(ctx.session.conn, ctx.vm.name, err)
		    : ctx.session.drv->stop(ctx.session.conn, ctx.vm.name, STOP_TIMEOUT_S, err)) < 0) {
		note_host_failure(store, &ctx.host, err);
		store_vm_set_state(store, ctx.vm.id, VM_STATE_RUNNING, NULL);
		vm_event(store, &ctx.vm, "VM.STOP", EVENT_ERROR, "VM '%s' failed to stop: %s",
			 ctx.vm.name, err->text);
		goto out;
	}
	if (store_vm_set_state(store, ctx.vm.id, VM_STATE_STOPPED, err) < 0)
		goto out;
	vm_event(store, &ctx.vm, "VM.STOP", EVENT_INFO, "VM '%s' stopped%s", ctx.vm.name,
		 forced ? " (forced)" : "");
	rc = 0;
out:
	return vm_finish(store, &ctx, out, rc, "stopVirtualMachine", err);
}

int vmops_reboot(struct store *store, const char *vm_id, struct vm *out, struct bd_error *err)
{
	struct vm_context ctx;
	int rc = -1;

	if (vm_context_load(store, vm_id, &ctx, err) < 0)
		return -1;
	if (vm_require_state(&ctx.vm, "reboot", err, 1, VM_STATE_RUNNING) < 0)
		goto out;
	if (hostops_open(store, &ctx.host, &ctx.session, err) < 0)
		goto out;
	if (ctx.session.drv->reboot(ctx.session.conn, ctx.vm.name, err) < 0) {
		note_host_failure(store, &ctx.host, err);
		vm_event(store, &ctx.vm, "VM.REBOOT", EVENT_ERROR, "VM '%s' failed to reboot: %s",
			 ctx.vm.name, err->text);
		goto out;
	}
	vm_event(store, &ctx.vm, "VM.REBOOT", EVENT_INFO, "VM '%s' rebooted", ctx.vm.name);
	rc = 0;
out:
	return vm_finish(store, &ctx, out, rc, "rebootVirtualMachine", err);
}

int vmops_destroy(struct store *store, const char *vm_id, bool expunge, struct vm *out,
		  struct bd_error *err)
{
	struct vm_context ctx;
	struct host_session *s = &ctx.session;
	bool exists = false, running = false;
	enum vm_state claim;
	int rc = -1;

	if (vm_context_load(store, vm_id, &ctx, err) < 0)
		return -1;
	if (!expunge && ctx.vm.state == VM_STATE_DESTROYED) {
		bd_error_set(err, BD_ERR_PARAM, "VM '%s' is already Destroyed: use expunge=true to remove it",
			     ctx.vm.name);
		goto out;
	}
	if (ctx.have_host) {
		if (hostops_open(store, &ctx.host, s, err) < 0)
			goto out;
		if (s->drv->state(s->conn, ctx.vm.name, &exists, &running, err) < 0)
			goto hv_fail;
	}
	/* A passing state brackets the guest's end, so a process killed here
	 * leaves a record the next start settles. */
	claim = running ? VM_STATE_STOPPING : expunge ? VM_STATE_EXPUNGING : VM_STATE_DESTROYED;
	if (vm_claim(store, &ctx.vm, claim, expunge ? "expunge" : "destroy", err) < 0)
		goto out;
	if (running && s->drv->destroy(s->conn, ctx.vm.name, err) < 0)
		goto hv_fail;
	if (!expunge) {
		if (claim != VM_STATE_DESTROYED &&
		    store_vm_set_state(store, ctx.vm.id, VM_STATE_DESTROYED, err) < 0)
			goto out;
		vm_event(store, &ctx.vm, "VM.DESTROY", EVENT_INFO, "VM '%s' destroyed%s", ctx.vm.name,
			 ctx.have_host && !exists ? " (its domain was already gone)" : "");
		rc = 0;
		goto out;
	}
	if (claim != VM_STATE_EXPUNGING &&
	    store_vm_set_state(store, ctx.vm.id, VM_STATE_EXPUNGING, err) < 0)
		goto out;
	if (ctx.have_host) {
		if ((exists && s->drv->undefine(s->conn, ctx.vm.name, err) < 0) ||
		    (ctx.vm.disk && s->drv->disk_delete(s->conn, ctx.vm.disk, err) < 0))
			goto hv_fail;
	}
	if (store_vm_delete(store, ctx.vm.id, err) < 0)
		goto out;
	vm_event(store, &ctx.vm, "VM.EXPUNGE", EVENT_INFO,
		 "VM '%s' expunged: domain, NVRAM and disk removed", ctx.vm.name);
	if (out) {
		/* The record is gone: hand back what it was. */
		vm_clear(out);
		*out = ctx.vm;
		memset(&ctx.vm, 0, sizeof ctx.vm);
		out->state = VM_STATE_EXPUNGING;
	}
	vm_context_clear(&ctx);
	return 0;
hv_fail:
	note_host_failure(store, &ctx.host, err);
	/* Nothing was finished: the record keeps the state it had. */
	store_vm_set_state(store, ctx.vm.id, ctx.vm.state, NULL);
	vm_event(store, &ctx.vm, expunge ? "VM.EXPUNGE" : "VM.DESTROY", EVENT_ERROR,
		 "VM '%s' could not be %s: %s", ctx.vm.name, expunge ? "expunged" : "destroyed",
		 err->text);
out:
	return vm_finish(store, &ctx, out, rc, "destroyVirtualMachine", err);
}

int vmops_migrate(struct store *store, const char *vm_id, const char *host_id, struct vm *out,
		  struct bd_error *err)
{
	struct vm_context ctx;
	struct vm_context target;
	struct plan_ask ask = { 0 };
	bool was_running = false;
	bool exists = false, running = false;
	int rc = -1;

	if (vm_context_load(store, vm_id, &ctx, err) < 0)
		return -1;
	if (vm_context_load(store, vm_id, &target, err) < 0) {
		vm_context_clear(&ctx);
		return -1;
	}
	if (ctx.vm.boot.type == BOOT_TYPE_UEFI) {
		/* The design document prohibits it: the guest's NVRAM (boot
		 * entries, enrolled keys) lives on its host. */
		bd_error_set(err, BD_ERR_UNSUPPORTED,
			     "VM '%s' boots UEFI %s: migrating UEFI VMs is not supported (its NVRAM "
			     "lives on host '%s'); only BIOS VMs migrate",
			     ctx.vm.name, boot_mode_name(ctx.vm.boot.mode), ctx.vm.host_name);
		goto out;
	}
	if (vm_require_state(&ctx.vm, "migrate", err, 2, VM_STATE_RUNNING, VM_STATE_STOPPED) < 0)
		goto out;
	host_clear(&target.host);
	if (store_host_get(store, host_id, &target.host, err) < 0)
		goto out;
	if (strcmp(target.host.id, ctx.vm.host_id) == 0) {
		bd_error_set(err, BD_ERR_PARAM, "VM '%s' is already on host '%s'", ctx.vm.name,
			     target.host.name);
		goto out;
	}
	was_running = ctx.vm.state == VM_STATE_RUNNING;
	/* The target must satisfy the planner's rules like any explicit host. */
	ask.boot = ctx.vm.boot;
	ask.cpu = ctx.vm.cpunumber;
	ask.mem_mib = ctx.vm.memory_mib;
	ask.host_id = target.host.id;
	{
		struct placement placement = { 0 };
		struct fleet fleet;
		long chosen;

		if (fleet_load(store, &fleet, err) < 0)
			goto out;
		rc = plan_on(&fleet, &ask, &placement, &chosen, err);
		fleet_free(&fleet);
		placement_clear(&placement);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	if ((ctx.have_host && hostops_open(store, &ctx.host, &ctx.session, err) < 0) ||
	    vm_claim(store, &ctx.vm, VM_STATE_MIGRATING, "migrate", err) < 0)
		goto out;
	/* Cold migration over shared storage: stop on the source, define and
	 * start on the target, then drop the source's definition. */
	if (ctx.have_host &&
	    (ctx.session.drv->state(ctx.session.conn, ctx.vm.name, &exists, &running, err) < 0 ||
	     (running && ctx.session.drv->stop(ctx.session.conn, ctx.vm.name, STOP_TIMEOUT_S, err) < 0))) {
		note_host_failure(store, &ctx.host, err);
		goto restore;
	}
	target.have_host = true;
	set_owned(&target.vm.console_log, NULL);
	if (vm_bring_up(store, &target, true, was_running, NULL, NULL, err) < 0) {
		struct bd_error ignored;

		if (was_running && ctx.have_host)
			ctx.session.drv->start(ctx.session.conn, ctx.vm.name, &ignored);
		goto restore;
	}
	if (exists)
		ctx.session.drv->undefine(ctx.session.conn, ctx.vm.name, err);
	snprintf(target.vm.host_id, sizeof target.vm.host_id, "%s", target.host.id);
	snprintf(target.vm.cluster_id, sizeof target.vm.cluster_id, "%s", target.host.cluster_id);
	target.vm.state = was_running ? VM_STATE_RUNNING : VM_STATE_STOPPED;
	if (store_vm_update(store, &target.vm, err) < 0)
		goto out;
	vm_event(store, &ctx.vm, "VM.MIGRATE", EVENT_INFO,
		 "VM '%s' migrated from host '%s' to host '%s' (restarted on the target)", ctx.vm.name,
		 ctx.host.name, target.host.name);
	rc = 0;
	goto out;
restore:
	store_vm_set_state(store, ctx.vm.id, was_running ? VM_STATE_RUNNING : VM_STATE_STOPPED, NULL);
	vm_event(store, &ctx.vm, "VM.MIGRATE", EVENT_ERROR, "VM '%s' could not migrate: %s",
		 ctx.vm.name, err->text);
out:
	vm_context_clear(&target);
	return vm_finish(store, &ctx, out, rc, "migrateVirtualMachine", err);
}

/* ---- reconciliation ---- */

/* Whether a state is settled: no bootdeck is working on the VM. */
static bool vm_state_settled(enum vm_state state)
{
	return state == VM_STATE_RUNNING || state == VM_STATE_STOPPED;
}

/* The state a settled VM should have by what its host reports, or -1 when
 * the record stands. */
static int reconciled_state(enum vm_state recorded, bool exists, bool running)
{
	if (!exists)
		return VM_STATE_ERROR;
	if (recorded == VM_STATE_RUNNING && !running)
		return VM_STATE_STOPPED;
	if (recorded == VM_STATE_STOPPED && running)
		return VM_STATE_RUNNING;
	return -1;
}

static int host_id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int vmops_reconcile(struct store *store, const char *vm_id, struct bd_error *err)
{
	struct vm_filter filter = { .id = vm_id, .state = -1 };
	struct vm *vms = NULL;
	char (*rows)[ID_LEN] = NULL;
	size_t nvm = 0, nrow = 0;

	/* The hosts that are Up from one query, so VMs on other hosts cost no
	 * lookup each: listing 10,000 VMs made 10,000 host queries, 15 s in
	 * all. Without the list each VM looks its host up. */
	if (!vm_id && store_host_ids_up(store, &rows, &nrow, NULL) == 0 && nrow == 0) {
		/* No hypervisor to ask: the records stand as they are. */
		free(rows);
		return 0;
	}
	if (store_vm_list(store, &filter, &vms, &nvm, err) < 0) {
		free(rows);
		return -1;
	}
	for (size_t i = 0; i < nvm; i++) {
		struct vm *vm = &vms[i];
		struct host host = { 0 };
		struct host_session s;
		struct bd_error hv_err = { 0 };
		bool exists = false, running = false, changed = false;
		int next;

		/* A VM in a passing state is some bootdeck's work in flight, or
		 * left by one that died: recovery settles that, not a listing. */
		if (!vm->host_id[0] || !vm_state_settled(vm->state))
			continue;
		if (rows && !bsearch(vm->host_id, rows, nrow, sizeof *rows, host_id_cmp))
			continue;
		if (store_host_get(store, vm->host_id, &host, NULL) < 0)
			continue;
		/* Unreachable hosts are left as recorded: Disconnected says why. */
		if (host.state != HOST_STATE_UP || hostops_open(store, &host, &s, &hv_err) < 0 ||
		    s.drv->state(s.conn, vm->name, &exists, &running, &hv_err) < 0) {
			if (hv_err.code == BD_ERR_UNAVAILABLE && host.state == HOST_STATE_UP)
				hostops_mark_disconnected(store, &host, &hv_err);
			host_clear(&host);
			continue;
		}
		next = reconciled_state(vm->state, exists, running);
		/* Only if no other bootdeck changed the VM since it was read. */
		if (next >= 0 &&
		    store_vm_swap_state(store, vm->id, vm->state, (enum vm_state)next, &changed,
					NULL) == 0 && changed) {
			if (next == VM_STATE_ERROR)
				vm_event(store, vm, "VM.RECONCILE", EVENT_ERROR,
					 "VM '%s' was %s but its domain vanished from host '%s'",
					 vm->name, vm_state_name(vm->state), host.name);
			else
				vm_event(store, vm, "VM.RECONCILE", EVENT_WARN,
					 "VM '%s' was recorded %s; host '%s' reports it %s", vm->name,
					 vm_state_name(vm->state), host.name, vm_state_name(next));
		}
		host_clear(&host);
	}
	free(rows);
	store_vm_list_free(vms, nvm);
	return 0;
}

int vmops_restore_host(struct store *store, const struct host *host,
		       struct host_session *session, struct bd_error *err)
{
	struct vm_filter filter = { .host_id = host->id, .state = -1 };
	struct vm *vms = NULL;
	size_t nvm = 0;
	int rc = 0;

	if (store_vm_list(store, &filter, &vms, &nvm, err) < 0)
		return -1;
	for (size_t i = 0; i < nvm && rc == 0; i++) {
		struct vm *vm = &vms[i];
		struct template tmpl = { 0 };
		struct hv_vm_spec spec;
		bool exists = false, running = false;

		/* Starting VMs are being brought up by their own deploy. */
		if (vm->state == VM_STATE_DESTROYED || vm->state == VM_STATE_EXPUNGING ||
		    vm->state == VM_STATE_ERROR || vm->state == VM_STATE_STARTING)
			continue;
		if (session->drv->state(session->conn, vm->name, &exists, &running, err) < 0)
			return -1;
		if (exists)
			continue;
		store_template_get(store, vm->template_id, &tmpl, NULL);
		spec_fill(&spec, vm, host, tmpl.url ? &tmpl : NULL);
		if (session->drv->define(session->conn, &spec, err) < 0 ||
		    ((vm->state == VM_STATE_RUNNING || vm->state == VM_STATE_STOPPING) &&
		     session->drv->start(session->conn, vm->name, err) < 0))
			rc = -1;
		template_clear(&tmpl);
	}
	store_vm_list_free(vms, nvm);
	return rc;
}
