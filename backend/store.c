/* The SQLite store. Every statement is a static SQL text with bound
 * parameters, prepared once per handle and kept in a small cache keyed by
 * the address of its text. Enumerations are stored by their canonical names
 * so the file reads plainly with the sqlite3 shell. */
#include "store.h"
#include "store-schema.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "paths.h"

#define STORE_BUSY_TIMEOUT_MS 5000
/* After the busy timeout, BEGIN IMMEDIATE is retried this long more, with a
 * growing pause, before the caller is told the database stayed locked. */
#define STORE_LOCK_RETRY_MS 2000
#define STORE_STMT_CACHE 96

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	int version;
	size_t cached;
	struct stmt_slot cache[STORE_STMT_CACHE];
};

/* What a lookup is about: the noun used in messages and the statement that
 * turns an id or a name into the id. An id wins over a name that happens to
 * look like one. */
struct store_kind {
	const char *noun;
	const char *resolve_sql;
};

static const char sql_resolve_cluster[] =
	"SELECT id, name FROM clusters WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1";
static const char sql_resolve_host[] =
	"SELECT id, name FROM hosts WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1";
static const char sql_resolve_template[] =
	"SELECT id, name FROM templates WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1";
static const char sql_resolve_offering[] =
	"SELECT id, name FROM service_offerings WHERE id = ?1 OR name = ?1 "
	"ORDER BY id = ?1 DESC LIMIT 1";
static const char sql_resolve_vm[] =
	"SELECT id, name FROM vms WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1";

static const struct store_kind kind_cluster = { "cluster", sql_resolve_cluster };
static const struct store_kind kind_host = { "host", sql_resolve_host };
static const struct store_kind kind_template = { "template", sql_resolve_template };
static const struct store_kind kind_offering = { "service offering", sql_resolve_offering };
static const struct store_kind kind_vm = { "VM", sql_resolve_vm };

/* The VM states whose resources a host has handed out are named in the
 * schema's capacity triggers (store-schema.c, v3). */

/* ---- host details: the caps fields under CloudStack's key names ---- */

enum host_detail {
	DETAIL_UEFI,
	DETAIL_SECURE,
	DETAIL_AUTOSELECT,
	DETAIL_VIRT_TYPE,
	DETAIL_LOADER_LEGACY,
	DETAIL_LOADER_SECURE,
	DETAIL_NVRAM_TEMPLATE_LEGACY,
	DETAIL_NVRAM_TEMPLATE_SECURE,
	DETAIL_NVRAM_DIR,
	DETAIL_PROBE_TIME,
	DETAIL_PROBE_ERROR,
	DETAIL_LAST
};

static const char *const host_detail_names[] = {
	[DETAIL_UEFI] = "host.uefi.enable",
	[DETAIL_SECURE] = "host.uefi.secure.enable",
	[DETAIL_AUTOSELECT] = "host.uefi.autoselect",
	[DETAIL_VIRT_TYPE] = "host.virttype",
	[DETAIL_LOADER_LEGACY] = "guest.loader.legacy",
	[DETAIL_LOADER_SECURE] = "guest.loader.secure",
	[DETAIL_NVRAM_TEMPLATE_LEGACY] = "guest.nvram.template.legacy",
	[DETAIL_NVRAM_TEMPLATE_SECURE] = "guest.nvram.template.secure",
	[DETAIL_NVRAM_DIR] = "guest.nvram.path",
	[DETAIL_PROBE_TIME] = "host.probe.time",
	[DETAIL_PROBE_ERROR] = "host.probe.error",
};

_Static_assert(sizeof host_detail_names / sizeof host_detail_names[0] == DETAIL_LAST,
	       "host_detail_names");

/* Where each string detail lives in struct host_caps. */
static char **caps_string_slot(struct host_caps *caps, enum host_detail key)
{
	switch (key) {
	case DETAIL_LOADER_LEGACY: return &caps->loader_legacy;
	case DETAIL_LOADER_SECURE: return &caps->loader_secure;
	case DETAIL_NVRAM_TEMPLATE_LEGACY: return &caps->nvram_template_legacy;
	case DETAIL_NVRAM_TEMPLATE_SECURE: return &caps->nvram_template_secure;
	case DETAIL_NVRAM_DIR: return &caps->nvram_dir;
	case DETAIL_PROBE_ERROR: return &caps->probe_error;
	default: return NULL;
	}
}

/* The stored text of one detail, or NULL when the detail is absent. Every
 * boolean is always present: a false is written as "false". */
static const char *caps_detail_value(const struct host_caps *caps, enum host_detail key,
				     char *buf, size_t size)
{
	char **slot;

	switch (key) {
	case DETAIL_UEFI: return caps->uefi ? "true" : "false";
	case DETAIL_SECURE: return caps->secure ? "true" : "false";
	case DETAIL_AUTOSELECT: return caps->autoselect ? "true" : "false";
	case DETAIL_VIRT_TYPE: return caps->virt_type[0] ? caps->virt_type : NULL;
	case DETAIL_PROBE_TIME:
		if (caps->probed == 0)
			return NULL;
		snprintf(buf, size, "%lld", (long long)caps->probed);
		return buf;
	default:
		slot = caps_string_slot((struct host_caps *)caps, key);
		return slot ? *slot : NULL;
	}
}

/* Fills one caps field from a stored detail; unknown keys are kept in the
 * table only. Returns -1 when out of memory. */
static int caps_detail_load(struct host_caps *caps, const char *name, const char *value)
{
	char **slot;
	int key;

	for (key = 0; key < DETAIL_LAST; key++) {
		if (strcmp(host_detail_names[key], name) == 0)
			break;
	}
	switch (key) {
	case DETAIL_UEFI: caps->uefi = strcmp(value, "true") == 0; return 0;
	case DETAIL_SECURE: caps->secure = strcmp(value, "true") == 0; return 0;
	case DETAIL_AUTOSELECT: caps->autoselect = strcmp(value, "true") == 0; return 0;
	case DETAIL_VIRT_TYPE:
		snprintf(caps->virt_type, sizeof caps->virt_type, "%s", value);
		return 0;
	case DETAIL_PROBE_TIME: caps->probed = (time_t)strtoll(value, NULL, 10); return 0;
	case DETAIL_LAST: return 0;
	default:
		slot = caps_string_slot(caps, key);
		free(*slot);
		*slot = strdup(value);
		return *slot ? 0 : -1;
	}
}

/* ---- small helpers ---- */

static int store_oom(struct bd_error *err)
{
	return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
}

static const char *plural(long n)
{
	return n == 1 ? "" : "s";
}

static int uuid_generate(char out[ID_LEN], struct bd_error *err)
{
	unsigned char bytes[16];
	size_t got = 0;

	while (got < sizeof bytes) {
		ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return bd_error_set(err, BD_ERR_INTERNAL, "cannot make a random id: %s",
					    strerror(errno));
		}
		got += (size_t)n;
	}
	bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40); /* version 4 */
	bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, ID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
		 bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14],
		 bytes[15]);
	return 0;
}

/* Grows *list to hold at least `need` elements. */
static int list_reserve(void **list, size_t *cap, size_t need, size_t elem)
{
	size_t next;
	void *grown;

	if (need <= *cap)
		return 0;
	next = *cap ? *cap * 2 : 16;
	while (next < need)
		next *= 2;
	grown = realloc(*list, next * elem);
	if (!grown)
		return -1;
	memset((char *)grown + *cap * elem, 0, (next - *cap) * elem);
	*list = grown;
	*cap = next;
	return 0;
}

static int db_enum(const struct enum_table *table, const unsigned char *text)
{
	for (int i = 0; text && i < table->count; i++) {
		if (strcmp(table->names[i], (const char *)text) == 0)
			return i;
	}
	return -1;
}

static void col_copy(sqlite3_stmt *stmt, int col, char *buf, size_t size)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	size_t len = text ? (size_t)sqlite3_column_bytes(stmt, col) : 0;

	if (len >= size)
		len = size - 1;
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
}

/* An owned copy of a column, NULL for SQL NULL. Returns -1 when out of memory. */
static int col_dup(sqlite3_stmt *stmt, int col, char **out)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	*out = NULL;
	if (!text)
		return 0;
	*out = strdup((const char *)text);
	return *out ? 0 : -1;
}

/* NULL and "" are both "not set". */
static int bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
	if (!text || !*text)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
}

