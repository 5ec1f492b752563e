/* The documentation as a reader meets it: every ```console example in the
 * guides is run, in order, against a scratch copy of the demo database, and
 * its output must have the shape the guide shows; the man page renders
 * without warnings and names exactly the commands `bootdeck --help` lists;
 * the operator guide shows every command at work.
 *
 * An example is a line "$ bootdeck ..." (or one of a few helper programs)
 * followed by the output it prints. Lines "Error NNN: ..." stand for what
 * the command prints on stderr; everything else is stdout. Ids, times,
 * paths and numbers-as-strings may differ; keys, types, counts, names,
 * states and messages may not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "runbin.h"

#define DOCS_DIR BOOTDECK_SOURCE_DIR "/docs"
#define DOCS_MAX_WORDS 64

/* Guides whose examples run, in this order (later ones build on earlier). */
static const char *const docs_guides[] = {
	"operator-guide.md",
	"admin-guide.md",
	"architecture.md",
};

/* Programs an example may run besides bootdeck, and why: making files the
 * next bootdeck example needs, or reading the database. */
static const char *const docs_helpers[] = { "cp", "qemu-img", "sqlite3", NULL };

/* ---- small text helpers ---- */

static char *docs_read_file(const char *path)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL;
	long size;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)size + 1);
		if (buf && fread(buf, 1, (size_t)size, fp) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

/* Appends text to an owned string. */
static void docs_append(char **buf, const char *text, size_t len)
{
	size_t old = *buf ? strlen(*buf) : 0;
	char *grown = realloc(*buf, old + len + 1);

	assert_non_null(grown);
	memcpy(grown + old, text, len);
	grown[old + len] = '\0';
	*buf = grown;
}

/* Replaces every match of re in text with label; owned result. */
static char *docs_replace(const char *text, const regex_t *re, const char *label)
{
	char *out = NULL;
	regmatch_t m;
	const char *p = text;
	int flags = 0;

	docs_append(&out, "", 0);
	while (*p && regexec(re, p, 1, &m, flags) == 0 && m.rm_eo > 0) {
		docs_append(&out, p, (size_t)m.rm_so);
		docs_append(&out, label, strlen(label));
		p += m.rm_eo;
		flags = REG_NOTBOL;
	}
	docs_append(&out, p, strlen(p));
	return out;
}

struct docs_pattern {
	const char *regex;
	const char *label;
	regex_t re;
};

/* What may differ between the guide's run and this one. */
static struct docs_pattern docs_patterns[] = {
	{ "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", { 0 } },
	{ "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\\+0000)?", "<time>", { 0 } },
	{ "/[A-Za-z0-9._/+-]+", "<path>", { 0 } },
	{ "^[0-9]+$", "<n>", { 0 } },
};

#define DOCS_PATTERN_COUNT (sizeof docs_patterns / sizeof docs_patterns[0])

/* The text with variable parts replaced by labels; owned. */
static char *docs_normalise(const char *text)
{
	char *cur = strdup(text);

	assert_non_null(cur);
	for (size_t i = 0; i < DOCS_PATTERN_COUNT; i++) {
		char *next = docs_replace(cur, &docs_patterns[i].re, docs_patterns[i].label);

		free(cur);
		cur = next;
	}
	return cur;
}

/* One line of a table or CSV: runs of blanks collapsed (column widths
 * follow the longest path), then normalised; owned. */
static char *docs_normalise_line(const char *line, size_t len)
{
	char *squeezed = calloc(1, len + 1);
	size_t n = 0;
	char *out;

	assert_non_null(squeezed);
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)line[i])) {
			if (n && squeezed[n - 1] != ' ')
				squeezed[n++] = ' ';
			continue;
		}
		squeezed[n++] = line[i];
	}
	while (n && squeezed[n - 1] == ' ')
		n--;
	squeezed[n] = '\0';
	out = docs_normalise(squeezed);
	free(squeezed);
	return out;
}

/* ---- comparing shapes ---- */

