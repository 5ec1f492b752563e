/* The store's schema as an ordered list of forward migrations.
 *
 * A migration is never edited once released: databases in the field were
 * built by it. Changes go into a new step appended to the list. Each step
 * ends by setting PRAGMA user_version, inside the same transaction as its
 * DDL, so a database is always at exactly one known version. */
#include "store-schema.h"

#include <stddef.h>

struct migration {
	int version;
	const char *what;
	const char *sql;
};

/* v1: the CloudStack-shaped core. Boot type and mode live in vm_details
 * (CloudStack's user_vm_details) and the database itself refuses to change
 * them once written: no code path, old or new, can downgrade a VM. */
static const char migration_v1[] =
	"CREATE TABLE clusters ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE hosts ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  cluster_id TEXT NOT NULL REFERENCES clusters(id) ON DELETE RESTRICT,"
	"  url TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  allocation TEXT NOT NULL,"
	"  hypervisor TEXT NOT NULL,"
	"  hypervisor_version TEXT NOT NULL DEFAULT '',"
	"  arch TEXT NOT NULL DEFAULT '',"
	"  cpus INTEGER NOT NULL DEFAULT 0 CHECK (cpus >= 0),"
	"  memory_mib INTEGER NOT NULL DEFAULT 0 CHECK (memory_mib >= 0),"
	"  uefi_properties TEXT,"
	"  last_error TEXT,"
	"  created INTEGER NOT NULL"
	");"
	/* CloudStack's host_details: a false is a row saying 'false'. */
	"CREATE TABLE host_details ("
	"  host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (host_id, name)"
	");"
	"CREATE TABLE templates ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  url TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  size_bytes INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE service_offerings ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  cpunumber INTEGER NOT NULL CHECK (cpunumber > 0),"
	"  memory_mib INTEGER NOT NULL CHECK (memory_mib > 0),"
	"  created INTEGER NOT NULL"
	");"
	/* A host is deleted only once its VMs are gone or expunging; the
	 * latter then simply lose their placement. */
	"CREATE TABLE vms ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL UNIQUE CHECK (name <> ''),"
	"  displayname TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL,"
	"  host_id TEXT REFERENCES hosts(id) ON DELETE SET NULL,"
	"  cluster_id TEXT REFERENCES clusters(id) ON DELETE SET NULL,"
	"  template_id TEXT REFERENCES templates(id) ON DELETE RESTRICT,"
	"  offering_id TEXT REFERENCES service_offerings(id) ON DELETE RESTRICT,"
	"  cpunumber INTEGER NOT NULL CHECK (cpunumber > 0),"
	"  memory_mib INTEGER NOT NULL CHECK (memory_mib > 0),"
	"  machine TEXT NOT NULL DEFAULT '',"
	"  loader TEXT,"
	"  nvram TEXT,"
	"  disk TEXT,"
	"  console_log TEXT,"
	"  placement TEXT,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE vm_details ("
	"  vm_id TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (vm_id, name),"
	"  CHECK (name <> 'boot.type' OR value IN ('BIOS', 'UEFI')),"
	"  CHECK (name <> 'boot.mode' OR value IN ('LEGACY', 'SECURE'))"
	");"
	"CREATE TRIGGER vm_boot_no_update BEFORE UPDATE ON vm_details"
	"  WHEN OLD.name IN ('boot.type', 'boot.mode') OR NEW.name IN ('boot.type', 'boot.mode')"
	"  BEGIN SELECT RAISE(ABORT, 'boot type and boot mode of a VM are fixed at creation'); END;"
	"CREATE TRIGGER vm_boot_no_delete BEFORE DELETE ON vm_details"
	"  WHEN OLD.name IN ('boot.type', 'boot.mode')"
	"   AND EXISTS (SELECT 1 FROM vms WHERE id = OLD.vm_id)"
	"  BEGIN SELECT RAISE(ABORT, 'boot type and boot mode of a VM are kept while the VM exists'); END;"
	"CREATE TRIGGER vm_boot_no_second BEFORE INSERT ON vm_details"
	"  WHEN NEW.name IN ('boot.type', 'boot.mode')"
	"   AND EXISTS (SELECT 1 FROM vm_details WHERE vm_id = NEW.vm_id AND name = NEW.name)"
	"  BEGIN SELECT RAISE(ABORT, 'a VM has one boot type and one boot mode, set at creation'); END;"
	"CREATE TRIGGER host_keeps_live_vms BEFORE DELETE ON hosts"
	"  WHEN EXISTS (SELECT 1 FROM vms WHERE host_id = OLD.id AND state <> 'Expunging')"
	"  BEGIN SELECT RAISE(ABORT, 'a host with VMs that are not expunged cannot be deleted'); END;"
	/* Events outlive the objects they describe: no foreign key. */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  created INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  level TEXT NOT NULL,"
	"  resource_id TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT ''"
	");"
	"PRAGMA user_version = 1;";

