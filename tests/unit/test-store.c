/* The SQLite store against real database files in a scratch folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "backend/store.h"

struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	struct store *store;
};

static int fixture_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	const char *tmp = getenv("TMPDIR");

	assert_non_null(fx);
	snprintf(fx->dir, sizeof fx->dir, "%s/test-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/bootdeck.db", fx->dir);
	*state = fx;
	return 0;
}

/* Opens the store on the fixture's file, failing the test on error. */
static struct store *fixture_open(struct fixture *fx)
{
	struct bd_error err = { 0 };

	fx->store = store_open(fx->path, &err);
	if (!fx->store)
		fail_msg("store_open: [%d] %s", err.code, err.text);
	return fx->store;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	store_close(fx->store);
	nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

#define assert_ok(call, err)                                                  \
	do {                                                                  \
		if ((call) != 0)                                              \
			fail_msg("%s: [%d] %s", #call, (err).code, (err).text); \
	} while (0)

/* The call must fail with `code` and a message containing `text`, and no
 * raw SQLite wording may reach the user. */
static void expect_error(int rc, const struct bd_error *err, int code, const char *text)
{
	assert_int_equal(rc, -1);
	if (err->code != code || !strstr(err->text, text))
		fail_msg("want [%d] '%s', got [%d] '%s'", code, text, err->code, err->text);
	assert_null(strstr(err->text, "constraint failed"));
	assert_null(strstr(err->text, "database is locked"));
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int raw_int(sqlite3 *db, const char *sql, const char *param)
{
	sqlite3_stmt *stmt = NULL;
	int value;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (param)
		sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/* Runs a two-parameter write on a raw connection; returns SQLite's code
 * and copies its message. */
static int raw_write(sqlite3 *db, const char *sql, const char *a, const char *b, char *msg,
		     size_t size)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	snprintf(msg, size, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* ---- a small fleet ---- */

static void add_cluster(struct store *store, const char *name, struct cluster *out)
{
	struct bd_error err = { 0 };

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	assert_ok(store_cluster_insert(store, out, &err), err);
}

static void add_host(struct store *store, const char *name, const char *cluster, bool uefi,
		     bool secure, struct host *out)
{
	struct bd_error err = { 0 };

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	snprintf(out->cluster_id, sizeof out->cluster_id, "%s", cluster);
	out->url = strdup("test:///default");
	out->state = HOST_STATE_UP;
	out->allocation = ALLOCATION_ENABLED;
	out->hypervisor = HYPERVISOR_KVM;
	snprintf(out->arch, sizeof out->arch, "x86_64");
	out->cpus = 16;
	out->memory_mib = 65536;
	out->caps.uefi = uefi;
	out->caps.secure = secure;
	snprintf(out->caps.virt_type, sizeof out->caps.virt_type, "qemu");
	if (uefi)
		out->caps.loader_legacy = strdup("/usr/share/OVMF/OVMF_CODE_4M.fd");
	if (secure)
		out->caps.loader_secure = strdup("/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	assert_ok(store_host_insert(store, out, &err), err);
}

static void add_template(struct store *store, const char *name, struct template *out)
{
	struct bd_error err = { 0 };

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	out->url = strdup("/var/lib/bootdeck/images/debian.qcow2");
	out->format = TEMPLATE_QCOW2;
	out->size_bytes = 1 << 30;
	assert_ok(store_template_insert(store, out, &err), err);
}

static void add_offering(struct store *store, const char *name, struct service_offering *out)
{
	struct bd_error err = { 0 };

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	out->cpunumber = 2;
	out->memory_mib = 2048;
	assert_ok(store_offering_insert(store, out, &err), err);
}

static void vm_prepare(struct vm *vm, const char *name, const char *host, const char *tmpl,
		       const char *offering, enum boot_type type, enum boot_mode mode,
		       enum vm_state state)
{
	memset(vm, 0, sizeof *vm);
	snprintf(vm->name, sizeof vm->name, "%s", name);
	snprintf(vm->displayname, sizeof vm->displayname, "%s display", name);
	if (host)
		snprintf(vm->host_id, sizeof vm->host_id, "%s", host);
	if (tmpl)
		snprintf(vm->template_id, sizeof vm->template_id, "%s", tmpl);
	if (offering)
		snprintf(vm->offering_id, sizeof vm->offering_id, "%s", offering);
	vm->boot.type = type;
	vm->boot.mode = mode;
	vm->state = state;
	vm->cpunumber = 2;
	vm->memory_mib = 2048;
	snprintf(vm->machine, sizeof vm->machine, "%s", type == BOOT_TYPE_UEFI ? "q35" : "pc");
}

static void add_vm(struct store *store, const char *name, const char *host,
		   enum boot_type type, enum boot_mode mode, enum vm_state state, struct vm *out)
{
	struct bd_error err = { 0 };

	vm_prepare(out, name, host, NULL, NULL, type, mode, state);
	assert_ok(store_vm_insert(store, out, &err), err);
}

static const char *detail_of(const struct detail *list, size_t count, const char *key)
{
	for (size_t i = 0; i < count; i++) {
		if (strcmp(list[i].key, key) == 0)
			return list[i].value;
	}
	return NULL;
}

/* ---- tests ---- */

static void test_create_new_file(void **state)
{
	struct fixture *fx = *state;
	struct store *store;
	struct bd_error err = { 0 };
	struct stat st;
	char folder[PATH_MAX];
	mode_t old_mask = umask(0); /* the modes must come from the store, not the umask */
	sqlite3 *db;

	snprintf(folder, sizeof folder, "%s/data/bootdeck", fx->dir);
	snprintf(fx->path, sizeof fx->path, "%s/bootdeck.db", folder);
	store = fixture_open(fx);
	umask(old_mask);
	assert_int_equal(store_schema_version(store), 5);

	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(folder, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(folder, sizeof folder, "%s/data", fx->dir);
	assert_int_equal(stat(folder, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version", NULL), 5);
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "vms_host_state"), 1);
	/* v5: what listings and the recovery check read from. */
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "host_details_cover"), 1);
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "vms_state"), 1);
	assert_int_equal(raw_int(db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode",
				 NULL), 1);
	sqlite3_close(db);

	/* Opening again migrates nothing and keeps the data. */
	struct cluster c;
	add_cluster(store, "c1", &c);
	store_close(store);
	store = fixture_open(fx);
	assert_int_equal(store_schema_version(store), 5);
	assert_ok(store_cluster_get(store, "c1", &c, &err), err);

	/* A folder that cannot be made is a clear error, not a crash. */
	struct store *bad = store_open("/proc/bootdeck-no/such.db", &err);
	assert_null(bad);
	assert_int_equal(err.code, BD_ERR_INTERNAL);
	assert_non_null(strstr(err.text, "/proc/bootdeck-no"));
}

static void test_default_path(void **state)
{
	char *path;

	(void)state;
	setenv("BOOTDECK_DB", "/srv/bootdeck/main.db", 1);
	path = store_default_path();
	assert_string_equal(path, "/srv/bootdeck/main.db");
	free(path);
	unsetenv("BOOTDECK_DB");
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	path = store_default_path();
	assert_string_equal(path, "/xdg/data/bootdeck/bootdeck.db");
	free(path);
	unsetenv("XDG_DATA_HOME");
}

static char *read_text_file(const char *path)
{
	FILE *file = fopen(path, "r");
	char *text;
	long size;

	if (!file)
		fail_msg("cannot read '%s'", path);
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	rewind(file);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, file), (size_t)size);
	fclose(file);
	return text;
}

static void test_upgrade_from_v1(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	struct cluster cluster;
	struct host host = { 0 };
	struct vm vm = { 0 };
	struct event *events = NULL;
	size_t count = 0;
	char msg[256];
	char *dump = read_text_file(BOOTDECK_SOURCE_DIR "/tests/data/bootdeck-v1.sql");
	sqlite3 *db = raw_open(fx->path);

	assert_int_equal(sqlite3_exec(db, dump, NULL, NULL, NULL), SQLITE_OK);
	free(dump);
	assert_int_equal(raw_int(db, "PRAGMA user_version", NULL), 1);
	sqlite3_close(db);

	struct store *store = fixture_open(fx);
	assert_int_equal(store_schema_version(store), 5);

	/* v1 rows survive, and v2 columns get their defaults. */
	assert_ok(store_cluster_get(store, "c1", &cluster, &err), err);
	assert_string_equal(cluster.id, "6f1c2a8e-3b7d-4c55-9a0e-1d2f3a4b5c61");
	assert_true(cluster.cpu_overcommit == 1.0 && cluster.mem_overcommit == 1.0);
	assert_ok(store_host_get(store, "kvm1", &host, &err), err);
	assert_string_equal(host.cluster_name, "c1");
	assert_true(host.caps.uefi);
	assert_false(host.caps.secure);
	assert_string_equal(host.caps.loader_legacy, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_int_equal(host.cpu_allocated, 2);
	assert_int_equal(host.memory_allocated_mib, 2048);
	host_clear(&host);

	/* v4 counted the cluster's capacity once: kvm1 (Up, Enabled, UEFI
	 * without Secure Boot, 8 CPUs, 16 GiB) with web1's 2 vCPUs and 2 GiB. */
	struct cluster_plan_row *rows = NULL;
	size_t nrow = 0;

	assert_ok(store_cluster_plan_list(store, &rows, &nrow, &err), err);
	assert_int_equal(nrow, 1);
	assert_string_equal(rows[0].name, "c1");
	for (int k = CAPACITY_ANY; k <= CAPACITY_UEFI; k++) {
		assert_int_equal(rows[0].capacity[k].hosts, 1);
		assert_int_equal(rows[0].capacity[k].cpu_used, 2);
		assert_int_equal(rows[0].capacity[k].cpu_total, 8);
		assert_int_equal(rows[0].capacity[k].memory_used_mib, 2048);
		assert_int_equal(rows[0].capacity[k].memory_total_mib, 16384);
	}
	assert_int_equal(rows[0].capacity[CAPACITY_SECURE].hosts, 0);
	assert_int_equal(rows[0].capacity[CAPACITY_SECURE].cpu_total, 0);
	free(rows);
	assert_ok(store_vm_get(store, "web1", &vm, &err), err);
	assert_int_equal(vm.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(vm.boot.mode, BOOT_MODE_LEGACY);
	assert_string_equal(vm.host_name, "kvm1");
	assert_string_equal(vm.nvram, "/var/lib/bootdeck/nvram/web1_VARS.fd");
	assert_ok(store_event_list(store, NULL, 0, &events, &count, &err), err);
	assert_int_equal(count, 2);
	assert_string_equal(events[0].type, "VM.CREATE");
	assert_string_equal(events[1].type, "HOST.ADD");
	store_event_list_free(events, count);

	/* The v2 table works, and the v1 triggers still guard the boot. */
	assert_int_equal(store_alert_add(store, "HOST.DOWN", host.id, "kvm1 lost"), 0);
	assert_int_equal(store_alert_unread_count(store), 1);
	cluster.cpu_overcommit = 4.0;
	assert_ok(store_cluster_update(store, &cluster, &err), err);
	assert_ok(store_cluster_get(store, cluster.id, &cluster, &err), err);
	assert_true(cluster.cpu_overcommit == 4.0);
	db = raw_open(fx->path);
	assert_int_not_equal(raw_write(db, "UPDATE vm_details SET value = 'SECURE' "
				       "WHERE vm_id = ?1 AND name = ?2", vm.id, "boot.mode",
				       msg, sizeof msg), SQLITE_DONE);
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "vms_host_state"), 1);
	/* v5: what listings and the recovery check read from. */
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "host_details_cover"), 1);
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "vms_state"), 1);
	sqlite3_close(db);
	vm_clear(&vm);
}