/* Keys whose values are ids, times or sizes of files made by the run. */
static bool docs_key_varies(const char *key)
{
	size_t len = key ? strlen(key) : 0;

	return key && (strcmp(key, "created") == 0 || strcmp(key, "size") == 0 ||
		       (len >= 2 && strcmp(key + len - 2, "id") == 0));
}

static bool docs_json_same(json_object *want, json_object *got, const char *key, char *why,
			   size_t why_size)
{
	enum json_type type = json_object_get_type(want);

	if (json_object_get_type(got) != type) {
		snprintf(why, why_size, "'%s': the guide shows a %s, the run printed a %s",
			 key ? key : "(top)", json_type_to_name(type),
			 json_type_to_name(json_object_get_type(got)));
		return false;
	}
	switch (type) {
	case json_type_object: {
		struct json_object_iterator w = json_object_iter_begin(want);
		struct json_object_iterator we = json_object_iter_end(want);
		struct json_object_iterator g = json_object_iter_begin(got);
		struct json_object_iterator ge = json_object_iter_end(got);

		/* Same keys in the same order: the output code keeps insertion order. */
		for (; !json_object_iter_equal(&w, &we); json_object_iter_next(&w)) {
			const char *wk = json_object_iter_peek_name(&w);

			if (json_object_iter_equal(&g, &ge) ||
			    strcmp(wk, json_object_iter_peek_name(&g)) != 0) {
				snprintf(why, why_size, "key '%s': the guide shows it, the run printed %s%s%s",
					 wk, json_object_iter_equal(&g, &ge) ? "nothing more" : "'",
					 json_object_iter_equal(&g, &ge) ? "" : json_object_iter_peek_name(&g),
					 json_object_iter_equal(&g, &ge) ? "" : "' there");
				return false;
			}
			if (!docs_json_same(json_object_iter_peek_value(&w),
					    json_object_iter_peek_value(&g), wk, why, why_size))
				return false;
			json_object_iter_next(&g);
		}
		if (!json_object_iter_equal(&g, &ge)) {
			snprintf(why, why_size, "key '%s': the run printed it, the guide does not show it",
				 json_object_iter_peek_name(&g));
			return false;
		}
		return true;
	}
	case json_type_array: {
		size_t n = json_object_array_length(want);

		if (json_object_array_length(got) != n) {
			snprintf(why, why_size, "'%s': the guide shows %zu items, the run printed %zu",
				 key ? key : "(top)", n, json_object_array_length(got));
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			if (!docs_json_same(json_object_array_get_idx(want, i),
					    json_object_array_get_idx(got, i), key, why, why_size))
				return false;
		}
		return true;
	}
	case json_type_string: {
		char *w, *g;
		bool same;

		if (docs_key_varies(key))
			return true;
		w = docs_normalise(json_object_get_string(want));
		g = docs_normalise(json_object_get_string(got));
		same = strcmp(w, g) == 0;
		if (!same)
			snprintf(why, why_size, "'%s': the guide shows \"%s\", the run printed \"%s\"",
				 key ? key : "(top)", json_object_get_string(want),
				 json_object_get_string(got));
		free(w);
		free(g);
		return same;
	}
	case json_type_int:
	case json_type_boolean:
		if (docs_key_varies(key) ||
		    json_object_get_int64(want) == json_object_get_int64(got))
			return true;
		snprintf(why, why_size, "'%s': the guide shows %s, the run printed %s",
			 key ? key : "(top)", json_object_to_json_string(want),
			 json_object_to_json_string(got));
		return false;
	case json_type_double:
		if (json_object_get_double(want) == json_object_get_double(got))
			return true;
		snprintf(why, why_size, "'%s': the guide shows %g, the run printed %g",
			 key ? key : "(top)", json_object_get_double(want),
			 json_object_get_double(got));
		return false;
	default:
		return true;
	}
}