static void stmt_release(sqlite3_stmt *stmt)
{
	if (!stmt)
		return;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

static bool store_rc_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* A database failure as the user should read it: a lock that outlived the
 * waits is named as such, never as SQLite's "database is locked". */
static int store_db_error(struct store *store, int rc, struct bd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int store_db_error(struct store *store, int rc, struct bd_error *err, const char *fmt, ...)
{
	char action[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(action, sizeof action, fmt, ap);
	va_end(ap);
	if (store_rc_busy(rc))
		bd_error_set(err, BD_ERR_INTERNAL,
			     "cannot %s: database '%s' stayed busy with another bootdeck "
			     "process; try again", action, store->path);
	else if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		bd_error_set(err, BD_ERR_INTERNAL,
			     "cannot %s: the database holds a row this bootdeck cannot read, "
			     "or it changed meanwhile (database '%s')", action, store->path);
	else
		bd_error_set(err, BD_ERR_INTERNAL, "cannot %s: %s (database '%s')", action,
			     sqlite3_errmsg(store->db), store->path);
	log_error("store", err);
	return -1;
}

/* Turns a failed write on `kind` `name` into a message for the user.
 * Constraint failures are the user's (431); the rest is the database's. */
static int store_write_error(struct store *store, int rc, struct bd_error *err,
			     const struct store_kind *kind, const char *name, const char *action)
{
	char shown[TEXT_QUOTE_MAX];
	const char *msg = sqlite3_errmsg(store->db);
	const char *rule;

	text_quote(name ? name : "", shown, sizeof shown);
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return bd_error_set(err, BD_ERR_PARAM, "a %s named '%s' already exists",
				    kind->noun, shown);
	case SQLITE_CONSTRAINT_TRIGGER:
		return bd_error_set(err, BD_ERR_PARAM, "cannot %s %s '%s': %s", action,
				    kind->noun, shown, msg);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return bd_error_set(err, BD_ERR_PARAM,
				    "cannot %s %s '%s': it refers to an object that does not "
				    "exist, or other objects still refer to it",
				    action, kind->noun, shown);
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		/* SQLite names the violated rule after the colon. */
		rule = strchr(msg, ':');
		return bd_error_set(err, BD_ERR_PARAM, "cannot %s %s '%s': a value breaks the rule %s",
				    action, kind->noun, shown, rule ? rule + 2 : msg);
	default:
		return store_db_error(store, rc, err, "%s %s '%s'", action, kind->noun, shown);
	}
}

static sqlite3_stmt *store_stmt(struct store *store, const char *sql, struct bd_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	for (size_t i = 0; i < store->cached; i++) {
		if (store->cache[i].sql == sql)
			return store->cache[i].stmt;
	}
	rc = sqlite3_prepare_v3(store->db, sql, -1,
				store->cached < STORE_STMT_CACHE ? SQLITE_PREPARE_PERSISTENT : 0,
				&stmt, NULL);
	if (rc != SQLITE_OK) {
		store_db_error(store, rc, err, "prepare a query");
		return NULL;
	}
	if (store->cached < STORE_STMT_CACHE) {
		store->cache[store->cached].sql = sql;
		store->cache[store->cached].stmt = stmt;
		store->cached++;
	} else {
		/* Never expected with the statements of this file; stay correct. */
		sqlite3_finalize(stmt);
		bd_error_set(err, BD_ERR_INTERNAL, "too many distinct queries for one store handle");
		return NULL;
	}
	return stmt;
}

/* Runs a statement that returns no rows; binds are already done. */
static int stmt_run(sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Looks an object up by id or name; fills its id (and name if asked). */
static int store_resolve(struct store *store, const struct store_kind *kind,
			 const char *id_or_name, char id[ID_LEN], char *name, size_t name_size,
			 struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];
	sqlite3_stmt *stmt;
	int ret = -1;
	int rc;

	if (!id_or_name || !*id_or_name)
		return bd_error_set(err, BD_ERR_PARAM, "no %s given: pass its id or name",
				    kind->noun);
	stmt = store_stmt(store, kind->resolve_sql, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id_or_name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		bd_error_set(err, BD_ERR_PARAM, "no %s with id or name '%s'", kind->noun,
			     text_quote(id_or_name, shown, sizeof shown));
		goto cleanup;
	}
	if (rc != SQLITE_ROW) {
		store_db_error(store, rc, err, "look up %s '%s'", kind->noun,
			       text_quote(id_or_name, shown, sizeof shown));
		goto cleanup;
	}
	col_copy(stmt, 0, id, ID_LEN);
	if (name)
		col_copy(stmt, 1, name, name_size);
	ret = 0;
cleanup:
	stmt_release(stmt);
	return ret;
}

/* Counts rows of a one-parameter COUNT(*) query. Returns -1 on failure. */
static long store_count(struct store *store, const char *sql, const char *param,
			struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql, err);
	long count = -1;
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		count = sqlite3_column_int64(stmt, 0);
	else
		store_db_error(store, rc, err, "count the objects using '%s'", param);
	stmt_release(stmt);
	return count;
}

/* ---- open, close, transactions ---- */

static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_read_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";
static const char sql_rollback[] = "ROLLBACK";
static const char sql_savepoint[] = "SAVEPOINT store_write";
static const char sql_release[] = "RELEASE store_write";
static const char sql_rollback_to[] = "ROLLBACK TO store_write";

static int store_pragma(struct store *store, const char *sql, const char *want,
			struct bd_error *err)
{
	sqlite3_stmt *stmt = NULL;
	int ret = -1;
	int rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW && want &&
		    strcmp((const char *)sqlite3_column_text(stmt, 0), want) != 0) {
			bd_error_set(err, BD_ERR_INTERNAL,
				     "database '%s' refused '%s' (it answered '%s')", store->path,
				     sql, sqlite3_column_text(stmt, 0));
			goto cleanup;
		}
	}
	if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "set up database '%s' (%s)", store->path, sql);
		goto cleanup;
	}
	ret = 0;
cleanup:
	sqlite3_finalize(stmt);
	return ret;
}

struct store *store_open(const char *path, struct bd_error *err)
{
	struct store *store = NULL;
	int fd;
	int rc;

	if (!path || !*path) {
		bd_error_set(err, BD_ERR_PARAM, "no database path given");
		return NULL;
	}
	store = calloc(1, sizeof *store);
	if (!store || !(store->path = strdup(path))) {
		store_oom(err);
		goto fail;
	}
	if (paths_make_parent(path, err) < 0)
		goto fail;
	/* Created here so the mode is ours (0600), not the umask's. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot open database '%s': %s", path,
			     strerror(errno));
		goto fail;
	}
	close(fd);
	rc = sqlite3_open_v2(path, &store->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
			     NULL);
	if (rc != SQLITE_OK) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot open database '%s': %s", path,
			     store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, STORE_BUSY_TIMEOUT_MS);
	/* Refuse a newer file before changing anything in it. */
	rc = store_schema_read_version(store->db, path, err);
	if (rc < 0)
		goto fail;
	if (rc > store_schema_latest()) {
		store_schema_migrate(store->db, path, err);
		goto fail;
	}
	if (store_pragma(store, "PRAGMA journal_mode = WAL", "wal", err) < 0 ||
	    store_pragma(store, "PRAGMA foreign_keys = ON", NULL, err) < 0 ||
	    store_pragma(store, "PRAGMA synchronous = NORMAL", NULL, err) < 0 ||
	    /* Room for a whole fleet's listing without rereading pages. */
	    store_pragma(store, "PRAGMA cache_size = -16384", NULL, err) < 0)
		goto fail;
	store->version = store_schema_migrate(store->db, path, err);
	if (store->version < 0)
		goto fail;
	return store;
fail:
	log_error("store", err);
	store_close(store);
	return NULL;
}

int store_cache_small(struct store *store, struct bd_error *err)
{
	return store_pragma(store, "PRAGMA cache_size = -2048", NULL, err);
}

void store_close(struct store *store)
{
	if (!store)
		return;
	for (size_t i = 0; i < store->cached; i++)
		sqlite3_finalize(store->cache[i].stmt);
	sqlite3_close(store->db);
	free(store->path);
	free(store);
}

char *store_default_path(void)
{
	const char *env = getenv("BOOTDECK_DB");

	if (env && *env)
		return strdup(env);
	return paths_xdg_file("DATA", "bootdeck.db");
}

int store_schema_version(struct store *store)
{
	return store ? store->version : -1;
}

static int store_exec_cached(struct store *store, const char *sql, struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql, err);
	int rc;

	if (!stmt)
		return -1;
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_db_error(store, rc, err, "run '%s'", sql);
	return 0;
}

int store_begin(struct store *store, struct bd_error *err)
{
	struct timespec start, now, pause = { 0, 20 * 1000000L };
	sqlite3_stmt *stmt;
	long waited_ms;
	int rc;

	if (!sqlite3_get_autocommit(store->db))
		return bd_error_set(err, BD_ERR_INTERNAL,
				    "a transaction is already open on database '%s'", store->path);
	stmt = store_stmt(store, sql_begin, err);
	if (!stmt)
		return -1;
	/* The busy handler waits first; what it gives up on (a long writer,
	 * or a lock it does not wait for) is retried here, then reported. */
	rc = stmt_run(stmt);
	sqlite3_reset(stmt);
	if (store_rc_busy(rc)) {
		sqlite3_busy_timeout(store->db, 0);
		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			nanosleep(&pause, NULL);
			if (pause.tv_nsec < 200 * 1000000L)
				pause.tv_nsec *= 2;
			rc = stmt_run(stmt);
			sqlite3_reset(stmt);
			clock_gettime(CLOCK_MONOTONIC, &now);
			waited_ms = (now.tv_sec - start.tv_sec) * 1000L +
				    (now.tv_nsec - start.tv_nsec) / 1000000L;
		} while (store_rc_busy(rc) && waited_ms < STORE_LOCK_RETRY_MS);
		sqlite3_busy_timeout(store->db, STORE_BUSY_TIMEOUT_MS);
	}
	if (rc == SQLITE_OK)
		return 0;
	if (store_rc_busy(rc)) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "database '%s' stayed locked by another bootdeck process for %d "
			     "seconds; try again when it has finished",
			     store->path, (STORE_BUSY_TIMEOUT_MS + STORE_LOCK_RETRY_MS) / 1000);
		log_error("store", err);
		return -1;
	}
	return store_db_error(store, rc, err, "start a transaction");
}

int store_commit(struct store *store, struct bd_error *err)
{
	return store_exec_cached(store, sql_commit, err);
}

void store_rollback(struct store *store)
{
	if (store && !sqlite3_get_autocommit(store->db))
		store_exec_cached(store, sql_rollback, NULL);
}

/* A write of several statements is all or nothing: its own transaction, or
 * a savepoint inside the caller's. */
static int write_open(struct store *store, bool *own, struct bd_error *err)
{
	*own = sqlite3_get_autocommit(store->db) != 0;
	if (*own)
		return store_begin(store, err);
	return store_exec_cached(store, sql_savepoint, err);
}

static int write_close(struct store *store, bool own, int ret, struct bd_error *err)
{
	if (ret == 0) {
		if (own ? store_commit(store, err) == 0
			: store_exec_cached(store, sql_release, err) == 0)
			return 0;
		ret = -1;
	}
	if (own) {
		store_rollback(store);
	} else {
		store_exec_cached(store, sql_rollback_to, NULL);
		store_exec_cached(store, sql_release, NULL);
	}
	return ret;
}

/* ---- clusters ---- */

static const char sql_cluster_insert[] =
	"INSERT INTO clusters (id, name, cpu_overcommit, mem_overcommit, created) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_cluster_select[] =
	"SELECT id, name, cpu_overcommit, mem_overcommit, created FROM clusters "
	"WHERE id = ?1";
static const char sql_cluster_list[] =
	"SELECT id, name, cpu_overcommit, mem_overcommit, created FROM clusters ORDER BY rowid";
static const char sql_cluster_update[] =
	"UPDATE clusters SET name = ?2, cpu_overcommit = ?3, mem_overcommit = ?4 WHERE id = ?1";
static const char sql_cluster_hosts[] = "SELECT COUNT(*) FROM hosts WHERE cluster_id = ?1";
static const char sql_cluster_delete[] = "DELETE FROM clusters WHERE id = ?1";

/* 0 means "not given": the factor defaults to 1.0. */
static int cluster_factors_check(const struct cluster *cluster, double *cpu, double *mem,
				 struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];

	*cpu = cluster->cpu_overcommit == 0 ? 1.0 : cluster->cpu_overcommit;
	*mem = cluster->mem_overcommit == 0 ? 1.0 : cluster->mem_overcommit;
	if (!isfinite(*cpu) || *cpu < 0 || !isfinite(*mem) || *mem < 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "overcommit factors of cluster '%s' must be numbers greater "
				    "than 0 (got cpu %g, memory %g)",
				    text_quote(cluster->name, shown, sizeof shown),
				    cluster->cpu_overcommit, cluster->mem_overcommit);
	return 0;
}