static void test_refuse_newer_database(void **state)
{
	struct fixture *fx = *state;
	struct bd_error err = { 0 };
	char want[64];
	sqlite3 *db = raw_open(fx->path);

	assert_int_equal(sqlite3_exec(db, "CREATE TABLE later (x); PRAGMA user_version = 99",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_null(store_open(fx->path, &err));
	assert_int_equal(err.code, BD_ERR_INTERNAL);
	assert_non_null(strstr(err.text, fx->path));
	assert_non_null(strstr(err.text, "version 99"));
	snprintf(want, sizeof want, "version %d", 5);
	assert_non_null(strstr(err.text, want));

	/* Untouched: same version, no tables of ours. */
	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version", NULL), 99);
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?1",
				 "vms"), 0);
	sqlite3_close(db);
}

static void test_boot_is_immutable(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c;
	struct host h;
	struct vm vm, got = { 0 };
	char msg[256];
	sqlite3 *db;

	add_cluster(store, "c1", &c);
	add_host(store, "h1", "c1", true, true, &h);
	add_vm(store, "secure1", "h1", BOOT_TYPE_UEFI, BOOT_MODE_SECURE, VM_STATE_RUNNING, &vm);

	/* A second connection, as any other tool would use, cannot downgrade. */
	db = raw_open(fx->path);
	assert_int_equal(raw_write(db, "UPDATE vm_details SET value = 'LEGACY' "
				   "WHERE vm_id = ?1 AND name = ?2", vm.id, "boot.mode",
				   msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "fixed at creation"));
	assert_int_equal(raw_write(db, "UPDATE vm_details SET value = 'BIOS' "
				   "WHERE vm_id = ?1 AND name = ?2", vm.id, "boot.type",
				   msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_int_equal(raw_write(db, "DELETE FROM vm_details WHERE vm_id = ?1 AND name = ?2",
				   vm.id, "boot.mode", msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "kept while the VM exists"));
	assert_int_equal(raw_write(db, "INSERT INTO vm_details (vm_id, name, value) "
				   "VALUES (?1, ?2, 'LEGACY')", vm.id, "boot.mode",
				   msg, sizeof msg), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "one boot type and one boot mode"));
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM vm_details WHERE vm_id = ?1 AND "
				 "value = 'SECURE'", vm.id), 1);
	sqlite3_close(db);

	/* Through the store: refused with a plain message, other fields kept. */
	vm.boot.mode = BOOT_MODE_LEGACY;
	snprintf(vm.displayname, sizeof vm.displayname, "changed");
	expect_error(store_vm_update(store, &vm, &err), &err, BD_ERR_PARAM,
		     "fixed at creation (UEFI SECURE)");
	assert_ok(store_vm_get(store, "secure1", &got, &err), err);
	assert_int_equal(got.boot.mode, BOOT_MODE_SECURE);
	assert_string_equal(got.displayname, "secure1 display");
	vm_clear(&got);

	/* Secure Boot needs UEFI: a BIOS+SECURE VM is never written. */
	struct vm bad;
	vm_prepare(&bad, "bad1", NULL, NULL, NULL, BOOT_TYPE_BIOS, BOOT_MODE_SECURE,
		   VM_STATE_STOPPED);
	expect_error(store_vm_insert(store, &bad, &err), &err, BD_ERR_PARAM, "needs boottype UEFI");
	expect_error(store_vm_get(store, "bad1", &got, &err), &err, BD_ERR_PARAM,
		     "no VM with id or name 'bad1'");

	/* Expunging the VM takes its boot rows with it. */
	assert_ok(store_vm_delete(store, "secure1", &err), err);
	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "SELECT COUNT(*) FROM vm_details WHERE vm_id = ?1", vm.id), 0);
	sqlite3_close(db);
	vm_clear(&vm);
	host_clear(&h);
}

