/* The CLI as a user meets it: the built binary, a fresh database per test,
 * JSON shapes as cloudmonkey prints CloudStack responses, exit statuses and
 * CloudStack error codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "model/text.h"
#include "clitest.h"
#include "ui/cli/cli.h"

/* The shared fixture and assertions (tests/lib/clitest.h), under the
 * short names this file uses. */
#define RUN(fx, res, ...) CLITEST_RUN(fx, res, __VA_ARGS__)
#define expect_ok clitest_expect_ok
#define expect_json clitest_expect_json
#define expect_error clitest_expect_error
#define get_member clitest_member

static int fixture_setup(void **state)
{
	*state = clitest_new("bootdeck-cli");
	return *state ? 0 : -1;
}

static int fixture_teardown(void **state)
{
	clitest_free(*state);
	return 0;
}

static const char *get_string(json_object *obj, const char *key)
{
	json_object *value = get_member(obj, key);

	assert_true(json_object_is_type(value, json_type_string));
	return json_object_get_string(value);
}

/* The array of a list response after checking count matches its length. */
static json_object *list_items(json_object *response, const char *noun, int want_count)
{
	json_object *items = get_member(response, noun);
	json_object *count = get_member(response, "count");

	assert_true(json_object_is_type(items, json_type_array));
	assert_int_equal(json_object_get_int(count), (int)json_object_array_length(items));
	if (want_count >= 0)
		assert_int_equal(json_object_array_length(items), want_count);
	return items;
}

/* The count a list command prints. */
static int list_count(struct clitest *fx, const char *command, const char *filter)
{
	struct runbin_result res;
	json_object *obj;
	int count;

	RUN(fx, &res, command, filter);
	obj = expect_json(&res);
	count = json_object_get_int(get_member(obj, "count"));
	json_object_put(obj);
	runbin_result_clear(&res);
	return count;
}

static void assert_uuid(const char *id)
{
	assert_int_equal(strlen(id), 36);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(id[i], '-');
		else if (!strchr("0123456789abcdefABCDEF", id[i]))
			fail_msg("'%s' is not a UUID", id);
	}
}

/* CloudStack's time format: 2026-12-03T19:20:10+0000. */
static void assert_timestamp(const char *when)
{
	assert_int_equal(strlen(when), 24);
	assert_int_equal(when[4], '-');
	assert_int_equal(when[10], 'T');
	assert_string_equal(when + 19, "+0000");
}

static void write_file(const char *path, const void *data, size_t len, off_t at, size_t total)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)total), 0);
	assert_int_equal(pwrite(fd, data, len, at), (ssize_t)len);
	close(fd);
}

static void test_cluster_create_then_list(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	json_object *created, *listed, *cluster, *items, *row;
	char id[40];

	RUN(fx, &res, "createCluster", "name=c1");
	created = expect_json(&res);
	cluster = get_member(created, "cluster");
	assert_int_equal(json_object_object_length(created), 1);
	assert_string_equal(get_string(cluster, "name"), "c1");
	assert_uuid(get_string(cluster, "id"));
	assert_timestamp(get_string(cluster, "created"));
	assert_true(json_object_get_double(get_member(cluster, "cpuovercommitratio")) == 1.0);
	assert_true(json_object_get_double(get_member(cluster, "memoryovercommitratio")) == 1.0);
	snprintf(id, sizeof id, "%s", get_string(cluster, "id"));
	runbin_result_clear(&res);

	RUN(fx, &res, "createCluster", "name=c2", "cpuovercommitratio=2.5",
	    "memoryovercommitratio=1.25");
	json_object_put(expect_json(&res));
	runbin_result_clear(&res);

	RUN(fx, &res, "listClusters");
	listed = expect_json(&res);
	assert_int_equal(json_object_object_length(listed), 2);
	items = list_items(listed, "cluster", 2);
	runbin_result_clear(&res);

	RUN(fx, &res, "listClusters", "name=c2");
	json_object_put(listed);
	listed = expect_json(&res);
	items = list_items(listed, "cluster", 1);
	row = json_object_array_get_idx(items, 0);
	assert_string_equal(get_string(row, "name"), "c2");
	assert_true(json_object_get_double(get_member(row, "cpuovercommitratio")) == 2.5);
	assert_true(json_object_get_double(get_member(row, "memoryovercommitratio")) == 1.25);
	runbin_result_clear(&res);

	/* id= takes the id or the name. */
	RUN(fx, &res, "listClusters", "id=c1");
	json_object_put(listed);
	listed = expect_json(&res);
	items = list_items(listed, "cluster", 1);
	assert_string_equal(get_string(json_object_array_get_idx(items, 0), "id"), id);
	runbin_result_clear(&res);

	json_object_put(listed);
	json_object_put(created);
}

