/* Where bootdeck keeps its files, following the XDG base directories. */
#ifndef BOOTDECK_BACKEND_PATHS_H
#define BOOTDECK_BACKEND_PATHS_H

#include "model/error.h"

/* $XDG_<kind>_HOME/bootdeck/<leaf>, falling back to the XDG default under
 * $HOME. kind is "DATA", "STATE", "CONFIG" or "CACHE". Owned string. */
char *paths_xdg_file(const char *kind, const char *leaf);

/* Creates every missing folder leading to file `path` with mode 0700. */
int paths_make_parent(const char *path, struct bd_error *err);

#endif
