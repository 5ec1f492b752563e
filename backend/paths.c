#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *xdg_default(const char *kind)
{
	if (strcmp(kind, "DATA") == 0)
		return ".local/share";
	if (strcmp(kind, "STATE") == 0)
		return ".local/state";
	if (strcmp(kind, "CONFIG") == 0)
		return ".config";
	return ".cache";
}

char *paths_xdg_file(const char *kind, const char *leaf)
{
	char var[32];
	const char *base;
	char *path = NULL;

	snprintf(var, sizeof var, "XDG_%s_HOME", kind);
	base = getenv(var);
	if (base && base[0] == '/') {
		if (asprintf(&path, "%s/bootdeck/%s", base, leaf) < 0)
			return NULL;
		return path;
	}
	base = getenv("HOME");
	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&path, "%s/%s/bootdeck/%s", base, xdg_default(kind), leaf) < 0)
		return NULL;
	return path;
}

int paths_make_parent(const char *path, struct bd_error *err)
{
	char *copy = strdup(path);
	char *slash;

	if (!copy)
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	slash = strrchr(copy, '/');
	if (!slash || slash == copy) {
		free(copy);
		return 0;
	}
	*slash = '\0';
	for (char *p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
				bd_error_set(err, BD_ERR_INTERNAL, "cannot create folder '%s': %s", copy,
					     strerror(errno));
				free(copy);
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	free(copy);
	return 0;
}