static void test_cluster_duplicate_name(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	static const char *const mentions[] = { "'c1'", NULL };

	RUN(fx, &res, "createCluster", "name=c1");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "createCluster", "name=c1", "cpuovercommitratio=2");
	expect_error(&res, 431, mentions);
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listClusters", NULL), 1);
}

static void test_cluster_update_and_delete(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	json_object *obj, *cluster;
	static const char *const bad_ratio[] = { "cpuovercommitratio", "'0'", "greater than 0", NULL };
	static const char *const bad_text[] = { "memoryovercommitratio", "'lots'", NULL };
	static const char *const nothing[] = { "'c1'", "cpuovercommitratio", NULL };
	static const char *const unknown[] = { "'nope'", NULL };

	RUN(fx, &res, "createCluster", "name=c1");
	expect_ok(&res);
	runbin_result_clear(&res);

	RUN(fx, &res, "updateCluster", "id=c1", "cpuovercommitratio=4");
	obj = expect_json(&res);
	cluster = get_member(obj, "cluster");
	assert_true(json_object_get_double(get_member(cluster, "cpuovercommitratio")) == 4.0);
	assert_true(json_object_get_double(get_member(cluster, "memoryovercommitratio")) == 1.0);
	json_object_put(obj);
	runbin_result_clear(&res);

	RUN(fx, &res, "updateCluster", "id=c1", "cpuovercommitratio=0");
	expect_error(&res, 431, bad_ratio);
	runbin_result_clear(&res);
	RUN(fx, &res, "updateCluster", "id=c1", "memoryovercommitratio=lots");
	expect_error(&res, 431, bad_text);
	runbin_result_clear(&res);
	RUN(fx, &res, "updateCluster", "id=c1");
	expect_error(&res, 431, nothing);
	runbin_result_clear(&res);
	RUN(fx, &res, "createCluster", "name=c9", "cpuovercommitratio=-1");
	expect_error(&res, 431, (const char *const[]){ "cpuovercommitratio", "'-1'", NULL });
	runbin_result_clear(&res);

	/* The refused updates changed nothing. */
	RUN(fx, &res, "listClusters", "id=c1");
	obj = expect_json(&res);
	cluster = json_object_array_get_idx(list_items(obj, "cluster", 1), 0);
	assert_true(json_object_get_double(get_member(cluster, "cpuovercommitratio")) == 4.0);
	json_object_put(obj);
	runbin_result_clear(&res);

	RUN(fx, &res, "deleteCluster", "id=nope");
	expect_error(&res, 431, unknown);
	runbin_result_clear(&res);
	RUN(fx, &res, "deleteCluster", "id=c1");
	obj = expect_json(&res);
	assert_true(json_object_get_boolean(get_member(obj, "success")));
	json_object_put(obj);
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listClusters", NULL), 0);
}

static void test_offering_bad_cpunumber(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	static const char *const mentions[] = { "cpunumber", "'abc'", NULL };
	static const char *const memory[] = { "memory", "'-5'", NULL };

	RUN(fx, &res, "createServiceOffering", "name=x", "cpunumber=abc", "memory=512");
	expect_error(&res, 431, mentions);
	runbin_result_clear(&res);
	RUN(fx, &res, "createServiceOffering", "name=x", "cpunumber=1", "memory=-5");
	expect_error(&res, 431, memory);
	runbin_result_clear(&res);
	RUN(fx, &res, "createServiceOffering", "name=x", "memory=512");
	expect_error(&res, 431, (const char *const[]){ "cpunumber", NULL });
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listServiceOfferings", NULL), 0);
}

