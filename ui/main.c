/* bootdeck: the console on a terminal, the CLI with a command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ui/cli/cli.h"
#include "ui/console/console.h"
#include "backend/store.h"

struct main_options {
	const char *db_path;
	const char *theme;
	enum cli_format format;
};

/* Progress of slow CLI work on stderr, only where a person watches. */
static void progress_to_stderr(void *opaque, int step, int steps, const char *message)
{
	(void)opaque;
	fprintf(stderr, "\r\033[K[%d/%d] %s", step, steps, message);
	if (step >= steps)
		fputc('\n', stderr);
	fflush(stderr);
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "theme", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct main_options opts = { .format = CLI_FORMAT_JSON };
	struct cli_ctx ctx = { 0 };
	struct bd_error err = { 0 };
	char *default_db = NULL;
	int c, status;

	while ((c = getopt_long(argc, argv, "+o:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'd':
			opts.db_path = optarg;
			break;
		case 'o':
			if (cli_format_parse(optarg, &opts.format, &err) < 0) {
				fprintf(stderr, "bootdeck: %s\n", err.text);
				return 2;
			}
			break;
		case 't':
			opts.theme = optarg;
			break;
		case 'h':
			cli_print_help(stdout);
			return 0;
		case 'V':
			printf("bootdeck %s\n", BOOTDECK_VERSION);
			return 0;
		default:
			fputs("Run 'bootdeck --help' for usage.\n", stderr);
			return 2;
		}
	}
	if (!opts.db_path) {
		default_db = store_default_path();
		opts.db_path = default_db;
	}
	if (optind >= argc) {
		status = console_main(opts.db_path, opts.theme);
		free(default_db);
		return status;
	}
	ctx.db_path = opts.db_path;
	if (isatty(STDERR_FILENO))
		ctx.progress = progress_to_stderr;
	status = cli_run(&ctx, opts.format, argc - optind, argv + optind, stdout, stderr);
	free(default_db);
	return status;
}
