/* The scriptable front door, in the style of cloudmonkey: every command is
 * a row in a table, named by its CloudStack API name (createCluster), also
 * reachable as "VERB NOUN" (create cluster). A command fills a json-c
 * response object shaped as CloudStack's; output.c prints it as JSON, a
 * table or CSV. */
#ifndef BOOTDECK_UI_CLI_H
#define BOOTDECK_UI_CLI_H

#include <json-c/json.h>
#include <stdio.h>

#include "backend/hv.h"
#include "model/args.h"
#include "model/error.h"

struct store;

enum cli_format { CLI_FORMAT_JSON, CLI_FORMAT_TABLE, CLI_FORMAT_CSV };

struct cli_ctx {
	struct store *store;
	const char *db_path;
	/* Progress of slow work; prints to stderr when it is a terminal. */
	hv_progress_fn progress;
	void *progress_opaque;
};

struct cli_command {
	const char *api;            /* CloudStack API name: "createCluster" */
	const char *const *keys;    /* accepted keys (lower case), NULL-terminated */
	const char *synopsis;       /* "name= [cpuovercommitratio=]" */
	const char *help;           /* one line */
	/* Runs the command; on success *response is an owned json object such
	 * as {"cluster": {...}} or {"count": N, "cluster": [...]}. */
	int (*exec)(struct cli_ctx *ctx, const struct kv_args *args, json_object **response,
		    struct bd_error *err);
};

/* Every command, NULL-terminated; the order is the order of --help. */
extern const struct cli_command *const cli_commands[];

/* Finds the command named by argv: "apiName" or "verb noun" (both
 * case-insensitive). *used gets how many words named it (1 or 2). */
const struct cli_command *cli_find(int argc, char *const *argv, int *used);

/* Runs argv (command words and key=value pairs) against ctx, printing the
 * response to out and errors to errout. Returns the process exit status. */
int cli_run(struct cli_ctx *ctx, enum cli_format format, int argc, char *const *argv,
	    FILE *out, FILE *errout);

/* Parses "json", "table" or "csv". */
int cli_format_parse(const char *text, enum cli_format *out, struct bd_error *err);

/* Prints a response; 0 or -1 (write error). */
int cli_print(FILE *out, enum cli_format format, json_object *response);

/* Prints the error as {"errorcode": N, "errortext": "..."}. */
void cli_print_error_json(FILE *out, const struct bd_error *err);

/* ---- helpers for command implementations ---- */

/* Value of a required key; NULL with "missing parameter KEY" (431). */
const char *cli_require(const struct kv_args *args, const char *key, struct bd_error *err);

/* {"count": N, "<noun>": items} taking ownership of items (an array). */
json_object *cli_list_response(const char *noun, json_object *items);
/* {"<noun>": object} taking ownership of object. */
json_object *cli_object_response(const char *noun, json_object *object);

/* json-c helpers that add typed fields, ignoring NULL strings. */
void cli_add_string(json_object *obj, const char *key, const char *value);
void cli_add_int(json_object *obj, const char *key, int64_t value);
void cli_add_bool(json_object *obj, const char *key, bool value);
void cli_add_double(json_object *obj, const char *key, double value);
/* ISO 8601 time as CloudStack prints it: 2026-12-03T19:20:10+0000. */
void cli_add_time(json_object *obj, const char *key, time_t when);

/* The help text: every command with its synopsis. */
void cli_print_help(FILE *out);

#endif