static void test_offering_create_list_delete(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	json_object *obj, *offering;

	RUN(fx, &res, "createServiceOffering", "name=small", "cpunumber=2", "memory=1024");
	obj = expect_json(&res);
	offering = get_member(obj, "serviceoffering");
	assert_uuid(get_string(offering, "id"));
	assert_string_equal(get_string(offering, "name"), "small");
	assert_int_equal(json_object_get_int(get_member(offering, "cpunumber")), 2);
	assert_int_equal(json_object_get_int(get_member(offering, "memory")), 1024);
	assert_timestamp(get_string(offering, "created"));
	json_object_put(obj);
	runbin_result_clear(&res);

	RUN(fx, &res, "listServiceOfferings", "id=small");
	obj = expect_json(&res);
	offering = json_object_array_get_idx(list_items(obj, "serviceoffering", 1), 0);
	assert_int_equal(json_object_get_int(get_member(offering, "memory")), 1024);
	json_object_put(obj);
	runbin_result_clear(&res);

	RUN(fx, &res, "deleteServiceOffering", "id=small");
	expect_ok(&res);
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listServiceOfferings", NULL), 0);
}

static void test_unknown_command(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	static const char *const mentions[] = { "'frobnicateCluster'", "--help", NULL };

	RUN(fx, &res, "frobnicateCluster", "name=c1");
	expect_error(&res, 432, mentions);
	runbin_result_clear(&res);
}

static void test_unknown_key(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	static const char *const mentions[] = {
		"'colour'", "name, cpuovercommitratio, memoryovercommitratio", NULL
	};
	static const char *const no_equals[] = { "'c1'", "key=value", NULL };

	RUN(fx, &res, "createCluster", "name=c1", "colour=red");
	expect_error(&res, 431, mentions);
	runbin_result_clear(&res);
	RUN(fx, &res, "createCluster", "c1");
	expect_error(&res, 431, no_equals);
	runbin_result_clear(&res);
	RUN(fx, &res, "createCluster", "name=c1", "NAME=c2");
	expect_error(&res, 431, (const char *const[]){ "name", "twice", NULL });
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listClusters", NULL), 0);
}

static void test_verb_noun_and_case(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	json_object *obj, *items;

	RUN(fx, &res, "create", "cluster", "name=c1");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "CREATECLUSTER", "Name=c2", "CpuOvercommitRatio=3");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "Create", "ServiceOffering", "NAME=o1", "CPUNUMBER=1", "Memory=256");
	expect_ok(&res);
	runbin_result_clear(&res);

	RUN(fx, &res, "list", "Clusters", "NAME=c2");
	obj = expect_json(&res);
	items = list_items(obj, "cluster", 1);
	assert_true(json_object_get_double(get_member(json_object_array_get_idx(items, 0),
						      "cpuovercommitratio")) == 3.0);
	json_object_put(obj);
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listclusters", NULL), 2);
	assert_int_equal(list_count(fx, "listServiceOfferings", NULL), 1);
}

/* Splits out into lines (in place); returns how many. */
static size_t split_lines(char *out, char **lines, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	return n;
}

static void test_table_output(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	char *lines[8];
	size_t n;

	RUN(fx, &res, "createCluster", "name=c1");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "createCluster", "name=second");
	expect_ok(&res);
	runbin_result_clear(&res);

	RUN(fx, &res, "-o", "table", "listClusters");
	expect_ok(&res);
	assert_null(runbin_json(&res));
	n = split_lines(res.out, lines, 8);
	assert_int_equal(n, 3);
	assert_true(strncmp(lines[0], "id ", 3) == 0);
	assert_non_null(strstr(lines[0], "  name "));
	assert_non_null(strstr(lines[0], "cpuovercommitratio"));
	assert_non_null(strstr(lines[0], "created"));
	/* Columns line up: every row starts its name where the header does. */
	for (size_t i = 1; i < n; i++) {
		size_t at = (size_t)(strstr(lines[0], "  name ") - lines[0]) + 2;

		assert_true(strlen(lines[i]) > at);
		assert_true(strncmp(lines[i] + at, "c1 ", 3) == 0 ||
			    strncmp(lines[i] + at, "second ", 7) == 0);
	}
	runbin_result_clear(&res);

	/* One object prints as a one-row table. */
	RUN(fx, &res, "-o", "table", "createCluster", "name=third");
	expect_ok(&res);
	n = split_lines(res.out, lines, 8);
	assert_int_equal(n, 2);
	assert_non_null(strstr(lines[1], "third"));
	runbin_result_clear(&res);
}