static void cluster_read(sqlite3_stmt *stmt, struct cluster *out)
{
	memset(out, 0, sizeof *out);
	col_copy(stmt, 0, out->id, sizeof out->id);
	col_copy(stmt, 1, out->name, sizeof out->name);
	out->cpu_overcommit = sqlite3_column_double(stmt, 2);
	out->mem_overcommit = sqlite3_column_double(stmt, 3);
	out->created = (time_t)sqlite3_column_int64(stmt, 4);
}

int store_cluster_insert(struct store *store, struct cluster *cluster, struct bd_error *err)
{
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	double cpu, mem;
	time_t now = time(NULL);
	int rc;

	if (name_check("name", cluster->name, err) < 0 ||
	    cluster_factors_check(cluster, &cpu, &mem, err) < 0 || uuid_generate(id, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_cluster_insert, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cluster->name, -1, SQLITE_STATIC);
	sqlite3_bind_double(stmt, 3, cpu);
	sqlite3_bind_double(stmt, 4, mem);
	sqlite3_bind_int64(stmt, 5, now);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_cluster, cluster->name, "add");
	memcpy(cluster->id, id, sizeof id);
	cluster->cpu_overcommit = cpu;
	cluster->mem_overcommit = mem;
	cluster->created = now;
	return 0;
}

int store_cluster_get(struct store *store, const char *id_or_name, struct cluster *out,
		      struct bd_error *err)
{
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	int ret = -1;
	int rc;

	if (store_resolve(store, &kind_cluster, id_or_name, id, NULL, 0, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_cluster_select, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_db_error(store, rc, err, "read cluster '%s'", id);
		goto cleanup;
	}
	cluster_read(stmt, out);
	ret = 0;
cleanup:
	stmt_release(stmt);
	return ret;
}

int store_cluster_list(struct store *store, struct cluster **out, size_t *count,
		       struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_cluster_list, err);
	struct cluster *list = NULL;
	size_t used = 0, cap = 0;
	int ret = -1;
	int rc;

	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		cluster_read(stmt, &list[used++]);
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list clusters");
		goto cleanup;
	}
	*out = list;
	*count = used;
	list = NULL;
	ret = 0;
cleanup:
	stmt_release(stmt);
	free(list);
	return ret;
}

int store_cluster_update(struct store *store, const struct cluster *cluster, struct bd_error *err)
{
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	double cpu, mem;
	int rc;

	if (store_resolve(store, &kind_cluster, cluster->id[0] ? cluster->id : cluster->name, id,
			  NULL, 0, err) < 0 ||
	    name_check("name", cluster->name, err) < 0 ||
	    cluster_factors_check(cluster, &cpu, &mem, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_cluster_update, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, cluster->name, -1, SQLITE_STATIC);
	sqlite3_bind_double(stmt, 3, cpu);
	sqlite3_bind_double(stmt, 4, mem);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_cluster, cluster->name, "update");
	return 0;
}

/* Deletes one row after a usage count came back zero; the schema's own
 * constraints back the count up against a concurrent writer. */
static int store_delete_unused(struct store *store, const struct store_kind *kind,
			       const char *id_or_name, const char *count_sql,
			       const char *delete_sql, const char *in_use_fmt,
			       struct bd_error *err)
{
	char id[ID_LEN], name[NAME_SIZE];
	sqlite3_stmt *stmt;
	long users;
	int rc;

	if (store_resolve(store, kind, id_or_name, id, name, sizeof name, err) < 0)
		return -1;
	if (count_sql) {
		users = store_count(store, count_sql, id, err);
		if (users < 0)
			return -1;
		if (users > 0)
			return bd_error_set(err, BD_ERR_PARAM, in_use_fmt, kind->noun, name, users,
					    plural(users));
	}
	stmt = store_stmt(store, delete_sql, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, kind, name, "delete");
	return 0;
}

int store_cluster_delete(struct store *store, const char *id, struct bd_error *err)
{
	return store_delete_unused(store, &kind_cluster, id, sql_cluster_hosts,
				   sql_cluster_delete, "%s '%s' still has %ld host%s", err);
}

/* ---- templates ---- */

static const char sql_template_insert[] =
	"INSERT INTO templates (id, name, url, format, size_bytes, created) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_template_select[] =
	"SELECT id, name, url, format, size_bytes, created FROM templates WHERE id = ?1";
static const char sql_template_list[] =
	"SELECT id, name, url, format, size_bytes, created FROM templates ORDER BY name";
static const char sql_template_users[] = "SELECT COUNT(*) FROM vms WHERE template_id = ?1";
static const char sql_template_delete[] = "DELETE FROM templates WHERE id = ?1";

static int template_read(struct store *store, sqlite3_stmt *stmt, struct template *out,
			 struct bd_error *err)
{
	memset(out, 0, sizeof *out);
	col_copy(stmt, 0, out->id, sizeof out->id);
	col_copy(stmt, 1, out->name, sizeof out->name);
	if (col_dup(stmt, 2, &out->url) < 0)
		return store_oom(err);
	out->format = db_enum(&template_format_table, sqlite3_column_text(stmt, 3));
	if ((int)out->format < 0)
		return store_db_error(store, SQLITE_OK, err, "read template '%s' (format '%s')",
				      out->name, sqlite3_column_text(stmt, 3));
	out->size_bytes = sqlite3_column_int64(stmt, 4);
	out->created = (time_t)sqlite3_column_int64(stmt, 5);
	return 0;
}

int store_template_insert(struct store *store, struct template *tmpl, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	time_t now = time(NULL);
	int rc;

	if (name_check("name", tmpl->name, err) < 0)
		return -1;
	if (!tmpl->url || !*tmpl->url)
		return bd_error_set(err, BD_ERR_PARAM, "template '%s' needs a url",
				    text_quote(tmpl->name, shown, sizeof shown));
	if ((int)tmpl->format < 0 || tmpl->format >= TEMPLATE_FORMAT_LAST || tmpl->size_bytes < 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "template '%s' has an invalid format or size",
				    text_quote(tmpl->name, shown, sizeof shown));
	if (uuid_generate(id, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_template_insert, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, tmpl->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, tmpl->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, template_format_name(tmpl->format), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, tmpl->size_bytes);
	sqlite3_bind_int64(stmt, 6, now);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_template, tmpl->name, "register");
	memcpy(tmpl->id, id, sizeof id);
	tmpl->created = now;
	return 0;
}

int store_template_get(struct store *store, const char *id_or_name, struct template *out,
		       struct bd_error *err)
{
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	int ret = -1;
	int rc;

	if (store_resolve(store, &kind_template, id_or_name, id, NULL, 0, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_template_select, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_db_error(store, rc, err, "read template '%s'", id);
		goto cleanup;
	}
	if (template_read(store, stmt, out, err) < 0) {
		template_clear(out);
		goto cleanup;
	}
	ret = 0;
cleanup:
	stmt_release(stmt);
	return ret;
}

int store_template_list(struct store *store, struct template **out, size_t *count,
			struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_template_list, err);
	struct template *list = NULL;
	size_t used = 0, cap = 0;
	int ret = -1;
	int rc;

	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		if (template_read(store, stmt, &list[used++], err) < 0)
			goto cleanup;
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list templates");
		goto cleanup;
	}
	*out = list;
	*count = used;
	list = NULL;
	used = 0;
	ret = 0;
cleanup:
	stmt_release(stmt);
	store_template_list_free(list, used);
	return ret;
}

void store_template_list_free(struct template *list, size_t count)
{
	if (!list)
		return;
	for (size_t i = 0; i < count; i++)
		template_clear(&list[i]);
	free(list);
}

int store_template_delete(struct store *store, const char *id, struct bd_error *err)
{
	return store_delete_unused(store, &kind_template, id, sql_template_users,
				   sql_template_delete, "%s '%s' is used by %ld VM%s", err);
}

/* ---- service offerings ---- */

static const char sql_offering_insert[] =
	"INSERT INTO service_offerings (id, name, cpunumber, memory_mib, created) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_offering_select[] =
	"SELECT id, name, cpunumber, memory_mib, created FROM service_offerings WHERE id = ?1";
static const char sql_offering_list[] =
	"SELECT id, name, cpunumber, memory_mib, created FROM service_offerings ORDER BY name";
static const char sql_offering_users[] = "SELECT COUNT(*) FROM vms WHERE offering_id = ?1";
static const char sql_offering_delete[] = "DELETE FROM service_offerings WHERE id = ?1";

static void offering_read(sqlite3_stmt *stmt, struct service_offering *out)
{
	memset(out, 0, sizeof *out);
	col_copy(stmt, 0, out->id, sizeof out->id);
	col_copy(stmt, 1, out->name, sizeof out->name);
	out->cpunumber = sqlite3_column_int(stmt, 2);
	out->memory_mib = sqlite3_column_int64(stmt, 3);
	out->created = (time_t)sqlite3_column_int64(stmt, 4);
}

int store_offering_insert(struct store *store, struct service_offering *offering,
			  struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	time_t now = time(NULL);
	int rc;

	if (name_check("name", offering->name, err) < 0)
		return -1;
	if (offering->cpunumber <= 0 || offering->memory_mib <= 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "service offering '%s' needs cpunumber and memory greater "
				    "than 0 (got %d CPUs, %lld MiB)",
				    text_quote(offering->name, shown, sizeof shown),
				    offering->cpunumber, (long long)offering->memory_mib);
	if (uuid_generate(id, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_offering_insert, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, offering->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, offering->cpunumber);
	sqlite3_bind_int64(stmt, 4, offering->memory_mib);
	sqlite3_bind_int64(stmt, 5, now);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_offering, offering->name, "create");
	memcpy(offering->id, id, sizeof id);
	offering->created = now;
	return 0;
}

int store_offering_get(struct store *store, const char *id_or_name,
		       struct service_offering *out, struct bd_error *err)
{
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	int ret = -1;
	int rc;

