/* Times the console on a fleet database, rendering headless into its grid
 * (the same drawing the terminal layer copies out, without the terminal):
 *
 *   console-bench DB FRAMES
 *
 * first frame: app_new() (store open, Hosts screen load) + one render;
 * scrolling: FRAMES down/page-down keys on the Hosts table, each rendered;
 * filtering: typing a filter and erasing it, one render per key.
 * Prints "first_ms", "scroll"/"filter" with p50 p99 max in ms, and the
 * process's resident memory (VmRSS, and its peak VmHWM) in KiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/console/app.h"
#include "ui/console/widget.h"

static double cb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cb_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void cb_report(const char *label, double *times, int n)
{
	int p99 = (int)(0.99 * n + 0.999999);

	qsort(times, (size_t)n, sizeof *times, cb_cmp);
	printf("%s %.3f %.3f %.3f\n", label, times[(n + 1) / 2 - 1],
	       times[(p99 < 1 ? 1 : p99 > n ? n : p99) - 1], times[n - 1]);
}

/* One key and the frame it causes. */
static double cb_frame(struct app *app, int key)
{
	double start = cb_now_ms();

	app_key(app, key);
	app_render(app);
	return cb_now_ms() - start;
}

static long cb_status_kib(const char *field)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	size_t len = strlen(field);
	long value = -1;

	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			value = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(fp);
	return value;
}

int main(int argc, char **argv)
{
	static const char filter_text[] = "bench-h01";
	struct bd_error err = { 0 };
	struct app *app = NULL;
	double *times = NULL;
	int frames = argc == 3 ? atoi(argv[2]) : 0;
	int nfilter = 0;
	double start;
	int ret = EXIT_FAILURE;

	if (argc != 3 || frames < 1) {
		fprintf(stderr, "usage: console-bench DB FRAMES (FRAMES >= 1)\n");
		return 2;
	}
	times = calloc((size_t)frames + 2 * sizeof filter_text, sizeof *times);
	if (!times)
		goto cleanup;
	start = cb_now_ms();
	app = app_new(argv[1], &err);
	if (!app) {
		fprintf(stderr, "console-bench: %s\n", err.text);
		goto cleanup;
	}
	app_resize(app, 120, 40);
	app_render(app);
	printf("first_ms %.3f\n", cb_now_ms() - start);
	printf("hosts_rows %zu\n", app->hosts.table.nview);

	/* Mostly single steps, with a page down every tenth frame. */
	for (int f = 0; f < frames; f++)
		times[f] = cb_frame(app, f % 10 == 9 ? CK_PGDN : CK_DOWN);
	cb_report("scroll", times, frames);

	times[nfilter++] = cb_frame(app, '/');
	for (const char *c = filter_text; *c; c++)
		times[nfilter++] = cb_frame(app, (unsigned char)*c);
	printf("filter_rows %zu\n", app->hosts.table.nview);
	for (size_t k = 0; k < sizeof filter_text - 1; k++)
		times[nfilter++] = cb_frame(app, CK_BACKSPACE);
	cb_report("filter", times, nfilter);

	printf("rss_kib %ld\n", cb_status_kib("VmRSS"));
	printf("hwm_kib %ld\n", cb_status_kib("VmHWM"));
	printf("rss_anon_kib %ld\n", cb_status_kib("RssAnon"));
	printf("rss_file_kib %ld\n", cb_status_kib("RssFile"));
	ret = EXIT_SUCCESS;
cleanup:
	app_free(app);
	free(times);
	return ret;
}