/* v2: operator alerts with a read flag, per-cluster overcommit, and the
 * indexes the capacity sums, listings and foreign-key checks need once a
 * fleet has thousands of rows. */
static const char migration_v2[] =
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  created INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  resource_id TEXT NOT NULL DEFAULT '',"
	"  description TEXT NOT NULL DEFAULT '',"
	"  is_read INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1))"
	");"
	"CREATE INDEX alerts_unread ON alerts(is_read);"
	"ALTER TABLE clusters ADD COLUMN cpu_overcommit REAL NOT NULL DEFAULT 1.0"
	"  CHECK (cpu_overcommit > 0);"
	"ALTER TABLE clusters ADD COLUMN mem_overcommit REAL NOT NULL DEFAULT 1.0"
	"  CHECK (mem_overcommit > 0);"
	/* Covers the capacity sums: they never touch the table itself. */
	"CREATE INDEX vms_host_state ON vms(host_id, state, cpunumber, memory_mib);"
	/* Covers the boot lookups of a VM listing. */
	"CREATE INDEX vm_details_value ON vm_details(vm_id, name, value);"
	"CREATE INDEX vms_cluster ON vms(cluster_id);"
	"CREATE INDEX vms_template ON vms(template_id);"
	"CREATE INDEX vms_offering ON vms(offering_id);"
	"CREATE INDEX hosts_cluster ON hosts(cluster_id);"
	"CREATE INDEX events_resource ON events(resource_id, created);"
	"CREATE INDEX events_created ON events(created);"
	"PRAGMA user_version = 2;";

/* v3: what the planner reads, kept on the host row. Summing the live VMs
 * of 10,000 hosts on every plan took ~40 ms and reading the firmware flags
 * from host_details ~30 ms; triggers now keep each host's taken capacity
 * and its UEFI/Secure Boot flags current on every write, so a plan reads
 * one narrow row per host. */
