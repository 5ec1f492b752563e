#include "theme-load.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/paths.h"
#include "config.h"
#include "model/text.h"

const char *const theme_builtin_names[] = {
	"default", "dark", "light", "high-contrast", "monochrome",
};
const size_t theme_builtin_count = sizeof theme_builtin_names / sizeof theme_builtin_names[0];

/* Theme files are small; anything bigger is not one. */
#define THEME_FILE_MAX (64 * 1024)

static char *theme_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	size_t n;

	if (!fp)
		return NULL;
	buf = malloc(THEME_FILE_MAX + 1);
	if (!buf)
		goto out;
	n = fread(buf, 1, THEME_FILE_MAX + 1, fp);
	if (n > THEME_FILE_MAX || ferror(fp)) {
		free(buf);
		buf = NULL;
		errno = EFBIG;
		goto out;
	}
	buf[n] = '\0';
	*len = n;
out:
	fclose(fp);
	return buf;
}

int theme_load(const char *name, struct theme *out, struct bd_error *err)
{
	const char *dirs[] = { getenv("BOOTDECK_THEME_DIR"), BOOTDECK_SOURCE_DIR "/themes",
			       BOOTDECK_DATADIR "/themes" };
	char shown[TEXT_QUOTE_MAX];
	char path[4096];
	char *text = NULL;
	size_t len = 0;
	int rc;

	theme_init_default(out);
	if (!theme_name_valid(name))
		return bd_error_set(err, BD_ERR_PARAM,
				    "theme '%s' is not a valid name: use letters, digits, '-' and '_' (e.g. %s)",
				    text_quote(name ? name : "", shown, sizeof shown),
				    "default, dark, light, high-contrast, monochrome");
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !text; i++) {
		if (!dirs[i] || !dirs[i][0])
			continue;
		snprintf(path, sizeof path, "%s/%s.theme", dirs[i], name);
		text = theme_read(path, &len);
	}
	if (!text)
		return bd_error_set(err, BD_ERR_PARAM,
				    "theme '%s' not found: use default, dark, light, high-contrast or monochrome",
				    name);
	rc = theme_parse(name, text, len, out, err);
	free(text);
	return rc;
}

bool theme_colour_allowed(const char *no_color, bool terminal_colours)
{
	return terminal_colours && !(no_color && no_color[0]);
}

char *theme_config_name(void)
{
	char *path = paths_xdg_file("CONFIG", "config");
	char line[512];
	char *name = NULL;
	FILE *fp;

	if (!path)
		return NULL;
	fp = fopen(path, "re");
	free(path);
	if (!fp)
		return NULL;
	while (fgets(line, sizeof line, fp)) {
		char *key = line;
		char *eq = strchr(line, '=');
		char value[128];
		char keybuf[64];

		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		text_trim_copy(key, keybuf, sizeof keybuf);
		if (strcmp(keybuf, "theme") != 0)
			continue;
		text_trim_copy(eq + 1, value, sizeof value);
		free(name);
		name = strdup(value);
	}
	fclose(fp);
	return name;
}
