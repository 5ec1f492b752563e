#include "args.h"
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int kv_add(struct kv_args *args, const char *word, size_t len, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];
	char wordcopy[TEXT_QUOTE_MAX];
	const char *eq = memchr(word, '=', len);
	size_t keylen, vallen;
	struct kv_arg *grown;
	char *key, *value;

	snprintf(wordcopy, sizeof wordcopy, "%.*s", (int)(len < sizeof wordcopy ? len : sizeof wordcopy - 1), word);
	if (!eq)
		return bd_error_set(err, BD_ERR_PARAM, "parameter '%s' is not of the form key=value",
				    text_quote(wordcopy, shown, sizeof shown));
	keylen = (size_t)(eq - word);
	vallen = len - keylen - 1;
	if (keylen == 0)
		return bd_error_set(err, BD_ERR_PARAM, "parameter '%s' has an empty key",
				    text_quote(wordcopy, shown, sizeof shown));
	if (keylen > KV_KEY_MAX)
		return bd_error_set(err, BD_ERR_PARAM, "parameter key '%s' is too long (at most %d characters)",
				    text_quote(wordcopy, shown, sizeof shown), KV_KEY_MAX);
	for (size_t i = 0; i < keylen; i++) {
		if (!isalnum((unsigned char)word[i]) && word[i] != '_' && word[i] != '.')
			return bd_error_set(err, BD_ERR_PARAM,
					    "parameter key '%s' may hold only letters, digits, '_' and '.'",
					    text_quote(wordcopy, shown, sizeof shown));
	}
	if (memchr(eq + 1, '\0', vallen))
		return bd_error_set(err, BD_ERR_PARAM, "parameter value has a NUL byte");
	key = strndup(word, keylen);
	if (!key)
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (vallen > KV_VALUE_MAX) {
		bd_error_set(err, BD_ERR_PARAM, "value of %s is too long (%zu bytes, at most %d)", key,
			     vallen, KV_VALUE_MAX);
		free(key);
		return -1;
	}
	if (kv_args_get(args, key)) {
		bd_error_set(err, BD_ERR_PARAM, "parameter %s is given twice", key);
		free(key);
		return -1;
	}
	value = strndup(eq + 1, vallen);
	grown = realloc(args->items, (args->count + 1) * sizeof *grown);
	if (!value || !grown) {
		free(key);
		free(value);
		if (grown)
			args->items = grown;
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	}
	args->items = grown;
	args->items[args->count].key = key;
	args->items[args->count].value = value;
	args->count++;
	return 0;
}

int kv_args_parse(int argc, char *const *argv, struct kv_args *out, struct bd_error *err)
{
	out->items = NULL;
	out->count = 0;
	for (int i = 0; i < argc; i++) {
		if (kv_add(out, argv[i], strlen(argv[i]), err) < 0) {
			kv_args_free(out);
			return -1;
		}
	}
	return 0;
}

int kv_args_parse_line(const char *line, size_t len, struct kv_args *out, struct bd_error *err)
{
	size_t i = 0;

	out->items = NULL;
	out->count = 0;
	while (i < len) {
		size_t start;

		while (i < len && isspace((unsigned char)line[i]))
			i++;
		start = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		if (i > start && kv_add(out, line + start, i - start, err) < 0) {
			kv_args_free(out);
			return -1;
		}
	}
	return 0;
}

const char *kv_args_get(const struct kv_args *args, const char *key)
{
	for (size_t i = 0; i < args->count; i++) {
		if (strcmp(args->items[i].key, key) == 0)
			return args->items[i].value;
	}
	return NULL;
}

int kv_args_check_known(const struct kv_args *args, const char *const *allowed,
			struct bd_error *err)
{
	for (size_t i = 0; i < args->count; i++) {
		bool known = false;
		char list[512];
		size_t used = 0;

		for (const char *const *a = allowed; a && *a; a++)
			known = known || strcmp(*a, args->items[i].key) == 0;
		if (known)
			continue;
		list[0] = '\0';
		for (const char *const *a = allowed; a && *a && used < sizeof list; a++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
						 a == allowed ? "" : ", ", *a);
		return bd_error_set(err, BD_ERR_PARAM, "unknown parameter '%s': accepted are %s",
				    args->items[i].key, allowed && *allowed ? list : "none");
	}
	return 0;
}

void kv_args_free(struct kv_args *args)
{
	if (!args)
		return;
	for (size_t i = 0; i < args->count; i++) {
		free(args->items[i].key);
		free(args->items[i].value);
	}
	free(args->items);
	args->items = NULL;
	args->count = 0;
}