#define LIVE_STATES "('Starting', 'Running', 'Migrating')"
static const char migration_v3[] =
	"ALTER TABLE hosts ADD COLUMN cpu_used INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE hosts ADD COLUMN memory_used_mib INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE hosts ADD COLUMN uefi INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE hosts ADD COLUMN secure INTEGER NOT NULL DEFAULT 0;"
	"CREATE TRIGGER vms_capacity_insert AFTER INSERT ON vms"
	"  WHEN NEW.host_id IS NOT NULL AND NEW.state IN " LIVE_STATES
	"  BEGIN UPDATE hosts SET cpu_used = cpu_used + NEW.cpunumber,"
	"   memory_used_mib = memory_used_mib + NEW.memory_mib WHERE id = NEW.host_id; END;"
	"CREATE TRIGGER vms_capacity_delete AFTER DELETE ON vms"
	"  WHEN OLD.host_id IS NOT NULL AND OLD.state IN " LIVE_STATES
	"  BEGIN UPDATE hosts SET cpu_used = cpu_used - OLD.cpunumber,"
	"   memory_used_mib = memory_used_mib - OLD.memory_mib WHERE id = OLD.host_id; END;"
	"CREATE TRIGGER vms_capacity_update AFTER UPDATE OF host_id, state, cpunumber, memory_mib"
	"  ON vms BEGIN"
	"  UPDATE hosts SET cpu_used = cpu_used - OLD.cpunumber,"
	"   memory_used_mib = memory_used_mib - OLD.memory_mib"
	"   WHERE id = OLD.host_id AND OLD.state IN " LIVE_STATES ";"
	"  UPDATE hosts SET cpu_used = cpu_used + NEW.cpunumber,"
	"   memory_used_mib = memory_used_mib + NEW.memory_mib"
	"   WHERE id = NEW.host_id AND NEW.state IN " LIVE_STATES ";"
	"  END;"
	/* host_details writes are upserts: INSERT or UPDATE, and DELETE. */
	"CREATE TRIGGER host_flags_insert AFTER INSERT ON host_details"
	"  WHEN NEW.name IN ('host.uefi.enable', 'host.uefi.secure.enable')"
	"  BEGIN UPDATE hosts SET"
	"   uefi = CASE WHEN NEW.name = 'host.uefi.enable' THEN NEW.value = 'true' ELSE uefi END,"
	"   secure = CASE WHEN NEW.name = 'host.uefi.secure.enable' THEN NEW.value = 'true'"
	"    ELSE secure END"
	"   WHERE id = NEW.host_id; END;"
	"CREATE TRIGGER host_flags_update AFTER UPDATE ON host_details"
	"  WHEN NEW.name IN ('host.uefi.enable', 'host.uefi.secure.enable')"
	"  BEGIN UPDATE hosts SET"
	"   uefi = CASE WHEN NEW.name = 'host.uefi.enable' THEN NEW.value = 'true' ELSE uefi END,"
	"   secure = CASE WHEN NEW.name = 'host.uefi.secure.enable' THEN NEW.value = 'true'"
	"    ELSE secure END"
	"   WHERE id = NEW.host_id; END;"
	"CREATE TRIGGER host_flags_delete AFTER DELETE ON host_details"
	"  WHEN OLD.name IN ('host.uefi.enable', 'host.uefi.secure.enable')"
	"  BEGIN UPDATE hosts SET"
	"   uefi = CASE WHEN OLD.name = 'host.uefi.enable' THEN 0 ELSE uefi END,"
	"   secure = CASE WHEN OLD.name = 'host.uefi.secure.enable' THEN 0 ELSE secure END"
	"   WHERE id = OLD.host_id; END;"
	/* Existing databases: compute once what the triggers keep from now on. */
	"UPDATE hosts SET"
	"  cpu_used = (SELECT COALESCE(SUM(cpunumber), 0) FROM vms"
	"   WHERE host_id = hosts.id AND state IN " LIVE_STATES "),"
	"  memory_used_mib = (SELECT COALESCE(SUM(memory_mib), 0) FROM vms"
	"   WHERE host_id = hosts.id AND state IN " LIVE_STATES "),"
	"  uefi = EXISTS (SELECT 1 FROM host_details WHERE host_id = hosts.id"
	"   AND name = 'host.uefi.enable' AND value = 'true'),"
	"  secure = EXISTS (SELECT 1 FROM host_details WHERE host_id = hosts.id"
	"   AND name = 'host.uefi.secure.enable' AND value = 'true');"
	"PRAGMA user_version = 3;";
#undef LIVE_STATES

/* v4: what the planner reads to order clusters, kept per cluster. Reading
 * every host's row took ~5 ms of a ~6 ms plan at 10,000 hosts; with each
 * cluster's sums kept, a plan orders clusters from their rows and reads
 * hosts one cluster at a time until one fits. The planner weighs only the
 * hosts able to boot the guest's firmware, so the sums are kept per class:
 * 0 every host, 1 hosts with UEFI, 2 hosts with UEFI and proven Secure Boot.
 * `hosts` counts the class's hosts in any state; the capacity sums cover
 * only those Up and Enabled, totals with the cluster's overcommit applied
 * per host (truncated, as the planner has always computed them). */
#define CAPACITY_IN_CLASS(row)                                                       \
	"(class = 0 OR (class = 1 AND " row ".uefi <> 0)"                            \
	" OR (class = 2 AND " row ".uefi <> 0 AND " row ".secure <> 0))"
#define CAPACITY_USABLE(row) "(" row ".state = 'Up' AND " row ".allocation = 'Enabled')"
/* Adds (sign "+") or removes (sign "-") one host row's share. */
#define CAPACITY_APPLY(row, sign)                                                    \
	"UPDATE cluster_capacity SET"                                                \
	" hosts = hosts " sign " 1,"                                                 \
	" cpu_used = cpu_used " sign " " CAPACITY_USABLE(row) " * " row ".cpu_used,"  \
	" cpu_total = cpu_total " sign " " CAPACITY_USABLE(row) " * CAST(" row ".cpus"\
	"  * (SELECT cpu_overcommit FROM clusters WHERE id = " row ".cluster_id) AS INTEGER)," \
	" memory_used_mib = memory_used_mib " sign " " CAPACITY_USABLE(row)          \
	"  * " row ".memory_used_mib,"                                               \
	" memory_total_mib = memory_total_mib " sign " " CAPACITY_USABLE(row)        \
	"  * CAST(" row ".memory_mib"                                                \
	"  * (SELECT mem_overcommit FROM clusters WHERE id = " row ".cluster_id) AS INTEGER)" \
	" WHERE cluster_id = " row ".cluster_id AND " CAPACITY_IN_CLASS(row) ";"