	if (store_resolve(store, &kind_offering, id_or_name, id, NULL, 0, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_offering_select, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_db_error(store, rc, err, "read service offering '%s'", id);
		goto cleanup;
	}
	offering_read(stmt, out);
	ret = 0;
cleanup:
	stmt_release(stmt);
	return ret;
}

int store_offering_list(struct store *store, struct service_offering **out, size_t *count,
			struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_offering_list, err);
	struct service_offering *list = NULL;
	size_t used = 0, cap = 0;
	int ret = -1;
	int rc;

	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		offering_read(stmt, &list[used++]);
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list service offerings");
		goto cleanup;
	}
	*out = list;
	*count = used;
	list = NULL;
	ret = 0;
cleanup:
	stmt_release(stmt);
	free(list);
	return ret;
}

int store_offering_delete(struct store *store, const char *id, struct bd_error *err)
{
	return store_delete_unused(store, &kind_offering, id, sql_offering_users,
				   sql_offering_delete, "%s '%s' is used by %ld VM%s", err);
}

/* ---- hosts ---- */

static const char sql_host_insert[] =
	"INSERT INTO hosts (id, name, cluster_id, url, state, allocation, hypervisor,"
	" hypervisor_version, arch, cpus, memory_mib, uefi_properties, last_error, created) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char sql_host_update[] =
	"UPDATE hosts SET url = ?2, state = ?3, allocation = ?4, hypervisor = ?5,"
	" hypervisor_version = ?6, arch = ?7, cpus = ?8, memory_mib = ?9,"
	" uefi_properties = ?10, last_error = ?11 WHERE id = ?1";
static const char sql_host_detail_set[] =
	"INSERT INTO host_details (host_id, name, value) VALUES (?1, ?2, ?3) "
	"ON CONFLICT (host_id, name) DO UPDATE SET value = excluded.value";
static const char sql_host_detail_unset[] =
	"DELETE FROM host_details WHERE host_id = ?1 AND name = ?2";
static const char sql_host_details[] =
	"SELECT name, value FROM host_details WHERE host_id = ?1 ORDER BY name";
static const char sql_host_live_vms[] =
	"SELECT COUNT(*) FROM vms WHERE host_id = ?1 AND state <> ?2";
static const char sql_host_delete[] = "DELETE FROM hosts WHERE id = ?1";

/* The filter shared by the host listing and its details query:
 * ?1 id or name, ?2 cluster id or name, ?3 UEFI (-1 any). */
#define HOST_FILTER                                                                \
	" WHERE (?1 IS NULL OR h.id = ?1 OR h.name = ?1)"                          \
	" AND (?2 IS NULL OR h.cluster_id = ?2 OR c.name = ?2)"                    \
	" AND (?3 < 0 OR h.uefi = ?3)"

/* Allocation is what the schema's triggers keep on the host row from the
 * live VMs' own writes (schema v3), so it cannot drift. */
static const char sql_host_list[] =
	"SELECT h.id, h.name, h.cluster_id, c.name, h.url, h.state, h.allocation,"
	" h.hypervisor, h.hypervisor_version, h.arch, h.cpus, h.memory_mib,"
	" h.cpu_used, h.memory_used_mib, h.uefi_properties, h.last_error, h.created"
	" FROM hosts h JOIN clusters c ON c.id = h.cluster_id"
	HOST_FILTER
	/* Onboarding order: the planner's first-fit order. */
	" ORDER BY h.rowid";
/* Every listed host's details in the listing's order, each host's by key:
 * the hosts in rowid order, their details from host_details_cover (v5). */
static const char sql_host_list_details[] =
	"SELECT h.id, d.name, d.value FROM hosts h JOIN clusters c ON c.id = h.cluster_id"
	" JOIN host_details d ON d.host_id = h.id"
	HOST_FILTER
	" ORDER BY h.rowid, d.name";

static int host_check(const struct host *host, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];

	text_quote(host->name, shown, sizeof shown);
	if (!host->url || !*host->url)
		return bd_error_set(err, BD_ERR_PARAM, "host '%s' needs a url", shown);
	if ((int)host->state < 0 || host->state >= HOST_STATE_LAST ||
	    (int)host->allocation < 0 || host->allocation >= ALLOCATION_LAST ||
	    (int)host->hypervisor < 0 || host->hypervisor >= HYPERVISOR_LAST)
		return bd_error_set(err, BD_ERR_PARAM,
				    "host '%s' has an invalid state, allocation or hypervisor",
				    shown);
	if (host->cpus < 0 || host->memory_mib < 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "host '%s' cannot have a negative CPU count or memory", shown);
	return 0;
}

/* Rewrites every caps detail of a host; other details are left alone. */
static int host_details_write(struct store *store, const char *host_id,
			      const struct host_caps *caps, struct bd_error *err)
{
	sqlite3_stmt *set = store_stmt(store, sql_host_detail_set, err);
	sqlite3_stmt *unset = set ? store_stmt(store, sql_host_detail_unset, err) : NULL;
	char buf[32];
	int rc;

	if (!unset)
		return -1;
	for (int key = 0; key < DETAIL_LAST; key++) {
		const char *value = caps_detail_value(caps, key, buf, sizeof buf);
		sqlite3_stmt *stmt = value ? set : unset;

		sqlite3_bind_text(stmt, 1, host_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, host_detail_names[key], -1, SQLITE_STATIC);
		if (value)
			sqlite3_bind_text(stmt, 3, value, -1, SQLITE_TRANSIENT);
		rc = stmt_run(stmt);
		stmt_release(stmt);
		if (rc != SQLITE_OK)
			return store_db_error(store, rc, err, "write detail '%s' of host '%s'",
					      host_detail_names[key], host_id);
	}
	return 0;
}

