/* Hostile input through the real binary: every command in cli_commands[],
 * every one of its keys, fed each kind of bad value (empty, blank,
 * overlong, wrong-typed, XML/SQL/shell metacharacters, control
 * characters), plus unknown keys, duplicate keys, duplicate names and
 * missing keys. Each must fail with a CloudStack error whose text names
 * the key or the value, and leave every table of the database exactly as
 * it was (a digest of all rows is compared before and after). The few
 * free-text keys that may legitimately hold such text are listed, and for
 * them the value must come back verbatim instead.
 *
 * HOSTILE_VERBOSE=1 prints every case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clitest.h"
#include "config.h"
#include "model/text.h"
#include "ui/cli/cli.h"

#define DEMO_DIR BOOTDECK_SOURCE_DIR "/scripts/demo"
#define OVERLONG_LEN 5000

struct bad_value {
	const char *label;
	const char *text;        /* NULL: the overlong value */
};

static const struct bad_value bad_values[] = {
	{ "empty", "" },
	{ "blank", "   " },
	{ "overlong", NULL },
	{ "wrong-typed", "12abc" },
	{ "negative", "-1" },
	{ "huge-number", "99999999999999999999999" },
	{ "xml", "<vm name='x'>&xxe;</vm>" },
	{ "sql", "x'); DROP TABLE vms; --" },
	{ "shell", "$(touch /tmp/bd-pwned)`id`;|&>" },
	{ "control", "a\001b\nc\033[2J" },
	{ "path-traversal", "../../../../etc/passwd" },
	{ "unicode", "vm\xc3\xa9\xe2\x80\x8b" },
};

/* Keys whose value is free text shown back to the operator: hostile text
 * there is data, stored and returned verbatim, not an error. */
static bool key_is_free_text(const char *key)
{
	return strcmp(key, "displayname") == 0;
}

struct counts {
	int cases;
	int refused;
	int accepted_verbatim;
	int bad;
};

static struct counts counts;
static char template_image[PATH_MAX];
static char overlong[OVERLONG_LEN + 1];

static int command_count(void)
{
	int n = 0;

	for (const struct cli_command *const *c = cli_commands; *c; c++)
		n++;
	return n;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(to, "wb");
	char buf[65536];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* FNV-1a over every row of every table, in a fixed order. */
static uint64_t db_digest(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL;
	uint64_t hash = 1469598103934665603ULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
					    "ORDER BY name", -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(tables, 0);
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1", table);
		sqlite3_stmt *rows = NULL;

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
		sqlite3_free(sql);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				const unsigned char *v = sqlite3_column_text(rows, c);
				int n = sqlite3_column_bytes(rows, c);

				for (int i = 0; v && i < n; i++)
					hash = (hash ^ v[i]) * 1099511628211ULL;
				hash = (hash ^ 0x1f) * 1099511628211ULL;
			}
		}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return hash;
}

/* A valid value for key in command api, so that one bad value at a time
 * is what the command refuses. */
static const char *valid_value(const char *api, const char *key)
{
	static const struct {
		const char *key;
		const char *value;
	} by_key[] = {
		{ "clusterid", "base" },
		{ "hostid", "h2" },
		{ "templateid", "tmpl" },
		{ "serviceofferingid", "small" },
		{ "boottype", "BIOS" },
		{ "bootmode", "LEGACY" },
		{ "cpunumber", "1" },
		{ "memory", "512" },
		{ "format", "QCOW2" },
		{ "cpuovercommitratio", "2" },
		{ "memoryovercommitratio", "1" },
		{ "allocationstate", "Enabled" },
		{ "ueficapability", "true" },
		{ "forced", "true" },
		{ "expunge", "false" },
		{ "startvm", "false" },
		{ "displayname", "shown" },
		{ "virttype", "qemu" },
		{ "state", "Running" },
		{ "level", "INFO" },
		{ "type", "VM.CREATE" },
		{ "resourceid", "vm1" },
	};

	if (strcmp(key, "id") == 0) {
		if (strstr(api, "Cluster"))
			return "base";
		if (strstr(api, "Host"))
			return "h1";
		if (strstr(api, "VirtualMachine"))
			return "vm1";
		if (strstr(api, "Template"))
			return "tmpl";
		if (strstr(api, "ServiceOffering"))
			return "small";
		return "none";
	}
	if (strcmp(key, "name") == 0)
		return "fresh-name";
	if (strcmp(key, "url") == 0)
		return strcmp(api, "addHost") == 0 ? "test:///default" : template_image;
	if (strcmp(key, "uefiproperties") == 0)
		return DEMO_DIR "/uefi-legacy.properties";
	for (size_t i = 0; i < sizeof by_key / sizeof by_key[0]; i++)
		if (strcmp(by_key[i].key, key) == 0)
			return by_key[i].value;
	return "x";
}