/* Compares line by line after normalising; for tables, CSV and plain text. */
static bool docs_text_same(const char *want, const char *got, char *why, size_t why_size)
{
	const char *w = want, *g = got;
	int line = 1;

	for (;;) {
		const char *wend, *gend;
		char *wn, *gn;
		bool same;

		while (*w == '\n')
			w++;
		while (*g == '\n')
			g++;
		if (!*w || !*g)
			break;
		wend = strchr(w, '\n');
		gend = strchr(g, '\n');
		if (!wend)
			wend = w + strlen(w);
		if (!gend)
			gend = g + strlen(g);
		wn = docs_normalise_line(w, (size_t)(wend - w));
		gn = docs_normalise_line(g, (size_t)(gend - g));
		same = strcmp(wn, gn) == 0;
		if (!same)
			snprintf(why, why_size, "line %d: the guide shows \"%s\", the run printed \"%s\"",
				 line, wn, gn);
		free(wn);
		free(gn);
		if (!same)
			return false;
		w = wend;
		g = gend;
		line++;
	}
	if (*w || *g) {
		snprintf(why, why_size, "line %d: %s", line,
			 *w ? "the guide shows more lines than the run printed"
			    : "the run printed more lines than the guide shows");
		return false;
	}
	return true;
}

/* ---- examples ---- */

struct docs_example {
	const char *guide;
	int line;                  /* of the "$ " line in the guide */
	char *command;             /* the command text, continuations joined */
	char *want_out;            /* stdout the guide shows */
	char *want_err;            /* "Error NNN: ..." lines the guide shows */
};

struct docs_run {
	char *dir;                 /* scratch folder: demo database and files */
	char db[PATH_MAX];
	char env_db[PATH_MAX + 16];
	char env_log[PATH_MAX + 16];
	char env_data[PATH_MAX + 32];
	char env_state[PATH_MAX + 32];
	char env_config[PATH_MAX + 32];
	const char *env[6];
	int examples;
	int failures;
	char *seen_commands;       /* " apiName apiName ..." of the operator guide */
};

/* Splits a command line into words: blanks separate, '...' is literal,
 * "..." keeps blanks, $PWD becomes the scratch folder. */
static int docs_split(const char *text, const char *pwd, char **words, int max)
{
	int n = 0;
	const char *p = text;

	while (*p) {
		char *word = NULL;
		char quote = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		docs_append(&word, "", 0);
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			if (!quote && (*p == '\'' || *p == '"')) {
				quote = *p++;
			} else if (quote && *p == quote) {
				quote = 0;
				p++;
			} else if (quote != '\'' && strncmp(p, "$PWD", 4) == 0) {
				docs_append(&word, pwd, strlen(pwd));
				p += 4;
			} else {
				docs_append(&word, p++, 1);
			}
		}
		if (quote || n == max - 1) {
			free(word);
			goto fail;
		}
		words[n++] = word;
	}
	words[n] = NULL;
	return n;
fail:
	for (int i = 0; i < n; i++)
		free(words[i]);
	words[0] = NULL;
	return -1;
}

/* Path of a helper program, found on PATH; owned or NULL. */
static char *docs_which(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	copy = strdup(path && *path ? path : "/usr/bin:/bin");
	assert_non_null(copy);
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char candidate[PATH_MAX];

		snprintf(candidate, sizeof candidate, "%s/%s", dir, name);
		if (access(candidate, X_OK) == 0)
			found = strdup(candidate);
	}
	free(copy);
	return found;
}