static void host_bind_facts(sqlite3_stmt *stmt, const struct host *host, int first)
{
	sqlite3_bind_text(stmt, first, host->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, first + 1, host_state_name(host->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, first + 2, allocation_state_name(host->allocation), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(stmt, first + 3, hypervisor_type_name(host->hypervisor), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(stmt, first + 4, host->hypervisor_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, first + 5, host->arch, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, first + 6, host->cpus);
	sqlite3_bind_int64(stmt, first + 7, host->memory_mib);
	bind_text(stmt, first + 8, host->uefi_properties);
	bind_text(stmt, first + 9, host->last_error);
}

int store_host_insert(struct store *store, struct host *host, struct bd_error *err)
{
	char id[ID_LEN], cluster_id[ID_LEN], cluster_name[NAME_SIZE];
	sqlite3_stmt *stmt;
	time_t now = time(NULL);
	bool own;
	int ret = -1;
	int rc;

	if (name_check("name", host->name, err) < 0 || host_check(host, err) < 0 ||
	    uuid_generate(id, err) < 0)
		return -1;
	if (write_open(store, &own, err) < 0)
		return -1;
	if (store_resolve(store, &kind_cluster,
			  host->cluster_id[0] ? host->cluster_id : host->cluster_name, cluster_id,
			  cluster_name, sizeof cluster_name, err) < 0)
		goto cleanup;
	stmt = store_stmt(store, sql_host_insert, err);
	if (!stmt)
		goto cleanup;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, host->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, cluster_id, -1, SQLITE_STATIC);
	host_bind_facts(stmt, host, 4);
	sqlite3_bind_int64(stmt, 14, now);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK) {
		store_write_error(store, rc, err, &kind_host, host->name, "add");
		goto cleanup;
	}
	if (host_details_write(store, id, &host->caps, err) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	ret = write_close(store, own, ret, err);
	if (ret == 0) {
		memcpy(host->id, id, sizeof id);
		memcpy(host->cluster_id, cluster_id, sizeof cluster_id);
		memcpy(host->cluster_name, cluster_name, sizeof cluster_name);
		host->created = now;
	}
	return ret;
}

int store_host_update(struct store *store, const struct host *host, struct bd_error *err)
{
	char id[ID_LEN], name[NAME_SIZE];
	sqlite3_stmt *stmt;
	bool own;
	int ret = -1;
	int rc;

	if (host_check(host, err) < 0 || write_open(store, &own, err) < 0)
		return -1;
	if (store_resolve(store, &kind_host, host->id[0] ? host->id : host->name, id, name,
			  sizeof name, err) < 0)
		goto cleanup;
	stmt = store_stmt(store, sql_host_update, err);
	if (!stmt)
		goto cleanup;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	host_bind_facts(stmt, host, 2);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK) {
		store_write_error(store, rc, err, &kind_host, name, "update");
		goto cleanup;
	}
	if (host_details_write(store, id, &host->caps, err) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	return write_close(store, own, ret, err);
}

static int host_read(struct store *store, sqlite3_stmt *stmt, struct host *out,
		     struct bd_error *err)
{
	memset(out, 0, sizeof *out);
	col_copy(stmt, 0, out->id, sizeof out->id);
	col_copy(stmt, 1, out->name, sizeof out->name);
	col_copy(stmt, 2, out->cluster_id, sizeof out->cluster_id);
	col_copy(stmt, 3, out->cluster_name, sizeof out->cluster_name);
	if (col_dup(stmt, 4, &out->url) < 0 || col_dup(stmt, 14, &out->uefi_properties) < 0 ||
	    col_dup(stmt, 15, &out->last_error) < 0)
		return store_oom(err);
	out->state = db_enum(&host_state_table, sqlite3_column_text(stmt, 5));
	out->allocation = db_enum(&allocation_state_table, sqlite3_column_text(stmt, 6));
	out->hypervisor = db_enum(&hypervisor_type_table, sqlite3_column_text(stmt, 7));
	if ((int)out->state < 0 || (int)out->allocation < 0 || (int)out->hypervisor < 0)
		return store_db_error(store, SQLITE_OK, err,
				      "read host '%s' (unknown state, allocation or hypervisor)",
				      out->name);
	col_copy(stmt, 8, out->hypervisor_version, sizeof out->hypervisor_version);
	col_copy(stmt, 9, out->arch, sizeof out->arch);
	out->cpus = sqlite3_column_int(stmt, 10);
	out->memory_mib = sqlite3_column_int64(stmt, 11);
	out->cpu_allocated = sqlite3_column_int(stmt, 12);
	out->memory_allocated_mib = sqlite3_column_int64(stmt, 13);
	out->created = (time_t)sqlite3_column_int64(stmt, 16);
	return 0;
}

static void host_bind_filter(sqlite3_stmt *stmt, const char *id, const char *cluster, int uefi)
{
	bind_text(stmt, 1, id);
	bind_text(stmt, 2, cluster);
	sqlite3_bind_int(stmt, 3, uefi < 0 ? -1 : uefi != 0);
}

/* Reads of several statements see one snapshot: their own transaction
 * (deferred: it takes no lock), or the caller's. */
static int read_open(struct store *store, bool *own, struct bd_error *err)
{
	*own = sqlite3_get_autocommit(store->db) != 0;
	return *own ? store_exec_cached(store, sql_read_begin, err) : 0;
}

static void read_close(struct store *store, bool own)
{
	if (own)
		store_exec_cached(store, sql_commit, NULL);
}

static const char sql_host_count[] =
	"SELECT COUNT(*) FROM hosts h JOIN clusters c ON c.id = h.cluster_id" HOST_FILTER;

/* One host's details, copied into one arena that every host of a walk
 * reuses: no allocation per detail. */
struct detail_run {
	struct detail *items;
	size_t *at; /* offsets of each item's key and value in text */
	size_t at_cap;
	size_t count;
	size_t cap;
	char *text;
	size_t len;
	size_t text_cap;
};

static int run_add(struct detail_run *run, const char *key, const char *value)
{
	size_t klen = strlen(key) + 1, vlen = strlen(value) + 1;

	if (list_reserve((void **)&run->items, &run->cap, run->count + 1, sizeof *run->items) < 0 ||
	    list_reserve((void **)&run->at, &run->at_cap, 2 * run->count + 2, sizeof *run->at) < 0 ||
	    list_reserve((void **)&run->text, &run->text_cap, run->len + klen + vlen, 1) < 0)
		return -1;
	run->at[run->count * 2] = run->len;
	memcpy(run->text + run->len, key, klen);
	run->len += klen;
	run->at[run->count * 2 + 1] = run->len;
	memcpy(run->text + run->len, value, vlen);
	run->len += vlen;
	run->count++;
	return 0;
}

/* Points the items at their text, once the arena stopped moving. */
static void run_finish(struct detail_run *run)
{
	for (size_t i = 0; i < run->count; i++) {
		run->items[i].key = run->text + run->at[i * 2];
		run->items[i].value = run->text + run->at[i * 2 + 1];
	}
}

static void run_free(struct detail_run *run)
{
	free(run->items);
	free(run->at);
	free(run->text);
}

/* A walk's first step, in its snapshot: the number of items its filter
 * selects, told to its begin (when it has one). */
static int walk_begin(struct store *store, sqlite3_stmt *count_stmt,
		      int (*begin)(void *opaque, size_t count, struct bd_error *err), void *opaque,
		      const char *what, struct bd_error *err)
{
	int rc = sqlite3_step(count_stmt);

	if (rc != SQLITE_ROW)
		return store_db_error(store, rc, err, "count %s", what);
	return begin ? begin(opaque, (size_t)sqlite3_column_int64(count_stmt, 0), err) : 0;
}

int store_host_each(struct store *store, const struct host_filter *filter,
		    const struct store_host_walk *walk, struct bd_error *err)
{
	static const struct host_filter any = { .uefi = -1 };
	sqlite3_stmt *count_stmt = NULL, *hosts = NULL, *details = NULL;
	struct detail_run run = { 0 };
	bool own;
	int ret = -1;
	int rc, drc;

	if (!filter)
		filter = &any;
	if (read_open(store, &own, err) < 0)
		return -1;
	/* The count, the hosts and their details: one snapshot, so they agree. */
	count_stmt = store_stmt(store, sql_host_count, err);
	if (!count_stmt)
		goto cleanup;
	host_bind_filter(count_stmt, filter->id, filter->cluster_id, filter->uefi);
	if (walk_begin(store, count_stmt, walk->begin, walk->opaque, "hosts", err) < 0)
		goto cleanup;
	hosts = store_stmt(store, sql_host_list, err);
	details = store_stmt(store, sql_host_list_details, err);
	if (!hosts || !details)
		goto cleanup;
	host_bind_filter(hosts, filter->id, filter->cluster_id, filter->uefi);
	host_bind_filter(details, filter->id, filter->cluster_id, filter->uefi);
	drc = sqlite3_step(details);
	while ((rc = sqlite3_step(hosts)) == SQLITE_ROW) {
		struct host host;
		int fn_rc;

		if (host_read(store, hosts, &host, err) < 0) {
			host_clear(&host);
			goto cleanup;
		}
		/* Both in the listing's order: this host's run comes next. */
		run.count = run.len = 0;
		while (drc == SQLITE_ROW &&
		       strcmp((const char *)sqlite3_column_text(details, 0), host.id) == 0) {
			const char *key = (const char *)sqlite3_column_text(details, 1);
			const char *value = (const char *)sqlite3_column_text(details, 2);

			if (caps_detail_load(&host.caps, key, value) < 0 ||
			    run_add(&run, key, value) < 0) {
				host_clear(&host);
				store_oom(err);
				goto cleanup;
			}
			drc = sqlite3_step(details);
		}
		run_finish(&run);
		fn_rc = walk->host(walk->opaque, &host, run.items, run.count, err);
		host_clear(&host);
		if (fn_rc < 0)
			goto cleanup;
	}
	if (rc != SQLITE_DONE || (drc != SQLITE_DONE && drc != SQLITE_ROW)) {
		store_db_error(store, rc != SQLITE_DONE ? rc : drc, err, "list hosts");
		goto cleanup;
	}
	if (drc == SQLITE_ROW) {
		store_db_error(store, SQLITE_OK, err,
			       "read details of host '%s', which the listing does not hold",
			       (const char *)sqlite3_column_text(details, 0));
		goto cleanup;
	}
	ret = 0;
cleanup:
	stmt_release(count_stmt);
	stmt_release(hosts);
	stmt_release(details);
	read_close(store, own);
	run_free(&run);
	return ret;
}

/* What a walk gives, moved into one array: store_host_list() and
 * store_vm_list() are walks that keep every item. */
struct item_array {
	void *items;
	size_t used;
	size_t cap;
	size_t size;
};

static int item_array_begin(void *opaque, size_t count, struct bd_error *err)
{
	struct item_array *array = opaque;

	if (count && list_reserve(&array->items, &array->cap, count, array->size) < 0)
		return store_oom(err);
	return 0;
}

/* Moves *item to the array's end, leaving it cleared for the walk. */
static int item_array_take(struct item_array *array, void *item, struct bd_error *err)
{
	if (list_reserve(&array->items, &array->cap, array->used + 1, array->size) < 0)
		return store_oom(err);
	memcpy((char *)array->items + array->used++ * array->size, item, array->size);
	memset(item, 0, array->size);
	return 0;
}

static int host_array_add(void *opaque, struct host *host, const struct detail *details,
			  size_t ndetail, struct bd_error *err)
{
	(void)details;
	(void)ndetail;
	return item_array_take(opaque, host, err);
}

int store_host_list(struct store *store, const struct host_filter *filter, struct host **out,
		    size_t *count, struct bd_error *err)
{
	struct item_array array = { .size = sizeof **out };
	const struct store_host_walk walk = {
		.begin = item_array_begin,
		.host = host_array_add,
		.opaque = &array,
	};

	if (store_host_each(store, filter, &walk, err) < 0) {
		store_host_list_free(array.items, array.used);
		return -1;
	}
	*out = array.items;
	*count = array.used;
	return 0;
}

/* Only the planner's columns, in onboarding order: no join, no sums, no
 * details. */
#define HOST_PLAN_COLUMNS                                                          \
	"SELECT id, name, cluster_id, state, allocation, cpus, memory_mib,"        \
	" cpu_used, memory_used_mib, uefi, secure FROM hosts"
static const char sql_host_plan_list[] = HOST_PLAN_COLUMNS " ORDER BY rowid";
/* hosts_cluster holds (cluster_id, rowid): no sort, only the cluster's rows. */
static const char sql_host_plan_cluster[] =
	HOST_PLAN_COLUMNS " WHERE cluster_id = ?1 ORDER BY rowid";
static const char sql_host_plan_get[] = HOST_PLAN_COLUMNS " WHERE id = ?1";

static int host_plan_row_read(struct store *store, sqlite3_stmt *stmt, struct host_plan_row *row,
			      struct bd_error *err)
{
	memset(row, 0, sizeof *row);
	col_copy(stmt, 0, row->id, sizeof row->id);
	col_copy(stmt, 1, row->name, sizeof row->name);
	col_copy(stmt, 2, row->cluster_id, sizeof row->cluster_id);
	row->state = db_enum(&host_state_table, sqlite3_column_text(stmt, 3));
	row->allocation = db_enum(&allocation_state_table, sqlite3_column_text(stmt, 4));
	if ((int)row->state < 0 || (int)row->allocation < 0)
		return store_db_error(store, SQLITE_OK, err,
				      "read host '%s' (unknown state or allocation)", row->name);
	row->cpus = sqlite3_column_int(stmt, 5);
	row->memory_mib = sqlite3_column_int64(stmt, 6);
	row->cpu_used = sqlite3_column_int(stmt, 7);
	row->memory_used_mib = sqlite3_column_int64(stmt, 8);
	row->uefi = sqlite3_column_int(stmt, 9) != 0;
	row->secure = sqlite3_column_int(stmt, 10) != 0;
	return 0;
}

/* Runs a statement of planner host rows to the end, appending them to
 * *list (*count used of *cap); on failure *count is as it was. */
static int host_plan_rows(struct store *store, sqlite3_stmt *stmt, struct host_plan_row **list,
			  size_t *count, size_t *cap, struct bd_error *err)
{
	size_t used = *count;
	int ret = -1;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_reserve((void **)list, cap, used + 1, sizeof **list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		if (host_plan_row_read(store, stmt, &(*list)[used++], err) < 0)
			goto cleanup;
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list hosts for placement");
		goto cleanup;
	}
	*count = used;
	ret = 0;
cleanup:
	stmt_release(stmt);
	return ret;
}

int store_host_plan_list(struct store *store, struct host_plan_row **out, size_t *count,
			 struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_host_plan_list, err);
	struct host_plan_row *list = NULL;
	size_t used = 0, cap = 0;

	if (!stmt)
		return -1;
	if (host_plan_rows(store, stmt, &list, &used, &cap, err) < 0) {
		free(list);
		return -1;
	}
	*out = list;
	*count = used;
	return 0;
}

/* Only hosts holding VMs matter to whoever asks; id order for bsearch. */
static const char sql_host_ids_up[] =
	"SELECT id FROM hosts h WHERE state = 'Up'"
	" AND EXISTS (SELECT 1 FROM vms WHERE host_id = h.id) ORDER BY id";

int store_host_ids_up(struct store *store, char (**out)[ID_LEN], size_t *count,
		      struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_host_ids_up, err);
	char (*list)[ID_LEN] = NULL;
	size_t used = 0, cap = 0;
	int rc;

	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			stmt_release(stmt);
			free(list);
			return store_oom(err);
		}
		col_copy(stmt, 0, list[used++], ID_LEN);
	}
	stmt_release(stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return store_db_error(store, rc, err, "list the hosts that are Up");
	}
	*out = list;
	*count = used;
	return 0;
}

