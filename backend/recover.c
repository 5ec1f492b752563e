#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "backend/hostops.h"
#include "backend/log.h"

/* Held for the life of the process; closed by the kernel at exit. */
static int recover_lock_fd = -1;

static int recover_lock_open(const char *db_path, struct bd_error *err)
{
	char *path = NULL;
	int fd;

	if (asprintf(&path, "%s.lock", db_path) < 0)
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory naming the lock of '%s'",
				    db_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		bd_error_set(err, BD_ERR_INTERNAL, "cannot open lock file '%s': %s", path,
			     strerror(errno));
	free(path);
	return fd;
}

static int recover_flock(int fd, int how)
{
	int rc;

	do
		rc = flock(fd, how);
	while (rc < 0 && errno == EINTR);
	return rc;
}

static void recover_note(struct store *store, const struct vm *vm, enum event_level level,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void recover_note(struct store *store, const struct vm *vm, enum event_level level,
			 const char *fmt, ...)
{
	char text[BD_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	store_event_add(store, "VM.RECOVER", level, vm->id[0] ? vm->id : NULL, text);
	if (level == EVENT_ERROR)
		store_alert_add(store, "VM.RECOVER", vm->id[0] ? vm->id : NULL, text);
	log_msg(level == EVENT_ERROR ? LOG_ERROR : LOG_WARN, "recover", "%s", text);
}

/* Finishes an expunge that was cut short: guest, definition with its
 * NVRAM, disk, then the record. */
static int recover_expunge(struct store *store, struct vm *vm, struct host_session *s,
			   bool exists, bool running, struct bd_error *err)
{
	if (s) {
		if ((running && s->drv->destroy(s->conn, vm->name, err) < 0) ||
		    (exists && s->drv->undefine(s->conn, vm->name, err) < 0) ||
		    (vm->disk && s->drv->disk_delete(s->conn, vm->disk, err) < 0))
			return -1;
	}
	if (store_vm_delete(store, vm->id, err) < 0)
		return -1;
	recover_note(store, vm, EVENT_WARN, "VM '%s' was left Expunging; its expunge was finished",
		     vm->name);
	return 0;
}

/* Settles one VM left in a passing state. */
static void recover_vm(struct store *store, struct vm *vm, struct recover_stats *stats)
{
	struct host host = { 0 };
	struct host_session session = { 0 };
	struct bd_error hv_err = { 0 };
	enum vm_state was = vm->state;
	enum vm_state next;
	bool exists = false, running = false;
	bool reached = false;

	if (vm->host_id[0] && store_host_get(store, vm->host_id, &host, &hv_err) == 0 &&
	    hostops_open(store, &host, &session, &hv_err) == 0 &&
	    session.drv->state(session.conn, vm->name, &exists, &running, &hv_err) == 0)
		reached = true;
	else if (hv_err.code == BD_ERR_UNAVAILABLE && host.id[0])
		hostops_mark_disconnected(store, &host, &hv_err);

	if (was == VM_STATE_EXPUNGING && (reached || !vm->host_id[0])) {
		if (recover_expunge(store, vm, reached ? &session : NULL, exists, running, &hv_err) == 0) {
			stats->expunged++;
			goto out;
		}
	}
	/* The operator asked for the guest to stop, and the killed process's
	 * request may still be on its way: finish it (forced) rather than
	 * record a guest that is about to go away as Running. */
	if (was == VM_STATE_STOPPING && reached && running) {
		if (session.drv->destroy(session.conn, vm->name, &hv_err) == 0)
			running = false;
		else
			reached = false;
	}
	if (!reached && vm->host_id[0]) {
		next = VM_STATE_ERROR;
		recover_note(store, vm, EVENT_ERROR,
			     "VM '%s' was left %s and host '%s' cannot be checked (%s): marked Error",
			     vm->name, vm_state_name(was), host.name[0] ? host.name : vm->host_id,
			     hv_err.text[0] ? hv_err.text : "unknown host");
	} else if (running) {
		next = VM_STATE_RUNNING;
	} else if (exists) {
		next = VM_STATE_STOPPED;
	} else {
		next = VM_STATE_ERROR;
		recover_note(store, vm, EVENT_ERROR,
			     "VM '%s' was left %s with no domain on host '%s': marked Error",
			     vm->name, vm_state_name(was), host.name[0] ? host.name : "(none)");
	}
	if (store_vm_set_state(store, vm->id, next, NULL) < 0)
		goto out;
	if (next != VM_STATE_ERROR)
		recover_note(store, vm, EVENT_WARN, "VM '%s' was left %s; host '%s' reports it %s",
			     vm->name, vm_state_name(was), host.name, vm_state_name(next));
	stats->settled++;
out:
	host_clear(&host);
}

static bool recover_disk_owned(const struct vm *vms, size_t nvm, const char *path)
{
	for (size_t i = 0; i < nvm; i++) {
		if (vms[i].disk && strcmp(vms[i].disk, path) == 0)
			return true;
	}
	return false;
}

/* A guest bootdeck made (its UUID is a VM id) on a host its record does
 * not name. Running, for a record in Error that lost its guest (a
 * migration cut short after the source's copy went), it is adopted.
 * Otherwise it is a copy a cut-short deploy or migration left: removed;
 * a disk the record names stays with the record. */
static void recover_guest(struct store *store, struct host *host, struct host_session *s,
			  const char *name, struct recover_stats *stats)
{
	struct bd_error hv_err = { 0 };
	struct vm vm = { 0 };
	char uuid[37] = "";
	bool exists = false, running = false;

	if (strncmp(name, "bootdeck-canary", 15) == 0 ||
	    s->drv->guest_uuid(s->conn, name, uuid, &hv_err) < 0 ||
	    store_vm_get(store, uuid, &vm, NULL) < 0)
		return;
	if (strcmp(vm.id, uuid) != 0 || strcmp(vm.host_id, host->id) == 0)
		goto out;
	if (s->drv->state(s->conn, name, &exists, &running, &hv_err) < 0 || !exists)
		goto out;
	if (running && vm.state == VM_STATE_ERROR && strcmp(vm.name, name) == 0) {
		snprintf(vm.host_id, sizeof vm.host_id, "%s", host->id);
		snprintf(vm.host_name, sizeof vm.host_name, "%s", host->name);
		snprintf(vm.cluster_id, sizeof vm.cluster_id, "%s", host->cluster_id);
		vm.state = running ? VM_STATE_RUNNING : VM_STATE_STOPPED;
		if (store_vm_update(store, &vm, NULL) < 0)
			goto out;
		recover_note(store, &vm, EVENT_WARN,
			     "VM '%s' had lost its guest, found %s on host '%s': record moved there",
			     vm.name, vm_state_name(vm.state), host->name);
		stats->adopted++;
		goto out;
	}
	if ((running && s->drv->destroy(s->conn, name, &hv_err) < 0) ||
	    s->drv->undefine(s->conn, name, &hv_err) < 0) {
		recover_note(store, &vm, EVENT_ERROR,
			     "leftover guest '%s' of VM '%s' on host '%s' cannot be removed: %s",
			     name, vm.name, host->name, hv_err.text);
		goto out;
	}
	recover_note(store, &vm, EVENT_WARN,
		     "removed leftover guest '%s' from host '%s': VM '%s' lives on host '%s'", name,
		     host->name, vm.name, vm.host_name[0] ? vm.host_name : "(none)");
	stats->orphan_guests++;
out:
	vm_clear(&vm);
}

/* Clears one host of what interrupted work left there. Needs no other
 * bootdeck alive. */
static int recover_sweep_one(struct store *store, struct host *host, struct recover_stats *stats,
			     struct bd_error *err)
{
	struct vm_filter all = { .state = -1 };
	struct host_session s = { 0 };
	struct vm *vms = NULL;
	char **names = NULL, **disks = NULL;
	size_t nname = 0, ndisk = 0, nvm = 0;
	int rc = -1;

	if (hostops_open(store, host, &s, err) < 0)
		return -1;
	if (s.drv->list(s.conn, &names, &nname, err) < 0)
		goto out;
	for (size_t i = 0; i < nname; i++)
		recover_guest(store, host, &s, names[i], stats);
	/* Only the disks a deploy makes: "<vm>.qcow2" overlays. Serial logs
	 * and NVRAM copies in the same folder belong to guests. */
	if (!s.drv->disk_list || s.drv->disk_list(s.conn, &disks, &ndisk, err) < 0 ||
	    store_vm_list(store, &all, &vms, &nvm, err) < 0)
		goto out;
	for (size_t i = 0; i < ndisk; i++) {
		struct bd_error hv_err = { 0 };
		struct vm none = { 0 };
		size_t len = strlen(disks[i]);

		if (len < 6 || strcmp(disks[i] + len - 6, ".qcow2") != 0 ||
		    recover_disk_owned(vms, nvm, disks[i]))
			continue;
		if (s.drv->disk_delete(s.conn, disks[i], &hv_err) < 0) {
			recover_note(store, &none, EVENT_ERROR,
				     "leftover disk '%s' on host '%s' cannot be removed: %s", disks[i],
				     host->name, hv_err.text);
			continue;
		}
		recover_note(store, &none, EVENT_WARN,
			     "removed leftover disk '%s' from host '%s': no VM owns it", disks[i],
			     host->name);
		stats->orphan_disks++;
	}
	rc = 0;
out:
	for (size_t i = 0; i < nname; i++)
		free(names[i]);
	free(names);
	for (size_t i = 0; i < ndisk; i++)
		free(disks[i]);
	free(disks);
	store_vm_list_free(vms, nvm);
	return rc;
}

/* Every Up host, after interrupted work was found: a deploy cut short
 * between its disk and its record, or a migration between its two hosts,
 * leaves things on hosts the records do not point at. */
static void recover_sweep_all(struct store *store, struct recover_stats *stats)
{
	struct host *hosts = NULL;
	size_t nhost = 0;

	if (store_host_list(store, NULL, &hosts, &nhost, NULL) < 0)
		return;
	for (size_t i = 0; i < nhost; i++) {
		struct bd_error hv_err = { 0 };

		if (hosts[i].state == HOST_STATE_UP)
			recover_sweep_one(store, &hosts[i], stats, &hv_err);
	}
	store_host_list_free(hosts, nhost);
}

static int recover_settle(struct store *store, struct recover_stats *stats, struct bd_error *err)
{
	static const enum vm_state passing[] = {
		VM_STATE_STARTING, VM_STATE_STOPPING, VM_STATE_MIGRATING, VM_STATE_EXPUNGING,
	};

	for (size_t i = 0; i < sizeof passing / sizeof passing[0]; i++) {
		struct vm_filter filter = { .state = (int)passing[i] };
		struct vm *vms = NULL;
		size_t nvm = 0;

		if (store_vm_list(store, &filter, &vms, &nvm, err) < 0)
			return -1;
		for (size_t v = 0; v < nvm; v++) {
			stats->checked++;
			recover_vm(store, &vms[v], stats);
		}
		store_vm_list_free(vms, nvm);
	}
	if (stats->checked > 0)
		recover_sweep_all(store, stats);
	return 0;
}

int recover_at_start(struct store *store, const char *db_path, struct recover_stats *stats,
		     struct bd_error *err)
{
	struct recover_stats ignored;
	int rc = 0;

	if (!stats)
		stats = &ignored;
	memset(stats, 0, sizeof *stats);
	if (recover_lock_fd >= 0)
		return 0;
	recover_lock_fd = recover_lock_open(db_path, err);
	if (recover_lock_fd < 0)
		return -1;
	if (recover_flock(recover_lock_fd, LOCK_EX | LOCK_NB) == 0) {
		rc = recover_settle(store, stats, err);
	} else {
		stats->skipped = true;
	}
	/* Converting to shared waits only for a process still recovering. */
	if (recover_flock(recover_lock_fd, LOCK_SH) < 0 && rc == 0)
		rc = bd_error_set(err, BD_ERR_INTERNAL, "cannot lock '%s.lock': %s", db_path,
				  strerror(errno));
	return rc;
}

int recover_sweep_host(struct store *store, const char *host_id, struct recover_stats *stats,
		       struct bd_error *err)
{
	struct recover_stats ignored;
	struct host host = { 0 };
	int rc = 0;

	if (!stats)
		stats = &ignored;
	memset(stats, 0, sizeof *stats);
	/* Exclusive for the sweep, then shared again: fails at once while any
	 * other bootdeck holds its share. */
	if (recover_lock_fd < 0 || recover_flock(recover_lock_fd, LOCK_EX | LOCK_NB) < 0) {
		stats->skipped = true;
		if (recover_lock_fd >= 0)
			recover_flock(recover_lock_fd, LOCK_SH);
		return 0;
	}
	if (store_host_get(store, host_id, &host, err) < 0)
		rc = -1;
	else if (host.state == HOST_STATE_UP)
		rc = recover_sweep_one(store, &host, stats, err);
	host_clear(&host);
	if (recover_flock(recover_lock_fd, LOCK_SH) < 0 && rc == 0)
		rc = bd_error_set(err, BD_ERR_INTERNAL, "cannot take the lock back: %s",
				  strerror(errno));
	return rc;
}
