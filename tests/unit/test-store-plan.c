/* A deploy's plan (vmops_preview: kept cluster sums, hosts read per
 * cluster) must choose and explain exactly as the planner over the whole
 * fleet read from the same database: seeded random fleets with random
 * overcommit factors, host states and firmware, changed between rounds by
 * VM, host and cluster writes, and random requests with and without an
 * explicit host or cluster. Up to 40 clusters, so that plans reach both
 * the clusters read one query each and those read by the later scan.
 * PLAN_SEED=<n> replays one fleet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/vmops.h"
#include "tests/lib/testutil.h"

#define FLEETS 24
#define ROUNDS 6
#define REQUESTS 8
#define MAX_CLUSTERS 40
#define MAX_HOSTS 80

static unsigned long long rng_state;

static unsigned rng(unsigned below)
{
	return test_rng(&rng_state, below);
}

static void must(int rc, const struct bd_error *err)
{
	if (rc < 0)
		fail_msg("setup failed: %s", err->text);
}

struct world {
	char dir[64];
	char path[96];
	struct store *store;
	size_t ncluster;
	size_t nhost;
	size_t nvm;
};

static const double factors[] = { 1.0, 1.0, 1.5, 2.0, 0.75, 1.3, 3.7 };
static const char *const offerings[] = { "o1", "o2", "o4", "o8" };
static const int offering_cpus[] = { 1, 2, 4, 8 };

static void world_add_vm(struct world *w)
{
	static const enum vm_state states[] = {
		VM_STATE_RUNNING, VM_STATE_RUNNING, VM_STATE_STARTING, VM_STATE_MIGRATING,
		VM_STATE_STOPPED, VM_STATE_ERROR,
	};
	struct bd_error err = { 0 };
	struct vm vm = { 0 };

	snprintf(vm.name, sizeof vm.name, "vm%zu", w->nvm++);
	vm.state = states[rng(sizeof states / sizeof states[0])];
	vm.boot = (struct boot_choice){ BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	snprintf(vm.host_id, sizeof vm.host_id, "h%u", rng((unsigned)w->nhost));
	vm.cpunumber = 1 + (int)rng(4);
	vm.memory_mib = 1024 * (1 + (int64_t)rng(6));
	must(store_vm_insert(w->store, &vm, &err), &err);
	vm_clear(&vm);
}

static void world_host_caps(struct host *host)
{
	host->caps.uefi = rng(3) == 0;
	host->caps.secure = rng(2) == 0; /* without UEFI too: the planner must ignore it */
}

