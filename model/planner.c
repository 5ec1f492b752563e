#include "planner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reason texts, in enum order; the console and the stored trail show them. */
static const char *const plan_reason_texts[] = {
	[PLAN_CHOSEN] = "chosen",
	[PLAN_NO_UEFI] = "no UEFI",
	[PLAN_NO_SECURE] = "no Secure Boot",
	[PLAN_NO_CPU] = "not enough CPU",
	[PLAN_NO_MEMORY] = "not enough memory",
	[PLAN_DISABLED] = "disabled",
	[PLAN_DISCONNECTED] = "disconnected",
	[PLAN_AVOIDED] = "avoided after a failure",
	[PLAN_NOT_REQUESTED] = "not requested",
	[PLAN_CLUSTER_DEFERRED] = "has UEFI hosts: kept for UEFI guests",
	[PLAN_HOST_DEFERRED] = "UEFI host: kept for UEFI guests",
};

_Static_assert(sizeof plan_reason_texts / sizeof plan_reason_texts[0] == PLAN_REASON_LAST,
	       "plan_reason_texts must name every plan_reason");

const char *plan_reason_text(enum plan_reason reason)
{
	if ((int)reason < 0 || reason >= PLAN_REASON_LAST)
		return "?";
	return plan_reason_texts[reason];
}

void plan_result_clear(struct plan_result *result)
{
	if (!result)
		return;
	free(result->steps);
	result->steps = NULL;
	result->nstep = 0;
	result->host = -1;
}

/* What one cluster looks like to this request. */
struct cluster_stat {
	int64_t cpu_used;      /* sums over the eligible hosts */
	int64_t cpu_total;
	int64_t mem_used;
	int64_t mem_total;
	double utilisation;    /* HUGE_VAL: nothing eligible, goes last */
	size_t nhost;          /* hosts, eligible or not */
	size_t nuefi;          /* hosts with UEFI, eligible or not */
	size_t nsecure;
	bool deferred;         /* BIOS guest, cluster holds UEFI hosts */
	bool noted;            /* its deferral is already in the trail */
};

/* Scratch space for one plan: no allocation per host. The hosts come
 * either from a whole fleet (grouped by cluster here) or from a source
 * that hands them over a cluster at a time. */
struct plan_work {
	const struct plan_fleet *fleet;    /* whole fleet, or NULL */
	const struct plan_source *source;  /* or per cluster, or NULL */
	const struct plan_cluster *clusters;
	size_t ncluster;
	const struct plan_host *table;     /* hosts by index, as last handed over */
	const struct plan_request *req;
	struct plan_result *result;
	size_t step_cap;
	struct cluster_stat *stats;
	size_t *order;         /* cluster indices, in the order they are tried */
	size_t norder;
	size_t *first;         /* whole fleet: ncluster + 1 offsets into members */
	size_t *members;       /* whole fleet: host indices grouped by cluster, in given order */
};

static const char *planner_host_label(const struct plan_host *host)
{
	if (host->name && *host->name)
		return host->name;
	return host->id ? host->id : "?";
}

static const char *planner_cluster_label(const struct plan_cluster *cluster)
{
	if (cluster->name && *cluster->name)
		return cluster->name;
	return cluster->id ? cluster->id : "?";
}

static bool planner_wants_uefi(const struct plan_request *req)
{
	return req->boot.type == BOOT_TYPE_UEFI;
}

static bool planner_wants_secure(const struct plan_request *req)
{
	return req->boot.type == BOOT_TYPE_UEFI && req->boot.mode == BOOT_MODE_SECURE;
}

enum plan_class plan_class_of(struct boot_choice boot)
{
	if (boot.type != BOOT_TYPE_UEFI)
		return PLAN_CLASS_ANY;
	return boot.mode == BOOT_MODE_SECURE ? PLAN_CLASS_SECURE : PLAN_CLASS_UEFI;
}

