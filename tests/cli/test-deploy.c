/* Deploy and the VM lifecycle through the real binary, on a fleet of
 * simulated hosts (libvirt's test:/// driver) whose firmware comes from
 * CloudStack uefi.properties files:
 *   cluster "plain": p1 (no UEFI)
 *   cluster "uefi":  u1 (UEFI only), s1 (UEFI + Secure Boot)
 * every host 8 cores and 32 GiB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clitest.h"
#include "config.h"

#define DEMO_DIR BOOTDECK_SOURCE_DIR "/scripts/demo"

static void copy_file(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	size_t n;

	if (!in || !out)
		fail_msg("cannot copy %s to %s", from, to);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void add_host(struct clitest *ct, const char *cluster, const char *name,
		     const char *properties)
{
	char node[PATH_MAX], url[PATH_MAX + 16], props[PATH_MAX + 32];
	char key_cluster[96], key_name[96];
	json_object *obj;

	snprintf(node, sizeof node, "%s/%s.xml", ct->dir, name);
	copy_file(DEMO_DIR "/host-8c-32g.xml", node);
	snprintf(url, sizeof url, "url=test://%s", node);
	snprintf(key_cluster, sizeof key_cluster, "clusterid=%s", cluster);
	snprintf(key_name, sizeof key_name, "name=%s", name);
	if (properties) {
		snprintf(props, sizeof props, "uefiproperties=%s/%s", DEMO_DIR, properties);
		obj = clitest_ok(ct, "addHost", key_cluster, url, key_name, props, NULL);
	} else {
		obj = clitest_ok(ct, "addHost", key_cluster, url, key_name, NULL);
	}
	json_object_put(obj);
}

static int fleet_setup(void **state)
{
	struct clitest *ct = clitest_new("bootdeck-deploy");
	char image[PATH_MAX], url[PATH_MAX + 8];
	FILE *f;

	if (!ct)
		return -1;
	json_object_put(clitest_ok(ct, "createCluster", "name=plain", NULL));
	json_object_put(clitest_ok(ct, "createCluster", "name=uefi", NULL));
	add_host(ct, "plain", "p1", NULL);
	add_host(ct, "uefi", "u1", "uefi-legacy.properties");
	add_host(ct, "uefi", "s1", "uefi-secure.properties");
	/* A qcow2 header is all registerTemplate reads. */
	snprintf(image, sizeof image, "%s/disk.qcow2", ct->dir);
	f = fopen(image, "wb");
	assert_non_null(f);
	fwrite("QFI\xfb\0\0\0\3", 1, 8, f);
	fclose(f);
	snprintf(url, sizeof url, "url=%s", image);
	json_object_put(clitest_ok(ct, "registerTemplate", "name=tmpl", url, "format=QCOW2", NULL));
	json_object_put(clitest_ok(ct, "createServiceOffering", "name=small", "cpunumber=1",
				   "memory=1024", NULL));
	json_object_put(clitest_ok(ct, "createServiceOffering", "name=big", "cpunumber=8",
				   "memory=4096", NULL));
	*state = ct;
	return 0;
}

static int fleet_teardown(void **state)
{
	clitest_free(*state);
	return 0;
}

/* Deploys and returns the "virtualmachine" object (owned by *root). */
static json_object *deploy(struct clitest *ct, json_object **root, const char *name,
			   const char *offering, const char *boottype, const char *bootmode)
{
	char k_name[96], k_off[96], k_type[64], k_mode[64];

	snprintf(k_name, sizeof k_name, "name=%s", name);
	snprintf(k_off, sizeof k_off, "serviceofferingid=%s", offering);
	snprintf(k_type, sizeof k_type, "boottype=%s", boottype ? boottype : "");
	snprintf(k_mode, sizeof k_mode, "bootmode=%s", bootmode ? bootmode : "");
	if (boottype && bootmode)
		*root = clitest_ok(ct, "deployVirtualMachine", k_name, "templateid=tmpl", k_off,
				   k_type, k_mode, NULL);
	else
		*root = clitest_ok(ct, "deployVirtualMachine", k_name, "templateid=tmpl", k_off, NULL);
	return clitest_member(*root, "virtualmachine");
}