static void docs_fail(struct docs_run *run, const struct docs_example *ex, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void docs_fail(struct docs_run *run, const struct docs_example *ex, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "docs/%s:%d: $ %s\n  ", ex->guide, ex->line, ex->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	run->failures++;
}

/* Remembers which bootdeck command an operator-guide example ran. */
static void docs_note_command(struct docs_run *run, char *const *words, int n)
{
	int i = 1;

	/* Skip options: --db PATH, -o FORMAT, --output=F, ... */
	while (i < n && words[i][0] == '-') {
		if ((strcmp(words[i], "-o") == 0 || strcmp(words[i], "--output") == 0 ||
		     strcmp(words[i], "--db") == 0 || strcmp(words[i], "--theme") == 0) && i + 1 < n)
			i++;
		i++;
	}
	if (i >= n)
		return;
	docs_append(&run->seen_commands, " ", 1);
	docs_append(&run->seen_commands, words[i], strlen(words[i]));
	/* "verb noun" is written as verbnoun so it matches the API name. */
	if (i + 1 < n && !strchr(words[i + 1], '='))
		docs_append(&run->seen_commands, words[i + 1], strlen(words[i + 1]));
	docs_append(&run->seen_commands, " ", 1);
}

static void docs_example_run(struct docs_run *run, const struct docs_example *ex)
{
	char *words[DOCS_MAX_WORDS + 1];
	const char *argv[DOCS_MAX_WORDS + 1];
	struct runbin_opts opts = { .env = run->env, .cwd = run->dir, .timeout_ms = 120000 };
	struct runbin_result res = { 0 };
	char *program = NULL;
	json_object *want = NULL, *got = NULL;
	char why[2048];
	bool is_bootdeck, expect_failure;
	int n;

	run->examples++;
	n = docs_split(ex->command, run->dir, words, DOCS_MAX_WORDS);
	if (n <= 0) {
		docs_fail(run, ex, "cannot split the command into words (unbalanced quotes?)");
		return;
	}
	is_bootdeck = strcmp(words[0], "bootdeck") == 0;
	if (is_bootdeck) {
		program = strdup(runbin_bootdeck_path());
		if (strcmp(ex->guide, "operator-guide.md") == 0)
			docs_note_command(run, words, n);
	} else {
		for (const char *const *h = docs_helpers; *h; h++) {
			if (strcmp(words[0], *h) == 0)
				program = docs_which(*h);
		}
		if (!program) {
			docs_fail(run, ex, "'%s' is not a program a console example may run "
				  "(bootdeck, cp, qemu-img, sqlite3); show it as ```sh instead",
				  words[0]);
			goto cleanup;
		}
	}
	argv[0] = program;
	for (int i = 1; i <= n; i++)
		argv[i] = words[i];
	if (runbin_run(argv, &opts, &res) < 0 || res.timed_out) {
		docs_fail(run, ex, "could not run it: %s", res.timed_out ? "timed out" : res.err);
		goto cleanup;
	}
	want = ex->want_out[0] ? json_tokener_parse(ex->want_out) : NULL;
	expect_failure = ex->want_err[0] != '\0' ||
			 (want && json_object_is_type(want, json_type_object) &&
			  json_object_object_get_ex(want, "errorcode", NULL));
	if (expect_failure != (res.status != 0)) {
		docs_fail(run, ex, "the guide shows it %s, the run exited %d (stderr: %s)",
			  expect_failure ? "failing" : "succeeding", res.status, res.err);
		goto cleanup;
	}
	/* Helpers may warn on stderr; bootdeck prints there only on failure. */
	if ((is_bootdeck || ex->want_err[0]) &&
	    !docs_text_same(ex->want_err, res.err, why, sizeof why)) {
		docs_fail(run, ex, "stderr: %s", why);
		goto cleanup;
	}
	if (want) {
		got = runbin_json(&res);
		if (!got) {
			docs_fail(run, ex, "the guide shows JSON, the run printed: %s", res.out);
			goto cleanup;
		}
		if (!docs_json_same(want, got, NULL, why, sizeof why))
			docs_fail(run, ex, "%s", why);
	} else if (!docs_text_same(ex->want_out, res.out, why, sizeof why)) {
		docs_fail(run, ex, "%s", why);
	}
cleanup:
	json_object_put(want);
	json_object_put(got);
	runbin_result_clear(&res);
	free(program);
	for (int i = 0; i < n; i++)
		free(words[i]);
}

static void docs_example_clear(struct docs_example *ex)
{
	free(ex->command);
	free(ex->want_out);
	free(ex->want_err);
	memset(ex, 0, sizeof *ex);
}

static bool docs_is_error_line(const char *line)
{
	if (strncmp(line, "Error ", 6) != 0)
		return false;
	line += 6;
	if (!isdigit((unsigned char)line[0]))
		return false;
	while (isdigit((unsigned char)*line))
		line++;
	return *line == ':';
}

/* Runs every example of one guide; returns how many it had. */
static int docs_guide_run(struct docs_run *run, const char *guide)
{
	char path[PATH_MAX];
	char *text;
	struct docs_example ex = { 0 };
	bool in_console = false, in_other = false, continued = false;
	int line = 0, before = run->examples;

	snprintf(path, sizeof path, "%s/%s", DOCS_DIR, guide);
	text = docs_read_file(path);
	if (!text) {
		fprintf(stderr, "docs/%s: cannot read it\n", guide);
		run->failures++;
		return 0;
	}
	/* strtok_r would skip empty lines; they matter only inside output. */
	for (char *p = text, *end; p && *p; p = end ? end + 1 : NULL) {
		end = strchr(p, '\n');
		if (end)
			*end = '\0';
		line++;
		if (!in_console && !in_other) {
			if (strncmp(p, "```console", 10) == 0)
				in_console = true;
			else if (strncmp(p, "```", 3) == 0)
				in_other = true;
			continue;
		}
		if (in_other) {
			if (strncmp(p, "```", 3) == 0)
				in_other = false;
			continue;
		}
		if (strncmp(p, "```", 3) == 0 || strncmp(p, "$ ", 2) == 0) {
			if (ex.command)
				docs_example_run(run, &ex);
			docs_example_clear(&ex);
			if (strncmp(p, "```", 3) == 0) {
				in_console = false;
				continue;
			}
			ex.guide = guide;
			ex.line = line;
			ex.command = strdup("");
			ex.want_out = strdup("");
			ex.want_err = strdup("");
			continued = false;
		}
		if (!ex.command) {
			fprintf(stderr, "docs/%s:%d: console block text before any \"$ \" line\n",
				guide, line);
			run->failures++;
			continue;
		}
		if (strncmp(p, "$ ", 2) == 0 || continued) {
			const char *part = strncmp(p, "$ ", 2) == 0 ? p + 2 : p;
			size_t len = strlen(part);

			continued = len && part[len - 1] == '\\';
			docs_append(&ex.command, part, continued ? len - 1 : len);
			continue;
		}
		if (docs_is_error_line(p)) {
			docs_append(&ex.want_err, p, strlen(p));
			docs_append(&ex.want_err, "\n", 1);
		} else {
			docs_append(&ex.want_out, p, strlen(p));
			docs_append(&ex.want_out, "\n", 1);
		}
	}
	docs_example_clear(&ex);
	free(text);
	return run->examples - before;
}

static int docs_run_setup(void **state)
{
	struct docs_run *run = calloc(1, sizeof *run);
	char scripts[PATH_MAX];
	struct runbin_result res = { 0 };
	const char *argv[] = { "/bin/bash", BOOTDECK_SOURCE_DIR "/scripts/demo-db.sh",
			       runbin_bootdeck_path(), NULL, NULL };
	struct runbin_opts opts = { 0 };
	int rc;

	assert_non_null(run);
	assert_non_null(runbin_bootdeck_path());
	for (size_t i = 0; i < DOCS_PATTERN_COUNT; i++)
		assert_int_equal(regcomp(&docs_patterns[i].re, docs_patterns[i].regex,
					 REG_EXTENDED), 0);
	run->dir = runbin_tmpdir_new("bootdeck-docs");
	assert_non_null(run->dir);
	/* The guides run from the top of the source tree, where scripts/ is. */
	snprintf(scripts, sizeof scripts, "%s/scripts", run->dir);
	assert_int_equal(symlink(BOOTDECK_SOURCE_DIR "/scripts", scripts), 0);
	snprintf(run->db, sizeof run->db, "%s/demo.db", run->dir);
	snprintf(run->env_db, sizeof run->env_db, "BOOTDECK_DB=%s", run->db);
	snprintf(run->env_log, sizeof run->env_log, "BOOTDECK_LOG=%s/bootdeck.log", run->dir);
	snprintf(run->env_data, sizeof run->env_data, "XDG_DATA_HOME=%s/xdg/data", run->dir);
	snprintf(run->env_state, sizeof run->env_state, "XDG_STATE_HOME=%s/xdg/state", run->dir);
	snprintf(run->env_config, sizeof run->env_config, "XDG_CONFIG_HOME=%s/xdg/config",
		 run->dir);
	run->env[0] = run->env_db;
	run->env[1] = run->env_log;
	run->env[2] = run->env_data;
	run->env[3] = run->env_state;
	run->env[4] = run->env_config;
	run->env[5] = NULL;
	argv[3] = run->db;
	opts.env = run->env;
	opts.cwd = run->dir;
	opts.timeout_ms = 120000;
	rc = runbin_run(argv, &opts, &res);
	if (rc < 0 || res.status != 0)
		fprintf(stderr, "demo-db.sh failed (%d): %s\n%s\n", res.status, res.out, res.err);
	assert_int_equal(rc, 0);
	assert_int_equal(res.status, 0);
	runbin_result_clear(&res);
	*state = run;
	return 0;
}

static int docs_run_teardown(void **state)
{
	struct docs_run *run = *state;
	char scripts[PATH_MAX];

	if (!run)
		return 0;
	for (size_t i = 0; i < DOCS_PATTERN_COUNT; i++)
		regfree(&docs_patterns[i].re);
	snprintf(scripts, sizeof scripts, "%s/scripts", run->dir);
	unlink(scripts);
	if (!getenv("BOOTDECK_DOCS_KEEP"))
		runbin_tmpdir_remove(run->dir);
	else
		fprintf(stderr, "kept %s\n", run->dir);
	free(run->dir);
	free(run->seen_commands);
	free(run);
	return 0;
}

/* ---- the help text ---- */

/* The API names `bootdeck --help` lists, one per row of the command table,
 * each followed by its synopsis: "apiName synopsis\n...". Owned. */
static char *docs_help_commands(void)
{
	const char *argv[] = { runbin_bootdeck_path(), "--help", NULL };
	struct runbin_result res = { 0 };
	char *out = NULL;
	bool in_commands = false;

	assert_int_equal(runbin_run(argv, NULL, &res), 0);
	assert_int_equal(res.status, 0);
	docs_append(&out, "", 0);
	for (char *p = res.out, *end; p && *p; p = end ? end + 1 : NULL) {
		end = strchr(p, '\n');
		if (end)
			*end = '\0';
		if (strncmp(p, "Commands", 8) == 0)
			in_commands = true;
		/* Command rows: two blanks, then the name at once. */
		if (in_commands && strncmp(p, "  ", 2) == 0 && isalpha((unsigned char)p[2])) {
			docs_append(&out, p + 2, strlen(p + 2));
			docs_append(&out, "\n", 1);
		}
	}
	runbin_result_clear(&res);
	return out;
}

/* ---- tests ---- */

static void test_guide_examples_run(void **state)
{
	struct docs_run *run = *state;
	char *help = docs_help_commands();
	int missing = 0;

	for (size_t i = 0; i < sizeof docs_guides / sizeof docs_guides[0]; i++) {
		int n = docs_guide_run(run, docs_guides[i]);

		fprintf(stderr, "docs/%s: %d examples run\n", docs_guides[i], n);
	}
	/* Every command is shown at work in the operator guide. */
	for (char *p = help, *end; p && *p; p = end ? end + 1 : NULL) {
		char name[64], needle[72];
		size_t len = strcspn(p, " \n");

		end = strchr(p, '\n');
		snprintf(name, sizeof name, "%.*s", (int)len, p);
		snprintf(needle, sizeof needle, " %s ", name);
		if (!run->seen_commands || !strcasestr(run->seen_commands, needle)) {
			fprintf(stderr, "docs/operator-guide.md: no example runs %s\n", name);
			missing++;
		}
	}
	free(help);
	fprintf(stderr, "%d examples, %d failed, %d commands without an example\n",
		run->examples, run->failures, missing);
	assert_true(run->examples > 0);
	assert_int_equal(run->failures, 0);
	assert_int_equal(missing, 0);
}

/* The man page's COMMANDS section as its "apiName" tags with the entry
 * text after each: an entry is ".TP" then ".B apiName". */
static void test_man_page_matches_help(void **state)
{
	char *man = docs_read_file(DOCS_DIR "/bootdeck.1");
	char *help = docs_help_commands();
	size_t help_len = strlen(help);
	int problems = 0, commands = 0;

	(void)state;
	assert_non_null(man);
	/* Every command of --help, with each key of its synopsis, is in the page. */
	for (char *p = help, *end; p && *p; p = end ? end + 1 : NULL) {
		char name[64], tag[80];
		size_t len = strcspn(p, " \n");
		const char *entry, *entry_end, *s;

		end = strchr(p, '\n');
		if (end)
			*end = '\0';
		snprintf(name, sizeof name, "%.*s", (int)len, p);
		snprintf(tag, sizeof tag, ".TP\n.B %s\n", name);
		commands++;
		entry = strstr(man, tag);
		if (!entry) {
			fprintf(stderr, "bootdeck.1: no entry \".TP/.B %s\" for a command of --help\n",
				name);
			problems++;
			continue;
		}
		entry += strlen(tag);
		entry_end = strstr(entry, ".TP\n");
		if (!entry_end)
			entry_end = strstr(entry, ".SH");
		if (!entry_end)
			entry_end = entry + strlen(entry);
		for (s = p + len; *s; ) {
			char key[64];
			size_t klen;
			const char *found;

			while (*s && !islower((unsigned char)*s))
				s++;
			klen = strspn(s, "abcdefghijklmnopqrstuvwxyz");
			if (klen == 0)
				break;
			if (s[klen] != '=') {
				s += klen;
				continue;
			}
			snprintf(key, sizeof key, "%.*s", (int)klen, s);
			found = strstr(entry, key);
			if (!found || found >= entry_end) {
				fprintf(stderr, "bootdeck.1: entry %s lacks key %s= of --help\n", name,
					key);
				problems++;
			}
			s += klen + 1;
		}
	}
	/* And every command entry of the page is a command of --help. */
	for (const char *p = strstr(man, ".TP\n.B "); p; p = strstr(p + 1, ".TP\n.B ")) {
		char name[64], row[72];
		bool listed;
		const char *cmds = strstr(man, ".SH COMMANDS");
		const char *next = cmds ? strstr(cmds + 1, "\n.SH ") : NULL;

		if (!cmds || p < cmds || (next && p > next))
			continue;
		snprintf(name, sizeof name, "%.*s", (int)strcspn(p + 7, " \n"), p + 7);
		snprintf(row, sizeof row, "%s ", name);
		/* The first loop cut help into one string per command row. */
		listed = false;
		for (const char *h = help; h < help + help_len; h += strlen(h) + 1) {
			if (strncmp(h, row, strlen(row)) == 0 || strcmp(h, name) == 0)
				listed = true;
		}
		if (!listed) {
			fprintf(stderr, "bootdeck.1: command %s is not in bootdeck --help\n", name);
			problems++;
		}
	}
	assert_true(commands > 0);
	free(man);
	free(help);
	assert_int_equal(problems, 0);
}

static void test_man_page_renders_cleanly(void **state)
{
	static const char *const env[] = { "MANWIDTH=80", "LC_ALL=C.UTF-8", "MAN_KEEP_STDERR=1",
					   NULL };
	char *man = docs_which("man");
	const char *argv[] = { man, "--warnings", "-l", DOCS_DIR "/bootdeck.1", NULL };
	struct runbin_opts opts = { .env = env };
	struct runbin_result res = { 0 };

	(void)state;
	if (!man)
		fail_msg("man is not installed (package man-db)");
	assert_int_equal(runbin_run(argv, &opts, &res), 0);
	if (res.status != 0 || res.err_len != 0)
		fprintf(stderr, "man --warnings (exit %d):\n%s\n", res.status, res.err);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.err_len, 0);
	/* It rendered something that looks like the page. */
	assert_non_null(strstr(res.out, "NAME"));
	assert_non_null(strstr(res.out, "deployVirtualMachine"));
	runbin_result_clear(&res);
	free(man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_page_renders_cleanly),
		cmocka_unit_test(test_man_page_matches_help),
		cmocka_unit_test_setup_teardown(test_guide_examples_run, docs_run_setup,
						docs_run_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