static void test_csv_output_quotes_commas(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	char path[PATH_MAX + 16];
	char quoted[PATH_MAX + 32];
	char url[PATH_MAX + 24];
	char *lines[8];
	size_t n;

	snprintf(path, sizeof path, "%s/disk,one.raw", fx->dir);
	write_file(path, "boot", 4, 0, 4096);
	snprintf(quoted, sizeof quoted, ",\"%s\",", path);
	snprintf(url, sizeof url, "url=%s", path);
	RUN(fx, &res, "registerTemplate", "name=t1", url, "format=RAW");
	expect_ok(&res);
	runbin_result_clear(&res);

	RUN(fx, &res, "-o", "csv", "listTemplates");
	expect_ok(&res);
	n = split_lines(res.out, lines, 8);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "id,name,format,url,size,created");
	if (!strstr(lines[1], quoted))
		fail_msg("CSV row '%s' lacks the quoted field %s", lines[1], quoted);
	assert_non_null(strstr(lines[1], ",t1,RAW,"));
	assert_non_null(strstr(lines[1], ",4096,"));
	runbin_result_clear(&res);
}

static void register_expect_error(struct clitest *fx, const char *path, const char *format,
				  const char *const *mentions)
{
	struct runbin_result res;
	char url[PATH_MAX + 24];
	char fmt[32];

	snprintf(url, sizeof url, "url=%s", path);
	snprintf(fmt, sizeof fmt, "format=%s", format);
	RUN(fx, &res, "registerTemplate", "name=t1", url, fmt);
	expect_error(&res, 431, mentions);
	runbin_result_clear(&res);
}

static void test_template_file_checks(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	char missing[PATH_MAX], raw[PATH_MAX], qcow[PATH_MAX], iso[PATH_MAX];
	char url[PATH_MAX + 24];
	json_object *obj, *tmpl;

	snprintf(missing, sizeof missing, "%s/no-such.qcow2", fx->dir);
	snprintf(raw, sizeof raw, "%s/disk.raw", fx->dir);
	snprintf(qcow, sizeof qcow, "%s/disk.qcow2", fx->dir);
	snprintf(iso, sizeof iso, "%s/cd.iso", fx->dir);
	write_file(raw, "\0\0\0\0", 4, 0, 1024 * 1024);
	write_file(qcow, "QFI\xfb\0\0\0\3", 8, 0, 196608);
	write_file(iso, "\1CD001\1", 7, 32768, 65536);

	register_expect_error(fx, missing, "QCOW2",
			      (const char *const[]){ missing, "No such file", NULL });
	register_expect_error(fx, raw, "QCOW2", (const char *const[]){ raw, "not QCOW2", NULL });
	register_expect_error(fx, raw, "ISO", (const char *const[]){ raw, "CD001", NULL });
	register_expect_error(fx, qcow, "RAW", (const char *const[]){ qcow, "format=QCOW2", NULL });
	register_expect_error(fx, fx->dir, "RAW", (const char *const[]){ "not a regular file", NULL });
	register_expect_error(fx, qcow, "VMDK", (const char *const[]){ "'VMDK'", "QCOW2, RAW, ISO", NULL });
	assert_int_equal(list_count(fx, "listTemplates", NULL), 0);

	snprintf(url, sizeof url, "url=%s", qcow);
	RUN(fx, &res, "registerTemplate", "name=q1", url, "format=qcow2");
	obj = expect_json(&res);
	tmpl = get_member(obj, "template");
	assert_uuid(get_string(tmpl, "id"));
	assert_string_equal(get_string(tmpl, "format"), "QCOW2");
	assert_string_equal(get_string(tmpl, "url"), qcow);
	assert_int_equal(json_object_get_int64(get_member(tmpl, "size")), 196608);
	json_object_put(obj);
	runbin_result_clear(&res);

	/* A relative path is stored absolute. */
	RUN(fx, &res, "registerTemplate", "name=i1", "url=cd.iso", "format=ISO");
	obj = expect_json(&res);
	tmpl = get_member(obj, "template");
	assert_string_equal(get_string(tmpl, "url"), iso);
	assert_int_equal(json_object_get_int64(get_member(tmpl, "size")), 65536);
	json_object_put(obj);
	runbin_result_clear(&res);

	RUN(fx, &res, "registerTemplate", "name=r1", "url=disk.raw", "format=RAW");
	expect_ok(&res);
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listTemplates", NULL), 3);
	assert_int_equal(list_count(fx, "listTemplates", "id=i1"), 1);

	RUN(fx, &res, "deleteTemplate", "id=i1");
	expect_ok(&res);
	runbin_result_clear(&res);
	assert_int_equal(list_count(fx, "listTemplates", NULL), 2);
}