static int planner_step_add(struct plan_work *work, size_t cluster, long host,
			    enum plan_reason reason, struct bd_error *err)
{
	struct plan_result *result = work->result;

	if (result->nstep == work->step_cap) {
		size_t cap = work->step_cap ? work->step_cap * 2 : 16;
		struct plan_step *steps = realloc(result->steps, cap * sizeof *steps);

		if (!steps)
			return bd_error_set(err, BD_ERR_INTERNAL,
					    "out of memory recording the placement trail");
		result->steps = steps;
		work->step_cap = cap;
	}
	result->steps[result->nstep++] = (struct plan_step){ cluster, host, reason };
	return 0;
}

/* Firmware first: it never changes, so it is the most useful reason. */
static enum plan_reason planner_host_firmware(const struct plan_request *req,
					      const struct plan_host *host)
{
	if (planner_wants_uefi(req) && !host->uefi)
		return PLAN_NO_UEFI;
	if (planner_wants_secure(req) && !host->secure)
		return PLAN_NO_SECURE;
	return PLAN_CHOSEN;
}

static bool planner_host_avoided(const struct plan_work *work, const struct plan_host *host,
				 size_t index)
{
	const struct plan_source *source = work->source;

	if (!source)
		return work->req->avoid && work->req->avoid[index];
	for (size_t a = 0; a < source->navoid; a++) {
		if (host->id && source->avoided[a].id && strcmp(host->id, source->avoided[a].id) == 0)
			return true;
	}
	return false;
}

/* Whether the host could take the guest apart from its free capacity. */
static enum plan_reason planner_host_usable(const struct plan_work *work,
					    const struct plan_host *host, size_t index)
{
	enum plan_reason reason = planner_host_firmware(work->req, host);

	if (reason != PLAN_CHOSEN)
		return reason;
	if (!host->up)
		return PLAN_DISCONNECTED;
	if (!host->enabled)
		return PLAN_DISABLED;
	if (planner_host_avoided(work, host, index))
		return PLAN_AVOIDED;
	return PLAN_CHOSEN;
}

/* PLAN_CHOSEN when the host can take the guest, else the first reason not. */
static enum plan_reason planner_host_check(const struct plan_work *work,
					   const struct plan_host *host, size_t index)
{
	const struct plan_request *req = work->req;
	enum plan_reason reason = planner_host_usable(work, host, index);

	if (reason != PLAN_CHOSEN)
		return reason;
	if (host->cpu_total - host->cpu_used < req->cpu)
		return PLAN_NO_CPU;
	if (host->mem_total_mib - host->mem_used_mib < req->mem_mib)
		return PLAN_NO_MEMORY;
	return PLAN_CHOSEN;
}

static int planner_hosts_check(const struct plan_host *hosts, size_t nhost, size_t ncluster,
			       struct bd_error *err)
{
	for (size_t i = 0; i < nhost; i++) {
		if (hosts[i].cluster >= ncluster)
			return bd_error_set(err, BD_ERR_INTERNAL,
					    "host '%s' belongs to cluster index %zu, outside the fleet's %zu clusters",
					    planner_host_label(&hosts[i]), hosts[i].cluster, ncluster);
	}
	return 0;
}