struct argv_buf {
	char *words[32];
	int n;
};

static void argv_add(struct argv_buf *a, const char *key, const char *value)
{
	assert_true(a->n < 30);
	assert_true(asprintf(&a->words[a->n++], "%s=%s", key, value) >= 0);
}

static void argv_free(struct argv_buf *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->words[i]);
	memset(a, 0, sizeof *a);
}

/* Runs bootdeck on a fresh copy of the seeded database. */
static int run_case(struct clitest *ct, const char *seed_db, const char *api,
		    struct argv_buf *a, struct runbin_result *res)
{
	const char *argv[40];
	int n = 0;

	copy_file(seed_db, ct->db);
	argv[n++] = runbin_bootdeck_path();
	argv[n++] = "--db";
	argv[n++] = ct->db;
	argv[n++] = api;
	for (int i = 0; i < a->n; i++)
		argv[n++] = a->words[i];
	argv[n] = NULL;
	return runbin_run(argv, &ct->opts, res);
}

/* The error must carry a code and name the key or (the start of) the value. */
static bool error_names(const char *text, const char *key, const char *value)
{
	char head[24];
	size_t i = 0;

	if (strcasestr(text, key))
		return true;
	/* Values are quoted with control characters escaped: compare the
	 * quote and the plain leading characters only. */
	head[i++] = '\'';
	for (; value && value[i - 1] && i < 9 && value[i - 1] >= 0x20 && value[i - 1] < 0x7f; i++)
		head[i] = value[i - 1];
	head[i] = '\0';
	return i >= 2 && strstr(text, head);
}

static void judge(const char *api, const char *label, const char *key, const char *value,
		  const struct runbin_result *res, uint64_t before, uint64_t after)
{
	json_object *root = runbin_json(res);
	json_object *code = NULL, *text = NULL;
	const char *why = NULL;

	counts.cases++;
	if (res->status != 0) {
		if (!root || !json_object_object_get_ex(root, "errorcode", &code) ||
		    !json_object_object_get_ex(root, "errortext", &text))
			why = "no JSON error";
		else if (json_object_get_int(code) < 431 || json_object_get_int(code) > 534)
			why = "unexpected error code";
		else if (key && !error_names(json_object_get_string(text), key, value))
			why = "error names neither the key nor the value";
		else if (before != after)
			why = "database changed";
		if (!why)
			counts.refused++;
	} else if (key && strcmp(key, "name") == 0 && name_check("name", value, NULL) == 0) {
		/* "12abc" is a fine name: a valid value, not a bad one. */
		counts.accepted_verbatim++;
	} else if (key && key_is_free_text(key) && value && strlen(value) <= 255 &&
		   strstr(res->out, "\"displayname\"")) {
		counts.accepted_verbatim++;
	} else if (strncmp(api, "list", 4) == 0 && before == after) {
		/* A filter no object matches is an empty list, not an error. */
		counts.accepted_verbatim++;
	} else {
		why = "accepted";
	}
	if (why || getenv("HOSTILE_VERBOSE"))
		printf("%s %s %s=%s (%s): status %d: %.200s\n", why ? "BAD" : "ok", api,
		       key ? key : "-", label, why ? why : "refused", res->status,
		       text ? json_object_get_string(text) : res->err);
	if (why)
		counts.bad++;
	json_object_put(root);
}

static void seed(struct clitest *ct)
{
	char node[PATH_MAX + 8], url[PATH_MAX + 16], image[PATH_MAX];
	FILE *f;

	json_object_put(clitest_ok(ct, "createCluster", "name=base", NULL));
	json_object_put(clitest_ok(ct, "createCluster", "name=other", NULL));
	for (int i = 1; i <= 2; i++) {
		char name[16];

		snprintf(node, sizeof node, "%s/h%d.xml", ct->dir, i);
		copy_file(DEMO_DIR "/host-8c-32g.xml", node);
		snprintf(url, sizeof url, "url=test://%s", node);
		snprintf(name, sizeof name, "name=h%d", i);
		json_object_put(clitest_ok(ct, "addHost", "clusterid=base", url, name, NULL));
	}
	snprintf(image, sizeof image, "%s/disk.qcow2", ct->dir);
	snprintf(template_image, sizeof template_image, "%s", image);
	f = fopen(image, "wb");
	assert_non_null(f);
	fwrite("QFI\xfb\0\0\0\3", 1, 8, f);
	fclose(f);
	snprintf(url, sizeof url, "url=%s", image);
	json_object_put(clitest_ok(ct, "registerTemplate", "name=tmpl", url, "format=QCOW2", NULL));
	json_object_put(clitest_ok(ct, "createServiceOffering", "name=small", "cpunumber=1",
				   "memory=512", NULL));
	json_object_put(clitest_ok(ct, "deployVirtualMachine", "name=vm1", "templateid=tmpl",
				   "serviceofferingid=small", "boottype=BIOS", "hostid=h1", NULL));
}

