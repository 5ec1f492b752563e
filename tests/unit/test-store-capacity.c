/* The capacity and firmware flags the schema keeps on each host row for the
 * planner (store_host_plan_list), and the per-cluster sums it keeps from
 * those rows (store_cluster_plan_list), must always equal what the VMs, the
 * host details, the hosts and the overcommit factors say: checked after
 * every kind of write against sums computed directly from the tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/store.h"
#include "tests/lib/testutil.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store *store;
	char host_ids[3][ID_LEN];
	char cluster_ids[2][ID_LEN];
};

static void must(int rc, const struct bd_error *err)
{
	if (rc < 0)
		fail_msg("setup failed: %s", err->text);
}

static void add_host(struct fixture *fx, int i, const char *name, const char *cluster_id,
		     bool uefi, bool secure)
{
	struct bd_error err = { 0 };
	struct host host = { 0 };

	snprintf(host.name, sizeof host.name, "%s", name);
	snprintf(host.cluster_id, sizeof host.cluster_id, "%s", cluster_id);
	host.url = "test:///default";
	host.state = HOST_STATE_UP;
	host.allocation = ALLOCATION_ENABLED;
	host.hypervisor = HYPERVISOR_SIMULATOR;
	host.cpus = 16;
	host.memory_mib = 65536;
	host.caps.uefi = uefi;
	host.caps.secure = secure;
	must(store_host_insert(fx->store, &host, &err), &err);
	memcpy(fx->host_ids[i], host.id, ID_LEN);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct bd_error err = { 0 };
	struct cluster cluster = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };

	snprintf(fx->dir, sizeof fx->dir, "/tmp/bdcapacity-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/test.db", fx->dir);
	fx->store = store_open(fx->path, &err);
	must(fx->store ? 0 : -1, &err);
	snprintf(cluster.name, sizeof cluster.name, "c1");
	must(store_cluster_insert(fx->store, &cluster, &err), &err);
	memcpy(fx->cluster_ids[0], cluster.id, ID_LEN);
	add_host(fx, 0, "kvm-bios", cluster.id, false, false);
	add_host(fx, 1, "kvm-secure", cluster.id, true, true);
	snprintf(cluster.name, sizeof cluster.name, "c2");
	must(store_cluster_insert(fx->store, &cluster, &err), &err);
	memcpy(fx->cluster_ids[1], cluster.id, ID_LEN);
	add_host(fx, 2, "kvm-uefi", cluster.id, true, false);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	store_close(fx->store);
	test_db_remove(fx->path, fx->dir);
	free(fx);
	return 0;
}

/* Sums of the live VMs of one host, straight from the vms table. */
static void sums_from_vms(const char *path, const char *host_id, int64_t *cpu, int64_t *mem)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT COALESCE(SUM(cpunumber), 0),"
					    " COALESCE(SUM(memory_mib), 0) FROM vms WHERE host_id = ?1"
					    " AND state IN ('Starting', 'Running', 'Migrating')",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(stmt, 1, host_id, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	*cpu = sqlite3_column_int64(stmt, 0);
	*mem = sqlite3_column_int64(stmt, 1);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* Host i's kept vCPUs as the planner reads them, inside any transaction. */
static int kept_cpu(struct fixture *fx, int i)
{
	struct bd_error err = { 0 };
	struct host_plan_row *rows = NULL;
	size_t count = 0;
	int kept = -1;

	must(store_host_plan_list(fx->store, &rows, &count, &err), &err);
	for (size_t r = 0; r < count; r++) {
		if (strcmp(rows[r].id, fx->host_ids[i]) == 0)
			kept = rows[r].cpu_used;
	}
	free(rows);
	return kept;
}

/* Every cluster's kept sums equal the ones computed here from the host rows
 * and the clusters' factors, the way the planner computed them from the
 * whole fleet before the sums were kept: per host, totals truncated after
 * the factor; a class counts its hosts in any state, sums only those Up
 * and Enabled. Returns how many clusters there are. */
static size_t check_clusters(struct fixture *fx)
{
	struct bd_error err = { 0 };
	struct cluster_plan_row *kept = NULL;
	struct host_plan_row *hosts = NULL;
	struct cluster *clusters = NULL;
	size_t nkept = 0, nhost = 0, ncluster = 0;

	must(store_cluster_plan_list(fx->store, &kept, &nkept, &err), &err);
	must(store_host_plan_list(fx->store, &hosts, &nhost, &err), &err);
	must(store_cluster_list(fx->store, &clusters, &ncluster, &err), &err);
	assert_int_equal(nkept, ncluster);
	for (size_t c = 0; c < ncluster; c++) {
		struct cluster_capacity want[CAPACITY_CLASS_LAST] = { 0 };

		/* Same clusters, same (creation) order. */
		assert_string_equal(kept[c].id, clusters[c].id);
		assert_string_equal(kept[c].name, clusters[c].name);
		for (size_t h = 0; h < nhost; h++) {
			const struct host_plan_row *host = &hosts[h];
			bool in[CAPACITY_CLASS_LAST] = { true, host->uefi, host->uefi && host->secure };
			bool usable = host->state == HOST_STATE_UP &&
				      host->allocation == ALLOCATION_ENABLED;

			if (strcmp(host->cluster_id, clusters[c].id) != 0)
				continue;
			for (int k = 0; k < CAPACITY_CLASS_LAST; k++) {
				if (!in[k])
					continue;
				want[k].hosts++;
				if (!usable)
					continue;
				want[k].cpu_used += host->cpu_used;
				want[k].cpu_total += (int64_t)(host->cpus * clusters[c].cpu_overcommit);
				want[k].memory_used_mib += host->memory_used_mib;
				want[k].memory_total_mib += (int64_t)((double)host->memory_mib *
								      clusters[c].mem_overcommit);
			}
		}
		for (int k = 0; k < CAPACITY_CLASS_LAST; k++) {
			const struct cluster_capacity *got = &kept[c].capacity[k];

			if (got->hosts != want[k].hosts || got->cpu_used != want[k].cpu_used ||
			    got->cpu_total != want[k].cpu_total ||
			    got->memory_used_mib != want[k].memory_used_mib ||
			    got->memory_total_mib != want[k].memory_total_mib)
				fail_msg("cluster '%s' class %d: kept %lld hosts, %lld/%lld vCPUs, "
					 "%lld/%lld MiB; recomputed %lld hosts, %lld/%lld vCPUs, "
					 "%lld/%lld MiB", clusters[c].name, k, (long long)got->hosts,
					 (long long)got->cpu_used, (long long)got->cpu_total,
					 (long long)got->memory_used_mib,
					 (long long)got->memory_total_mib, (long long)want[k].hosts,
					 (long long)want[k].cpu_used, (long long)want[k].cpu_total,
					 (long long)want[k].memory_used_mib,
					 (long long)want[k].memory_total_mib);
		}
	}
	free(kept);
	free(hosts);
	free(clusters);
	return ncluster;
}

/* Host i's kept values equal the ones recomputed from committed rows, and
 * store_host_get agrees, and so do the clusters' sums; returns its kept
 * vCPUs so a step checks the value. */
static int check_host(struct fixture *fx, int i)
{
	struct bd_error err = { 0 };
	struct host_plan_row *rows = NULL;
	struct host host = { 0 };
	size_t count = 0;
	int64_t cpu, mem;
	int kept = -1;

	must(store_host_plan_list(fx->store, &rows, &count, &err), &err);
	assert_int_equal(count, 3);
	sums_from_vms(fx->path, fx->host_ids[i], &cpu, &mem);
	for (size_t r = 0; r < count; r++) {
		if (strcmp(rows[r].id, fx->host_ids[i]) != 0)
			continue;
		assert_int_equal(rows[r].cpu_used, cpu);
		assert_int_equal(rows[r].memory_used_mib, mem);
		kept = rows[r].cpu_used;
	}
	free(rows);
	must(store_host_get(fx->store, fx->host_ids[i], &host, &err), &err);
	assert_int_equal(host.cpu_allocated, cpu);
	assert_int_equal(host.memory_allocated_mib, mem);
	host_clear(&host);
	check_clusters(fx);
	return kept;
}

static void add_vm(struct fixture *fx, const char *name, int i, enum vm_state state, int cpus,
		   struct vm *out)
{
	struct bd_error err = { 0 };

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	out->state = state;
	out->boot = (struct boot_choice){ BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	memcpy(out->host_id, fx->host_ids[i], ID_LEN);
	out->cpunumber = cpus;
	out->memory_mib = 1024 * cpus;
	must(store_vm_insert(fx->store, out, &err), &err);
}

static void test_capacity_follows_vm_writes(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	struct vm a, b, stopped;

	assert_int_equal(check_host(fx, 0), 0);
	add_vm(fx, "a", 0, VM_STATE_RUNNING, 2, &a);
	add_vm(fx, "b", 0, VM_STATE_STARTING, 3, &b);
	add_vm(fx, "stopped", 0, VM_STATE_STOPPED, 4, &stopped);
	assert_int_equal(check_host(fx, 0), 5);

	/* A stop releases, a start takes again. */
	must(store_vm_set_state(fx->store, b.id, VM_STATE_STOPPED, &err), &err);
	assert_int_equal(check_host(fx, 0), 2);
	must(store_vm_set_state(fx->store, stopped.id, VM_STATE_RUNNING, &err), &err);
	assert_int_equal(check_host(fx, 0), 6);

	/* A migration moves the capacity from one host to the other, and
	 * from one cluster to the other. */
	memcpy(a.host_id, fx->host_ids[1], ID_LEN);
	a.host_name[0] = '\0';
	must(store_vm_update(fx->store, &a, &err), &err);
	assert_int_equal(check_host(fx, 0), 4);
	assert_int_equal(check_host(fx, 1), 2);
	memcpy(b.host_id, fx->host_ids[2], ID_LEN);
	b.host_name[0] = b.cluster_id[0] = '\0';
	b.state = VM_STATE_RUNNING;
	must(store_vm_update(fx->store, &b, &err), &err);
	assert_int_equal(check_host(fx, 2), 3);
	b.state = VM_STATE_STOPPED;
	must(store_vm_update(fx->store, &b, &err), &err);
	assert_int_equal(check_host(fx, 2), 0);

	/* A record leaving its host (failed deploy) and an expunge release it. */
	stopped.host_id[0] = stopped.host_name[0] = stopped.cluster_id[0] = '\0';
	must(store_vm_update(fx->store, &stopped, &err), &err);
	assert_int_equal(check_host(fx, 0), 0);
	must(store_vm_delete(fx->store, a.id, &err), &err);
	assert_int_equal(check_host(fx, 1), 0);

	/* A rolled-back reservation leaves nothing behind. */
	vm_clear(&b);
	must(store_begin(fx->store, &err), &err);
	add_vm(fx, "reserved", 1, VM_STATE_STARTING, 8, &b);
	assert_int_equal(kept_cpu(fx, 1), 8);
	check_clusters(fx);
	store_rollback(fx->store);
	assert_int_equal(check_host(fx, 1), 0);
	vm_clear(&a);
	vm_clear(&b);
	vm_clear(&stopped);
}

static void test_flags_follow_host_details(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	struct host_plan_row *rows = NULL;
	struct host host = { 0 };
	size_t count = 0;

	must(store_host_plan_list(fx->store, &rows, &count, &err), &err);
	assert_int_equal(count, 3);
	/* Onboarding order, and the flags as inserted. */
	assert_string_equal(rows[0].name, "kvm-bios");
	assert_false(rows[0].uefi);
	assert_false(rows[0].secure);
	assert_string_equal(rows[1].name, "kvm-secure");
	assert_true(rows[1].uefi);
	assert_true(rows[1].secure);
	free(rows);

	/* A re-probe that loses Secure Boot must reach the planner at once. */
	must(store_host_get(fx->store, "kvm-secure", &host, &err), &err);
	host.caps.secure = false;
	must(store_host_update(fx->store, &host, &err), &err);
	host_clear(&host);
	must(store_host_get(fx->store, "kvm-bios", &host, &err), &err);
	host.caps.uefi = true;
	host.state = HOST_STATE_DISCONNECTED;
	must(store_host_update(fx->store, &host, &err), &err);
	host_clear(&host);

	must(store_host_plan_list(fx->store, &rows, &count, &err), &err);
	assert_true(rows[0].uefi);
	assert_int_equal(rows[0].state, HOST_STATE_DISCONNECTED);
	assert_true(rows[1].uefi);
	assert_false(rows[1].secure);
	free(rows);
}

/* The cluster sums follow what changes a host's share or its class's
 * members without touching a VM: state, allocation, size and firmware
 * re-probes, overcommit factors, onboarding and deleting hosts and
 * clusters, and a rolled-back onboarding. */
static void test_cluster_sums_follow_host_writes(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	struct cluster cluster = { 0 };
	struct host host = { 0 };
	struct vm vm;

	add_vm(fx, "web", 1, VM_STATE_RUNNING, 3, &vm);
	vm_clear(&vm);
	add_vm(fx, "db", 2, VM_STATE_RUNNING, 2, &vm);
	assert_int_equal(check_host(fx, 1), 3);

	/* Odd sizes and factors: the totals truncate per host. */
	must(store_host_get(fx->store, "kvm-secure", &host, &err), &err);
	host.cpus = 7;
	host.memory_mib = 10001;
	must(store_host_update(fx->store, &host, &err), &err);
	host_clear(&host);
	must(store_cluster_get(fx->store, "c1", &cluster, &err), &err);
	cluster.cpu_overcommit = 1.3;
	cluster.mem_overcommit = 1.7;
	must(store_cluster_update(fx->store, &cluster, &err), &err);
	assert_int_equal(check_clusters(fx), 2);

	/* Leaving and re-entering the usable hosts, and losing a class. */
	must(store_host_get(fx->store, "kvm-secure", &host, &err), &err);
	host.state = HOST_STATE_DISCONNECTED;
	must(store_host_update(fx->store, &host, &err), &err);
	check_host(fx, 1);
	host.state = HOST_STATE_UP;
	host.allocation = ALLOCATION_DISABLED;
	must(store_host_update(fx->store, &host, &err), &err);
	check_host(fx, 1);
	host.allocation = ALLOCATION_ENABLED;
	host.caps.secure = false;
	must(store_host_update(fx->store, &host, &err), &err);
	check_host(fx, 1);
	host.caps.uefi = false;
	must(store_host_update(fx->store, &host, &err), &err);
	check_host(fx, 1);
	host.caps.uefi = host.caps.secure = true;
	must(store_host_update(fx->store, &host, &err), &err);
	assert_int_equal(check_host(fx, 1), 3);
	host_clear(&host);

	/* A factor back to 1 restores the plain sizes. */
	cluster.cpu_overcommit = 1.0;
	cluster.mem_overcommit = 1.0;
	must(store_cluster_update(fx->store, &cluster, &err), &err);
	check_clusters(fx);

	/* A host deleted once its VM is expunging takes its share along. */
	must(store_vm_set_state(fx->store, vm.id, VM_STATE_EXPUNGING, &err), &err);
	check_host(fx, 2);
	must(store_host_delete(fx->store, fx->host_ids[2], &err), &err);
	assert_int_equal(check_clusters(fx), 2);
	vm_clear(&vm);

	/* A cluster onboarded, given a host in a rolled-back transaction,
	 * then deleted. */
	memset(&cluster, 0, sizeof cluster);
	snprintf(cluster.name, sizeof cluster.name, "c3");
	must(store_cluster_insert(fx->store, &cluster, &err), &err);
	assert_int_equal(check_clusters(fx), 3);
	must(store_begin(fx->store, &err), &err);
	add_host(fx, 2, "kvm-new", cluster.id, true, true);
	assert_int_equal(check_clusters(fx), 3);
	store_rollback(fx->store);
	assert_int_equal(check_clusters(fx), 3);
	must(store_cluster_delete(fx->store, cluster.id, &err), &err);
	assert_int_equal(check_clusters(fx), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capacity_follows_vm_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_follow_host_details, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cluster_sums_follow_host_writes, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