int store_host_plan_cluster(struct store *store, const char *cluster_id,
			    struct host_plan_row **list, size_t *count, size_t *cap,
			    struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_host_plan_cluster, err);

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, cluster_id, -1, SQLITE_STATIC);
	return host_plan_rows(store, stmt, list, count, cap, err);
}

int store_host_plan_get(struct store *store, const char *id, struct host_plan_row *out,
			struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_host_plan_get, err);
	int ret = -1;
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		ret = host_plan_row_read(store, stmt, out, err);
	else if (rc == SQLITE_DONE)
		bd_error_set(err, BD_ERR_PARAM, "host '%s' does not exist", id);
	else
		store_db_error(store, rc, err, "read host '%s' for placement", id);
	stmt_release(stmt);
	return ret;
}

/* Two plain scans, matched in memory: joining the three class rows to each
 * cluster cost three index lookups per cluster, twice the time. */
static const char sql_cluster_plan_clusters[] =
	"SELECT id, name, cpu_overcommit, mem_overcommit FROM clusters ORDER BY rowid";
static const char sql_cluster_plan_capacity[] =
	"SELECT cluster_id, class, hosts, cpu_used, cpu_total, memory_used_mib,"
	" memory_total_mib FROM cluster_capacity";

static int cluster_plan_cmp_id(const void *a, const void *b)
{
	return strcmp((*(struct cluster_plan_row *const *)a)->id,
		      (*(struct cluster_plan_row *const *)b)->id);
}

/* Fills each listed cluster's kept sums from the capacity rows. */
static int cluster_plan_load_capacity(struct store *store, struct cluster_plan_row *list,
				      size_t count, struct bd_error *err)
{
	struct cluster_plan_row **by_id = malloc((count ? count : 1) * sizeof *by_id);
	struct cluster_plan_row *last = NULL;
	sqlite3_stmt *stmt = NULL;
	int ret = -1;
	int rc;

	if (!by_id)
		return store_oom(err);
	for (size_t i = 0; i < count; i++)
		by_id[i] = &list[i];
	qsort(by_id, count, sizeof *by_id, cluster_plan_cmp_id);
	stmt = store_stmt(store, sql_cluster_plan_capacity, err);
	if (!stmt)
		goto cleanup;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		int class = sqlite3_column_int(stmt, 1);
		struct cluster_capacity *capacity;

		/* A cluster's class rows come together: check the last one first. */
		if (!id)
			continue;
		if (!last || strcmp(last->id, id) != 0) {
			struct cluster_plan_row key, *keyp = &key, **found;

			snprintf(key.id, sizeof key.id, "%s", id);
			found = bsearch(&keyp, by_id, count, sizeof *by_id, cluster_plan_cmp_id);
			if (!found)
				continue;
			last = *found;
		}
		if (class < 0 || class >= CAPACITY_CLASS_LAST)
			continue;
		capacity = &last->capacity[class];
		capacity->hosts = sqlite3_column_int64(stmt, 2);
		capacity->cpu_used = sqlite3_column_int64(stmt, 3);
		capacity->cpu_total = sqlite3_column_int64(stmt, 4);
		capacity->memory_used_mib = sqlite3_column_int64(stmt, 5);
		capacity->memory_total_mib = sqlite3_column_int64(stmt, 6);
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "read the clusters' capacity");
		goto cleanup;
	}
	ret = 0;
cleanup:
	stmt_release(stmt);
	free(by_id);
	return ret;
}

int store_cluster_plan_list(struct store *store, struct cluster_plan_row **out, size_t *count,
			    struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_cluster_plan_clusters, err);
	struct cluster_plan_row *list = NULL;
	size_t used = 0, cap = 0;
	int ret = -1;
	int rc;

	_Static_assert(CAPACITY_ANY == 0 && CAPACITY_UEFI == 1 && CAPACITY_SECURE == 2,
		       "capacity classes are numbered as in the cluster_capacity table");
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct cluster_plan_row *row;

		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		row = &list[used++];
		memset(row, 0, sizeof *row);
		col_copy(stmt, 0, row->id, sizeof row->id);
		col_copy(stmt, 1, row->name, sizeof row->name);
		row->cpu_overcommit = sqlite3_column_double(stmt, 2);
		row->mem_overcommit = sqlite3_column_double(stmt, 3);
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list clusters for placement");
		goto cleanup;
	}
	stmt_release(stmt);
	stmt = NULL;
	if (cluster_plan_load_capacity(store, list, used, err) < 0)
		goto cleanup;
	*out = list;
	*count = used;
	list = NULL;
	ret = 0;
cleanup:
	stmt_release(stmt);
	free(list);
	return ret;
}

void store_host_list_free(struct host *list, size_t count)
{
	if (!list)
		return;
	for (size_t i = 0; i < count; i++)
		host_clear(&list[i]);
	free(list);
}

int store_host_get(struct store *store, const char *id_or_name, struct host *out,
		   struct bd_error *err)
{
	struct host_filter filter = { .uefi = -1 };
	struct host *list = NULL;
	char id[ID_LEN];
	size_t count = 0;
	int ret = -1;

	if (store_resolve(store, &kind_host, id_or_name, id, NULL, 0, err) < 0)
		return -1;
	filter.id = id;
	if (store_host_list(store, &filter, &list, &count, err) < 0)
		return -1;
	/* The filter also matches a host whose name equals this id. */
	for (size_t i = 0; i < count; i++) {
		if (strcmp(list[i].id, id) == 0) {
			*out = list[i];
			memset(&list[i], 0, sizeof list[i]);
			ret = 0;
			break;
		}
	}
	if (ret < 0)
		store_db_error(store, SQLITE_OK, err, "read host '%s'", id);
	store_host_list_free(list, count);
	return ret;
}

int store_host_delete(struct store *store, const char *id, struct bd_error *err)
{
	char host_id[ID_LEN], name[NAME_SIZE];
	sqlite3_stmt *stmt;
	long live = -1;
	int rc;

	if (store_resolve(store, &kind_host, id, host_id, name, sizeof name, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_host_live_vms, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, host_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, vm_state_name(VM_STATE_EXPUNGING), -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		live = sqlite3_column_int64(stmt, 0);
	stmt_release(stmt);
	if (live < 0)
		return store_db_error(store, rc, err, "count the VMs of host '%s'", name);
	if (live > 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "host '%s' still has %ld VM%s that %s not expunged", name,
				    live, plural(live), live == 1 ? "is" : "are");
	stmt = store_stmt(store, sql_host_delete, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, host_id, -1, SQLITE_STATIC);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_host, name, "delete");
	return 0;
}

int store_host_details(struct store *store, const char *host_id, struct detail **out,
		       size_t *count, struct bd_error *err)
{
	struct detail *list = NULL;
	size_t used = 0, cap = 0;
	sqlite3_stmt *stmt = NULL;
	char id[ID_LEN];
	int ret = -1;
	int rc;

	if (store_resolve(store, &kind_host, host_id, id, NULL, 0, err) < 0)
		return -1;
	stmt = store_stmt(store, sql_host_details, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		used++;
		if (col_dup(stmt, 0, &list[used - 1].key) < 0 ||
		    col_dup(stmt, 1, &list[used - 1].value) < 0) {
			store_oom(err);
			goto cleanup;
		}
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "read the details of host '%s'", id);
		goto cleanup;
	}
	*out = list;
	*count = used;
	list = NULL;
	used = 0;
	ret = 0;
cleanup:
	stmt_release(stmt);
	store_detail_list_free(list, used);
	return ret;
}

void store_detail_list_free(struct detail *list, size_t count)
{
	if (!list)
		return;
	for (size_t i = 0; i < count; i++) {
		free(list[i].key);
		free(list[i].value);
	}
	free(list);
}

/* ---- virtual machines ---- */

static const char sql_vm_insert[] =
	"INSERT INTO vms (id, name, displayname, state, host_id, cluster_id, template_id,"
	" offering_id, cpunumber, memory_mib, machine, loader, nvram, disk, console_log,"
	" placement, created) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
static const char sql_vm_update[] =
	"UPDATE vms SET name = ?2, displayname = ?3, state = ?4, host_id = ?5, cluster_id = ?6,"
	" template_id = ?7, offering_id = ?8, cpunumber = ?9, memory_mib = ?10, machine = ?11,"
	" loader = ?12, nvram = ?13, disk = ?14, console_log = ?15, placement = ?16 "
	"WHERE id = ?1";
static const char sql_vm_detail_insert[] =
	"INSERT INTO vm_details (vm_id, name, value) VALUES (?1, ?2, ?3)";
static const char sql_vm_set_state[] = "UPDATE vms SET state = ?2 WHERE id = ?1";
static const char sql_vm_swap_state[] = "UPDATE vms SET state = ?2 WHERE id = ?1 AND state = ?3";
static const char sql_vm_delete[] = "DELETE FROM vms WHERE id = ?1";
static const char sql_host_cluster[] = "SELECT cluster_id FROM hosts WHERE id = ?1";

/* ?1 id or name, ?2 host id or name, ?3 state name (NULL: any). */
#define VM_LIST_COLUMNS                                                              \
	"SELECT v.id, v.name, v.displayname, v.state,"                               \
	" (SELECT value FROM vm_details WHERE vm_id = v.id AND name = 'boot.type'),"  \
	" (SELECT value FROM vm_details WHERE vm_id = v.id AND name = 'boot.mode'),"  \
	" v.host_id, h.name, v.cluster_id, v.template_id, v.offering_id, v.cpunumber," \
	" v.memory_mib, v.machine, v.loader, v.nvram, v.disk, v.console_log, v.placement," \
	" v.created"
/* The host is matched by a subquery, not through the join, so counting
 * needs no join at all. */
#define VM_FILTER                                                                    \
	" WHERE (?1 IS NULL OR v.id = ?1 OR v.name = ?1)"                            \
	" AND (?2 IS NULL OR v.host_id IN (SELECT id FROM hosts WHERE id = ?2 OR name = ?2))" \
	" AND (?3 IS NULL OR v.state = ?3)"
/* By state alone, as every command's recovery check asks: through the
 * vms_state index (v5), which the general filter's ORs cannot use. */
