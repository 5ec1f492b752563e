/* The console settles what a killed bootdeck left half done before its
 * first screen, as every CLI command does. Headless: a database with VMs
 * stuck in passing states is opened with app_new().
 *
 * Recovery runs at most once per process (it keeps the lock file for the
 * process's life), so each case runs in its own child process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend/store.h"
#include "ui/console/app.h"

struct fixture {
	char dir[64];
	char db[128];
};

static void must(int rc, const struct bd_error *err)
{
	if (rc < 0)
		fail_msg("setup failed: %s", err->text);
}

static void add_host(struct store *store, const struct cluster *cluster, const char *name,
		     const char *url, enum hypervisor_type hypervisor)
{
	struct bd_error err = { 0 };
	struct host host = { 0 };

	snprintf(host.name, sizeof host.name, "%s", name);
	snprintf(host.cluster_id, sizeof host.cluster_id, "%s", cluster->id);
	snprintf(host.cluster_name, sizeof host.cluster_name, "%s", cluster->name);
	host.url = strdup(url);
	host.state = HOST_STATE_UP;
	host.allocation = ALLOCATION_ENABLED;
	host.hypervisor = hypervisor;
	snprintf(host.arch, sizeof host.arch, "x86_64");
	host.cpus = 8;
	host.memory_mib = 16384;
	snprintf(host.caps.virt_type, sizeof host.caps.virt_type, "qemu");
	must(store_host_insert(store, &host, &err), &err);
	host_clear(&host);
}

static void add_vm(struct store *store, const char *host_name, const char *name,
		   enum vm_state state)
{
	struct bd_error err = { 0 };
	struct host host_rec = { 0 };
	const struct host *host = &host_rec;
	struct vm vm = { 0 };

	must(store_host_get(store, host_name, &host_rec, &err), &err);

	snprintf(vm.name, sizeof vm.name, "%s", name);
	vm.state = state;
	vm.boot.type = BOOT_TYPE_BIOS;
	vm.boot.mode = BOOT_MODE_LEGACY;
	snprintf(vm.host_id, sizeof vm.host_id, "%s", host->id);
	snprintf(vm.host_name, sizeof vm.host_name, "%s", host->name);
	snprintf(vm.cluster_id, sizeof vm.cluster_id, "%s", host->cluster_id);
	vm.cpunumber = 1;
	vm.memory_mib = 128;
	snprintf(vm.machine, sizeof vm.machine, "pc");
	must(store_vm_insert(store, &vm, &err), &err);
	vm_clear(&vm);
	host_clear(&host_rec);
}

/* On host "sim" (test:///default, simulated: it is given back the domains
 * on record when opened): "test" runs, "ghost" was being stopped. On host
 * "gone" (a socket nobody listens on): "lost" was being started. */
static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct bd_error err = { 0 };
	struct cluster cluster = { .cpu_overcommit = 1.0, .mem_overcommit = 1.0 };
	char gone[128];
	struct store *store;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/bdrecover-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof fx->db, "%s/test.db", fx->dir);
	store = store_open(fx->db, &err);
	must(store ? 0 : -1, &err);
	snprintf(cluster.name, sizeof cluster.name, "rc");
	must(store_cluster_insert(store, &cluster, &err), &err);
	add_host(store, &cluster, "sim", "test:///default", HYPERVISOR_SIMULATOR);
	snprintf(gone, sizeof gone, "qemu+unix:///session?socket=%s/absent-sock", fx->dir);
	add_host(store, &cluster, "gone", gone, HYPERVISOR_KVM);
	add_vm(store, "sim", "test", VM_STATE_STARTING);
	add_vm(store, "sim", "ghost", VM_STATE_STOPPING);
	add_vm(store, "gone", "lost", VM_STATE_STARTING);
	store_close(store);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char path[200];

	snprintf(path, sizeof path, "%s/test.db", fx->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/test.db.lock", fx->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/test.db-wal", fx->dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/test.db-shm", fx->dir);
	unlink(path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static enum vm_state vm_state_of(const char *db, const char *name)
{
	struct bd_error err = { 0 };
	struct store *store = store_open(db, &err);
	struct vm vm = { 0 };
	enum vm_state st;

	must(store ? 0 : -1, &err);
	must(store_vm_get(store, name, &vm, &err), &err);
	st = vm.state;
	vm_clear(&vm);
	store_close(store);
	return st;
}

static enum host_state host_state_of(const char *db, const char *name)
{
	struct bd_error err = { 0 };
	struct store *store = store_open(db, &err);
	struct host host = { 0 };
	enum host_state st;

	must(store ? 0 : -1, &err);
	must(store_host_get(store, name, &host, &err), &err);
	st = host.state;
	host_clear(&host);
	store_close(store);
	return st;
}

static int alerts_naming(const char *db, const char *needle)
{
	struct bd_error err = { 0 };
	struct store *store = store_open(db, &err);
	struct alert *alerts = NULL;
	size_t n = 0;
	int found = 0;

	must(store ? 0 : -1, &err);
	must(store_alert_list(store, 100, &alerts, &n, &err), &err);
	for (size_t i = 0; i < n; i++) {
		if (alerts[i].description && strstr(alerts[i].description, needle))
			found++;
	}
	store_alert_list_free(alerts, n);
	store_close(store);
	return found;
}

/* Opens the console in a child process; returns its exit status (0 when
 * app_new succeeded). hold_lock: another bootdeck is alive meanwhile. */
static int console_open_in_child(const char *db, bool hold_lock)
{
	char lock[200];
	int fd = -1, status = 0;
	pid_t pid;

	if (hold_lock) {
		snprintf(lock, sizeof lock, "%s.lock", db);
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(flock(fd, LOCK_SH), 0);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct bd_error err = { 0 };
		struct app *app = app_new(db, &err);

		if (!app) {
			fprintf(stderr, "app_new: %s\n", err.text);
			_exit(1);
		}
		app_free(app);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (fd >= 0)
		close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_console_settles_stuck_vms(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(console_open_in_child(fx->db, false), 0);
	/* The host reports the guest running: Starting becomes Running. */
	assert_int_equal(vm_state_of(fx->db, "test"), VM_STATE_RUNNING);
	/* The operator's stop is finished, not forgotten. */
	assert_int_equal(vm_state_of(fx->db, "ghost"), VM_STATE_STOPPED);
	/* An unreachable host: Error with an alert naming VM and host, and
	 * the host Disconnected. */
	assert_int_equal(vm_state_of(fx->db, "lost"), VM_STATE_ERROR);
	assert_true(alerts_naming(fx->db, "'lost' was left Starting and host 'gone'") > 0);
	assert_int_equal(host_state_of(fx->db, "gone"), HOST_STATE_DISCONNECTED);
	assert_int_equal(alerts_naming(fx->db, "'test' was left"), 0);
	assert_int_equal(alerts_naming(fx->db, "'ghost' was left"), 0);
}

static void test_console_leaves_others_work_alone(void **state)
{
	struct fixture *fx = *state;

	/* Another bootdeck is alive: its Starting VM may be its own work in
	 * progress, so the console must not touch it. */
	assert_int_equal(console_open_in_child(fx->db, true), 0);
	assert_int_equal(vm_state_of(fx->db, "test"), VM_STATE_STARTING);
	assert_int_equal(vm_state_of(fx->db, "ghost"), VM_STATE_STOPPING);
	assert_int_equal(vm_state_of(fx->db, "lost"), VM_STATE_STARTING);
	assert_int_equal(alerts_naming(fx->db, "was left"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_console_settles_stuck_vms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_leaves_others_work_alone, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