/* nhost: the hosts request.only_host may name. */
static int planner_request_check(const struct plan_work *work, size_t nhost, struct bd_error *err)
{
	const struct plan_request *req = work->req;

	if ((int)req->boot.type < 0 || req->boot.type >= BOOT_TYPE_LAST)
		return bd_error_set(err, BD_ERR_PARAM,
				    "boot type %d is not valid: accepted are BIOS and UEFI",
				    (int)req->boot.type);
	if ((int)req->boot.mode < 0 || req->boot.mode >= BOOT_MODE_LAST)
		return bd_error_set(err, BD_ERR_PARAM,
				    "boot mode %d is not valid: accepted are LEGACY and SECURE",
				    (int)req->boot.mode);
	/* Never plan a Secure Boot request as something weaker. */
	if (req->boot.type == BOOT_TYPE_BIOS && req->boot.mode == BOOT_MODE_SECURE)
		return bd_error_set(err, BD_ERR_PARAM,
				    "boot mode SECURE needs boot type UEFI: BIOS guests boot LEGACY only");
	if (req->cpu < 1)
		return bd_error_set(err, BD_ERR_PARAM,
				    "CPU count %lld is not valid: ask for 1 or more",
				    (long long)req->cpu);
	if (req->mem_mib < 1)
		return bd_error_set(err, BD_ERR_PARAM,
				    "memory %lld MiB is not valid: ask for 1 MiB or more",
				    (long long)req->mem_mib);
	if (req->only_host < -1 || (req->only_host >= 0 && (size_t)req->only_host >= nhost))
		return bd_error_set(err, BD_ERR_PARAM,
				    "host index %ld is not valid: the fleet has %zu hosts",
				    req->only_host, nhost);
	if (req->only_cluster < -1 ||
	    (req->only_cluster >= 0 && (size_t)req->only_cluster >= work->ncluster))
		return bd_error_set(err, BD_ERR_PARAM,
				    "cluster index %ld is not valid: the fleet has %zu clusters",
				    req->only_cluster, work->ncluster);
	return 0;
}

/* An explicit host: taken as asked when it satisfies the rules (a BIOS
 * guest may then use a UEFI host: the operator chose it), else refused
 * with what it lacks. */
static int planner_place_host(struct plan_work *work, const struct plan_host *host,
			      struct bd_error *err)
{
	const struct plan_request *req = work->req;
	size_t index = (size_t)req->only_host;
	const char *name = planner_host_label(host);
	const char *label = boot_choice_label(req->boot);
	enum plan_reason reason = planner_host_check(work, host, index);

	if (req->only_cluster >= 0 && host->cluster != (size_t)req->only_cluster)
		return bd_error_set(err, BD_ERR_PARAM,
				    "host '%s' is not in cluster '%s': choose a host of that cluster",
				    name, planner_cluster_label(&work->clusters[req->only_cluster]));
	if (planner_step_add(work, host->cluster, (long)index, reason, err) < 0)
		return -1;

	switch (reason) {
	case PLAN_CHOSEN:
		work->result->host = (long)index;
		return 0;
	case PLAN_NO_UEFI:
		return bd_error_set(err, BD_ERR_PARAM, "host '%s' cannot boot %s: no UEFI firmware",
				    name, label);
	case PLAN_NO_SECURE:
		return bd_error_set(err, BD_ERR_PARAM, "host '%s' cannot boot %s: no proven Secure Boot",
				    name, label);
	case PLAN_DISCONNECTED:
		return bd_error_set(err, BD_ERR_PARAM,
				    "host '%s' is not Up (disconnected or still connecting): choose a host that is Up",
				    name);
	case PLAN_DISABLED:
		return bd_error_set(err, BD_ERR_PARAM,
				    "host '%s' is disabled for allocation: enable it or choose another host",
				    name);
	case PLAN_AVOIDED:
		return bd_error_set(err, BD_ERR_CAPACITY,
				    "host '%s' failed earlier in this deploy and no other host was requested",
				    name);
	case PLAN_NO_CPU:
		return bd_error_set(err, BD_ERR_CAPACITY,
				    "host '%s' has not enough CPU: %lld vCPUs free, %lld asked",
				    name, (long long)(host->cpu_total - host->cpu_used),
				    (long long)req->cpu);
	case PLAN_NO_MEMORY:
		return bd_error_set(err, BD_ERR_CAPACITY,
				    "host '%s' has not enough memory: %lld MiB free, %lld MiB asked",
				    name, (long long)(host->mem_total_mib - host->mem_used_mib),
				    (long long)req->mem_mib);
	default:
		return bd_error_set(err, BD_ERR_INTERNAL, "host '%s': unexpected planner reason %d",
				    name, (int)reason);
	}
}