static void world_open(struct world *w)
{
	struct bd_error err = { 0 };
	struct template tmpl = { .format = TEMPLATE_QCOW2, .size_bytes = 1 << 20 };

	memset(w, 0, sizeof *w);
	snprintf(w->dir, sizeof w->dir, "/tmp/bdplan-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(w->path, sizeof w->path, "%s/test.db", w->dir);
	w->store = store_open(w->path, &err);
	must(w->store ? 0 : -1, &err);
	snprintf(tmpl.name, sizeof tmpl.name, "t");
	tmpl.url = "/nonexistent/t.qcow2";
	must(store_template_insert(w->store, &tmpl, &err), &err);
	for (size_t o = 0; o < sizeof offerings / sizeof offerings[0]; o++) {
		struct service_offering offering = { .cpunumber = offering_cpus[o],
						     .memory_mib = 2048 * offering_cpus[o] };

		snprintf(offering.name, sizeof offering.name, "%s", offerings[o]);
		must(store_offering_insert(w->store, &offering, &err), &err);
	}
	w->ncluster = 1 + rng(MAX_CLUSTERS);
	for (size_t c = 0; c < w->ncluster; c++) {
		struct cluster cluster = { 0 };

		snprintf(cluster.name, sizeof cluster.name, "c%zu", c);
		cluster.cpu_overcommit = factors[rng(sizeof factors / sizeof factors[0])];
		cluster.mem_overcommit = factors[rng(sizeof factors / sizeof factors[0])];
		must(store_cluster_insert(w->store, &cluster, &err), &err);
	}
	w->nhost = 1 + rng(MAX_HOSTS);
	for (size_t h = 0; h < w->nhost; h++) {
		struct host host = { 0 };

		snprintf(host.name, sizeof host.name, "h%zu", h);
		/* Some clusters stay empty. */
		snprintf(host.cluster_name, sizeof host.cluster_name, "c%u",
			 rng((unsigned)(w->ncluster > 1 ? w->ncluster - 1 : 1)));
		host.url = "test:///default";
		host.state = rng(8) ? HOST_STATE_UP : rng(2) ? HOST_STATE_DISCONNECTED
							     : HOST_STATE_CONNECTING;
		host.allocation = rng(8) ? ALLOCATION_ENABLED : ALLOCATION_DISABLED;
		host.hypervisor = HYPERVISOR_SIMULATOR;
		host.cpus = 1 + (int)rng(12);
		host.memory_mib = 1024 + 1000 * (int64_t)rng(24); /* not round: truncation shows */
		world_host_caps(&host);
		must(store_host_insert(w->store, &host, &err), &err);
	}
	for (size_t v = 0, n = rng((unsigned)(3 * w->nhost) + 1); v < n; v++)
		world_add_vm(w);
}

static void world_close(struct world *w)
{
	store_close(w->store);
	test_db_remove(w->path, w->dir);
}

/* One random write of the kinds a fleet sees between deploys. */
static void world_change(struct world *w)
{
	struct bd_error err = { 0 };
	char name[NAME_SIZE];

	switch (rng(5)) {
	case 0:
		world_add_vm(w);
		break;
	case 1: {
		static const enum vm_state states[] = { VM_STATE_RUNNING, VM_STATE_STOPPED,
							VM_STATE_EXPUNGING };

		if (!w->nvm)
			break;
		snprintf(name, sizeof name, "vm%u", rng((unsigned)w->nvm));
		struct vm vm = { 0 };

		if (store_vm_get(w->store, name, &vm, NULL) == 0) {
			must(store_vm_set_state(w->store, vm.id, states[rng(3)], &err), &err);
			vm_clear(&vm);
		}
		break;
	}
	case 2: {
		struct vm vm = { 0 };

		if (!w->nvm)
			break;
		snprintf(name, sizeof name, "vm%u", rng((unsigned)w->nvm));
		if (store_vm_get(w->store, name, &vm, NULL) == 0) {
			/* A migration, possibly to another cluster. */
			snprintf(vm.host_id, sizeof vm.host_id, "h%u", rng((unsigned)w->nhost));
			vm.host_name[0] = vm.cluster_id[0] = '\0';
			must(store_vm_update(w->store, &vm, &err), &err);
			vm_clear(&vm);
		}
		break;
	}
	case 3: {
		struct host host = { 0 };

		snprintf(name, sizeof name, "h%u", rng((unsigned)w->nhost));
		must(store_host_get(w->store, name, &host, &err), &err);
		host.state = rng(3) ? HOST_STATE_UP : HOST_STATE_DISCONNECTED;
		host.allocation = rng(4) ? ALLOCATION_ENABLED : ALLOCATION_DISABLED;
		host.cpus = 1 + (int)rng(12);
		world_host_caps(&host);
		must(store_host_update(w->store, &host, &err), &err);
		host_clear(&host);
		break;
	}
	default: {
		struct cluster cluster;

		snprintf(name, sizeof name, "c%u", rng((unsigned)w->ncluster));
		must(store_cluster_get(w->store, name, &cluster, &err), &err);
		cluster.cpu_overcommit = factors[rng(sizeof factors / sizeof factors[0])];
		cluster.mem_overcommit = factors[rng(sizeof factors / sizeof factors[0])];
		must(store_cluster_update(w->store, &cluster, &err), &err);
		break;
	}
	}
}

/* The whole fleet as the planner saw it before cluster sums were kept:
 * every host row, totals from the cluster's factors. */
struct whole {
	struct cluster *clusters;
	size_t ncluster;
	struct host_plan_row *rows;
	size_t nhost;
	struct plan_cluster *pclusters;
	struct plan_host *hosts;
};

static void whole_load(struct world *w, struct whole *f)
{
	struct bd_error err = { 0 };

	memset(f, 0, sizeof *f);
	must(store_cluster_list(w->store, &f->clusters, &f->ncluster, &err), &err);
	must(store_host_plan_list(w->store, &f->rows, &f->nhost, &err), &err);
	f->pclusters = calloc(f->ncluster + 1, sizeof *f->pclusters);
	f->hosts = calloc(f->nhost + 1, sizeof *f->hosts);
	assert_true(f->pclusters && f->hosts);
	for (size_t c = 0; c < f->ncluster; c++)
		f->pclusters[c] = (struct plan_cluster){ f->clusters[c].id, f->clusters[c].name };
	for (size_t h = 0; h < f->nhost; h++) {
		const struct host_plan_row *row = &f->rows[h];
		struct plan_host *ph = &f->hosts[h];
		size_t c = 0;

		while (c < f->ncluster && strcmp(f->clusters[c].id, row->cluster_id) != 0)
			c++;
		assert_true(c < f->ncluster);
		ph->id = row->id;
		ph->name = row->name;
		ph->cluster = c;
		ph->up = row->state == HOST_STATE_UP;
		ph->enabled = row->allocation == ALLOCATION_ENABLED;
		ph->uefi = row->uefi;
		ph->secure = row->uefi && row->secure;
		ph->cpu_total = (int64_t)(row->cpus * f->clusters[c].cpu_overcommit);
		ph->mem_total_mib = (int64_t)((double)row->memory_mib * f->clusters[c].mem_overcommit);
		ph->cpu_used = row->cpu_used;
		ph->mem_used_mib = row->memory_used_mib;
	}
}

static void whole_free(struct whole *f)
{
	free(f->clusters);
	free(f->rows);
	free(f->pclusters);
	free(f->hosts);
}

static long whole_find(const struct whole *f, const char *name, bool cluster)
{
	size_t n = cluster ? f->ncluster : f->nhost;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(cluster ? f->clusters[i].name : f->rows[i].name, name) == 0)
			return (long)i;
	}
	return -1;
}

