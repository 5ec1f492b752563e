/* The log file (the design document's management-server.log):
 * $XDG_STATE_HOME/bootdeck/bootdeck.log, mode 0600. Every error is written
 * there with its time and context. Logging never fails the caller. */
#ifndef BOOTDECK_BACKEND_LOG_H
#define BOOTDECK_BACKEND_LOG_H

#include "model/error.h"

enum log_level { LOG_INFO, LOG_WARN, LOG_ERROR };

/* Opens the log at path, or the default path when NULL ($BOOTDECK_LOG
 * overrides the default). Without a call, the first message opens it. */
void log_open(const char *path);
void log_close(void);

void log_msg(enum log_level level, const char *context, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logs an error record: "context: [code] text". */
void log_error(const char *context, const struct bd_error *err);

#endif