/* Utilisation from the eligible sums, and which clusters a BIOS guest
 * keeps for last. */
static void planner_clusters_rate(struct plan_work *work)
{
	bool bios = !planner_wants_uefi(work->req);

	for (size_t c = 0; c < work->ncluster; c++) {
		struct cluster_stat *stat = &work->stats[c];
		double cpu = HUGE_VAL;
		double mem = HUGE_VAL;

		if (stat->cpu_total > 0)
			cpu = (double)stat->cpu_used / (double)stat->cpu_total;
		if (stat->mem_total > 0)
			mem = (double)stat->mem_used / (double)stat->mem_total;
		stat->utilisation = cpu > mem ? cpu : mem;
		stat->deferred = bios && stat->nuefi > 0;
	}
}

/* Whole fleet: groups host indices by cluster (a counting sort: stable,
 * O(hosts)) and sums what each cluster's eligible hosts use and offer. */
static void planner_clusters_measure(struct plan_work *work)
{
	const struct plan_fleet *fleet = work->fleet;

	for (size_t i = 0; i < fleet->nhost; i++)
		work->first[fleet->hosts[i].cluster + 1]++;
	for (size_t c = 0; c < fleet->ncluster; c++)
		work->first[c + 1] += work->first[c];
	for (size_t i = 0; i < fleet->nhost; i++) {
		const struct plan_host *host = &fleet->hosts[i];
		struct cluster_stat *stat = &work->stats[host->cluster];

		/* first[c] runs ahead while filling; restored below. */
		work->members[work->first[host->cluster]++] = i;
		stat->nhost++;
		stat->nuefi += host->uefi;
		stat->nsecure += host->uefi && host->secure;
		if (planner_host_usable(work, host, i) != PLAN_CHOSEN)
			continue;
		stat->cpu_used += host->cpu_used;
		stat->cpu_total += host->cpu_total;
		stat->mem_used += host->mem_used_mib;
		stat->mem_total += host->mem_total_mib;
	}
	for (size_t c = fleet->ncluster; c > 0; c--)
		work->first[c] = work->first[c - 1];
	work->first[0] = 0;
	planner_clusters_rate(work);
}

/* Kept sums: the request's class, less the hosts it avoids that would
 * otherwise count (each once, however often named). */
static void planner_clusters_from_sums(struct plan_work *work)
{
	const struct plan_source *source = work->source;
	enum plan_class class = plan_class_of(work->req->boot);

	for (size_t c = 0; c < work->ncluster; c++) {
		const struct plan_cluster_sums *sums = &source->sums[c];
		struct cluster_stat *stat = &work->stats[c];

		stat->nhost = sums->nhost;
		stat->nuefi = sums->nuefi;
		stat->nsecure = sums->nsecure;
		stat->cpu_used = sums->usable[class].cpu_used;
		stat->cpu_total = sums->usable[class].cpu_total;
		stat->mem_used = sums->usable[class].mem_used_mib;
		stat->mem_total = sums->usable[class].mem_total_mib;
	}
	for (size_t a = 0; a < source->navoid; a++) {
		const struct plan_host *host = &source->avoided[a];
		struct cluster_stat *stat;
		bool again = false;

		for (size_t b = 0; b < a && !again; b++)
			again = host->id && source->avoided[b].id &&
				strcmp(host->id, source->avoided[b].id) == 0;
		if (again || host->cluster >= work->ncluster ||
		    planner_host_firmware(work->req, host) != PLAN_CHOSEN || !host->up ||
		    !host->enabled)
			continue;
		stat = &work->stats[host->cluster];
		stat->cpu_used -= host->cpu_used;
		stat->cpu_total -= host->cpu_total;
		stat->mem_used -= host->mem_used_mib;
		stat->mem_total -= host->mem_total_mib;
	}
	planner_clusters_rate(work);
}

