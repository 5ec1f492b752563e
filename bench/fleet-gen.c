/* Builds a synthetic fleet database of any size through the store API, for
 * the placement, listing and console benchmarks:
 *
 *   fleet-gen DB HOSTS CLUSTERS VMS [up|disconnected]
 *
 * Hosts are spread round-robin over the clusters; a third have UEFI and
 * half of those proven Secure Boot. VMs go round-robin over the hosts with
 * a boot mode each host can run, mostly Running. The hosts are simulated
 * (test:/// URLs naming files that do not exist): "up" records them Up so
 * the planner considers them; "disconnected" records them Disconnected so
 * listVirtualMachines leaves their VMs as recorded instead of asking a
 * hypervisor. Everything is written in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/store.h"

/* A fixed seed: every run builds the same fleet. */
static unsigned long long gen_rng = 42;

static unsigned gen_rand(void)
{
	gen_rng = gen_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(gen_rng >> 33);
}

static int gen_usage(const char *why)
{
	fprintf(stderr, "fleet-gen: %s\nusage: fleet-gen DB HOSTS CLUSTERS VMS [up|disconnected]\n",
		why);
	return 2;
}

static long gen_count(const char *text, long min)
{
	char *end = NULL;
	long value = strtol(text, &end, 10);

	return end && *end == '\0' && value >= min ? value : -1;
}

static int gen_hosts(struct store *store, long nhost, long ncluster, enum host_state state,
		     char (*host_ids)[ID_LEN], bool *host_uefi, bool *host_secure,
		     struct bd_error *err)
{
	char (*cluster_ids)[ID_LEN] = calloc((size_t)ncluster, ID_LEN);
	int ret = -1;

	if (!cluster_ids) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory for %ld clusters", ncluster);
		return -1;
	}
	for (long c = 0; c < ncluster; c++) {
		struct cluster cluster = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };

		snprintf(cluster.name, sizeof cluster.name, "bench-c%04ld", c);
		if (store_cluster_insert(store, &cluster, err) < 0)
			goto cleanup;
		memcpy(cluster_ids[c], cluster.id, ID_LEN);
	}
	for (long h = 0; h < nhost; h++) {
		struct host host = { 0 };
		char url[96];
		int rc;

		snprintf(host.name, sizeof host.name, "bench-h%05ld", h);
		memcpy(host.cluster_id, cluster_ids[h % ncluster], ID_LEN);
		snprintf(url, sizeof url, "test:///nonexistent/bench/%s.xml", host.name);
		host.url = url;
		/* A few hosts unusable, as in any real fleet. */
		host.state = gen_rand() % 50 == 0 ? HOST_STATE_DISCONNECTED : state;
		host.allocation = gen_rand() % 50 == 0 ? ALLOCATION_DISABLED : ALLOCATION_ENABLED;
		host.hypervisor = HYPERVISOR_SIMULATOR;
		snprintf(host.hypervisor_version, sizeof host.hypervisor_version, "9.0.0");
		snprintf(host.arch, sizeof host.arch, "x86_64");
		host.cpus = 64;
		host.memory_mib = 262144;
		host.caps.uefi = gen_rand() % 3 == 0;
		host.caps.secure = host.caps.uefi && gen_rand() % 2;
		snprintf(host.caps.virt_type, sizeof host.caps.virt_type, "qemu");
		if (host.caps.uefi) {
			host.caps.loader_legacy = "/usr/share/OVMF/OVMF_CODE_4M.fd";
			host.caps.nvram_template_legacy = "/usr/share/OVMF/OVMF_VARS_4M.fd";
		}
		if (host.caps.secure) {
			host.caps.loader_secure = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd";
			host.caps.nvram_template_secure = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";
		}
		if (host.state == HOST_STATE_DISCONNECTED)
			host.last_error = "simulated host: not reachable";
		rc = store_host_insert(store, &host, err);
		if (rc < 0)
			goto cleanup;
		memcpy(host_ids[h], host.id, ID_LEN);
		host_uefi[h] = host.caps.uefi;
		host_secure[h] = host.caps.secure;
	}
	ret = 0;
cleanup:
	free(cluster_ids);
	return ret;
}