static void test_every_command_every_key(void **state)
{
	struct clitest *ct = clitest_new("bootdeck-hostile");
	char seed_db[PATH_MAX + 8];
	uint64_t before;

	(void)state;
	assert_non_null(ct);
	memset(overlong, 'a', OVERLONG_LEN);
	seed(ct);
	snprintf(seed_db, sizeof seed_db, "%s.seed", ct->db);
	copy_file(ct->db, seed_db);
	before = db_digest(seed_db);

	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		const struct cli_command *command = *c;
		struct runbin_result res;
		struct argv_buf a = { 0 };

		/* Unknown key on top of valid ones. */
		for (const char *const *k = command->keys; *k; k++)
			argv_add(&a, *k, valid_value(command->api, *k));
		argv_add(&a, "bogus", "1");
		assert_int_equal(run_case(ct, seed_db, command->api, &a, &res), 0);
		judge(command->api, "unknown", "bogus", "1", &res, before, db_digest(ct->db));
		runbin_result_clear(&res);
		argv_free(&a);

		/* Missing: no keys at all (commands with no required key list). */
		assert_int_equal(run_case(ct, seed_db, command->api, &a, &res), 0);
		if (res.status != 0)
			judge(command->api, "missing", NULL, NULL, &res, before, db_digest(ct->db));
		runbin_result_clear(&res);

		for (const char *const *k = command->keys; *k; k++) {
			/* Duplicate key with two different values. */
			for (const char *const *o = command->keys; *o; o++)
				argv_add(&a, *o, valid_value(command->api, *o));
			argv_add(&a, *k, "second");
			assert_int_equal(run_case(ct, seed_db, command->api, &a, &res), 0);
			judge(command->api, "duplicate-key", *k, "second", &res, before,
			      db_digest(ct->db));
			runbin_result_clear(&res);
			argv_free(&a);

			for (size_t b = 0; b < sizeof bad_values / sizeof bad_values[0]; b++) {
				const char *value = bad_values[b].text ? bad_values[b].text : overlong;

				/* Booleans and enums take no numbers, numbers no words:
				 * every class is tried on every key. A class that is a
				 * valid value for the key (e.g. "-1" nowhere is) would
				 * show up as "accepted". */
				for (const char *const *o = command->keys; *o; o++)
					argv_add(&a, *o, o == k ? value : valid_value(command->api, *o));
				assert_int_equal(run_case(ct, seed_db, command->api, &a, &res), 0);
				judge(command->api, bad_values[b].label, *k, value, &res, before,
				      db_digest(ct->db));
				runbin_result_clear(&res);
				argv_free(&a);
			}
		}
	}

	/* Duplicate names: creating what exists is refused, naming it. */
	{
		static const char *const dup[][5] = {
			{ "createCluster", "name=base", NULL },
			{ "createServiceOffering", "name=small", "cpunumber=1", "memory=512", NULL },
			{ "deployVirtualMachine", "name=vm1", "templateid=tmpl",
			  "serviceofferingid=small", NULL },
		};

		for (size_t i = 0; i < sizeof dup / sizeof dup[0]; i++) {
			struct argv_buf a = { 0 };
			struct runbin_result res;
			const char *name = strchr(dup[i][1], '=') + 1;

			for (int w = 1; dup[i][w]; w++)
				a.words[a.n++] = strdup(dup[i][w]);
			assert_int_equal(run_case(ct, seed_db, dup[i][0], &a, &res), 0);
			judge(dup[i][0], "duplicate-name", "name", name, &res, before,
			      db_digest(ct->db));
			runbin_result_clear(&res);
			argv_free(&a);
		}
	}

	printf("HOSTILE_FIGURES commands=%d cases=%d refused=%d accepted_verbatim=%d bad=%d\n",
	       command_count(), counts.cases, counts.refused, counts.accepted_verbatim, counts.bad);
	assert_int_equal(counts.bad, 0);
	assert_true(counts.refused > 0);
	remove(seed_db);
	clitest_free(ct);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_every_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