#define VM_FILTER_STATE " WHERE v.state = ?3"
#define VM_LIST_FROM " FROM vms v LEFT JOIN hosts h ON h.id = v.host_id"
static const char sql_vm_list[] = VM_LIST_COLUMNS VM_LIST_FROM VM_FILTER " ORDER BY v.name";
static const char sql_vm_count[] = "SELECT COUNT(*) FROM vms v" VM_FILTER;
static const char sql_vm_list_state[] =
	VM_LIST_COLUMNS VM_LIST_FROM VM_FILTER_STATE " ORDER BY v.name";
static const char sql_vm_count_state[] = "SELECT COUNT(*) FROM vms v" VM_FILTER_STATE;

/* The references of a VM, resolved from ids or names to ids. */
struct vm_refs {
	char host_id[ID_LEN];
	char cluster_id[ID_LEN];
	char template_id[ID_LEN];
	char offering_id[ID_LEN];
};

static int vm_check(const struct vm *vm, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];

	if (name_check("name", vm->name, err) < 0)
		return -1;
	text_quote(vm->name, shown, sizeof shown);
	if ((int)vm->boot.type < 0 || vm->boot.type >= BOOT_TYPE_LAST ||
	    (int)vm->boot.mode < 0 || vm->boot.mode >= BOOT_MODE_LAST)
		return bd_error_set(err, BD_ERR_PARAM, "VM '%s' has an invalid boot type or mode",
				    shown);
	if (vm->boot.type == BOOT_TYPE_BIOS && vm->boot.mode == BOOT_MODE_SECURE)
		return bd_error_set(err, BD_ERR_PARAM,
				    "VM '%s' asks for Secure Boot with boottype BIOS: Secure "
				    "Boot needs boottype UEFI", shown);
	if ((int)vm->state < 0 || vm->state >= VM_STATE_LAST)
		return bd_error_set(err, BD_ERR_PARAM, "VM '%s' has an invalid state", shown);
	if (vm->cpunumber <= 0 || vm->memory_mib <= 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "VM '%s' needs cpunumber and memory greater than 0 (got %d "
				    "CPUs, %lld MiB)", shown, vm->cpunumber,
				    (long long)vm->memory_mib);
	return 0;
}

static int vm_resolve_refs(struct store *store, const struct vm *vm, struct vm_refs *refs,
			   struct bd_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	memset(refs, 0, sizeof *refs);
	if ((vm->host_id[0] &&
	     store_resolve(store, &kind_host, vm->host_id, refs->host_id, NULL, 0, err) < 0) ||
	    (vm->cluster_id[0] &&
	     store_resolve(store, &kind_cluster, vm->cluster_id, refs->cluster_id, NULL, 0,
			   err) < 0) ||
	    (vm->template_id[0] &&
	     store_resolve(store, &kind_template, vm->template_id, refs->template_id, NULL, 0,
			   err) < 0) ||
	    (vm->offering_id[0] &&
	     store_resolve(store, &kind_offering, vm->offering_id, refs->offering_id, NULL, 0,
			   err) < 0))
		return -1;
	if (!refs->host_id[0] || refs->cluster_id[0])
		return 0;
	/* A placed VM is in its host's cluster. */
	stmt = store_stmt(store, sql_host_cluster, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, refs->host_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		col_copy(stmt, 0, refs->cluster_id, sizeof refs->cluster_id);
	stmt_release(stmt);
	if (rc != SQLITE_ROW)
		return store_db_error(store, rc, err, "read the cluster of host '%s'",
				      refs->host_id);
	return 0;
}

static void vm_bind_row(sqlite3_stmt *stmt, const struct vm *vm, const struct vm_refs *refs)
{
	sqlite3_bind_text(stmt, 2, vm->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, vm->displayname, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, vm_state_name(vm->state), -1, SQLITE_STATIC);
	bind_text(stmt, 5, refs->host_id);
	bind_text(stmt, 6, refs->cluster_id);
	bind_text(stmt, 7, refs->template_id);
	bind_text(stmt, 8, refs->offering_id);
	sqlite3_bind_int(stmt, 9, vm->cpunumber);
	sqlite3_bind_int64(stmt, 10, vm->memory_mib);
	sqlite3_bind_text(stmt, 11, vm->machine, -1, SQLITE_STATIC);
	bind_text(stmt, 12, vm->loader);
	bind_text(stmt, 13, vm->nvram);
	bind_text(stmt, 14, vm->disk);
	bind_text(stmt, 15, vm->console_log);
	bind_text(stmt, 16, vm->placement);
}

static int vm_detail_insert(struct store *store, const char *vm_id, const char *vm_name,
			    const char *name, const char *value, struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_vm_detail_insert, err);
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, vm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, value, -1, SQLITE_STATIC);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_vm, vm_name, "record the boot of");
	return 0;
}

int store_vm_insert(struct store *store, struct vm *vm, struct bd_error *err)
{
	struct vm_refs refs;
	sqlite3_stmt *stmt;
	char id[ID_LEN];
	time_t now = time(NULL);
	bool own;
	int ret = -1;
	int rc;

	if (vm_check(vm, err) < 0 || uuid_generate(id, err) < 0 ||
	    write_open(store, &own, err) < 0)
		return -1;
	if (vm_resolve_refs(store, vm, &refs, err) < 0)
		goto cleanup;
	stmt = store_stmt(store, sql_vm_insert, err);
	if (!stmt)
		goto cleanup;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	vm_bind_row(stmt, vm, &refs);
	sqlite3_bind_int64(stmt, 17, now);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK) {
		store_write_error(store, rc, err, &kind_vm, vm->name, "create");
		goto cleanup;
	}
	if (vm_detail_insert(store, id, vm->name, "boot.type", boot_type_name(vm->boot.type),
			     err) < 0 ||
	    vm_detail_insert(store, id, vm->name, "boot.mode", boot_mode_name(vm->boot.mode),
			     err) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	ret = write_close(store, own, ret, err);
	if (ret == 0) {
		memcpy(vm->id, id, sizeof id);
		memcpy(vm->host_id, refs.host_id, sizeof refs.host_id);
		memcpy(vm->cluster_id, refs.cluster_id, sizeof refs.cluster_id);
		memcpy(vm->template_id, refs.template_id, sizeof refs.template_id);
		memcpy(vm->offering_id, refs.offering_id, sizeof refs.offering_id);
		vm->created = now;
	}
	return ret;
}

static int vm_read(struct store *store, sqlite3_stmt *stmt, struct vm *out,
		   struct bd_error *err)
{
	int type, mode;

	memset(out, 0, sizeof *out);
	col_copy(stmt, 0, out->id, sizeof out->id);
	col_copy(stmt, 1, out->name, sizeof out->name);
	col_copy(stmt, 2, out->displayname, sizeof out->displayname);
	out->state = db_enum(&vm_state_table, sqlite3_column_text(stmt, 3));
	type = db_enum(&boot_type_table, sqlite3_column_text(stmt, 4));
	mode = db_enum(&boot_mode_table, sqlite3_column_text(stmt, 5));
	if ((int)out->state < 0 || type < 0 || mode < 0)
		return store_db_error(store, SQLITE_OK, err,
				      "read VM '%s' (unknown state, or boot details missing)",
				      out->name);
	out->boot.type = type;
	out->boot.mode = mode;
	col_copy(stmt, 6, out->host_id, sizeof out->host_id);
	col_copy(stmt, 7, out->host_name, sizeof out->host_name);
	col_copy(stmt, 8, out->cluster_id, sizeof out->cluster_id);
	col_copy(stmt, 9, out->template_id, sizeof out->template_id);
	col_copy(stmt, 10, out->offering_id, sizeof out->offering_id);
	out->cpunumber = sqlite3_column_int(stmt, 11);
	out->memory_mib = sqlite3_column_int64(stmt, 12);
	col_copy(stmt, 13, out->machine, sizeof out->machine);
	if (col_dup(stmt, 14, &out->loader) < 0 || col_dup(stmt, 15, &out->nvram) < 0 ||
	    col_dup(stmt, 16, &out->disk) < 0 || col_dup(stmt, 17, &out->console_log) < 0 ||
	    col_dup(stmt, 18, &out->placement) < 0)
		return store_oom(err);
	out->created = (time_t)sqlite3_column_int64(stmt, 19);
	return 0;
}

static void vm_bind_filter(sqlite3_stmt *stmt, const struct vm_filter *filter)
{
	bind_text(stmt, 1, filter->id);
	bind_text(stmt, 2, filter->host_id);
	if (filter->state >= 0)
		sqlite3_bind_text(stmt, 3, vm_state_name(filter->state), -1, SQLITE_STATIC);
}

int store_vm_each(struct store *store, const struct vm_filter *filter,
		  const struct store_vm_walk *walk, struct bd_error *err)
{
	static const struct vm_filter any = { .state = -1 };
	sqlite3_stmt *count_stmt = NULL, *stmt = NULL;
	bool by_state, own;
	int ret = -1;
	int rc;

	if (!filter)
		filter = &any;
	if (filter->state >= VM_STATE_LAST)
		return bd_error_set(err, BD_ERR_PARAM, "invalid VM state %d in a VM filter",
				    filter->state);
	by_state = !filter->id && !filter->host_id && filter->state >= 0;
	if (read_open(store, &own, err) < 0)
		return -1;
	/* The count and the rows: one snapshot, so they agree. */
	count_stmt = store_stmt(store, by_state ? sql_vm_count_state : sql_vm_count, err);
	if (!count_stmt)
		goto cleanup;
	vm_bind_filter(count_stmt, filter);
	if (walk_begin(store, count_stmt, walk->begin, walk->opaque, "VMs", err) < 0)
		goto cleanup;
	stmt = store_stmt(store, by_state ? sql_vm_list_state : sql_vm_list, err);
	if (!stmt)
		goto cleanup;
	vm_bind_filter(stmt, filter);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct vm vm;
		int fn_rc;

		if (vm_read(store, stmt, &vm, err) < 0) {
			vm_clear(&vm);
			goto cleanup;
		}
		fn_rc = walk->vm(walk->opaque, &vm, err);
		vm_clear(&vm);
		if (fn_rc < 0)
			goto cleanup;
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list VMs");
		goto cleanup;
	}
	ret = 0;
cleanup:
	stmt_release(count_stmt);
	stmt_release(stmt);
	read_close(store, own);
	return ret;
}

static int vm_array_add(void *opaque, struct vm *vm, struct bd_error *err)
{
	return item_array_take(opaque, vm, err);
}

