/* Runs a built program (normally bootdeck) the way a user does: its own
 * process, argv, extra environment, stdin from a string or /dev/null, and
 * a time limit. Captures stdout, stderr and the exit status; stdout can be
 * parsed as JSON. Used by every suite that drives the real binary. */
#ifndef BOOTDECK_TESTS_RUNBIN_H
#define BOOTDECK_TESTS_RUNBIN_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define RUNBIN_TIMEOUT_MS_DEFAULT 30000

struct runbin_opts {
	const char *const *env;   /* "KEY=VALUE" added to (or replacing in) the
				   * current environment; NULL-terminated or NULL */
	const char *input;        /* written to stdin, or NULL for /dev/null */
	const char *cwd;          /* working folder, or NULL */
	int timeout_ms;           /* 0: RUNBIN_TIMEOUT_MS_DEFAULT */
};

struct runbin_result {
	int status;       /* exit status; 128+N when killed by signal N */
	bool timed_out;   /* killed because the time limit passed */
	char *out;        /* captured stdout, NUL-terminated */
	size_t out_len;
	char *err;        /* captured stderr, NUL-terminated */
	size_t err_len;
};

/* Runs argv[0] (a path) with argv. Returns 0 when the program ran (whatever
 * its exit status), -1 with errno when it could not be started or captured;
 * a message is in res->err then. res is always filled; clear it after. */
int runbin_run(const char *const *argv, const struct runbin_opts *opts,
	       struct runbin_result *res);

void runbin_result_clear(struct runbin_result *res);

/* stdout parsed as JSON (owned), or NULL when it is not one JSON value. */
json_object *runbin_json(const struct runbin_result *res);

/* Path of the binary under test: $BOOTDECK_BIN, which meson sets. NULL when
 * unset. */
const char *runbin_bootdeck_path(void);

/* Runs `bootdeck --db db_path WORDS...` (NULL-terminated words) with opts
 * (may be NULL). Same return as runbin_run. */
int runbin_bootdeck(struct runbin_result *res, const struct runbin_opts *opts,
		    const char *db_path, ...) __attribute__((sentinel));

/* A fresh private folder under $TMPDIR (or /tmp); owned path or NULL. */
char *runbin_tmpdir_new(const char *prefix);
/* Removes a folder and all it holds; NULL is fine. */
void runbin_tmpdir_remove(const char *path);

#endif
