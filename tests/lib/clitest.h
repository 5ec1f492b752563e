/* cmocka helpers for suites that drive the real bootdeck binary: a private
 * folder and database per test, and assertions on JSON output and
 * CloudStack error codes. Include after <cmocka.h>. */
#ifndef BOOTDECK_TESTS_CLITEST_H
#define BOOTDECK_TESTS_CLITEST_H

#include <limits.h>

#include "runbin.h"

struct clitest {
	char *dir;
	char db[PATH_MAX];
	char env_log[PATH_MAX + 16];
	char env_state[PATH_MAX + 32];
	char env_data[PATH_MAX + 32];
	const char *env[4];
	struct runbin_opts opts;
};

/* A fresh folder holding the database; nothing lands in the real home. */
struct clitest *clitest_new(const char *prefix);
void clitest_free(struct clitest *ct);

/* Runs bootdeck on the test's database; the words end with NULL. */
#define CLITEST_RUN(ct, res, ...) \
	assert_int_equal(runbin_bootdeck((res), &(ct)->opts, (ct)->db, __VA_ARGS__, NULL), 0)

void clitest_expect_ok(const struct runbin_result *res);
/* Parsed stdout of a successful run (owned); fails the test otherwise. */
json_object *clitest_expect_json(const struct runbin_result *res);
/* A failed run with errorcode `code` whose text holds every `mentions`
 * (NULL-terminated, may be NULL). */
void clitest_expect_error(const struct runbin_result *res, int code, const char *const *mentions);

/* Member `key` of obj; fails the test when absent. Borrowed. */
json_object *clitest_member(json_object *obj, const char *key);
/* String member `key`; fails when absent. Borrowed. */
const char *clitest_string(json_object *obj, const char *key);

/* Runs the words (NULL-terminated) and returns the parsed JSON (owned),
 * failing the test unless the run succeeded. */
json_object *clitest_ok(struct clitest *ct, ...) __attribute__((sentinel));
/* Runs one SQL statement straight on the test's database, ?1 bound to
 * param (may be NULL), as another program could: the rows it changed, or
 * -1 when it failed. */
int clitest_sql(struct clitest *ct, const char *sql, const char *param);
/* Runs the words and checks the error code and mentions. */
void clitest_fails(struct clitest *ct, int code, const char *const *mentions, ...)
	__attribute__((sentinel));

#endif
