/* Planning from kept cluster sums with hosts handed over per cluster
 * (planner_place_source) must decide and explain exactly as planning over
 * the whole fleet (planner_place): seeded random fleets and requests,
 * avoided hosts included, compared step by step. The source also must
 * read no cluster the plan does not reach. PLANNER_SEED=<n> replays a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/planner.h"
#include "tests/lib/testutil.h"

#define ROUNDS 4000
#define MAX_CLUSTERS 8
#define MAX_HOSTS 40

static unsigned long long rng_state;

static unsigned rng(unsigned below)
{
	return test_rng(&rng_state, below);
}

struct fleet_case {
	struct plan_cluster clusters[MAX_CLUSTERS];
	char cluster_names[MAX_CLUSTERS][16];
	size_t ncluster;
	struct plan_host hosts[MAX_HOSTS];
	char host_names[MAX_HOSTS][16];
	size_t nhost;
	bool avoid[MAX_HOSTS];
	struct plan_host avoided[MAX_HOSTS];
	size_t navoid;
	struct plan_cluster_sums sums[MAX_CLUSTERS];
	size_t members[MAX_CLUSTERS][MAX_HOSTS];
	size_t nmember[MAX_CLUSTERS];
};

/* What the source hands over, and what it was asked for. */
struct feed {
	const struct fleet_case *fleet;
	struct plan_host *table;   /* a fresh copy per call: the planner must not keep the old */
	bool fed[MAX_CLUSTERS];
	size_t calls;
};

static int feed_members(void *opaque, size_t cluster, const struct plan_host **table,
			const size_t **members, size_t *count, struct bd_error *err)
{
	struct feed *feed = opaque;
	const struct fleet_case *fc = feed->fleet;

	(void)err;
	assert_true(cluster < fc->ncluster);
	assert_false(feed->fed[cluster]); /* each cluster is read once per plan */
	assert_true(fc->nmember[cluster] > 0); /* empty clusters are never read */
	feed->fed[cluster] = true;
	feed->calls++;
	free(feed->table);
	feed->table = malloc(sizeof fc->hosts);
	assert_non_null(feed->table);
	memcpy(feed->table, fc->hosts, sizeof fc->hosts);
	*table = feed->table;
	*members = fc->members[cluster];
	*count = fc->nmember[cluster];
	return 0;
}

/* Sums per class, as the store keeps them: avoided hosts included. */
static void fleet_sum(struct fleet_case *fc)
{
	memset(fc->sums, 0, sizeof fc->sums);
	memset(fc->nmember, 0, sizeof fc->nmember);
	for (size_t h = 0; h < fc->nhost; h++) {
		const struct plan_host *host = &fc->hosts[h];
		struct plan_cluster_sums *sums = &fc->sums[host->cluster];
		bool in[PLAN_CLASS_LAST] = { true, host->uefi, host->uefi && host->secure };

		fc->members[host->cluster][fc->nmember[host->cluster]++] = h;
		sums->nhost++;
		sums->nuefi += host->uefi;
		sums->nsecure += host->uefi && host->secure;
		if (!host->up || !host->enabled)
			continue;
		for (int k = 0; k < PLAN_CLASS_LAST; k++) {
			if (!in[k])
				continue;
			sums->usable[k].cpu_used += host->cpu_used;
			sums->usable[k].cpu_total += host->cpu_total;
			sums->usable[k].mem_used_mib += host->mem_used_mib;
			sums->usable[k].mem_total_mib += host->mem_total_mib;
		}
	}
}

/* Small sizes so that full hosts, ties in utilisation and empty or
 * firmware-less clusters all come up often. */