/* One class's sums recomputed from the hosts table, for cluster `cid`. */
#define CAPACITY_HOSTS_OF(cid, klass)                                                \
	" FROM hosts h WHERE h.cluster_id = " cid                                     \
	"  AND (" klass " = 0 OR (" klass " = 1 AND h.uefi <> 0)"                     \
	"   OR (" klass " = 2 AND h.uefi <> 0 AND h.secure <> 0))"
static const char migration_v4[] =
	"CREATE TABLE cluster_capacity ("
	"  cluster_id TEXT NOT NULL,"
	"  class INTEGER NOT NULL CHECK (class IN (0, 1, 2)),"
	"  hosts INTEGER NOT NULL DEFAULT 0,"
	"  cpu_used INTEGER NOT NULL DEFAULT 0,"
	"  cpu_total INTEGER NOT NULL DEFAULT 0,"
	"  memory_used_mib INTEGER NOT NULL DEFAULT 0,"
	"  memory_total_mib INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (cluster_id, class)"
	") WITHOUT ROWID;"
	"CREATE TRIGGER clusters_capacity_insert AFTER INSERT ON clusters BEGIN"
	"  INSERT INTO cluster_capacity (cluster_id, class)"
	"   VALUES (NEW.id, 0), (NEW.id, 1), (NEW.id, 2);"
	"  END;"
	"CREATE TRIGGER clusters_capacity_delete AFTER DELETE ON clusters BEGIN"
	"  DELETE FROM cluster_capacity WHERE cluster_id = OLD.id;"
	"  END;"
	/* A new factor changes every host's total: recount the cluster. */
	"CREATE TRIGGER clusters_capacity_factors AFTER UPDATE OF cpu_overcommit, mem_overcommit"
	"  ON clusters BEGIN"
	"  UPDATE cluster_capacity SET"
	"   cpu_total = (SELECT COALESCE(SUM(CAST(h.cpus * NEW.cpu_overcommit AS INTEGER)), 0)"
	CAPACITY_HOSTS_OF("NEW.id", "cluster_capacity.class")
	"    AND " CAPACITY_USABLE("h") "),"
	"   memory_total_mib = (SELECT COALESCE(SUM(CAST(h.memory_mib * NEW.mem_overcommit"
	"    AS INTEGER)), 0)"
	CAPACITY_HOSTS_OF("NEW.id", "cluster_capacity.class")
	"    AND " CAPACITY_USABLE("h") ")"
	"   WHERE cluster_id = NEW.id;"
	"  END;"
	/* v3's triggers keep the host row current as VMs and details change;
	 * these carry each change of a host row on to its cluster. */
	"CREATE TRIGGER hosts_capacity_insert AFTER INSERT ON hosts BEGIN "
	CAPACITY_APPLY("NEW", "+")
	"  END;"
	"CREATE TRIGGER hosts_capacity_delete AFTER DELETE ON hosts BEGIN "
	CAPACITY_APPLY("OLD", "-")
	"  END;"
	"CREATE TRIGGER hosts_capacity_update AFTER UPDATE OF cluster_id, state, allocation,"
	"  cpus, memory_mib, cpu_used, memory_used_mib, uefi, secure ON hosts BEGIN "
	CAPACITY_APPLY("OLD", "-")
	CAPACITY_APPLY("NEW", "+")
	"  END;"
	/* Existing databases: count once what the triggers keep from now on. */
	"INSERT INTO cluster_capacity (cluster_id, class, hosts, cpu_used, cpu_total,"
	"  memory_used_mib, memory_total_mib)"
	" SELECT c.id, k.class, COUNT(h.id),"
	"  COALESCE(SUM(CASE WHEN " CAPACITY_USABLE("h") " THEN h.cpu_used END), 0),"
	"  COALESCE(SUM(CASE WHEN " CAPACITY_USABLE("h")
	"   THEN CAST(h.cpus * c.cpu_overcommit AS INTEGER) END), 0),"
	"  COALESCE(SUM(CASE WHEN " CAPACITY_USABLE("h") " THEN h.memory_used_mib END), 0),"
	"  COALESCE(SUM(CASE WHEN " CAPACITY_USABLE("h")
	"   THEN CAST(h.memory_mib * c.mem_overcommit AS INTEGER) END), 0)"
	" FROM clusters c"
	" CROSS JOIN (SELECT 0 AS class UNION ALL SELECT 1 UNION ALL SELECT 2) k"
	" LEFT JOIN hosts h ON h.cluster_id = c.id"
	"  AND (k.class = 0 OR (k.class = 1 AND h.uefi <> 0)"
	"   OR (k.class = 2 AND h.uefi <> 0 AND h.secure <> 0))"
	" GROUP BY c.id, k.class;"
	"PRAGMA user_version = 4;";
