/* Times planner_place() on a large fleet: 10,000 hosts in 500 clusters,
 * a third with UEFI, with the best case (room early) and the worst (every
 * host considered) for each boot type. Prints microseconds per plan. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/planner.h"

#define NCLUSTER 500
#define NHOST 10000
#define ROUNDS 200

static uint64_t bench_rng = 7;

static uint64_t bench_rng_next(void)
{
	uint64_t z = (bench_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

struct bench_case {
	const char *label;
	struct boot_choice boot;
	int64_t cpu;
	int64_t mem_mib;
};

static const struct bench_case bench_cases[] = {
	{ "BIOS, room found", { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, 2, 2048 },
	{ "UEFI LEGACY, room found", { BOOT_TYPE_UEFI, BOOT_MODE_LEGACY }, 2, 2048 },
	{ "UEFI SECURE, room found", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, 2, 2048 },
	/* Larger than any host: every host is considered and listed. */
	{ "BIOS, nothing fits", { BOOT_TYPE_BIOS, BOOT_MODE_LEGACY }, 2, 1 << 30 },
	{ "UEFI SECURE, nothing fits", { BOOT_TYPE_UEFI, BOOT_MODE_SECURE }, 2, 1 << 30 },
};

int main(void)
{
	static struct plan_cluster clusters[NCLUSTER];
	static struct plan_host hosts[NHOST];
	static char names[NHOST + NCLUSTER][16];
	struct plan_fleet fleet = { clusters, NCLUSTER, hosts, NHOST };
	int ret = EXIT_FAILURE;

	for (size_t c = 0; c < NCLUSTER; c++) {
		snprintf(names[NHOST + c], sizeof names[0], "cluster-%zu", c);
		clusters[c] = (struct plan_cluster){ names[NHOST + c], names[NHOST + c] };
	}
	for (size_t i = 0; i < NHOST; i++) {
		struct plan_host *h = &hosts[i];

		snprintf(names[i], sizeof names[0], "kvm-%zu", i);
		h->id = h->name = names[i];
		/* Shuffled membership: the planner must not rely on grouping. */
		h->cluster = (size_t)(bench_rng_next() % NCLUSTER);
		h->up = bench_rng_next() % 50 != 0;
		h->enabled = bench_rng_next() % 50 != 0;
		h->uefi = bench_rng_next() % 3 == 0;
		h->secure = h->uefi && bench_rng_next() % 2;
		h->cpu_total = 64;
		h->cpu_used = (int64_t)(bench_rng_next() % 65);
		h->mem_total_mib = 262144;
		h->mem_used_mib = (int64_t)(bench_rng_next() % 262145);
	}

	printf("%d hosts, %d clusters, %d plans per case\n", NHOST, NCLUSTER, ROUNDS);
	for (size_t k = 0; k < sizeof bench_cases / sizeof bench_cases[0]; k++) {
		const struct bench_case *bc = &bench_cases[k];
		struct plan_request req = { bc->boot, bc->cpu, bc->mem_mib, -1, -1, NULL };
		double worst = 0, total = 0;
		size_t nstep = 0;
		int rc = 0;
		struct bd_error err = { 0 };

		for (int r = 0; r < ROUNDS; r++) {
			struct plan_result result = { 0 };
			double start = bench_now_us();
			double spent;

			rc = planner_place(&fleet, &req, &result, &err);
			spent = bench_now_us() - start;
			total += spent;
			worst = spent > worst ? spent : worst;
			nstep = result.nstep;
			plan_result_clear(&result);
			if (rc < 0 && err.code != BD_ERR_CAPACITY) {
				fprintf(stderr, "%s: %s\n", bc->label, err.text);
				goto cleanup;
			}
		}
		printf("%-28s %8.1f us mean %8.1f us worst  %6zu trail steps  %s\n", bc->label,
		       total / ROUNDS, worst, nstep, rc == 0 ? "placed" : "533");
	}
	ret = EXIT_SUCCESS;

 cleanup:
	return ret;
}