/* The hosts of cluster c, in first-fit order, as indices into work->table. */
static int planner_cluster_members(struct plan_work *work, size_t c, const size_t **members,
				   size_t *count, struct bd_error *err)
{
	const struct plan_source *source = work->source;

	if (!source) {
		*members = work->members + work->first[c];
		*count = work->first[c + 1] - work->first[c];
		return 0;
	}
	*members = NULL;
	*count = 0;
	if (work->stats[c].nhost == 0)
		return 0;
	if (source->members(source->opaque, c, &work->table, members, count, err) < 0)
		return -1;
	for (size_t m = 0; m < *count; m++) {
		const struct plan_host *host = &work->table[(*members)[m]];

		if (host->cluster != c)
			return bd_error_set(err, BD_ERR_INTERNAL,
					    "host '%s' handed over for cluster index %zu belongs to %zu",
					    planner_host_label(host), c, host->cluster);
	}
	return 0;
}

/* qsort is not stable and has no context pointer: sort (key, index) pairs. */
struct cluster_key {
	bool deferred;
	double utilisation;
	size_t index;
};

static int planner_cluster_key_cmp(const void *a, const void *b)
{
	const struct cluster_key *x = a;
	const struct cluster_key *y = b;

	if (x->deferred != y->deferred)
		return x->deferred ? 1 : -1;
	if (x->utilisation < y->utilisation)
		return -1;
	if (x->utilisation > y->utilisation)
		return 1;
	return (x->index > y->index) - (x->index < y->index);
}

static bool planner_cluster_key_before(const struct cluster_stat *stats, size_t a, size_t b)
{
	if (stats[a].utilisation != stats[b].utilisation)
		return stats[a].utilisation < stats[b].utilisation;
	return a < b;
}

static int planner_clusters_order(struct plan_work *work, struct bd_error *err)
{
	size_t ncluster = work->ncluster;
	struct cluster_key *keys;

	if (work->req->only_cluster >= 0) {
		work->order[0] = (size_t)work->req->only_cluster;
		work->norder = 1;
		work->stats[work->order[0]].deferred = false;
		return 0;
	}
	keys = malloc((ncluster ? ncluster : 1) * sizeof *keys);
	if (!keys)
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory ordering clusters");
	for (size_t c = 0; c < ncluster; c++)
		keys[c] = (struct cluster_key){ work->stats[c].deferred,
						 work->stats[c].utilisation, c };
	qsort(keys, ncluster, sizeof *keys, planner_cluster_key_cmp);
	for (size_t c = 0; c < ncluster; c++)
		work->order[c] = keys[c].index;
	work->norder = ncluster;
	free(keys);
	return 0;
}

/* Notes each deferred cluster that utilisation alone would have tried
 * before cluster `upto`, where it would have come; `*next` walks the
 * deferred tail of the order. */
static int planner_note_deferred(struct plan_work *work, size_t *next, size_t upto,
				 struct bd_error *err)
{
	while (*next < work->norder) {
		size_t c = work->order[*next];

		if (!planner_cluster_key_before(work->stats, c, upto))
			break;
		if (planner_step_add(work, c, -1, PLAN_CLUSTER_DEFERRED, err) < 0)
			return -1;
		work->stats[c].noted = true;
		(*next)++;
	}
	return 0;
}

/* A UEFI guest: one pass, clusters least utilised first. A cluster where no
 * host has the firmware gets one note instead of a line per host. */
