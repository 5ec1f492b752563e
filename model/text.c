#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *text_trim_span(const char *s, size_t *len)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

char *text_trim_copy(const char *s, char *buf, size_t size)
{
	size_t len;
	const char *start = text_trim_span(s, &len);

	if (size == 0)
		return buf;
	if (len >= size)
		len = size - 1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return buf;
}

char *text_quote(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	size_t limit;

	if (size == 0)
		return buf;
	limit = size > 4 ? size - 4 : 0; /* room for "..." and NUL */
	for (; *s && n < size - 1; s++) {
		if (n >= limit && strlen(s) > size - 1 - n) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = (iscntrl((unsigned char)*s)) ? '?' : *s;
	}
	buf[n] = '\0';
	return buf;
}

int name_check(const char *what, const char *name, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];
	size_t len = name ? strlen(name) : 0;

	if (len == 0)
		return bd_error_set(err, BD_ERR_PARAM, "%s must not be empty: use %s",
				    what, NAME_ALLOWED_TEXT);
	if (len > NAME_MAX_LEN)
		return bd_error_set(err, BD_ERR_PARAM,
				    "%s '%s' is too long (%zu characters): use %s", what,
				    text_quote(name, shown, sizeof shown), len, NAME_ALLOWED_TEXT);
	if (!isalnum((unsigned char)name[0]))
		goto bad;
	for (const char *p = name; *p; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-'))
			goto bad;
	}
	return 0;
bad:
	return bd_error_set(err, BD_ERR_PARAM, "%s '%s' has characters that are not allowed: use %s",
			    what, text_quote(name, shown, sizeof shown), NAME_ALLOWED_TEXT);
}

int text_parse_long(const char *key, const char *text, long min, long max, long *out,
		    struct bd_error *err)
{
	char buf[32];
	char shown[TEXT_QUOTE_MAX];
	char *end;
	long value;
	size_t len;
	const char *start = text_trim_span(text ? text : "", &len);

	if (len == 0 || len >= sizeof buf)
		goto bad;
	memcpy(buf, start, len);
	buf[len] = '\0';
	errno = 0;
	value = strtol(buf, &end, 10);
	if (errno || *end || value < min || value > max)
		goto bad;
	*out = value;
	return 0;
bad:
	return bd_error_set(err, BD_ERR_PARAM, "invalid %s '%s': expected a whole number from %ld to %ld",
			    key, text_quote(text ? text : "", shown, sizeof shown), min, max);
}

int text_parse_bool(const char *key, const char *text, bool *out, struct bd_error *err)
{
	static const char *const yes[] = { "true", "yes", "1" };
	static const char *const no[] = { "false", "no", "0" };
	char shown[TEXT_QUOTE_MAX];
	size_t len;
	const char *start = text_trim_span(text ? text : "", &len);

	for (size_t i = 0; i < 3; i++) {
		if (strlen(yes[i]) == len && strncasecmp(start, yes[i], len) == 0) {
			*out = true;
			return 0;
		}
		if (strlen(no[i]) == len && strncasecmp(start, no[i], len) == 0) {
			*out = false;
			return 0;
		}
	}
	return bd_error_set(err, BD_ERR_PARAM, "invalid %s '%s': expected true or false", key,
			    text_quote(text ? text : "", shown, sizeof shown));
}
