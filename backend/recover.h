/* Startup recovery: a bootdeck process killed mid-operation (kill -9, power
 * loss) leaves VMs in a passing state (Starting, Stopping, Migrating,
 * Expunging) that no one will finish. The next process to start with no
 * other bootdeck alive on the same database settles each of them against
 * its hypervisor, then clears what the cut-short work left on the hosts:
 * guests on a host their record does not name, disks no record owns.
 *
 * Liveness is a lock file beside the database ("<db>.lock", mode 0600):
 * every process holds it shared for its whole life, and recovery runs only
 * when it can be taken exclusively, so an operation still in progress in
 * another process is never mistaken for a stuck one. The kernel drops the
 * lock of a killed process. With nothing stuck, recovery costs one indexed
 * query per passing state. */
#ifndef BOOTDECK_BACKEND_RECOVER_H
#define BOOTDECK_BACKEND_RECOVER_H

#include <stdbool.h>

#include "backend/store.h"
#include "model/error.h"

struct recover_stats {
	int checked;      /* VMs found in a passing state */
	int settled;      /* moved to Running, Stopped or Error */
	int expunged;     /* interrupted expunges finished */
	bool skipped;     /* another bootdeck process is alive: nothing done */
	int orphan_guests;  /* bootdeck guests no record placed on their host: removed */
	int adopted;        /* guests whose record had lost them: record moved there */
	int orphan_disks;   /* disks in bootdeck's storage no record names: removed */
};

/* Takes this process's shared hold on db_path's lock file (once per
 * process) and, when no other process holds it, settles every VM left in
 * a passing state first. stats may be NULL. Returns -1 only when the lock
 * file cannot be used; hypervisor trouble is recorded on the VMs. */
int recover_at_start(struct store *store, const char *db_path, struct recover_stats *stats,
		     struct bd_error *err);

/* Removes what bootdeck itself left on host_id with no record owning it,
 * once the host is back (reconnectHost): guests made by bootdeck (their
 * UUID is a VM id) whose record places the VM on another host, and disks
 * in bootdeck's storage that no record names. Runs only when this process
 * holds the lock and no other bootdeck is alive (a deploy in flight owns
 * a disk before its record says so); otherwise sets stats->skipped and
 * leaves it to the next start. stats may be NULL. */
int recover_sweep_host(struct store *store, const char *host_id, struct recover_stats *stats,
		       struct bd_error *err);

#endif