static int planner_place_uefi(struct plan_work *work, size_t *considered, struct bd_error *err)
{
	const struct plan_request *req = work->req;

	for (size_t k = 0; k < work->norder; k++) {
		size_t c = work->order[k];
		const struct cluster_stat *stat = &work->stats[c];
		const size_t *members;
		size_t count;

		if (stat->nhost == 0)
			continue;
		if (stat->nuefi == 0 || (planner_wants_secure(req) && stat->nsecure == 0)) {
			enum plan_reason lack = stat->nuefi ? PLAN_NO_SECURE : PLAN_NO_UEFI;

			if (planner_step_add(work, c, -1, lack, err) < 0)
				return -1;
			if (req->only_cluster >= 0)
				return bd_error_set(err, BD_ERR_PARAM,
						    "cluster '%s' cannot boot %s: no host with %s",
						    planner_cluster_label(&work->clusters[c]),
						    boot_choice_label(req->boot),
						    lack == PLAN_NO_UEFI ? "UEFI firmware"
									 : "proven Secure Boot");
			continue;
		}
		if (planner_cluster_members(work, c, &members, &count, err) < 0)
			return -1;
		for (size_t m = 0; m < count; m++) {
			size_t h = members[m];
			enum plan_reason reason = planner_host_check(work, &work->table[h], h);

			if (planner_step_add(work, c, (long)h, reason, err) < 0)
				return -1;
			(*considered)++;
			if (reason == PLAN_CHOSEN) {
				work->result->host = (long)h;
				return 0;
			}
		}
	}
	return 0;
}

/* A BIOS guest, in two passes so that it takes a UEFI host only when no
 * host without UEFI has room anywhere, not merely in the cluster at hand:
 * pass 1 tries the hosts without UEFI of every cluster (clusters holding
 * UEFI hosts last), noting the UEFI hosts that could have taken it; pass 2
 * takes the first of those, which pass 1 already found. */
static int planner_place_bios(struct plan_work *work, size_t *considered, struct bd_error *err)
{
	size_t next_deferred = 0;
	long fallback = -1;
	size_t fallback_cluster = 0;

	while (next_deferred < work->norder && !work->stats[work->order[next_deferred]].deferred)
		next_deferred++;

	for (size_t k = 0; k < work->norder; k++) {
		size_t c = work->order[k];
		const size_t *members;
		size_t count;

		if (work->stats[c].deferred) {
			if (!work->stats[c].noted &&
			    planner_step_add(work, c, -1, PLAN_CLUSTER_DEFERRED, err) < 0)
				return -1;
			work->stats[c].noted = true;
		} else if (planner_note_deferred(work, &next_deferred, c, err) < 0) {
			return -1;
		}
		if (planner_cluster_members(work, c, &members, &count, err) < 0)
			return -1;
		for (size_t m = 0; m < count; m++) {
			size_t h = members[m];
			const struct plan_host *host = &work->table[h];
			enum plan_reason reason = planner_host_check(work, host, h);

			if (host->uefi && reason == PLAN_CHOSEN) {
				reason = PLAN_HOST_DEFERRED;
				if (fallback < 0) {
					fallback = (long)h;
					fallback_cluster = c;
				}
			}
			if (planner_step_add(work, c, (long)h, reason, err) < 0)
				return -1;
			(*considered)++;
			if (reason == PLAN_CHOSEN) {
				work->result->host = (long)h;
				return 0;
			}
		}
	}
	if (fallback >= 0) {
		if (planner_step_add(work, fallback_cluster, fallback, PLAN_CHOSEN, err) < 0)
			return -1;
		work->result->host = fallback;
	}
	return 0;
}

/* Orders the clusters (stats filled) and runs the passes. */
static int planner_run(struct plan_work *work, struct bd_error *err)
{
	const struct plan_request *req = work->req;
	size_t considered = 0;
	int ret;

	if (planner_clusters_order(work, err) < 0)
		return -1;
	if (planner_wants_uefi(req))
		ret = planner_place_uefi(work, &considered, err);
	else
		ret = planner_place_bios(work, &considered, err);
	if (ret < 0 || work->result->host >= 0)
		return ret;

	char scope[BD_ERROR_TEXT_MAX / 2] = "";

	if (req->only_cluster >= 0)
		snprintf(scope, sizeof scope, " in cluster '%s'",
			 planner_cluster_label(&work->clusters[req->only_cluster]));
	return bd_error_set(err, BD_ERR_CAPACITY,
			    "no host%s has room for a %s guest with %lld vCPU%s and %lld MiB "
			    "(%zu host%s considered)",
			    scope, boot_choice_label(req->boot), (long long)req->cpu,
			    req->cpu == 1 ? "" : "s", (long long)req->mem_mib, considered,
			    considered == 1 ? "" : "s");
}

