#include "log.h"
#include "paths.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static FILE *log_file;
static int log_tried;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_open_locked(const char *path)
{
	char *owned = NULL;
	int fd;

	log_tried = 1;
	if (!path)
		path = getenv("BOOTDECK_LOG");
	if (!path || !*path)
		path = owned = paths_xdg_file("STATE", "bootdeck.log");
	if (!path || paths_make_parent(path, NULL) < 0)
		goto out;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	log_file = fdopen(fd, "a");
	if (!log_file)
		close(fd);
out:
	free(owned);
}

void log_open(const char *path)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	log_open_locked(path);
	pthread_mutex_unlock(&log_lock);
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	log_tried = 0;
	pthread_mutex_unlock(&log_lock);
}

static void log_vwrite(enum log_level level, const char *context, const char *fmt, va_list ap)
{
	static const char *const names[] = { "INFO", "WARN", "ERROR" };
	char stamp[32];
	struct timespec now;
	struct tm tm;

	pthread_mutex_lock(&log_lock);
	if (!log_file && !log_tried)
		log_open_locked(NULL);
	if (log_file) {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(log_file, "%s.%03ldZ %d %s %s: ", stamp, now.tv_nsec / 1000000L,
			(int)getpid(), names[level], context ? context : "-");
		vfprintf(log_file, fmt, ap);
		fputc('\n', log_file);
		fflush(log_file);
	}
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *context, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, context, fmt, ap);
	va_end(ap);
}

void log_error(const char *context, const struct bd_error *err)
{
	if (err)
		log_msg(LOG_ERROR, context, "[%d] %s", err->code, err->text);
}