/* The preview's trail as "cluster/host=reason" lines, host "-" for notes. */
static char *trail_text(const char *trail_json)
{
	json_object *root = json_tokener_parse(trail_json);
	json_object *trail = NULL;
	size_t size = 1, used = 0;
	char *text = calloc(1, 1);

	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "trail", &trail));
	for (size_t i = 0; i < json_object_array_length(trail); i++) {
		json_object *entry = json_object_array_get_idx(trail, i), *value;
		const char *cluster = "", *host = "-", *reason = "";
		char line[256];

		if (json_object_object_get_ex(entry, "cluster", &value))
			cluster = json_object_get_string(value);
		if (json_object_object_get_ex(entry, "host", &value))
			host = json_object_get_string(value);
		if (json_object_object_get_ex(entry, "reason", &value))
			reason = json_object_get_string(value);
		snprintf(line, sizeof line, "%s/%s=%s\n", cluster, host, reason);
		size += strlen(line);
		text = realloc(text, size);
		assert_non_null(text);
		memcpy(text + used, line, strlen(line) + 1);
		used += strlen(line);
	}
	json_object_put(root);
	return text;
}

static char *steps_text(const struct whole *f, const struct plan_result *result)
{
	size_t size = 1, used = 0;
	char *text = calloc(1, 1);

	for (size_t i = 0; i < result->nstep; i++) {
		const struct plan_step *step = &result->steps[i];
		char line[256];

		snprintf(line, sizeof line, "%s/%s=%s\n", f->clusters[step->cluster].name,
			 step->host >= 0 ? f->rows[step->host].name : "-",
			 plan_reason_text(step->reason));
		size += strlen(line);
		text = realloc(text, size);
		assert_non_null(text);
		memcpy(text + used, line, strlen(line) + 1);
		used += strlen(line);
	}
	return text;
}

/* Clusters no host of which can boot the request: the summary names them. */
static size_t whole_unsuitable(const struct whole *f, struct boot_choice boot)
{
	size_t total = 0;

	if (boot.type != BOOT_TYPE_UEFI)
		return 0;
	for (size_t c = 0; c < f->ncluster; c++) {
		bool capable = false;

		for (size_t h = 0; h < f->nhost; h++)
			capable |= f->hosts[h].cluster == c &&
				   (boot.mode == BOOT_MODE_SECURE ? f->hosts[h].secure
								  : f->hosts[h].uefi);
		total += !capable;
	}
	return total;
}