/* Types of the listed events, newest first, joined by spaces. */
static void event_types(struct clitest *fx, const char *filter, char *buf, size_t size)
{
	struct runbin_result res;
	json_object *obj, *items;
	size_t used = 0;

	buf[0] = '\0';
	RUN(fx, &res, "listEvents", filter);
	obj = expect_json(&res);
	items = list_items(obj, "event", -1);
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		json_object *event = json_object_array_get_idx(items, i);

		assert_true(json_object_get_int64(get_member(event, "id")) > 0);
		assert_string_equal(get_string(event, "level"), "INFO");
		assert_timestamp(get_string(event, "created"));
		assert_non_null(strstr(get_string(event, "description"), "'"));
		get_string(event, "resourceid");
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "",
					 get_string(event, "type"));
		assert_true(used < size);
	}
	json_object_put(obj);
	runbin_result_clear(&res);
}

static void test_events_for_each_change(void **state)
{
	struct clitest *fx = *state;
	struct runbin_result res;
	char types[1024];
	char raw[PATH_MAX], url[PATH_MAX + 24], filter[64];
	json_object *obj;

	snprintf(raw, sizeof raw, "%s/disk.raw", fx->dir);
	write_file(raw, "x", 1, 0, 512);
	snprintf(url, sizeof url, "url=%s", raw);

	RUN(fx, &res, "createCluster", "name=c1");
	obj = expect_json(&res);
	snprintf(filter, sizeof filter, "resourceid=%s",
		 get_string(get_member(obj, "cluster"), "id"));
	json_object_put(obj);
	runbin_result_clear(&res);
	RUN(fx, &res, "updateCluster", "id=c1", "memoryovercommitratio=2");
	expect_ok(&res);
	runbin_result_clear(&res);
	/* resourceid= also takes the name of a live object. */
	event_types(fx, "resourceid=c1", types, sizeof types);
	assert_string_equal(types, "CLUSTER.UPDATE CLUSTER.CREATE");
	RUN(fx, &res, "registerTemplate", "name=t1", url, "format=RAW");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "createServiceOffering", "name=o1", "cpunumber=1", "memory=512");
	expect_ok(&res);
	runbin_result_clear(&res);
	/* A refused change writes no event. */
	RUN(fx, &res, "createCluster", "name=c1");
	assert_int_not_equal(res.status, 0);
	runbin_result_clear(&res);
	RUN(fx, &res, "deleteServiceOffering", "id=o1");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "deleteTemplate", "id=t1");
	expect_ok(&res);
	runbin_result_clear(&res);
	RUN(fx, &res, "deleteCluster", "id=c1");
	expect_ok(&res);
	runbin_result_clear(&res);

	event_types(fx, NULL, types, sizeof types);
	assert_string_equal(types, "CLUSTER.DELETE TEMPLATE.DELETE SERVICE.OFFERING.DELETE "
				   "SERVICE.OFFERING.CREATE TEMPLATE.REGISTER CLUSTER.UPDATE "
				   "CLUSTER.CREATE");
	event_types(fx, filter, types, sizeof types);
	assert_string_equal(types, "CLUSTER.DELETE CLUSTER.UPDATE CLUSTER.CREATE");
	event_types(fx, "type=cluster.update", types, sizeof types);
	assert_string_equal(types, "CLUSTER.UPDATE");
	assert_int_equal(list_count(fx, "listEvents", "level=info"), 7);
	assert_int_equal(list_count(fx, "listEvents", "level=ERROR"), 0);

	RUN(fx, &res, "listEvents", "level=LOUD");
	expect_error(&res, 431, (const char *const[]){ "'LOUD'", "INFO, WARN, ERROR", NULL });
	runbin_result_clear(&res);

	/* A fresh database has no alerts; the shape is still a list. */
	RUN(fx, &res, "listAlerts");
	obj = expect_json(&res);
	list_items(obj, "alert", 0);
	json_object_put(obj);
	runbin_result_clear(&res);
}

