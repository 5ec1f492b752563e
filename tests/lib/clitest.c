#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clitest.h"

#define CLITEST_MAX_WORDS 32

struct clitest *clitest_new(const char *prefix)
{
	struct clitest *ct = calloc(1, sizeof *ct);

	if (!ct)
		return NULL;
	ct->dir = runbin_tmpdir_new(prefix);
	if (!ct->dir) {
		free(ct);
		return NULL;
	}
	snprintf(ct->db, sizeof ct->db, "%s/bootdeck.db", ct->dir);
	snprintf(ct->env_log, sizeof ct->env_log, "BOOTDECK_LOG=%s/bootdeck.log", ct->dir);
	snprintf(ct->env_state, sizeof ct->env_state, "XDG_STATE_HOME=%s/state", ct->dir);
	snprintf(ct->env_data, sizeof ct->env_data, "XDG_DATA_HOME=%s/data", ct->dir);
	ct->env[0] = ct->env_log;
	ct->env[1] = ct->env_state;
	ct->env[2] = ct->env_data;
	ct->env[3] = NULL;
	ct->opts.env = ct->env;
	ct->opts.cwd = ct->dir;
	return ct;
}

void clitest_free(struct clitest *ct)
{
	if (!ct)
		return;
	runbin_tmpdir_remove(ct->dir);
	free(ct->dir);
	free(ct);
}

void clitest_expect_ok(const struct runbin_result *res)
{
	if (res->status != 0 || res->timed_out)
		fail_msg("exit %d%s\nstdout: %s\nstderr: %s", res->status,
			 res->timed_out ? " (timed out)" : "", res->out, res->err);
}

json_object *clitest_expect_json(const struct runbin_result *res)
{
	json_object *obj;

	clitest_expect_ok(res);
	obj = runbin_json(res);
	if (!obj)
		fail_msg("stdout is not one JSON value:\n%s", res->out);
	return obj;
}

void clitest_expect_error(const struct runbin_result *res, int code, const char *const *mentions)
{
	json_object *obj, *value;
	const char *text;

	if (res->status == 0)
		fail_msg("expected error %d, got exit 0:\n%s", code, res->out);
	obj = runbin_json(res);
	if (!obj)
		fail_msg("error output is not JSON:\n%s\nstderr: %s", res->out, res->err);
	if (!json_object_object_get_ex(obj, "errorcode", &value) ||
	    json_object_get_int(value) != code)
		fail_msg("expected errorcode %d: %s", code, res->out);
	if (!json_object_object_get_ex(obj, "errortext", &value))
		fail_msg("no errortext: %s", res->out);
	text = json_object_get_string(value);
	for (const char *const *m = mentions; m && *m; m++) {
		if (!strstr(text, *m))
			fail_msg("errortext '%s' does not mention '%s'", text, *m);
	}
	if (!strstr(res->err, "Error "))
		fail_msg("stderr lacks the error line: '%s'", res->err);
	json_object_put(obj);
}

json_object *clitest_member(json_object *obj, const char *key)
{
	json_object *value = NULL;

	if (!json_object_object_get_ex(obj, key, &value))
		fail_msg("no member '%s' in %s", key, json_object_to_json_string(obj));
	return value;
}

const char *clitest_string(json_object *obj, const char *key)
{
	return json_object_get_string(clitest_member(obj, key));
}

/* Runs bootdeck --db DB with the words of ap. */
static void run_words(struct clitest *ct, struct runbin_result *res, const char *first,
		      va_list ap)
{
	const char *argv[CLITEST_MAX_WORDS + 4];
	const char *bin = runbin_bootdeck_path();
	size_t n = 0;

	if (!bin)
		fail_msg("BOOTDECK_BIN is not set");
	argv[n++] = bin;
	argv[n++] = "--db";
	argv[n++] = ct->db;
	for (const char *w = first; w && n < CLITEST_MAX_WORDS; w = va_arg(ap, const char *))
		argv[n++] = w;
	argv[n] = NULL;
	if (runbin_run(argv, &ct->opts, res) < 0)
		fail_msg("cannot run %s: %s", bin, res->err);
}

json_object *clitest_ok(struct clitest *ct, ...)
{
	struct runbin_result res = { 0 };
	json_object *obj;
	va_list ap;
	const char *first;

	va_start(ap, ct);
	first = va_arg(ap, const char *);
	run_words(ct, &res, first, ap);
	va_end(ap);
	obj = clitest_expect_json(&res);
	runbin_result_clear(&res);
	return obj;
}

void clitest_fails(struct clitest *ct, int code, const char *const *mentions, ...)
{
	struct runbin_result res = { 0 };
	va_list ap;
	const char *first;

	va_start(ap, mentions);
	first = va_arg(ap, const char *);
	run_words(ct, &res, first, ap);
	va_end(ap);
	clitest_expect_error(&res, code, mentions);
	runbin_result_clear(&res);
}

int clitest_sql(struct clitest *ct, const char *sql, const char *param)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int changed = -1;

	if (sqlite3_open_v2(ct->db, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    (!param || sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC) == SQLITE_OK) &&
	    sqlite3_step(stmt) == SQLITE_DONE)
		changed = sqlite3_changes(db);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return changed;
}
