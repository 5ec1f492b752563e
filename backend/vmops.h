/* VM operations shared by the CLI and the console: deploy (validate, plan,
 * reserve, create the disk, define and start, record), the lifecycle, and
 * reconciliation with the hypervisor. Each writes events (VM.CREATE,
 * VM.START, ...); failures also raise an alert. */
#ifndef BOOTDECK_BACKEND_VMOPS_H
#define BOOTDECK_BACKEND_VMOPS_H

#include "backend/hv.h"
#include "backend/store.h"
#include "model/planner.h"

struct deploy_request {
	const char *name;
	const char *displayname;      /* or NULL */
	const char *template_id;      /* id or name */
	const char *offering_id;      /* id or name */
	const char *boottype;         /* raw parameter text, or NULL */
	const char *bootmode;         /* raw parameter text, or NULL */
	const char *cluster_id;       /* or NULL */
	const char *host_id;          /* or NULL */
	bool start;                   /* startvm, default true */
};

/* The planner's decision with its trail, with names resolved for display. */
struct placement {
	char host_id[ID_LEN];         /* empty when nothing fits */
	char host_name[NAME_SIZE];
	char cluster_id[ID_LEN];
	char *trail_json;             /* owned: [{"cluster":..,"host":..,"reason":..}, ...] */
	char *summary;                /* owned: one line, e.g. "host kvm-3: first with room for UEFI SECURE" */
};

void placement_clear(struct placement *placement);

/* Plans without reserving anything, for the console's review step. */
int vmops_preview(struct store *store, const struct deploy_request *req,
		  struct placement *out, struct bd_error *err);

/* Deploys; out gets the stored VM (its placement field holds the trail). */
int vmops_deploy(struct store *store, const struct deploy_request *req, struct vm *out,
		 hv_progress_fn progress, void *opaque, struct bd_error *err);

int vmops_start(struct store *store, const char *vm_id, struct vm *out,
		hv_progress_fn progress, void *opaque, struct bd_error *err);
int vmops_stop(struct store *store, const char *vm_id, bool forced, struct vm *out,
	       struct bd_error *err);
int vmops_reboot(struct store *store, const char *vm_id, struct vm *out, struct bd_error *err);
/* Destroys the guest; with expunge also its domain, NVRAM, overlay and record. */
int vmops_destroy(struct store *store, const char *vm_id, bool expunge, struct vm *out,
		  struct bd_error *err);
int vmops_migrate(struct store *store, const char *vm_id, const char *host_id, struct vm *out,
		  struct bd_error *err);

/* Checks recorded states against the hypervisors; a VM whose domain
 * vanished becomes Error with an alert. vm_id NULL: every VM. */
int vmops_reconcile(struct store *store, const char *vm_id, struct bd_error *err);

/* For hostops: re-creates on a simulated host the domains on record
 * there (defined, and running where recorded so). */
struct host_session;
int vmops_restore_host(struct store *store, const struct host *host,
		       struct host_session *session, struct bd_error *err);

#endif