/* Whether the placement trail of vm holds {host, reason}. */
static bool trail_has(json_object *vm, const char *host, const char *reason)
{
	json_object *trail = clitest_member(clitest_member(vm, "placement"), "trail");

	for (size_t i = 0; i < json_object_array_length(trail); i++) {
		json_object *step = json_object_array_get_idx(trail, i);
		json_object *h = NULL, *r = NULL;

		if ((host == NULL || (json_object_object_get_ex(step, "host", &h) &&
				      strcmp(json_object_get_string(h), host) == 0)) &&
		    json_object_object_get_ex(step, "reason", &r) &&
		    strstr(json_object_get_string(r), reason))
			return true;
	}
	return false;
}

static json_object *host_by_name(struct clitest *ct, json_object **root, const char *name)
{
	char key[96];

	snprintf(key, sizeof key, "id=%s", name);
	*root = clitest_ok(ct, "listHosts", key, NULL);
	assert_int_equal(json_object_get_int(clitest_member(*root, "count")), 1);
	return json_object_array_get_idx(clitest_member(*root, "host"), 0);
}

static void test_hosts_report_uefi_capability(void **state)
{
	struct clitest *ct = *state;
	static const struct { const char *name; bool uefi, secure; } want[] = {
		{ "p1", false, false }, { "u1", true, false }, { "s1", true, true },
	};
	json_object *root, *host;

	for (size_t i = 0; i < 3; i++) {
		host = host_by_name(ct, &root, want[i].name);
		assert_int_equal(json_object_get_boolean(clitest_member(host, "ueficapability")),
				 want[i].uefi);
		assert_int_equal(json_object_get_boolean(clitest_member(host, "uefisecurecapability")),
				 want[i].secure);
		/* CloudStack's detail, with a false stored as false. */
		assert_string_equal(clitest_string(clitest_member(host, "details"), "host.uefi.enable"),
				    want[i].uefi ? "true" : "false");
		assert_string_equal(clitest_string(host, "state"), "Up");
		json_object_put(root);
	}
	root = clitest_ok(ct, "listHosts", "ueficapability=true", NULL);
	assert_int_equal(json_object_get_int(clitest_member(root, "count")), 2);
	json_object_put(root);
	root = clitest_ok(ct, "listHosts", "ueficapability=false", NULL);
	assert_int_equal(json_object_get_int(clitest_member(root, "count")), 1);
	json_object_put(root);
}

static void test_secure_vm_lands_on_proven_host(void **state)
{
	struct clitest *ct = *state;
	json_object *root;
	json_object *vm = deploy(ct, &root, "vault", "small", "uefi", " Secure ");

	assert_string_equal(clitest_string(vm, "hostname"), "s1");
	assert_string_equal(clitest_string(vm, "boottype"), "UEFI");
	assert_string_equal(clitest_string(vm, "bootmode"), "SECURE");
	assert_string_equal(clitest_string(vm, "state"), "Running");
	/* First fit never reaches p1's cluster; the summary says why. */
	assert_non_null(strstr(clitest_string(clitest_member(vm, "placement"), "summary"), "'plain'"));
	assert_true(trail_has(vm, "u1", "no Secure Boot"));
	assert_true(trail_has(vm, "s1", "chosen"));
	json_object_put(root);
}

