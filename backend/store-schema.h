/* The store's schema: forward migrations kept in PRAGMA user_version.
 * Private to the store. */
#ifndef BOOTDECK_BACKEND_STORE_SCHEMA_H
#define BOOTDECK_BACKEND_STORE_SCHEMA_H

#include <sqlite3.h>

#include "model/error.h"

/* The version this code writes; newer databases are refused. */
int store_schema_latest(void);

/* Reads user_version of db. Returns it, or -1 with a 530 error. */
int store_schema_read_version(sqlite3 *db, const char *path, struct bd_error *err);

/* Brings db to the latest version, each migration in its own write
 * transaction. `path` names the file in messages. Returns the version now
 * in use, or -1 with err filled (nothing of a failed step is kept). */
int store_schema_migrate(sqlite3 *db, const char *path, struct bd_error *err);

#endif