static void test_constraint_messages(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c1, c2, dup;
	struct host h1, h2, hdup;
	struct template t1, tdup;
	struct service_offering o1, odup;
	struct vm vm, vdup;

	add_cluster(store, "c1", &c1);
	add_cluster(store, "c2", &c2);
	memset(&dup, 0, sizeof dup);
	snprintf(dup.name, sizeof dup.name, "c1");
	expect_error(store_cluster_insert(store, &dup, &err), &err, BD_ERR_PARAM,
		     "a cluster named 'c1' already exists");
	c2.cpu_overcommit = 1.0;
	snprintf(c2.name, sizeof c2.name, "c1");
	expect_error(store_cluster_update(store, &c2, &err), &err, BD_ERR_PARAM,
		     "a cluster named 'c1' already exists");
	dup.cpu_overcommit = -2;
	snprintf(dup.name, sizeof dup.name, "c3");
	expect_error(store_cluster_insert(store, &dup, &err), &err, BD_ERR_PARAM,
		     "greater than 0");
	snprintf(dup.name, sizeof dup.name, "bad name");
	expect_error(store_cluster_insert(store, &dup, &err), &err, BD_ERR_PARAM, "'bad name'");

	add_host(store, "h1", "c1", true, false, &h1);
	add_host(store, "h2", c1.id, false, false, &h2);
	expect_error(store_cluster_delete(store, "c1", &err), &err, BD_ERR_PARAM,
		     "cluster 'c1' still has 2 hosts");
	memset(&hdup, 0, sizeof hdup);
	snprintf(hdup.name, sizeof hdup.name, "h1");
	snprintf(hdup.cluster_id, sizeof hdup.cluster_id, "c2");
	hdup.url = strdup("test:///default");
	expect_error(store_host_insert(store, &hdup, &err), &err, BD_ERR_PARAM,
		     "a host named 'h1' already exists");
	snprintf(hdup.name, sizeof hdup.name, "h3");
	snprintf(hdup.cluster_id, sizeof hdup.cluster_id, "nocluster");
	expect_error(store_host_insert(store, &hdup, &err), &err, BD_ERR_PARAM,
		     "no cluster with id or name 'nocluster'");
	host_clear(&hdup);

	add_template(store, "t1", &t1);
	memset(&tdup, 0, sizeof tdup);
	snprintf(tdup.name, sizeof tdup.name, "t1");
	tdup.url = strdup("/tmp/x.qcow2");
	expect_error(store_template_insert(store, &tdup, &err), &err, BD_ERR_PARAM,
		     "a template named 't1' already exists");
	template_clear(&tdup);
	add_offering(store, "small", &o1);
	memset(&odup, 0, sizeof odup);
	snprintf(odup.name, sizeof odup.name, "small");
	odup.cpunumber = 1;
	odup.memory_mib = 512;
	expect_error(store_offering_insert(store, &odup, &err), &err, BD_ERR_PARAM,
		     "a service offering named 'small' already exists");
	odup.cpunumber = 0;
	snprintf(odup.name, sizeof odup.name, "zero");
	expect_error(store_offering_insert(store, &odup, &err), &err, BD_ERR_PARAM,
		     "greater than 0");

	vm_prepare(&vm, "web1", "h1", "t1", "small", BOOT_TYPE_BIOS, BOOT_MODE_LEGACY,
		   VM_STATE_RUNNING);
	assert_ok(store_vm_insert(store, &vm, &err), err);
	assert_string_equal(vm.template_id, t1.id);
	assert_string_equal(vm.cluster_id, c1.id);
	vm_prepare(&vdup, "web1", NULL, NULL, NULL, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY,
		   VM_STATE_STOPPED);
	expect_error(store_vm_insert(store, &vdup, &err), &err, BD_ERR_PARAM,
		     "a VM named 'web1' already exists");
	vm_prepare(&vdup, "web2", NULL, "t9", NULL, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY,
		   VM_STATE_STOPPED);
	expect_error(store_vm_insert(store, &vdup, &err), &err, BD_ERR_PARAM,
		     "no template with id or name 't9'");

	expect_error(store_template_delete(store, "t1", &err), &err, BD_ERR_PARAM,
		     "template 't1' is used by 1 VM");
	expect_error(store_offering_delete(store, o1.id, &err), &err, BD_ERR_PARAM,
		     "service offering 'small' is used by 1 VM");
	expect_error(store_host_delete(store, "h1", &err), &err, BD_ERR_PARAM,
		     "host 'h1' still has 1 VM that is not expunged");
	expect_error(store_cluster_delete(store, "nope", &err), &err, BD_ERR_PARAM,
		     "no cluster with id or name 'nope'");

	/* Once the VM is expunging the host may go; the VM loses its placement. */
	assert_ok(store_vm_set_state(store, "web1", VM_STATE_EXPUNGING, &err), err);
	assert_ok(store_host_delete(store, "h1", &err), err);
	vm_clear(&vm);
	assert_ok(store_vm_get(store, "web1", &vm, &err), err);
	assert_string_equal(vm.host_id, "");
	assert_int_equal(vm.state, VM_STATE_EXPUNGING);
	assert_ok(store_vm_delete(store, "web1", &err), err);
	assert_ok(store_template_delete(store, "t1", &err), err);
	assert_ok(store_offering_delete(store, "small", &err), err);
	expect_error(store_cluster_delete(store, "c1", &err), &err, BD_ERR_PARAM,
		     "cluster 'c1' still has 1 host");
	assert_ok(store_host_delete(store, "h2", &err), err);
	assert_ok(store_cluster_delete(store, "c1", &err), err);
	vm_clear(&vm);
	host_clear(&h1);
	host_clear(&h2);
	template_clear(&t1);
}