static void fleet_random(struct fleet_case *fc)
{
	memset(fc, 0, sizeof *fc);
	fc->ncluster = 1 + rng(MAX_CLUSTERS);
	fc->nhost = rng(MAX_HOSTS + 1);
	for (size_t c = 0; c < fc->ncluster; c++) {
		snprintf(fc->cluster_names[c], sizeof fc->cluster_names[c], "c%zu", c);
		fc->clusters[c].id = fc->cluster_names[c];
		fc->clusters[c].name = fc->cluster_names[c];
	}
	for (size_t h = 0; h < fc->nhost; h++) {
		struct plan_host *host = &fc->hosts[h];

		snprintf(fc->host_names[h], sizeof fc->host_names[h], "h%zu", h);
		host->id = fc->host_names[h];
		host->name = fc->host_names[h];
		host->cluster = rng((unsigned)fc->ncluster);
		host->up = rng(8) != 0;
		host->enabled = rng(8) != 0;
		host->uefi = rng(3) == 0;
		host->secure = host->uefi && rng(2);
		host->cpu_total = rng(3) * 4;
		host->cpu_used = host->cpu_total ? rng((unsigned)host->cpu_total + 1) : 0;
		host->mem_total_mib = rng(3) * 4096;
		host->mem_used_mib = host->mem_total_mib ? 1024 * rng((unsigned)(host->mem_total_mib / 1024) + 1) : 0;
		fc->avoid[h] = rng(10) == 0;
		if (fc->avoid[h]) {
			fc->avoided[fc->navoid++] = *host;
			/* A host named twice must count once. */
			if (rng(4) == 0)
				fc->avoided[fc->navoid++] = *host;
		}
	}
	fleet_sum(fc);
}

static void request_random(const struct fleet_case *fc, struct plan_request *req)
{
	static const struct boot_choice boots[] = {
		{ BOOT_TYPE_BIOS, BOOT_MODE_LEGACY },
		{ BOOT_TYPE_UEFI, BOOT_MODE_LEGACY },
		{ BOOT_TYPE_UEFI, BOOT_MODE_SECURE },
	};

	memset(req, 0, sizeof *req);
	req->boot = boots[rng(3)];
	req->cpu = 1 + rng(4);
	req->mem_mib = 1024 * (1 + rng(3));
	req->only_host = fc->nhost && rng(8) == 0 ? (long)rng((unsigned)fc->nhost) : -1;
	req->only_cluster = rng(6) == 0 ? (long)rng((unsigned)fc->ncluster) : -1;
	req->avoid = fc->avoid;
}

static void compare(unsigned long long seed, const struct fleet_case *fc,
		    const struct plan_request *req)
{
	struct plan_fleet fleet = { fc->clusters, fc->ncluster, fc->hosts, fc->nhost };
	struct feed feed = { .fleet = fc };
	struct plan_source source = {
		.clusters = fc->clusters,
		.sums = fc->sums,
		.ncluster = fc->ncluster,
		.members = feed_members,
		.opaque = &feed,
		.known = fc->hosts,
		.nknown = fc->nhost,
		.avoided = fc->avoided,
		.navoid = fc->navoid,
	};
	struct plan_request lazy = *req;
	struct plan_result want = { 0 }, got = { 0 };
	struct bd_error want_err = { 0 }, got_err = { 0 };
	int want_rc = planner_place(&fleet, req, &want, &want_err);
	int got_rc;
	size_t reached = 0;
	bool seen[MAX_CLUSTERS] = { false };

	lazy.avoid = NULL; /* the source names avoided hosts itself */
	got_rc = planner_place_source(&source, &lazy, &got, &got_err);
	if (got_rc != want_rc || got.host != want.host || got.nstep != want.nstep ||
	    got_err.code != want_err.code || strcmp(got_err.text, want_err.text) != 0)
		fail_msg("seed %llu: source plan %d host %ld (%zu steps, '%s') differs from the "
			 "whole-fleet plan %d host %ld (%zu steps, '%s')", seed, got_rc, got.host,
			 got.nstep, got_err.text, want_rc, want.host, want.nstep, want_err.text);
	for (size_t i = 0; i < want.nstep; i++) {
		const struct plan_step *a = &want.steps[i], *b = &got.steps[i];

		if (a->cluster != b->cluster || a->host != b->host || a->reason != b->reason)
			fail_msg("seed %llu: step %zu is (cluster %zu, host %ld, %s) from the source "
				 "but (cluster %zu, host %ld, %s) over the whole fleet", seed, i,
				 b->cluster, b->host, plan_reason_text(b->reason), a->cluster,
				 a->host, plan_reason_text(a->reason));
		if (a->host >= 0 && !seen[a->cluster]) {
			seen[a->cluster] = true;
			reached++;
		}
	}
	/* Only the clusters whose hosts the trail lists were read. */
	if (req->only_host < 0 && feed.calls != reached)
		fail_msg("seed %llu: the source read %zu clusters, the trail shows hosts of %zu",
			 seed, feed.calls, reached);
	if (req->only_host >= 0)
		assert_int_equal(feed.calls, 0);
	free(feed.table);
	plan_result_clear(&want);
	plan_result_clear(&got);
}