static void test_bios_vm_keeps_off_uefi_hosts(void **state)
{
	struct clitest *ct = *state;
	json_object *root, *vm;

	/* p1 is busier than the UEFI cluster after the first one, yet the
	 * second BIOS VM still goes there. */
	vm = deploy(ct, &root, "web1", "small", NULL, NULL);
	assert_string_equal(clitest_string(vm, "hostname"), "p1");
	assert_string_equal(clitest_string(vm, "boottype"), "BIOS");
	assert_string_equal(clitest_string(vm, "bootmode"), "LEGACY");
	json_object_put(root);
	vm = deploy(ct, &root, "web2", "small", "BIOS", "LEGACY");
	assert_string_equal(clitest_string(vm, "hostname"), "p1");
	assert_true(trail_has(vm, NULL, "kept for UEFI guests"));
	json_object_put(root);
}

static void test_bios_vm_falls_back_to_uefi_host_when_full(void **state)
{
	struct clitest *ct = *state;
	json_object *root, *vm;

	vm = deploy(ct, &root, "fill", "big", NULL, NULL);
	assert_string_equal(clitest_string(vm, "hostname"), "p1");
	json_object_put(root);
	vm = deploy(ct, &root, "spill", "small", NULL, NULL);
	assert_string_equal(clitest_string(vm, "hostname"), "u1");
	assert_true(trail_has(vm, "p1", "not enough CPU"));
	json_object_put(root);
}

static void test_bad_boot_combinations_are_refused(void **state)
{
	struct clitest *ct = *state;
	static const char *const need_mode[] = { "bootmode", "LEGACY or SECURE", NULL };
	static const char *const need_uefi[] = { "SECURE", "UEFI", NULL };
	static const char *const bad_type[] = { "'EFI'", "BIOS, UEFI", NULL };
	json_object *root;

	clitest_fails(ct, 431, need_mode, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "boottype=UEFI", NULL);
	clitest_fails(ct, 431, need_uefi, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "boottype=BIOS", "bootmode=SECURE", NULL);
	clitest_fails(ct, 431, need_uefi, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "bootmode=SECURE", NULL);
	clitest_fails(ct, 431, bad_type, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "boottype=EFI", "bootmode=SECURE", NULL);
	/* Nothing half-written. */
	root = clitest_ok(ct, "listVirtualMachines", NULL);
	assert_int_equal(json_object_get_int(clitest_member(root, "count")), 0);
	json_object_put(root);
}

static void test_explicit_host_must_satisfy_the_rules(void **state)
{
	struct clitest *ct = *state;
	static const char *const no_secure[] = { "'u1'", "Secure Boot", NULL };
	static const char *const no_uefi[] = { "'p1'", "UEFI", NULL };
	static const char *const no_room[] = { "'p1'", NULL };
	json_object *root;

	clitest_fails(ct, 431, no_secure, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "boottype=UEFI", "bootmode=SECURE", "hostid=u1",
		      NULL);
	clitest_fails(ct, 431, no_uefi, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "boottype=UEFI", "bootmode=LEGACY", "hostid=p1",
		      NULL);
	deploy(ct, &root, "fill", "big", NULL, NULL);
	json_object_put(root);
	clitest_fails(ct, 533, no_room, "deployVirtualMachine", "name=a", "templateid=tmpl",
		      "serviceofferingid=small", "hostid=p1", NULL);
	/* An explicit host that can boot it is honoured, UEFI host or not. */
	root = clitest_ok(ct, "deployVirtualMachine", "name=pinned", "templateid=tmpl",
			  "serviceofferingid=small", "hostid=s1", NULL);
	assert_string_equal(clitest_string(clitest_member(root, "virtualmachine"), "hostname"), "s1");
	json_object_put(root);
}

static void test_full_fleet_gives_533_with_reasons(void **state)
{
	struct clitest *ct = *state;
	static const char *const why[] = { "not enough CPU", "p1", "u1", "s1", NULL };
	json_object *root;

	deploy(ct, &root, "f1", "big", NULL, NULL);
	json_object_put(root);
	deploy(ct, &root, "f2", "big", "UEFI", "LEGACY");
	json_object_put(root);
	deploy(ct, &root, "f3", "big", "UEFI", "SECURE");
	json_object_put(root);
	clitest_fails(ct, 533, why, "deployVirtualMachine", "name=late", "templateid=tmpl",
		      "serviceofferingid=small", NULL);
}