static void compare(unsigned long long seed, struct world *w)
{
	static const char *const boots[][2] = {
		{ "BIOS", "LEGACY" }, { "UEFI", "LEGACY" }, { "UEFI", "SECURE" },
	};
	unsigned b = rng(3), o = rng(4);
	char cluster[NAME_SIZE], host[NAME_SIZE];
	struct deploy_request req = {
		.name = "probe", .template_id = "t", .offering_id = offerings[o],
		.boottype = boots[b][0], .bootmode = boots[b][1], .start = true,
	};
	struct plan_request want_req = {
		.cpu = offering_cpus[o], .mem_mib = 2048 * offering_cpus[o],
		.only_host = -1, .only_cluster = -1,
	};
	struct placement got = { 0 };
	struct plan_result want = { 0 };
	struct bd_error got_err = { 0 }, want_err = { 0 };
	struct whole f;
	int got_rc, want_rc;
	char *got_trail, *want_trail;

	if (rng(6) == 0) {
		snprintf(cluster, sizeof cluster, "c%u", rng((unsigned)w->ncluster));
		req.cluster_id = cluster;
	}
	if (rng(6) == 0) {
		snprintf(host, sizeof host, "h%u", rng((unsigned)w->nhost));
		req.host_id = host;
	}
	must(boot_resolve(req.boottype, req.bootmode, &want_req.boot, &want_err), &want_err);

	/* Both inside one transaction, as a deploy plans. */
	must(store_begin(w->store, &got_err), &got_err);
	whole_load(w, &f);
	if (req.cluster_id)
		want_req.only_cluster = whole_find(&f, req.cluster_id, true);
	if (req.host_id)
		want_req.only_host = whole_find(&f, req.host_id, false);
	want_rc = planner_place(&(struct plan_fleet){ f.pclusters, f.ncluster, f.hosts, f.nhost },
				&want_req, &want, &want_err);
	got_rc = vmops_preview(w->store, &req, &got, &got_err);
	store_rollback(w->store);

	if (got_rc != want_rc || got_err.code != want_err.code ||
	    strncmp(got_err.text, want_err.text, strlen(want_err.text)) != 0)
		fail_msg("seed %llu: preview %d '%s', whole fleet %d '%s'", seed, got_rc,
			 got_err.text, want_rc, want_err.text);
	if (want.host >= 0)
		assert_string_equal(got.host_id, f.rows[want.host].id);
	else
		assert_string_equal(got.host_id, "");
	/* A refusal before planning (a host outside the cluster) has no trail. */
	if (got.trail_json) {
		got_trail = trail_text(got.trail_json);
		want_trail = steps_text(&f, &want);
		if (strcmp(got_trail, want_trail) != 0)
			fail_msg("seed %llu: %s %s: trail from the preview:\n%s\nover the whole "
				 "fleet:\n%s", seed, req.boottype, req.bootmode, got_trail,
				 want_trail);
		free(got_trail);
		free(want_trail);
		assert_int_equal(strstr(got.summary, " lack") != NULL,
				 whole_unsuitable(&f, want_req.boot) > 0);
	}
	placement_clear(&got);
	plan_result_clear(&want);
	whole_free(&f);
}

static void test_preview_plans_as_whole_fleet(void **state)
{
	const char *env = getenv("PLAN_SEED");
	unsigned long long first = env ? strtoull(env, NULL, 10) : 777ULL;
	int fleets = env ? 1 : FLEETS;

	(void)state;
	for (int i = 0; i < fleets; i++) {
		unsigned long long seed = first + (unsigned long long)i;
		struct world w;

		rng_state = seed;
		world_open(&w);
		for (int r = 0; r < ROUNDS; r++) {
			for (int q = 0; q < REQUESTS; q++)
				compare(seed, &w);
			for (int k = 0, n = 1 + (int)rng(4); k < n; k++)
				world_change(&w);
		}
		world_close(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preview_plans_as_whole_fleet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