static int planner_start(struct plan_result *result, const void *fleet,
			 const struct plan_request *req, struct bd_error *err)
{
	if (!result)
		return bd_error_set(err, BD_ERR_INTERNAL, "planner called without a result");
	result->host = -1;
	result->steps = NULL;
	result->nstep = 0;
	if (!fleet || !req)
		return bd_error_set(err, BD_ERR_INTERNAL, "planner called without a fleet or request");
	return 0;
}

static void planner_work_free(struct plan_work *work)
{
	free(work->stats);
	free(work->order);
	free(work->first);
	free(work->members);
}

int planner_place(const struct plan_fleet *fleet, const struct plan_request *req,
		  struct plan_result *result, struct bd_error *err)
{
	struct plan_work work = { .fleet = fleet, .req = req, .result = result };
	int ret = -1;

	if (planner_start(result, fleet, req, err) < 0)
		return -1;
	if ((fleet->nhost && !fleet->hosts) || (fleet->ncluster && !fleet->clusters))
		return bd_error_set(err, BD_ERR_INTERNAL, "planner fleet lists are missing");
	work.clusters = fleet->clusters;
	work.ncluster = fleet->ncluster;
	work.table = fleet->hosts;
	if (planner_request_check(&work, fleet->nhost, err) < 0 ||
	    planner_hosts_check(fleet->hosts, fleet->nhost, fleet->ncluster, err) < 0)
		return -1;
	if (req->only_host >= 0)
		return planner_place_host(&work, &fleet->hosts[req->only_host], err);

	work.stats = calloc(fleet->ncluster + 1, sizeof *work.stats);
	work.order = calloc(fleet->ncluster + 1, sizeof *work.order);
	work.first = calloc(fleet->ncluster + 1, sizeof *work.first);
	work.members = calloc(fleet->nhost + 1, sizeof *work.members);
	if (!work.stats || !work.order || !work.first || !work.members) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory planning a placement");
		goto cleanup;
	}
	planner_clusters_measure(&work);
	ret = planner_run(&work, err);
cleanup:
	planner_work_free(&work);
	return ret;
}

int planner_place_source(const struct plan_source *source, const struct plan_request *req,
			 struct plan_result *result, struct bd_error *err)
{
	struct plan_work work = { .source = source, .req = req, .result = result };
	int ret = -1;

	if (planner_start(result, source, req, err) < 0)
		return -1;
	if ((source->ncluster && (!source->clusters || !source->sums)) || !source->members ||
	    (source->nknown && !source->known) || (source->navoid && !source->avoided))
		return bd_error_set(err, BD_ERR_INTERNAL, "planner source lists are missing");
	work.clusters = source->clusters;
	work.ncluster = source->ncluster;
	if (planner_request_check(&work, source->nknown, err) < 0 ||
	    planner_hosts_check(source->known, source->nknown, source->ncluster, err) < 0 ||
	    planner_hosts_check(source->avoided, source->navoid, source->ncluster, err) < 0)
		return -1;
	if (req->only_host >= 0)
		return planner_place_host(&work, &source->known[req->only_host], err);

	work.stats = calloc(source->ncluster + 1, sizeof *work.stats);
	work.order = calloc(source->ncluster + 1, sizeof *work.order);
	if (!work.stats || !work.order) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory planning a placement");
		goto cleanup;
	}
	planner_clusters_from_sums(&work);
	ret = planner_run(&work, err);
cleanup:
	planner_work_free(&work);
	return ret;
}
