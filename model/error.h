/* One error record shared by every layer: a CloudStack error code and a
 * message that names the failing object. Functions that fail return -1 or
 * NULL and fill a struct bd_error supplied by the caller (which may be NULL). */
#ifndef BOOTDECK_MODEL_ERROR_H
#define BOOTDECK_MODEL_ERROR_H

#include <stddef.h>

/* CloudStack's API error codes, so scripts written for it keep working. */
enum bd_errcode {
	BD_OK = 0,
	BD_ERR_PARAM = 431,       /* bad or missing parameter */
	BD_ERR_UNSUPPORTED = 432, /* action not supported */
	BD_ERR_INTERNAL = 530,
	BD_ERR_CAPACITY = 533,    /* insufficient capacity */
	BD_ERR_UNAVAILABLE = 534, /* resource unavailable, e.g. host unreachable */
};

#define BD_ERROR_TEXT_MAX 1024

struct bd_error {
	int code;
	char text[BD_ERROR_TEXT_MAX];
};

/* Records code and message; returns -1 so callers can `return bd_error_set(...)`. */
int bd_error_set(struct bd_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context ("deploy 'web1': ..."). */
int bd_error_prefix(struct bd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void bd_error_clear(struct bd_error *err);

#endif