static void test_boot_details_never_change(void **state)
{
	struct clitest *ct = *state;
	static const char *const mode_rule[] = { "bootmode", "cannot change", NULL };
	static const char *const type_rule[] = { "boottype", "cannot change", NULL };
	json_object *root, *vm;

	deploy(ct, &root, "keep", "small", "UEFI", "SECURE");
	json_object_put(root);
	clitest_fails(ct, 431, mode_rule, "updateVirtualMachine", "id=keep", "bootmode=LEGACY", NULL);
	clitest_fails(ct, 431, type_rule, "updateVirtualMachine", "id=keep", "boottype=BIOS", NULL);
	root = clitest_ok(ct, "updateVirtualMachine", "id=keep", "displayname=Keeper", NULL);
	json_object_put(root);
	root = clitest_ok(ct, "listVirtualMachines", "id=keep", NULL);
	vm = json_object_array_get_idx(clitest_member(root, "virtualmachine"), 0);
	assert_string_equal(clitest_string(vm, "bootmode"), "SECURE");
	assert_string_equal(clitest_string(vm, "displayname"), "Keeper");
	json_object_put(root);
}

static void test_lifecycle_releases_and_takes_capacity(void **state)
{
	struct clitest *ct = *state;
	json_object *root, *host, *vm;

	vm = deploy(ct, &root, "life", "big", NULL, NULL);
	assert_string_equal(clitest_string(vm, "hostname"), "p1");
	json_object_put(root);
	host = host_by_name(ct, &root, "p1");
	assert_int_equal(json_object_get_int(clitest_member(host, "cpuallocated")), 8);
	json_object_put(root);

	root = clitest_ok(ct, "stopVirtualMachine", "id=life", NULL);
	assert_string_equal(clitest_string(clitest_member(root, "virtualmachine"), "state"), "Stopped");
	json_object_put(root);
	host = host_by_name(ct, &root, "p1");
	assert_int_equal(json_object_get_int(clitest_member(host, "cpuallocated")), 0);
	json_object_put(root);

	root = clitest_ok(ct, "start", "virtualmachine", "id=life", NULL);
	assert_string_equal(clitest_string(clitest_member(root, "virtualmachine"), "state"), "Running");
	json_object_put(root);
	json_object_put(clitest_ok(ct, "rebootVirtualMachine", "id=life", NULL));
	json_object_put(clitest_ok(ct, "stopVirtualMachine", "id=life", "forced=true", NULL));
	json_object_put(clitest_ok(ct, "startVirtualMachine", "id=life", NULL));

	root = clitest_ok(ct, "destroyVirtualMachine", "id=life", NULL);
	assert_string_equal(clitest_string(clitest_member(root, "virtualmachine"), "state"),
			    "Destroyed");
	json_object_put(root);
	host = host_by_name(ct, &root, "p1");
	assert_int_equal(json_object_get_int(clitest_member(host, "cpuallocated")), 0);
	json_object_put(root);
	json_object_put(clitest_ok(ct, "destroyVirtualMachine", "id=life", "expunge=true", NULL));
	root = clitest_ok(ct, "listVirtualMachines", NULL);
	assert_int_equal(json_object_get_int(clitest_member(root, "count")), 0);
	json_object_put(root);
}

static void test_migration_moves_bios_and_refuses_uefi(void **state)
{
	struct clitest *ct = *state;
	static const char *const uefi_rule[] = { "UEFI", "not supported", NULL };
	json_object *root, *vm;

	deploy(ct, &root, "fw", "small", "UEFI", "LEGACY");
	json_object_put(root);
	clitest_fails(ct, 432, uefi_rule, "migrateVirtualMachine", "id=fw", "hostid=s1", NULL);
	deploy(ct, &root, "mover", "small", NULL, NULL);
	json_object_put(root);
	root = clitest_ok(ct, "migrateVirtualMachine", "id=mover", "hostid=u1", NULL);
	vm = clitest_member(root, "virtualmachine");
	assert_string_equal(clitest_string(vm, "hostname"), "u1");
	assert_string_equal(clitest_string(vm, "state"), "Running");
	json_object_put(root);
}

