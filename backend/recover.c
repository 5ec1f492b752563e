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
	store_event_add(store, "VM.RECOVER", level, vm->id, text);
	if (level == EVENT_ERROR)
		store_alert_add(store, "VM.RECOVER", vm->id, text);
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