static void test_source_plans_as_whole_fleet(void **state)
{
	const char *env = getenv("PLANNER_SEED");
	unsigned long long first = env ? strtoull(env, NULL, 10) : 20261203ULL;
	int rounds = env ? 1 : ROUNDS;
	struct fleet_case *fc = malloc(sizeof *fc);

	(void)state;
	assert_non_null(fc);
	for (int r = 0; r < rounds; r++) {
		unsigned long long seed = first + (unsigned long long)r;

		rng_state = seed;
		fleet_random(fc);
		for (int q = 0; q < 6; q++) {
			struct plan_request req;

			request_random(fc, &req);
			compare(seed, fc, &req);
		}
	}
	free(fc);
}

/* Avoided hosts leave their cluster's sums as a whole-fleet plan sees them:
 * here the avoided host is what makes c0 look busier than c1 (8/16 against
 * 3/8 vCPUs); taken out, c0 is idle and tried first. */
static void test_avoided_host_leaves_the_sums(void **state)
{
	struct fleet_case *fc = calloc(1, sizeof *fc);
	struct plan_request req = { .boot = { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, .cpu = 1,
				    .mem_mib = 1024, .only_host = -1, .only_cluster = -1 };
	struct plan_host base = { .up = true, .enabled = true, .cpu_total = 8,
				  .mem_total_mib = 8192 };

	(void)state;
	assert_non_null(fc);
	fc->ncluster = 2;
	fc->nhost = 3;
	for (size_t c = 0; c < 2; c++) {
		snprintf(fc->cluster_names[c], sizeof fc->cluster_names[c], "c%zu", c);
		fc->clusters[c] = (struct plan_cluster){ fc->cluster_names[c], fc->cluster_names[c] };
	}
	for (size_t h = 0; h < 3; h++) {
		snprintf(fc->host_names[h], sizeof fc->host_names[h], "h%zu", h);
		fc->hosts[h] = base;
		fc->hosts[h].id = fc->hosts[h].name = fc->host_names[h];
	}
	fc->hosts[0].cluster = 0;  /* busy, avoided */
	fc->hosts[0].cpu_used = 8;
	fc->hosts[1].cluster = 0;  /* idle */
	fc->hosts[2].cluster = 1;  /* 3/8 busy */
	fc->hosts[2].cpu_used = 3;
	fc->avoid[0] = true;
	fc->avoided[fc->navoid++] = fc->hosts[0];
	fleet_sum(fc);
	req.avoid = fc->avoid;
	compare(0, fc, &req);

	/* And directly: c0 first, its avoided host passed over, h1 taken. */
	struct plan_result result = { 0 };
	struct bd_error err = { 0 };
	struct feed feed = { .fleet = fc };
	struct plan_source source = { fc->clusters, fc->sums, 2, feed_members, &feed,
				      fc->hosts, 3, fc->avoided, 1 };

	req.avoid = NULL;
	assert_int_equal(planner_place_source(&source, &req, &result, &err), 0);
	assert_int_equal(result.host, 1);
	assert_int_equal(result.steps[0].host, 0);
	assert_int_equal(result.steps[0].reason, PLAN_AVOIDED);
	plan_result_clear(&result);
	free(feed.table);
	free(fc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_plans_as_whole_fleet),
		cmocka_unit_test(test_avoided_host_leaves_the_sums),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