static void test_names_with_metacharacters_refused(void **state)
{
	static const char *const names[] = {
		"name=<domain>", "name=a&b", "name=x';DROP TABLE clusters;--", "name=$(touch pwned)",
		"name=`touch pwned`", "name=a b", "name=../etc", "name=-rf", "name=a\"b", "name=c1;ls",
		"name=a\tb", "name=\xc3\xa9t\xc3\xa9",
		"name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"name=",
	};
	static const char *const mentions[] = { NAME_ALLOWED_TEXT, NULL };
	struct clitest *fx = *state;
	struct runbin_result res;
	char pwned[PATH_MAX];

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		RUN(fx, &res, "createCluster", names[i]);
		if (i + 1 < sizeof names / sizeof names[0])
			expect_error(&res, 431, mentions);
		else
			expect_error(&res, 431, (const char *const[]){ "name", "empty", NULL });
		runbin_result_clear(&res);
		RUN(fx, &res, "createServiceOffering", names[i], "cpunumber=1", "memory=64");
		assert_int_not_equal(res.status, 0);
		runbin_result_clear(&res);
	}
	snprintf(pwned, sizeof pwned, "%s/pwned", fx->dir);
	assert_int_not_equal(access(pwned, F_OK), 0);
	assert_int_equal(list_count(fx, "listClusters", NULL), 0);
	assert_int_equal(list_count(fx, "listServiceOfferings", NULL), 0);
	/* The longest allowed name is fine. */
	RUN(fx, &res, "createCluster",
	    "name=a23456789012345678901234567890123456789012345678901234567890123");
	expect_ok(&res);
	runbin_result_clear(&res);
}

static void test_help_lists_every_command(void **state)
{
	static const char *const mine[] = {
		"createCluster", "listClusters", "updateCluster", "deleteCluster",
		"registerTemplate", "listTemplates", "deleteTemplate", "createServiceOffering",
		"listServiceOfferings", "deleteServiceOffering", "listEvents", "listAlerts", NULL,
	};
	struct runbin_result res;

	(void)state;
	assert_int_equal(runbin_bootdeck(&res, NULL, NULL, "--help", NULL), 0);
	expect_ok(&res);
	assert_non_null(strstr(res.out, "Usage:"));
	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		if (!strstr(res.out, (*c)->api))
			fail_msg("--help lacks %s", (*c)->api);
		if ((*c)->synopsis[0] && !strstr(res.out, (*c)->synopsis))
			fail_msg("--help lacks the synopsis of %s", (*c)->api);
	}
	for (const char *const *m = mine; *m; m++) {
		bool listed = false;

		for (const struct cli_command *const *c = cli_commands; *c; c++)
			listed = listed || strcmp((*c)->api, *m) == 0;
		if (!listed || !strstr(res.out, *m))
			fail_msg("%s is not a listed command", *m);
	}
	runbin_result_clear(&res);
}

static void test_version(void **state)
{
	struct runbin_result res;

	(void)state;
	assert_int_equal(runbin_bootdeck(&res, NULL, NULL, "--version", NULL), 0);
	expect_ok(&res);
	assert_string_equal(res.out, "bootdeck " BOOTDECK_VERSION "\n");
	runbin_result_clear(&res);
	assert_int_equal(runbin_bootdeck(&res, NULL, NULL, "-o", "yaml", "listClusters", NULL), 0);
	assert_int_equal(res.status, 2);
	assert_non_null(strstr(res.err, "'yaml'"));
	runbin_result_clear(&res);
}

#define CLI_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CLI_TEST(test_cluster_create_then_list),
		CLI_TEST(test_cluster_duplicate_name),
		CLI_TEST(test_cluster_update_and_delete),
		CLI_TEST(test_offering_bad_cpunumber),
		CLI_TEST(test_offering_create_list_delete),
		CLI_TEST(test_unknown_command),
		CLI_TEST(test_unknown_key),
		CLI_TEST(test_verb_noun_and_case),
		CLI_TEST(test_table_output),
		CLI_TEST(test_csv_output_quotes_commas),
		CLI_TEST(test_template_file_checks),
		CLI_TEST(test_events_for_each_change),
		CLI_TEST(test_names_with_metacharacters_refused),
		CLI_TEST(test_help_lists_every_command),
		CLI_TEST(test_version),
	};

	if (!runbin_bootdeck_path()) {
		fprintf(stderr, "BOOTDECK_BIN is not set: run through meson test\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