static void test_events_record_the_deploy(void **state)
{
	struct clitest *ct = *state;
	json_object *root, *events;
	bool create = false, start = false;

	deploy(ct, &root, "evt", "small", "UEFI", "LEGACY");
	json_object_put(root);
	root = clitest_ok(ct, "listEvents", NULL);
	events = clitest_member(root, "event");
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		const char *type = clitest_string(json_object_array_get_idx(events, i), "type");

		create = create || strcmp(type, "VM.CREATE") == 0;
		start = start || strcmp(type, "VM.START") == 0;
	}
	assert_true(create);
	assert_true(start);
	json_object_put(root);
}

/* 8 processes x 25 deploys on one database: no host over capacity, every
 * VM accounted for, and the only refusals are capacity refusals. */
#define WORKERS 8
#define DEPLOYS_PER_WORKER 25

static void test_parallel_deploys_never_overcommit(void **state)
{
	struct clitest *ct = *state;
	int pipes[WORKERS][2];
	pid_t pids[WORKERS];
	int successes = 0, refusals = 0;
	json_object *root, *vms, *hosts;

	for (int w = 0; w < WORKERS; w++) {
		assert_int_equal(pipe(pipes[w]), 0);
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			FILE *report = fdopen(pipes[w][1], "w");

			close(pipes[w][0]);
			for (int i = 0; i < DEPLOYS_PER_WORKER; i++) {
				static const char *const types[] = { "BIOS", "UEFI", "UEFI" };
				static const char *const modes[] = { "LEGACY", "LEGACY", "SECURE" };
				struct runbin_result res = { 0 };
				char name[64], type[32], mode[32];
				json_object *out, *code;
				int k = (w + i) % 3;

				snprintf(name, sizeof name, "name=par-%d-%d", w, i);
				snprintf(type, sizeof type, "boottype=%s", types[k]);
				snprintf(mode, sizeof mode, "bootmode=%s", modes[k]);
				runbin_bootdeck(&res, &ct->opts, ct->db, "deployVirtualMachine", name,
						"templateid=tmpl", "serviceofferingid=small", type,
						mode, NULL);
				out = runbin_json(&res);
				res.err[strcspn(res.err, "\n")] = '\0';
				if (res.status == 0)
					fprintf(report, "ok\n");
				else if (out && json_object_object_get_ex(out, "errorcode", &code))
					fprintf(report, "%d %s\n", json_object_get_int(code),
						res.err);
				else
					fprintf(report, "? %d %s\n", res.status, res.err);
				json_object_put(out);
				runbin_result_clear(&res);
			}
			fclose(report);
			_exit(0);
		}
		close(pipes[w][1]);
	}
	for (int w = 0; w < WORKERS; w++) {
		FILE *report = fdopen(pipes[w][0], "r");
		char line[2048];
		int status;

		while (fgets(line, sizeof line, report)) {
			if (strncmp(line, "ok", 2) == 0)
				successes++;
			else if (strncmp(line, "533 ", 4) == 0)
				refusals++;
			else
				fail_msg("a deploy failed other than for capacity: %s", line);
		}
		fclose(report);
		waitpid(pids[w], &status, 0);
	}
	assert_int_equal(successes + refusals, WORKERS * DEPLOYS_PER_WORKER);
	/* 24 cores of 1-vCPU VMs: the fleet is filled, never overfilled. */
	assert_true(successes > 0 && successes <= 24);

	root = clitest_ok(ct, "listVirtualMachines", "state=Running", NULL);
	vms = clitest_member(root, "virtualmachine");
	assert_int_equal((int)json_object_array_length(vms), successes);
	json_object_put(root);
	root = clitest_ok(ct, "listHosts", NULL);
	hosts = clitest_member(root, "host");
	for (size_t i = 0; i < json_object_array_length(hosts); i++) {
		json_object *host = json_object_array_get_idx(hosts, i);
		int used = json_object_get_int(clitest_member(host, "cpuallocated"));
		int total = json_object_get_int(clitest_member(host, "cpunumber"));

		if (used > total)
			fail_msg("host %s overcommitted: %d of %d", clitest_string(host, "name"), used,
				 total);
	}
	json_object_put(root);
}