static void test_crud_round_trips(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c, cget, *clusters = NULL;
	struct template t, tget = { 0 }, *templates = NULL;
	struct service_offering o, oget, *offerings = NULL;
	struct host h, hget = { 0 };
	struct detail *details = NULL;
	struct vm vm, vget = { 0 }, *vms = NULL;
	size_t count = 0;

	/* clusters */
	add_cluster(store, "c1", &c);
	assert_int_equal(strlen(c.id), 36);
	assert_int_equal(c.id[14], '4'); /* UUID version 4 */
	assert_true(c.created > 0);
	assert_ok(store_cluster_get(store, c.id, &cget, &err), err);
	assert_string_equal(cget.name, "c1");
	assert_true(cget.cpu_overcommit == 1.0);
	cget.mem_overcommit = 1.5;
	snprintf(cget.name, sizeof cget.name, "c1-renamed");
	assert_ok(store_cluster_update(store, &cget, &err), err);
	assert_ok(store_cluster_list(store, &clusters, &count, &err), err);
	assert_int_equal(count, 1);
	assert_string_equal(clusters[0].name, "c1-renamed");
	assert_true(clusters[0].mem_overcommit == 1.5);
	assert_int_equal(clusters[0].created, c.created);
	free(clusters);

	/* templates */
	add_template(store, "debian12", &t);
	assert_ok(store_template_get(store, "debian12", &tget, &err), err);
	assert_string_equal(tget.id, t.id);
	assert_string_equal(tget.url, t.url);
	assert_int_equal(tget.format, TEMPLATE_QCOW2);
	assert_int_equal(tget.size_bytes, 1 << 30);
	template_clear(&tget);
	assert_ok(store_template_list(store, &templates, &count, &err), err);
	assert_int_equal(count, 1);
	store_template_list_free(templates, count);

	/* offerings */
	add_offering(store, "small", &o);
	assert_ok(store_offering_get(store, o.id, &oget, &err), err);
	assert_int_equal(oget.cpunumber, 2);
	assert_int_equal(oget.memory_mib, 2048);
	assert_ok(store_offering_list(store, &offerings, &count, &err), err);
	assert_int_equal(count, 1);
	assert_string_equal(offerings[0].name, "small");
	free(offerings);

	/* hosts: caps go in as details, and a false stays a false */
	add_host(store, "kvm1", "c1-renamed", true, false, &h);
	assert_string_equal(h.cluster_id, c.id);
	assert_ok(store_host_details(store, "kvm1", &details, &count, &err), err);
	assert_string_equal(detail_of(details, count, "host.uefi.enable"), "true");
	assert_string_equal(detail_of(details, count, "host.uefi.secure.enable"), "false");
	assert_string_equal(detail_of(details, count, "host.uefi.autoselect"), "false");
	assert_string_equal(detail_of(details, count, "host.virttype"), "qemu");
	assert_string_equal(detail_of(details, count, "guest.loader.legacy"),
			    "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_null(detail_of(details, count, "guest.loader.secure"));
	store_detail_list_free(details, count);

	assert_ok(store_host_get(store, h.id, &hget, &err), err);
	assert_string_equal(hget.name, "kvm1");
	assert_string_equal(hget.cluster_name, "c1-renamed");
	assert_string_equal(hget.url, "test:///default");
	assert_int_equal(hget.state, HOST_STATE_UP);
	assert_int_equal(hget.hypervisor, HYPERVISOR_KVM);
	assert_int_equal(hget.cpus, 16);
	assert_int_equal(hget.memory_mib, 65536);
	assert_true(hget.caps.uefi);
	assert_false(hget.caps.secure);
	assert_null(hget.caps.loader_secure);
	assert_null(hget.last_error);

	/* A probe finds Secure Boot and an error; the update rewrites the caps. */
	hget.caps.secure = true;
	hget.caps.autoselect = true;
	hget.caps.loader_secure = strdup("/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	hget.caps.nvram_template_secure = strdup("/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
	free(hget.caps.loader_legacy);
	hget.caps.loader_legacy = NULL;
	hget.caps.probed = 1700000000;
	hget.state = HOST_STATE_DISCONNECTED;
	hget.allocation = ALLOCATION_DISABLED;
	hget.last_error = strdup("connection refused");
	assert_ok(store_host_update(store, &hget, &err), err);
	host_clear(&hget);
	assert_ok(store_host_get(store, "kvm1", &hget, &err), err);
	assert_true(hget.caps.secure);
	assert_true(hget.caps.autoselect);
	assert_string_equal(hget.caps.loader_secure, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	assert_string_equal(hget.caps.nvram_template_secure, "/usr/share/OVMF/OVMF_VARS_4M.ms.fd");
	assert_null(hget.caps.loader_legacy);
	assert_int_equal(hget.caps.probed, 1700000000);
	assert_int_equal(hget.state, HOST_STATE_DISCONNECTED);
	assert_int_equal(hget.allocation, ALLOCATION_DISABLED);
	assert_string_equal(hget.last_error, "connection refused");
	/* ...and turning UEFI off writes 'false', not nothing. */
	hget.caps.uefi = false;
	hget.caps.secure = false;
	assert_ok(store_host_update(store, &hget, &err), err);
	assert_ok(store_host_details(store, "kvm1", &details, &count, &err), err);
	assert_string_equal(detail_of(details, count, "host.uefi.enable"), "false");
	assert_string_equal(detail_of(details, count, "host.uefi.secure.enable"), "false");
	assert_string_equal(detail_of(details, count, "host.probe.time"), "1700000000");
	store_detail_list_free(details, count);
	host_clear(&hget);

	/* VMs */
	vm_prepare(&vm, "web1", "kvm1", "debian12", "small", BOOT_TYPE_UEFI, BOOT_MODE_LEGACY,
		   VM_STATE_STARTING);
	vm.loader = strdup("/usr/share/OVMF/OVMF_CODE_4M.fd");
	vm.placement = strdup("{\"host\":\"kvm1\"}");
	assert_ok(store_vm_insert(store, &vm, &err), err);
	assert_ok(store_vm_get(store, vm.id, &vget, &err), err);
	assert_string_equal(vget.name, "web1");
	assert_string_equal(vget.displayname, "web1 display");
	assert_string_equal(vget.host_id, h.id);
	assert_string_equal(vget.host_name, "kvm1");
	assert_string_equal(vget.cluster_id, c.id);
	assert_string_equal(vget.template_id, t.id);
	assert_string_equal(vget.offering_id, o.id);
	assert_int_equal(vget.boot.type, BOOT_TYPE_UEFI);
	assert_int_equal(vget.boot.mode, BOOT_MODE_LEGACY);
	assert_string_equal(vget.machine, "q35");
	assert_string_equal(vget.loader, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_string_equal(vget.placement, "{\"host\":\"kvm1\"}");
	assert_null(vget.nvram);
	vget.nvram = strdup("/var/lib/bootdeck/nvram/web1_VARS.fd");
	vget.state = VM_STATE_RUNNING;
	snprintf(vget.displayname, sizeof vget.displayname, "Web server");
	assert_ok(store_vm_update(store, &vget, &err), err);
	vm_clear(&vget);
	assert_ok(store_vm_list(store, &(struct vm_filter){ .state = VM_STATE_RUNNING }, &vms,
				&count, &err), err);
	assert_int_equal(count, 1);
	assert_string_equal(vms[0].displayname, "Web server");
	assert_string_equal(vms[0].nvram, "/var/lib/bootdeck/nvram/web1_VARS.fd");
	store_vm_list_free(vms, count);
	assert_ok(store_vm_delete(store, vm.id, &err), err);
	expect_error(store_vm_get(store, vm.id, &vget, &err), &err, BD_ERR_PARAM, "no VM with");

	/* and each delete really deletes */
	assert_ok(store_template_delete(store, "debian12", &err), err);
	expect_error(store_template_get(store, "debian12", &tget, &err), &err, BD_ERR_PARAM,
		     "no template with id or name 'debian12'");
	assert_ok(store_offering_delete(store, "small", &err), err);
	assert_ok(store_host_delete(store, "kvm1", &err), err);
	assert_ok(store_cluster_delete(store, c.id, &err), err);
	expect_error(store_host_get(store, "kvm1", &hget, &err), &err, BD_ERR_PARAM,
		     "no host with id or name 'kvm1'");
	expect_error(store_offering_get(store, "small", &oget, &err), &err, BD_ERR_PARAM,
		     "no service offering with id or name 'small'");
	vm_clear(&vm);
	host_clear(&h);
	template_clear(&t);
}

/* A swap changes the state only while it is still the expected one. */
static void test_state_swap_only_from_expected(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c;
	struct host h;
	struct vm vm, got = { 0 };
	bool changed = false;

	add_cluster(store, "c1", &c);
	add_host(store, "h1", "c1", false, false, &h);
	add_vm(store, "v1", "h1", BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, VM_STATE_RUNNING, &vm);

	assert_ok(store_vm_swap_state(store, "v1", VM_STATE_RUNNING, VM_STATE_STOPPING, &changed,
				      &err), err);
	assert_true(changed);
	/* Another bootdeck read Running too: its swap finds Stopping. */
	assert_ok(store_vm_swap_state(store, "v1", VM_STATE_RUNNING, VM_STATE_MIGRATING, &changed,
				      &err), err);
	assert_false(changed);
	assert_ok(store_vm_get(store, "v1", &got, &err), err);
	assert_int_equal(got.state, VM_STATE_STOPPING);
	vm_clear(&got);
	/* Unknown VMs are an error, not "unchanged". */
	assert_int_equal(store_vm_swap_state(store, "nope", VM_STATE_RUNNING, VM_STATE_STOPPED,
					     &changed, &err), -1);
	host_clear(&h);
	vm_clear(&vm);
}

static void test_capacity_by_state(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c;
	struct host h, other, got = { 0 };
	struct vm vm;
	char name[32];
	int64_t want_mem = 0;

	add_cluster(store, "c1", &c);
	add_host(store, "h1", "c1", false, false, &h);
	add_host(store, "h2", "c1", false, false, &other);
	/* One VM per state, with memory 2^state so the sum shows which count. */
	for (int s = 0; s < VM_STATE_LAST; s++) {
		snprintf(name, sizeof name, "vm-%d", s);
		vm_prepare(&vm, name, "h1", NULL, NULL, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, s);
		vm.cpunumber = s + 1;
		vm.memory_mib = (int64_t)1 << s;
		assert_ok(store_vm_insert(store, &vm, &err), err);
	}
	add_vm(store, "elsewhere", "h2", BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, VM_STATE_RUNNING, &vm);
	want_mem = (1 << VM_STATE_STARTING) + (1 << VM_STATE_RUNNING) + (1 << VM_STATE_MIGRATING);
	assert_ok(store_host_get(store, "h1", &got, &err), err);
	assert_int_equal(got.cpu_allocated,
			 VM_STATE_STARTING + 1 + VM_STATE_RUNNING + 1 + VM_STATE_MIGRATING + 1);
	assert_int_equal(got.memory_allocated_mib, want_mem);
	host_clear(&got);

	/* Stopping the running VM frees its share at once. */
	snprintf(name, sizeof name, "vm-%d", VM_STATE_RUNNING);
	assert_ok(store_vm_set_state(store, name, VM_STATE_STOPPED, &err), err);
	snprintf(name, sizeof name, "vm-%d", VM_STATE_STOPPED);
	assert_ok(store_vm_set_state(store, name, VM_STATE_RUNNING, &err), err);
	want_mem += (1 << VM_STATE_STOPPED) - (1 << VM_STATE_RUNNING);
	assert_ok(store_host_get(store, h.id, &got, &err), err);
	assert_int_equal(got.memory_allocated_mib, want_mem);
	host_clear(&got);
	assert_ok(store_host_get(store, "h2", &got, &err), err);
	assert_int_equal(got.cpu_allocated, 2);
	assert_int_equal(got.memory_allocated_mib, 2048);
	host_clear(&got);
	host_clear(&h);
	host_clear(&other);
}

static void test_lookups_and_filters(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c1, c2, lookalike, got;
	struct host h1, h2, h3, *hosts = NULL;
	struct vm vm, *vms = NULL;
	size_t count = 0;

	add_cluster(store, "c1", &c1);
	add_cluster(store, "c2", &c2);
	add_host(store, "h1", "c1", true, true, &h1);
	add_host(store, "h2", "c1", false, false, &h2);
	add_host(store, "h3", "c2", true, false, &h3);

	assert_ok(store_host_list(store, &(struct host_filter){ .cluster_id = "c1", .uefi = -1 },
				  &hosts, &count, &err), err);
	assert_int_equal(count, 2);
	assert_string_equal(hosts[0].name, "h1");
	assert_string_equal(hosts[1].name, "h2");
	assert_true(hosts[0].caps.secure);
	store_host_list_free(hosts, count);
	assert_ok(store_host_list(store, &(struct host_filter){ .uefi = 1 }, &hosts, &count,
				  &err), err);
	assert_int_equal(count, 2);
	assert_string_equal(hosts[0].name, "h1");
	assert_string_equal(hosts[1].name, "h3");
	store_host_list_free(hosts, count);
	assert_ok(store_host_list(store, &(struct host_filter){ .uefi = 0 }, &hosts, &count,
				  &err), err);
	assert_int_equal(count, 1);
	assert_string_equal(hosts[0].name, "h2");
	assert_false(hosts[0].caps.uefi);
	store_host_list_free(hosts, count);
	assert_ok(store_host_list(store, NULL, &hosts, &count, &err), err);
	assert_int_equal(count, 3);
	store_host_list_free(hosts, count);

	add_vm(store, "a1", "h1", BOOT_TYPE_UEFI, BOOT_MODE_SECURE, VM_STATE_RUNNING, &vm);
	add_vm(store, "a2", "h1", BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, VM_STATE_STOPPED, &vm);
	add_vm(store, "b1", "h3", BOOT_TYPE_UEFI, BOOT_MODE_LEGACY, VM_STATE_RUNNING, &vm);
	add_vm(store, "loose", NULL, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, VM_STATE_ERROR, &vm);
	assert_ok(store_vm_list(store, &(struct vm_filter){ .host_id = "h1", .state = -1 }, &vms,
				&count, &err), err);
	assert_int_equal(count, 2);
	assert_string_equal(vms[0].name, "a1");
	assert_int_equal(vms[0].boot.mode, BOOT_MODE_SECURE);
	assert_string_equal(vms[1].name, "a2");
	store_vm_list_free(vms, count);
	assert_ok(store_vm_list(store, &(struct vm_filter){ .state = VM_STATE_RUNNING }, &vms,
				&count, &err), err);
	assert_int_equal(count, 2);
	store_vm_list_free(vms, count);
	assert_ok(store_vm_list(store, &(struct vm_filter){ .id = "b1", .state = -1 }, &vms,
				&count, &err), err);
	assert_int_equal(count, 1);
	assert_string_equal(vms[0].host_name, "h3");
	assert_string_equal(vms[0].cluster_id, c2.id);
	store_vm_list_free(vms, count);
	assert_ok(store_vm_list(store, NULL, &vms, &count, &err), err);
	assert_int_equal(count, 4);
	assert_string_equal(vms[3].name, "loose");
	assert_string_equal(vms[3].host_id, "");
	store_vm_list_free(vms, count);

	/* A name that spells another object's id never hides that object. */
	add_cluster(store, c2.id, &lookalike);
	assert_ok(store_cluster_get(store, c2.id, &got, &err), err);
	assert_string_equal(got.name, "c2");
	assert_ok(store_cluster_get(store, lookalike.id, &got, &err), err);
	assert_string_equal(got.name, c2.id);
	host_clear(&h1);
	host_clear(&h2);
	host_clear(&h3);
}

static void test_events_and_alerts(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct event *events = NULL;
	struct alert *alerts = NULL;
	size_t count = 0;
	time_t before = time(NULL);

	assert_int_equal(store_event_add(store, "HOST.ADD", EVENT_INFO, "r1", "first"), 0);
	assert_int_equal(store_event_add(store, "VM.CREATE", EVENT_WARN, "r2", "second"), 0);
	assert_int_equal(store_event_add(store, "VM.START", EVENT_ERROR, "r2", "third"), 0);
	assert_int_equal(store_event_add(store, "", EVENT_INFO, NULL, "no type"), -1);

	assert_ok(store_event_list(store, NULL, 0, &events, &count, &err), err);
	assert_int_equal(count, 3);
	assert_string_equal(events[0].description, "third");
	assert_int_equal(events[0].level, EVENT_ERROR);
	assert_string_equal(events[2].type, "HOST.ADD");
	assert_true(events[0].created >= before && events[0].created <= time(NULL));
	assert_true(events[0].id > events[1].id);
	store_event_list_free(events, count);
	assert_ok(store_event_list(store, "r2", 0, &events, &count, &err), err);
	assert_int_equal(count, 2);
	assert_string_equal(events[0].description, "third");
	assert_string_equal(events[1].description, "second");
	store_event_list_free(events, count);
	assert_ok(store_event_list(store, NULL, 1, &events, &count, &err), err);
	assert_int_equal(count, 1);
	assert_string_equal(events[0].description, "third");
	store_event_list_free(events, count);

	assert_int_equal(store_alert_unread_count(store), 0);
	assert_int_equal(store_alert_add(store, "HOST.DOWN", "h1", "h1 unreachable"), 0);
	assert_int_equal(store_alert_add(store, "HOST.UEFI.LOST", "h1", "OVMF gone"), 0);
	assert_int_equal(store_alert_add(store, "VM.START.FAILED", "v1", "no capacity"), 0);
	assert_int_equal(store_alert_unread_count(store), 3);
	assert_ok(store_alert_list(store, 0, &alerts, &count, &err), err);
	assert_int_equal(count, 3);
	assert_string_equal(alerts[0].type, "VM.START.FAILED");
	assert_string_equal(alerts[2].type, "HOST.DOWN");
	assert_false(alerts[1].read);
	assert_ok(store_alert_mark_read(store, alerts[1].id, &err), err);
	store_alert_list_free(alerts, count);
	assert_int_equal(store_alert_unread_count(store), 2);
	assert_ok(store_alert_list(store, 2, &alerts, &count, &err), err);
	assert_int_equal(count, 2);
	assert_false(alerts[0].read);
	assert_true(alerts[1].read);
	store_alert_list_free(alerts, count);
	expect_error(store_alert_mark_read(store, 999, &err), &err, BD_ERR_PARAM,
		     "no alert with id 999");
}

static void test_transactions(void **state)
{
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct store *second;
	struct bd_error err = { 0 };
	struct cluster c, got;
	struct timespec start, end;
	double seconds;

	/* Rolled back: nothing of it is kept. */
	assert_ok(store_begin(store, &err), err);
	add_cluster(store, "gone", &c);
	expect_error(store_begin(store, &err), &err, BD_ERR_INTERNAL, "already open");
	store_rollback(store);
	expect_error(store_cluster_get(store, "gone", &got, &err), &err, BD_ERR_PARAM,
		     "no cluster with id or name 'gone'");

	/* A writer that keeps the lock past every wait gets a plain 530. */
	second = store_open(fx->path, &err);
	assert_non_null(second);
	assert_ok(store_begin(store, &err), err);
	add_cluster(store, "held", &c);
	clock_gettime(CLOCK_MONOTONIC, &start);
	expect_error(store_begin(second, &err), &err, BD_ERR_INTERNAL, "stayed locked");
	clock_gettime(CLOCK_MONOTONIC, &end);
	seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
	assert_true(seconds >= 5.0 && seconds < 15.0);
	assert_non_null(strstr(err.text, fx->path));
	assert_ok(store_commit(store, &err), err);
	assert_ok(store_begin(second, &err), err);
	assert_ok(store_cluster_get(second, "held", &got, &err), err);
	assert_ok(store_commit(second, &err), err);
	store_close(second);
}

struct walk_check {
	struct store *store;
	struct host *want; /* store_host_list() of the same filter */
	size_t nwant;
	size_t counted;
	size_t seen;
};

static int walk_check_begin(void *opaque, size_t count, struct bd_error *err)
{
	struct walk_check *check = opaque;

	(void)err;
	assert_int_equal(check->seen, 0);
	check->counted = count;
	return 0;
}

static int walk_check_host(void *opaque, struct host *host, const struct detail *details,
			   size_t ndetail, struct bd_error *err)
{
	struct walk_check *check = opaque;
	struct detail *one = NULL;
	size_t n = 0;

	assert_true(check->seen < check->nwant);
	assert_string_equal(host->id, check->want[check->seen].id);
	assert_true(host->caps.uefi);
	assert_ok(store_host_details(check->store, host->id, &one, &n, err), *err);
	assert_true(n > 0);
	assert_int_equal(ndetail, n);
	for (size_t k = 0; k < n; k++) {
		assert_string_equal(details[k].key, one[k].key);
		assert_string_equal(details[k].value, one[k].value);
	}
	store_detail_list_free(one, n);
	check->seen++;
	return 0;
}

static void test_large_lists_are_complete(void **state)
{
	enum { ROWS = 10000 };
	struct fixture *fx = *state;
	struct store *store = fixture_open(fx);
	struct bd_error err = { 0 };
	struct cluster c;
	struct host h, *hosts = NULL;
	struct vm vm, *vms = NULL;
	size_t count = 0;
	char name[32];

	add_cluster(store, "big", &c);
	assert_ok(store_begin(store, &err), err);
	for (int i = 0; i < ROWS; i++) {
		snprintf(name, sizeof name, "host-%05d", i);
		add_host(store, name, c.id, i % 2 == 0, i % 4 == 0, &h);
		snprintf(name, sizeof name, "vm-%05d", i);
		add_vm(store, name, h.id, BOOT_TYPE_BIOS, BOOT_MODE_LEGACY, VM_STATE_RUNNING, &vm);
		host_clear(&h);
	}
	assert_ok(store_commit(store, &err), err);

	/* Speed is measured by bench/, not here; this checks that one query
	 * per list returns every row with its details and capacity. */
	{
		assert_ok(store_host_list(store, NULL, &hosts, &count, &err), err);
		assert_int_equal(count, ROWS);
		assert_int_equal(hosts[ROWS - 1].cpu_allocated, 2);
		assert_true(hosts[0].caps.uefi && hosts[0].caps.secure);
		assert_false(hosts[1].caps.uefi);
		assert_string_equal(hosts[2].caps.loader_legacy, "/usr/share/OVMF/OVMF_CODE_4M.fd");
		store_host_list_free(hosts, count);

		assert_ok(store_vm_list(store, NULL, &vms, &count, &err), err);
		assert_int_equal(count, ROWS);
		store_vm_list_free(vms, count);
		/* By state alone (the recovery check's query). */
		assert_ok(store_vm_list(store, &(struct vm_filter){ .state = VM_STATE_RUNNING },
					&vms, &count, &err), err);
		assert_int_equal(count, ROWS);
		store_vm_list_free(vms, count);
		assert_ok(store_vm_list(store, &(struct vm_filter){ .state = VM_STATE_STARTING },
					&vms, &count, &err), err);
		assert_int_equal(count, 0);
		store_vm_list_free(vms, count);
	}
	/* A filtered walk: its count first, then each host in list order with
	 * the same details store_host_details() gives it. */
	{
		struct walk_check check = { .store = store };
		const struct store_host_walk walk = {
			.begin = walk_check_begin,
			.host = walk_check_host,
			.opaque = &check,
		};

		assert_ok(store_host_list(store, &(struct host_filter){ .uefi = 1 }, &check.want,
					  &check.nwant, &err), err);
		assert_int_equal(check.nwant, ROWS / 2);
		assert_ok(store_host_each(store, &(struct host_filter){ .uefi = 1 }, &walk, &err), err);
		assert_int_equal(check.counted, ROWS / 2);
		assert_int_equal(check.seen, ROWS / 2);
		store_host_list_free(check.want, check.nwant);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_new_file, fixture_setup,
						fixture_teardown),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test_setup_teardown(test_upgrade_from_v1, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_refuse_newer_database, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_boot_is_immutable, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_constraint_messages, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_crud_round_trips, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_capacity_by_state, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_lookups_and_filters, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_events_and_alerts, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_transactions, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_large_lists_are_complete, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_state_swap_only_from_expected, fixture_setup,
						fixture_teardown),
	};

	/* Keep the log out of the user's home. */
	setenv("BOOTDECK_LOG", "/dev/null", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
