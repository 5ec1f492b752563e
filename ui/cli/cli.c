#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/log.h"
#include "backend/recover.h"
#include "backend/store.h"
#include "model/text.h"

/* "verb" + "noun" names "verbNoun" when the letters match, ignoring case. */
static bool words_name(const char *api, const char *verb, const char *noun)
{
	size_t vlen = strlen(verb);

	return strncasecmp(api, verb, vlen) == 0 && noun && strcasecmp(api + vlen, noun) == 0;
}

const struct cli_command *cli_find(int argc, char *const *argv, int *used)
{
	if (argc < 1)
		return NULL;
	if (argc >= 2 && !strchr(argv[1], '=')) {
		for (const struct cli_command *const *c = cli_commands; *c; c++) {
			if (words_name((*c)->api, argv[0], argv[1])) {
				*used = 2;
				return *c;
			}
		}
	}
	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		if (strcasecmp((*c)->api, argv[0]) == 0) {
			*used = 1;
			return *c;
		}
	}
	return NULL;
}

int cli_format_parse(const char *text, enum cli_format *out, struct bd_error *err)
{
	static const char *const names[] = { "json", "table", "csv" };
	char shown[TEXT_QUOTE_MAX];

	for (int i = 0; i < 3; i++) {
		if (strcasecmp(text, names[i]) == 0) {
			*out = (enum cli_format)i;
			return 0;
		}
	}
	return bd_error_set(err, BD_ERR_PARAM, "unknown output format '%s': accepted are json, table, csv",
			    text_quote(text, shown, sizeof shown));
}

static void report_error(FILE *errout, FILE *out, enum cli_format format, const char *context,
			 const struct bd_error *err)
{
	fprintf(errout, "Error %d: %s\n", err->code, err->text);
	if (format == CLI_FORMAT_JSON && out)
		cli_print_error_json(out, err);
	log_error(context, err);
}

int cli_run(struct cli_ctx *ctx, enum cli_format format, int argc, char *const *argv,
	    FILE *out, FILE *errout)
{
	struct bd_error err = { 0 };
	struct kv_args args = { 0 };
	struct reply *reply = NULL;
	const struct cli_command *cmd;
	bool opened_store = false;
	int used = 0;
	int status = 1;

	cmd = cli_find(argc, argv, &used);
	if (!cmd) {
		char shown[TEXT_QUOTE_MAX];

		bd_error_set(&err, BD_ERR_UNSUPPORTED,
			     "unknown command '%s': run 'bootdeck --help' for the list",
			     text_quote(argc ? argv[0] : "", shown, sizeof shown));
		report_error(errout, out, format, "cli", &err);
		return 1;
	}
	if (kv_args_parse(argc - used, argv + used, &args, &err) < 0 ||
	    kv_args_check_known(&args, cmd->keys, &err) < 0)
		goto fail;
	/* No key takes an empty value: say which one was left blank rather
	 * than what a lookup of nothing found. */
	for (size_t i = 0; i < args.count; i++) {
		size_t len;

		text_trim_span(args.items[i].value, &len);
		if (len == 0) {
			bd_error_set(&err, BD_ERR_PARAM, "parameter %s must not be empty",
				     args.items[i].key);
			goto fail;
		}
	}
	if (!ctx->store) {
		ctx->store = store_open(ctx->db_path, &err);
		if (!ctx->store)
			goto fail;
		opened_store = true;
	}
	/* Settle what a killed bootdeck left half done before acting. */
	if (ctx->db_path && recover_at_start(ctx->store, ctx->db_path, NULL, &err) < 0)
		goto fail;
	ctx->out = out;
	reply = reply_new(format);
	if (!reply) {
		bd_error_set(&err, BD_ERR_INTERNAL, "out of memory");
		goto fail;
	}
	if (cmd->exec(ctx, &args, reply, &err) < 0)
		goto fail;
	if (reply_print(reply, out) < 0) {
		bd_error_set(&err, BD_ERR_INTERNAL, "cannot write the output");
		goto fail;
	}
	status = 0;
	goto done;
fail:
	/* After part of a listing went out, a JSON error would only run on
	 * from it: stderr and the exit status say what happened. */
	report_error(errout, reply && reply_streamed(reply) ? NULL : out, format, cmd->api, &err);
done:
	reply_free(reply);
	kv_args_free(&args);
	if (opened_store) {
		store_close(ctx->store);
		ctx->store = NULL;
	}
	return status;
}

void cli_print_error_json(FILE *out, const struct bd_error *err)
{
	struct reply *reply = reply_new(CLI_FORMAT_JSON);

	if (!reply)
		return;
	reply_int(reply, "errorcode", err->code);
	reply_string(reply, "errortext", err->text);
	reply_print(reply, out);
	reply_free(reply);
}

const char *cli_require(const struct kv_args *args, const char *key, struct bd_error *err)
{
	const char *value = kv_args_get(args, key);
	size_t len;

	if (!value) {
		bd_error_set(err, BD_ERR_PARAM, "missing parameter %s", key);
		return NULL;
	}
	text_trim_span(value, &len);
	if (len == 0) {
		bd_error_set(err, BD_ERR_PARAM, "parameter %s must not be empty", key);
		return NULL;
	}
	return value;
}

void cli_print_help(FILE *out)
{
	fputs("Usage:\n"
	      "  bootdeck [--db PATH] [-o json|table|csv] VERB NOUN [key=value ...]\n"
	      "  bootdeck [--db PATH] [-o json|table|csv] apiName [key=value ...]\n"
	      "  bootdeck [--db PATH] [--theme NAME]      (on a terminal: the console)\n"
	      "  bootdeck --help | --version\n"
	      "\n"
	      "Options:\n"
	      "  --db PATH        database file (default $BOOTDECK_DB, else\n"
	      "                   $XDG_DATA_HOME/bootdeck/bootdeck.db)\n"
	      "  -o, --output F   json (default), table or csv\n"
	      "  --theme NAME     console colour theme\n"
	      "  -h, --help       this text\n"
	      "  -V, --version    the version\n"
	      "\n"
	      "Commands (names and keys are case-insensitive; \"create cluster\"\n"
	      "is createCluster; every ...id= also accepts the object's name):\n",
	      out);
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-24s %s\n  %-24s   %s\n", (*c)->api, (*c)->synopsis, "", (*c)->help);
}
