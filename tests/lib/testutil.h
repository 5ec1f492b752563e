/* Small helpers the unit suites share. */
#ifndef BOOTDECK_TESTS_TESTUTIL_H
#define BOOTDECK_TESTS_TESTUTIL_H

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

/* A seeded generator (a 64-bit LCG, high bits): the same seed gives the
 * same fleets and requests on every machine. */
static inline unsigned test_rng(unsigned long long *state, unsigned below)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(*state >> 33) % below;
}

/* Removes a scratch database with its WAL files, then its folder. */
static inline void test_db_remove(const char *path, const char *dir)
{
	char aside[PATH_MAX];

	unlink(path);
	snprintf(aside, sizeof aside, "%s-wal", path);
	unlink(aside);
	snprintf(aside, sizeof aside, "%s-shm", path);
	unlink(aside);
	rmdir(dir);
}

#endif
