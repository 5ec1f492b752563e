#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int bd_error_set(struct bd_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
	return -1;
}

int bd_error_prefix(struct bd_error *err, const char *fmt, ...)
{
	char prefix[BD_ERROR_TEXT_MAX];
	char old[BD_ERROR_TEXT_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->text, sizeof old);
	snprintf(err->text, sizeof err->text, "%s: %s", prefix, old);
	return -1;
}

void bd_error_clear(struct bd_error *err)
{
	if (!err)
		return;
	err->code = BD_OK;
	err->text[0] = '\0';
}