/* How many events of the given type name the VM. */
static size_t events_of(struct clitest *ct, const char *type, const char *vm_id)
{
	char key[96];
	json_object *root, *list;
	size_t n = 0;

	snprintf(key, sizeof key, "type=%s", type);
	root = clitest_ok(ct, "listEvents", key, NULL);
	list = clitest_member(root, "event");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i), *id = NULL;

		if (json_object_object_get_ex(e, "resourceid", &id) &&
		    strcmp(json_object_get_string(id), vm_id) == 0)
			n++;
	}
	json_object_put(root);
	return n;
}

/* A listing never settles a VM another bootdeck is working on: while one
 * holds the database (its lock shared), a VM it records Starting stays
 * Starting, with no reconcile event and no alert. Once no other bootdeck
 * is alive, the next start settles it by what the host reports. */
static void test_listing_leaves_work_in_flight_alone(void **state)
{
	struct clitest *ct = *state;
	json_object *root, *vm;
	char id[64], key[96], lock[PATH_MAX + 8];
	int fd;

	vm = deploy(ct, &root, "inflight", "small", NULL, NULL);
	snprintf(id, sizeof id, "%s", clitest_string(vm, "id"));
	json_object_put(root);

	snprintf(lock, sizeof lock, "%s.lock", ct->db);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH), 0);
	/* What another bootdeck's deploy writes before its domain is up. */
	assert_int_equal(clitest_sql(ct, "UPDATE vms SET state = 'Starting' WHERE id = ?1", id), 1);

	/* One VM (reconciled by id), then the whole list. */
	snprintf(key, sizeof key, "id=%s", id);
	for (int round = 0; round < 2; round++) {
		root = clitest_ok(ct, "listVirtualMachines", round ? "state=Starting" : key, NULL);
		vm = json_object_array_get_idx(clitest_member(root, "virtualmachine"), 0);
		assert_non_null(vm);
		assert_string_equal(clitest_string(vm, "state"), "Starting");
		json_object_put(root);
	}
	assert_int_equal(events_of(ct, "VM.RECONCILE", id), 0);

	/* The other bootdeck is gone: recovery at the next start settles it. */
	close(fd);
	root = clitest_ok(ct, "listVirtualMachines", key, NULL);
	vm = json_object_array_get_idx(clitest_member(root, "virtualmachine"), 0);
	assert_string_not_equal(clitest_string(vm, "state"), "Starting");
	json_object_put(root);
	assert_int_equal(events_of(ct, "VM.RECOVER", id), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fleet_setup, fleet_teardown)
	const struct CMUnitTest tests[] = {
		T(test_hosts_report_uefi_capability),
		T(test_secure_vm_lands_on_proven_host),
		T(test_bios_vm_keeps_off_uefi_hosts),
		T(test_bios_vm_falls_back_to_uefi_host_when_full),
		T(test_bad_boot_combinations_are_refused),
		T(test_explicit_host_must_satisfy_the_rules),
		T(test_full_fleet_gives_533_with_reasons),
		T(test_boot_details_never_change),
		T(test_lifecycle_releases_and_takes_capacity),
		T(test_migration_moves_bios_and_refuses_uefi),
		T(test_events_record_the_deploy),
		T(test_parallel_deploys_never_overcommit),
		T(test_listing_leaves_work_in_flight_alone),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
