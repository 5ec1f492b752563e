/* Times what a deploy does per placement on a fleet database: inside a
 * write transaction, check the request, load the fleet from the store and
 * run the planner (vmops_preview), then roll back so every round sees the
 * same fleet.
 *
 *   plan-bench DB ROUNDS
 *
 * Prints one line per boot choice: "BIOS p50_ms p99_ms min_ms max_ms", and
 * a line "hosts-read" for store_host_plan_list() alone (every host's planner
 * row, read inside the same kind of transaction): what a plan cost before
 * the clusters' sums were kept, for comparison. A plan now reads the
 * clusters' sums and only the hosts of the clusters it reaches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/vmops.h"

struct plan_case {
	const char *label;
	const char *boottype;
	const char *bootmode;
};

static const struct plan_case plan_cases[] = {
	{ "BIOS", "BIOS", "LEGACY" },
	{ "UEFI-SECURE", "UEFI", "SECURE" },
};

static double plan_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int plan_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The sample at fraction q of the sorted times (nearest rank). */
static double plan_quantile(const double *sorted, int n, double q)
{
	int rank = (int)(q * n + 0.999999);

	if (rank < 1)
		rank = 1;
	return sorted[rank > n ? n - 1 : rank - 1];
}

static int plan_run(struct store *store, const struct plan_case *pc, int rounds, double *times,
		    struct bd_error *err)
{
	struct deploy_request req = {
		.name = "bench-new-vm",
		.template_id = "bench-template",
		.offering_id = "bench-small",
		.boottype = pc->boottype,
		.bootmode = pc->bootmode,
		.start = true,
	};

	for (int r = 0; r < rounds; r++) {
		struct placement placement = { 0 };
		double start = plan_now_ms();
		int rc = store_begin(store, err);

		if (rc == 0)
			rc = vmops_preview(store, &req, &placement, err);
		store_rollback(store);
		times[r] = plan_now_ms() - start;
		if (rc < 0) {
			placement_clear(&placement);
			return -1;
		}
		if (r == 0)
			fprintf(stderr, "plan-bench: %s -> %s\n", pc->label, placement.summary);
		placement_clear(&placement);
	}
	return 0;
}

static int plan_read_only(struct store *store, int rounds, double *times, struct bd_error *err)
{
	for (int r = 0; r < rounds; r++) {
		struct host_plan_row *rows = NULL;
		size_t count = 0;
		double start = plan_now_ms();
		int rc = store_begin(store, err);

		if (rc == 0)
			rc = store_host_plan_list(store, &rows, &count, err);
		store_rollback(store);
		times[r] = plan_now_ms() - start;
		free(rows);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bd_error err = { 0 };
	struct store *store = NULL;
	double *times = NULL;
	int rounds = argc == 3 ? atoi(argv[2]) : 0;
	int ret = EXIT_FAILURE;

	if (argc != 3 || rounds < 1) {
		fprintf(stderr, "usage: plan-bench DB ROUNDS (ROUNDS >= 1)\n");
		return 2;
	}
	times = calloc((size_t)rounds, sizeof *times);
	store = times ? store_open(argv[1], &err) : NULL;
	if (!store) {
		fprintf(stderr, "plan-bench: %s\n", times ? err.text : "out of memory");
		goto cleanup;
	}
	for (size_t k = 0; k < sizeof plan_cases / sizeof plan_cases[0]; k++) {
		if (plan_run(store, &plan_cases[k], rounds, times, &err) < 0) {
			fprintf(stderr, "plan-bench: %s: %s\n", plan_cases[k].label, err.text);
			goto cleanup;
		}
		qsort(times, (size_t)rounds, sizeof *times, plan_cmp);
		printf("%s %.3f %.3f %.3f %.3f\n", plan_cases[k].label,
		       plan_quantile(times, rounds, 0.50), plan_quantile(times, rounds, 0.99),
		       times[0], times[rounds - 1]);
	}
	if (plan_read_only(store, rounds, times, &err) < 0) {
		fprintf(stderr, "plan-bench: reading the hosts: %s\n", err.text);
		goto cleanup;
	}
	qsort(times, (size_t)rounds, sizeof *times, plan_cmp);
	printf("hosts-read %.3f %.3f %.3f %.3f\n", plan_quantile(times, rounds, 0.50),
	       plan_quantile(times, rounds, 0.99), times[0], times[rounds - 1]);
	ret = EXIT_SUCCESS;
cleanup:
	store_close(store);
	free(times);
	return ret;
}
