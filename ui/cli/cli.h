/* The scriptable front door, in the style of cloudmonkey: every command is
 * a row in a table, named by its CloudStack API name (createCluster), also
 * reachable as "VERB NOUN" (create cluster). A command writes its answer,
 * shaped as CloudStack's, to a reply (reply.h), which prints it as JSON, a
 * table or CSV. */
#ifndef BOOTDECK_UI_CLI_H
#define BOOTDECK_UI_CLI_H

#include <stdio.h>

#include "backend/hv.h"
#include "model/args.h"
#include "model/error.h"
#include "reply.h"

struct store;

struct cli_ctx {
	struct store *store;
	const char *db_path;
	/* Where the answer goes, set by cli_run(): a listing streams to it. */
	FILE *out;
	/* Progress of slow work; prints to stderr when it is a terminal. */
	hv_progress_fn progress;
	void *progress_opaque;
};

struct cli_command {
	const char *api;            /* CloudStack API name: "createCluster" */
	const char *const *keys;    /* accepted keys (lower case), NULL-terminated */
	const char *synopsis;       /* "name= [cpuovercommitratio=]" */
	const char *help;           /* one line */
	/* Runs the command, writing its answer to reply, such as
	 * {"cluster": {...}} or {"count": N, "cluster": [...]}. On failure
	 * what it wrote is dropped and only the error is printed (but for
	 * what a streaming listing already wrote: reply_stream()). */
	int (*exec)(struct cli_ctx *ctx, const struct kv_args *args, struct reply *reply,
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

/* Prints the error as {"errorcode": N, "errortext": "..."}. */
void cli_print_error_json(FILE *out, const struct bd_error *err);

/* ---- helpers for command implementations ---- */

/* Value of a required key; NULL with "missing parameter KEY" (431). */
const char *cli_require(const struct kv_args *args, const char *key, struct bd_error *err);

/* The help text: every command with its synopsis. */
void cli_print_help(FILE *out);

#endif
