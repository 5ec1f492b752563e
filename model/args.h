/* The key=value parameters of a CLI command, as cloudmonkey passes them to
 * CloudStack's API. Keys are case-insensitive (stored lower case); values are
 * kept verbatim, and each parser trims what it needs to. */
#ifndef BOOTDECK_MODEL_ARGS_H
#define BOOTDECK_MODEL_ARGS_H

#include <stddef.h>

#include "error.h"

/* Longest accepted value: paths and URIs fit, pasted garbage does not. */
#define KV_VALUE_MAX 4096
#define KV_KEY_MAX 64

struct kv_arg {
	char *key;
	char *value;
};

struct kv_args {
	struct kv_arg *items;
	size_t count;
};

/* Parses words of the form key=value. Refuses a word without '=', an empty
 * or overlong key, a repeated key and an overlong value (431, naming it).
 * On failure `out` holds nothing. */
int kv_args_parse(int argc, char *const *argv, struct kv_args *out, struct bd_error *err);

/* Same, for one buffer of words separated by white space (fuzzing, scripts). */
int kv_args_parse_line(const char *line, size_t len, struct kv_args *out, struct bd_error *err);

/* Value of `key` (lower case), or NULL when absent. */
const char *kv_args_get(const struct kv_args *args, const char *key);

/* Checks every key is in the NULL-terminated `allowed` list; 431 naming the
 * first unknown key and listing the accepted ones. */
int kv_args_check_known(const struct kv_args *args, const char *const *allowed,
			struct bd_error *err);

void kv_args_free(struct kv_args *args);

#endif