int store_vm_list(struct store *store, const struct vm_filter *filter, struct vm **out,
		  size_t *count, struct bd_error *err)
{
	struct item_array array = { .size = sizeof **out };
	const struct store_vm_walk walk = {
		.begin = item_array_begin,
		.vm = vm_array_add,
		.opaque = &array,
	};

	if (store_vm_each(store, filter, &walk, err) < 0) {
		store_vm_list_free(array.items, array.used);
		return -1;
	}
	*out = array.items;
	*count = array.used;
	return 0;
}

void store_vm_list_free(struct vm *list, size_t count)
{
	if (!list)
		return;
	for (size_t i = 0; i < count; i++)
		vm_clear(&list[i]);
	free(list);
}

int store_vm_get(struct store *store, const char *id_or_name, struct vm *out,
		 struct bd_error *err)
{
	struct vm_filter filter = { .state = -1 };
	struct vm *list = NULL;
	char id[ID_LEN];
	size_t count = 0;
	int ret = -1;

	if (store_resolve(store, &kind_vm, id_or_name, id, NULL, 0, err) < 0)
		return -1;
	filter.id = id;
	if (store_vm_list(store, &filter, &list, &count, err) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(list[i].id, id) == 0) {
			*out = list[i];
			memset(&list[i], 0, sizeof list[i]);
			ret = 0;
			break;
		}
	}
	if (ret < 0)
		store_db_error(store, SQLITE_OK, err, "read VM '%s'", id);
	store_vm_list_free(list, count);
	return ret;
}

int store_vm_update(struct store *store, const struct vm *vm, struct bd_error *err)
{
	struct vm stored = { 0 };
	struct vm_refs refs;
	sqlite3_stmt *stmt;
	bool own;
	int ret = -1;
	int rc;

	if (vm_check(vm, err) < 0 || write_open(store, &own, err) < 0)
		return -1;
	if (store_vm_get(store, vm->id[0] ? vm->id : vm->name, &stored, err) < 0)
		goto cleanup;
	/* Refused here with a plain message; the triggers refuse it anyway. */
	if (stored.boot.type != vm->boot.type || stored.boot.mode != vm->boot.mode) {
		bd_error_set(err, BD_ERR_PARAM,
			     "the boot type and mode of VM '%s' are fixed at creation (%s): "
			     "cannot change them to %s",
			     stored.name, boot_choice_label(stored.boot),
			     boot_choice_label(vm->boot));
		goto cleanup;
	}
	if (vm_resolve_refs(store, vm, &refs, err) < 0)
		goto cleanup;
	stmt = store_stmt(store, sql_vm_update, err);
	if (!stmt)
		goto cleanup;
	sqlite3_bind_text(stmt, 1, stored.id, -1, SQLITE_STATIC);
	vm_bind_row(stmt, vm, &refs);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK) {
		store_write_error(store, rc, err, &kind_vm, vm->name, "update");
		goto cleanup;
	}
	ret = 0;
cleanup:
	vm_clear(&stored);
	return write_close(store, own, ret, err);
}

/* Writes state; with from >= 0 only while the VM is still in it. */
static int vm_state_write(struct store *store, const char *id, int from, enum vm_state state,
			  bool *changed, struct bd_error *err)
{
	char vm_id[ID_LEN], name[NAME_SIZE];
	sqlite3_stmt *stmt;
	int rc;

	if ((int)state < 0 || state >= VM_STATE_LAST || from >= VM_STATE_LAST)
		return bd_error_set(err, BD_ERR_PARAM, "invalid VM state %d", (int)state);
	if (store_resolve(store, &kind_vm, id, vm_id, name, sizeof name, err) < 0)
		return -1;
	stmt = store_stmt(store, from < 0 ? sql_vm_set_state : sql_vm_swap_state, err);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, vm_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, vm_state_name(state), -1, SQLITE_STATIC);
	if (from >= 0)
		sqlite3_bind_text(stmt, 3, vm_state_name((enum vm_state)from), -1, SQLITE_STATIC);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_write_error(store, rc, err, &kind_vm, name, "change the state of");
	if (changed)
		*changed = sqlite3_changes(store->db) > 0;
	return 0;
}

int store_vm_set_state(struct store *store, const char *id, enum vm_state state,
		       struct bd_error *err)
{
	return vm_state_write(store, id, -1, state, NULL, err);
}

int store_vm_swap_state(struct store *store, const char *id, enum vm_state from,
			enum vm_state to, bool *changed, struct bd_error *err)
{
	return vm_state_write(store, id, (int)from, to, changed, err);
}

int store_vm_delete(struct store *store, const char *id, struct bd_error *err)
{
	return store_delete_unused(store, &kind_vm, id, NULL, sql_vm_delete, NULL, err);
}

/* ---- events and alerts ---- */

static const char sql_event_insert[] =
	"INSERT INTO events (created, type, level, resource_id, description) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_event_list[] =
	"SELECT id, created, type, level, resource_id, description FROM events"
	" WHERE (?1 IS NULL OR resource_id = ?1) ORDER BY created DESC, id DESC LIMIT ?2";
static const char sql_alert_insert[] =
	"INSERT INTO alerts (created, type, resource_id, description) VALUES (?1, ?2, ?3, ?4)";
static const char sql_alert_list[] =
	"SELECT id, created, type, resource_id, description, is_read FROM alerts"
	" ORDER BY created DESC, id DESC LIMIT ?1";
static const char sql_alert_unread[] = "SELECT COUNT(*) FROM alerts WHERE is_read = 0";
static const char sql_alert_mark_read[] = "UPDATE alerts SET is_read = 1 WHERE id = ?1";

int store_event_add(struct store *store, const char *type, enum event_level level,
		    const char *resource_id, const char *description)
{
	struct bd_error err = { 0 };
	sqlite3_stmt *stmt;
	int rc;

	if (!type || !*type || (int)level < 0 || level >= EVENT_LEVEL_LAST) {
		bd_error_set(&err, BD_ERR_PARAM, "an event needs a type and a valid level");
		log_error("store", &err);
		return -1;
	}
	stmt = store_stmt(store, sql_event_insert, &err);
	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, time(NULL));
	sqlite3_bind_text(stmt, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, event_level_name(level), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, resource_id ? resource_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, description ? description : "", -1, SQLITE_STATIC);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_db_error(store, rc, &err, "record event '%s'", type);
	return 0;
}

int store_event_list(struct store *store, const char *resource_id, int limit,
		     struct event **out, size_t *count, struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_event_list, err);
	struct event *list = NULL;
	size_t used = 0, cap = 0;
	int ret = -1;
	int rc;

	if (!stmt)
		return -1;
	bind_text(stmt, 1, resource_id);
	sqlite3_bind_int(stmt, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct event *ev;

		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		ev = &list[used++];
		ev->id = sqlite3_column_int64(stmt, 0);
		ev->created = (time_t)sqlite3_column_int64(stmt, 1);
		col_copy(stmt, 2, ev->type, sizeof ev->type);
		ev->level = db_enum(&event_level_table, sqlite3_column_text(stmt, 3));
		if ((int)ev->level < 0)
			ev->level = EVENT_ERROR; /* shown, never hidden */
		col_copy(stmt, 4, ev->resource_id, sizeof ev->resource_id);
		if (col_dup(stmt, 5, &ev->description) < 0) {
			store_oom(err);
			goto cleanup;
		}
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list events");
		goto cleanup;
	}
	*out = list;
	*count = used;
	list = NULL;
	used = 0;
	ret = 0;
cleanup:
	stmt_release(stmt);
	store_event_list_free(list, used);
	return ret;
}

void store_event_list_free(struct event *list, size_t count)
{
	if (!list)
		return;
	for (size_t i = 0; i < count; i++)
		event_clear(&list[i]);
	free(list);
}

int store_alert_add(struct store *store, const char *type, const char *resource_id,
		    const char *description)
{
	struct bd_error err = { 0 };
	sqlite3_stmt *stmt;
	int rc;

	if (!type || !*type) {
		bd_error_set(&err, BD_ERR_PARAM, "an alert needs a type");
		log_error("store", &err);
		return -1;
	}
	stmt = store_stmt(store, sql_alert_insert, &err);
	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, time(NULL));
	sqlite3_bind_text(stmt, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, resource_id ? resource_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, description ? description : "", -1, SQLITE_STATIC);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_db_error(store, rc, &err, "record alert '%s'", type);
	return 0;
}

int store_alert_list(struct store *store, int limit, struct alert **out, size_t *count,
		     struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_alert_list, err);
	struct alert *list = NULL;
	size_t used = 0, cap = 0;
	int ret = -1;
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_int(stmt, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct alert *al;

		if (list_reserve((void **)&list, &cap, used + 1, sizeof *list) < 0) {
			store_oom(err);
			goto cleanup;
		}
		al = &list[used++];
		al->id = sqlite3_column_int64(stmt, 0);
		al->created = (time_t)sqlite3_column_int64(stmt, 1);
		col_copy(stmt, 2, al->type, sizeof al->type);
		col_copy(stmt, 3, al->resource_id, sizeof al->resource_id);
		if (col_dup(stmt, 4, &al->description) < 0) {
			store_oom(err);
			goto cleanup;
		}
		al->read = sqlite3_column_int(stmt, 5) != 0;
	}
	if (rc != SQLITE_DONE) {
		store_db_error(store, rc, err, "list alerts");
		goto cleanup;
	}
	*out = list;
	*count = used;
	list = NULL;
	used = 0;
	ret = 0;
cleanup:
	stmt_release(stmt);
	store_alert_list_free(list, used);
	return ret;
}

void store_alert_list_free(struct alert *list, size_t count)
{
	if (!list)
		return;
	for (size_t i = 0; i < count; i++)
		alert_clear(&list[i]);
	free(list);
}

int store_alert_unread_count(struct store *store)
{
	struct bd_error err = { 0 };
	sqlite3_stmt *stmt = store_stmt(store, sql_alert_unread, &err);
	int count = -1;
	int rc;

	if (!stmt)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		count = sqlite3_column_int(stmt, 0);
	stmt_release(stmt);
	if (rc != SQLITE_ROW)
		store_db_error(store, rc, &err, "count unread alerts");
	return count;
}

int store_alert_mark_read(struct store *store, int64_t id, struct bd_error *err)
{
	sqlite3_stmt *stmt = store_stmt(store, sql_alert_mark_read, err);
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	rc = stmt_run(stmt);
	stmt_release(stmt);
	if (rc != SQLITE_OK)
		return store_db_error(store, rc, err, "mark alert %lld as read", (long long)id);
	if (sqlite3_changes(store->db) == 0)
		return bd_error_set(err, BD_ERR_PARAM, "no alert with id %lld", (long long)id);
	return 0;
}