#undef CAPACITY_IN_CLASS
#undef CAPACITY_USABLE
#undef CAPACITY_APPLY
#undef CAPACITY_HOSTS_OF

/* v5: listings served by indexes alone. A host listing read each detail
 * through the primary key and then its table row for the value (about a
 * fifth of listing 10,000 hosts), and every command's check for VMs left
 * in a passing state scanned all VMs. */
static const char migration_v5[] =
	"CREATE INDEX host_details_cover ON host_details(host_id, name, value);"
	"CREATE INDEX vms_state ON vms(state);"
	"PRAGMA user_version = 5;";

static const struct migration migrations[] = {
	{ 1, "create the core tables", migration_v1 },
	{ 2, "add alerts, cluster overcommit and indexes", migration_v2 },
	{ 3, "keep taken capacity and firmware flags on the host row", migration_v3 },
	{ 4, "keep each cluster's capacity per firmware class", migration_v4 },
	{ 5, "index host details and VM states for listings", migration_v5 },
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_latest(void)
{
	return migrations[MIGRATION_COUNT - 1].version;
}

int store_schema_read_version(sqlite3 *db, const char *path, struct bd_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int version = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot read the schema version of '%s': %s",
			     path, sqlite3_errmsg(db));
		goto cleanup;
	}
	version = sqlite3_column_int(stmt, 0);
cleanup:
	sqlite3_finalize(stmt);
	return version;
}

static int schema_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int schema_apply(sqlite3 *db, const char *path, const struct migration *step,
			struct bd_error *err)
{
	int version;
	int rc = -1;

	if (schema_exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "cannot upgrade database '%s' to schema version %d: %s", path,
			     step->version, sqlite3_errmsg(db));
		return -1;
	}
	/* Another process may have migrated while we waited for the lock. */
	version = store_schema_read_version(db, path, err);
	if (version < 0)
		goto cleanup;
	if (version >= step->version) {
		rc = 0;
		goto cleanup;
	}
	if (version != step->version - 1) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "database '%s' is at schema version %d, cannot apply version %d",
			     path, version, step->version);
		goto cleanup;
	}
	if (schema_exec(db, step->sql) != SQLITE_OK) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "cannot upgrade database '%s' to schema version %d (%s): %s", path,
			     step->version, step->what, sqlite3_errmsg(db));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc == 0 && schema_exec(db, "COMMIT") != SQLITE_OK) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "cannot commit schema version %d of database '%s': %s",
			     step->version, path, sqlite3_errmsg(db));
		rc = -1;
	}
	if (rc < 0 && !sqlite3_get_autocommit(db))
		schema_exec(db, "ROLLBACK");
	return rc;
}

int store_schema_migrate(sqlite3 *db, const char *path, struct bd_error *err)
{
	int version = store_schema_read_version(db, path, err);

	if (version < 0)
		return -1;
	if (version > store_schema_latest())
		return bd_error_set(err, BD_ERR_INTERNAL,
				    "database '%s' has schema version %d, newer than the "
				    "version %d this bootdeck supports: use a newer bootdeck "
				    "or another database file",
				    path, version, store_schema_latest());
	for (int i = 0; i < MIGRATION_COUNT; i++) {
		if (migrations[i].version <= version)
			continue;
		if (schema_apply(db, path, &migrations[i], err) < 0)
			return -1;
	}
	return store_schema_read_version(db, path, err);
}
