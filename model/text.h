/* Small string helpers shared by the parsers and the validators. */
#ifndef BOOTDECK_MODEL_TEXT_H
#define BOOTDECK_MODEL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Longest quoted value shown inside an error message. */
#define TEXT_QUOTE_MAX 80

/* Names of VMs, hosts, clusters, templates and offerings. */
#define NAME_MAX_LEN 63
#define NAME_ALLOWED_TEXT "letters, digits, '.', '_' and '-' (starting with a letter or digit, at most 63)"

/* Start of `s` without leading white space; *len gets the length without
 * trailing white space. */
const char *text_trim_span(const char *s, size_t *len);

/* Copies s trimmed into buf (truncating to size-1); returns buf. */
char *text_trim_copy(const char *s, char *buf, size_t size);

/* A printable rendering of untrusted text for messages: control characters
 * become '?', and long values are cut with "...". Returns buf. */
char *text_quote(const char *s, char *buf, size_t size);

/* Checks an object name against the safe character set. `what` is the
 * parameter ("name"). Returns 0, or -1 with a 431 error. */
int name_check(const char *what, const char *name, struct bd_error *err);

/* Parses a whole decimal integer in [min, max]; 431 naming `key` otherwise. */
int text_parse_long(const char *key, const char *text, long min, long max, long *out,
		    struct bd_error *err);

/* Parses true/false (also yes/no, 1/0), trimmed and case-insensitive. */
int text_parse_bool(const char *key, const char *text, bool *out, struct bd_error *err);

#endif