static int gen_vms(struct store *store, long nvm, long nhost, char (*host_ids)[ID_LEN],
		   const bool *host_uefi, const bool *host_secure, const char *template_id,
		   const char *offering_id, struct bd_error *err)
{
	static const enum vm_state states[] = {
		VM_STATE_RUNNING, VM_STATE_RUNNING, VM_STATE_RUNNING, VM_STATE_STOPPED,
	};

	for (long v = 0; v < nvm; v++) {
		long h = v % nhost;
		struct vm vm = { 0 };

		snprintf(vm.name, sizeof vm.name, "bench-vm%06ld", v);
		vm.state = states[gen_rand() % (sizeof states / sizeof states[0])];
		vm.boot.type = host_uefi[h] && gen_rand() % 2 ? BOOT_TYPE_UEFI : BOOT_TYPE_BIOS;
		vm.boot.mode = vm.boot.type == BOOT_TYPE_UEFI && host_secure[h] ? BOOT_MODE_SECURE
										: BOOT_MODE_LEGACY;
		memcpy(vm.host_id, host_ids[h], ID_LEN);
		snprintf(vm.template_id, sizeof vm.template_id, "%s", template_id);
		snprintf(vm.offering_id, sizeof vm.offering_id, "%s", offering_id);
		vm.cpunumber = 1 + (int)(gen_rand() % 2);
		vm.memory_mib = 1024 * (1 + (int64_t)(gen_rand() % 4));
		snprintf(vm.machine, sizeof vm.machine, "q35");
		if (store_vm_insert(store, &vm, err) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bd_error err = { 0 };
	struct store *store = NULL;
	struct template tmpl = { .format = TEMPLATE_QCOW2, .size_bytes = 1 << 30 };
	struct service_offering offering = { .cpunumber = 1, .memory_mib = 1024 };
	char (*host_ids)[ID_LEN] = NULL;
	bool *host_uefi = NULL, *host_secure = NULL;
	enum host_state state = HOST_STATE_UP;
	long nhost, ncluster, nvm;
	int ret = EXIT_FAILURE;

	if (argc != 5 && argc != 6)
		return gen_usage("wrong number of arguments");
	nhost = gen_count(argv[2], 1);
	ncluster = gen_count(argv[3], 1);
	nvm = gen_count(argv[4], 0);
	if (nhost < 0 || ncluster < 0 || nvm < 0)
		return gen_usage("HOSTS and CLUSTERS must be whole numbers >= 1, VMS >= 0");
	if (argc == 6 && strcmp(argv[5], "disconnected") == 0)
		state = HOST_STATE_DISCONNECTED;
	else if (argc == 6 && strcmp(argv[5], "up") != 0)
		return gen_usage("the host state must be 'up' or 'disconnected'");
	if (access(argv[1], F_OK) == 0)
		return gen_usage("the database exists already: remove it first");

	host_ids = calloc((size_t)nhost, ID_LEN);
	host_uefi = calloc((size_t)nhost, sizeof *host_uefi);
	host_secure = calloc((size_t)nhost, sizeof *host_secure);
	if (!host_ids || !host_uefi || !host_secure) {
		fprintf(stderr, "fleet-gen: out of memory for %ld hosts\n", nhost);
		goto cleanup;
	}
	store = store_open(argv[1], &err);
	if (!store || store_begin(store, &err) < 0)
		goto fail;
	snprintf(tmpl.name, sizeof tmpl.name, "bench-template");
	tmpl.url = "/nonexistent/bench/template.qcow2";
	snprintf(offering.name, sizeof offering.name, "bench-small");
	if (store_template_insert(store, &tmpl, &err) < 0 ||
	    store_offering_insert(store, &offering, &err) < 0 ||
	    gen_hosts(store, nhost, ncluster, state, host_ids, host_uefi, host_secure, &err) < 0 ||
	    gen_vms(store, nvm, nhost, host_ids, host_uefi, host_secure, tmpl.id, offering.id,
		    &err) < 0 ||
	    store_commit(store, &err) < 0)
		goto fail;
	printf("%s: %ld hosts in %ld clusters, %ld VMs\n", argv[1], nhost, ncluster, nvm);
	ret = EXIT_SUCCESS;
	goto cleanup;
fail:
	fprintf(stderr, "fleet-gen: %s\n", err.text);
	store_rollback(store);
cleanup:
	store_close(store);
	free(host_ids);
	free(host_uefi);
	free(host_secure);
	return ret;
}
