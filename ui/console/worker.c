#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/hostops.h"
#include "backend/recover.h"
#include "backend/store.h"
#include "backend/vmops.h"

static const char *const job_kind_verbs[] = {
	[JOB_DEPLOY] = "Deploying",
	[JOB_HOST_ADD] = "Adding host",
	[JOB_HOST_RECONNECT] = "Reconnecting",
	[JOB_HOST_ENABLE] = "Enabling",
	[JOB_HOST_DISABLE] = "Disabling",
	[JOB_HOST_DELETE] = "Deleting",
	[JOB_VM_START] = "Starting",
	[JOB_VM_STOP] = "Stopping",
	[JOB_VM_FORCE_STOP] = "Force stopping",
	[JOB_VM_REBOOT] = "Rebooting",
	[JOB_VM_MIGRATE] = "Migrating",
	[JOB_VM_DESTROY] = "Destroying",
	[JOB_VM_EXPUNGE] = "Expunging",
};

const char *job_kind_verb(enum job_kind kind)
{
	if ((int)kind < 0 || kind >= JOB_KIND_LAST)
		return "?";
	return job_kind_verbs[kind];
}

int worker_init(struct worker *worker, const char *db_path)
{
	memset(worker, 0, sizeof *worker);
	pthread_mutex_init(&worker->lock, NULL);
	worker->db_path = strdup(db_path);
	return worker->db_path ? 0 : -1;
}

void worker_free(struct worker *worker)
{
	if (!worker)
		return;
	if (worker->running)
		worker_wait(worker, NULL);
	pthread_mutex_destroy(&worker->lock);
	free(worker->db_path);
	worker->db_path = NULL;
}

static void worker_report(void *opaque, int step, int steps, const char *message)
{
	struct worker *worker = opaque;

	pthread_mutex_lock(&worker->lock);
	worker->step = step;
	worker->steps = steps;
	snprintf(worker->message, sizeof worker->message, "%s", message ? message : "");
	pthread_mutex_unlock(&worker->lock);
}

static const char *job_opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

static int worker_run_host(struct store *store, struct job *job, struct worker *worker)
{
	struct host host = { 0 };
	int rc = -1;

	switch (job->kind) {
	case JOB_HOST_ADD: {
		struct host_add_request req = {
			.cluster_id = job->target,
			.url = job->id,
			.uefi_properties = job_opt(job->extra),
			.virt_type = job_opt(job->virt_type),
		};

		rc = hostops_add(store, &req, &host, worker_report, worker, &job->err);
		break;
	}
	case JOB_HOST_RECONNECT:
		rc = hostops_reconnect(store, job->id, &host, worker_report, worker, &job->err);
		if (rc == 0)
			rc = recover_sweep_host(store, host.id, NULL, &job->err);
		break;
	case JOB_HOST_ENABLE:
	case JOB_HOST_DISABLE:
		rc = hostops_set_allocation(store, job->id,
					    job->kind == JOB_HOST_ENABLE ? ALLOCATION_ENABLED
									 : ALLOCATION_DISABLED,
					    &host, &job->err);
		break;
	case JOB_HOST_DELETE:
		rc = hostops_delete(store, job->id, &job->err);
		break;
	default:
		break;
	}
	if (rc == 0 && host.id[0])
		snprintf(job->result_id, sizeof job->result_id, "%s", host.id);
	host_clear(&host);
	return rc;
}

static int worker_run_vm(struct store *store, struct job *job, struct worker *worker)
{
	struct vm vm = { 0 };
	int rc = -1;

	switch (job->kind) {
	case JOB_DEPLOY: {
		struct deploy_request req = {
			.name = job->name,
			.template_id = job->template_id,
			.offering_id = job->offering_id,
			.boottype = job->boottype,
			.bootmode = job->bootmode,
			.cluster_id = job_opt(job->cluster_id),
			.host_id = job_opt(job->host_id),
			.start = true,
		};

		rc = vmops_deploy(store, &req, &vm, worker_report, worker, &job->err);
		break;
	}
	case JOB_VM_START:
		rc = vmops_start(store, job->id, &vm, worker_report, worker, &job->err);
		break;
	case JOB_VM_STOP:
	case JOB_VM_FORCE_STOP:
		rc = vmops_stop(store, job->id, job->kind == JOB_VM_FORCE_STOP, &vm, &job->err);
		break;
	case JOB_VM_REBOOT:
		rc = vmops_reboot(store, job->id, &vm, &job->err);
		break;
	case JOB_VM_MIGRATE:
		rc = vmops_migrate(store, job->id, job->target, &vm, &job->err);
		break;
	case JOB_VM_DESTROY:
	case JOB_VM_EXPUNGE:
		rc = vmops_destroy(store, job->id, job->kind == JOB_VM_EXPUNGE, &vm, &job->err);
		break;
	default:
		break;
	}
	if (rc == 0 && vm.id[0])
		snprintf(job->result_id, sizeof job->result_id, "%s", vm.id);
	vm_clear(&vm);
	return rc;
}

static void *worker_main(void *opaque)
{
	struct worker *worker = opaque;
	struct job *job = &worker->job;
	/* SQLite handles belong to one thread: this job gets its own. */
	struct store *store = store_open(worker->db_path, &job->err);

	if (!store) {
		job->rc = -1;
	} else if (job->kind >= JOB_HOST_ADD && job->kind <= JOB_HOST_DELETE) {
		job->rc = worker_run_host(store, job, worker);
	} else {
		job->rc = worker_run_vm(store, job, worker);
	}
	store_close(store);
	pthread_mutex_lock(&worker->lock);
	worker->finished = true;
	pthread_mutex_unlock(&worker->lock);
	return NULL;
}

int worker_start(struct worker *worker, const struct job *job, struct bd_error *err)
{
	if (worker->running)
		return bd_error_set(err, BD_ERR_UNAVAILABLE,
				    "'%s' is still running: wait for it to finish",
				    job_kind_verb(worker->job.kind));
	worker->job = *job;
	worker->job.rc = 0;
	bd_error_clear(&worker->job.err);
	worker->job.result_id[0] = '\0';
	worker->finished = false;
	worker->step = 0;
	worker->steps = 0;
	snprintf(worker->message, sizeof worker->message, "%s '%s'", job_kind_verb(job->kind),
		 job->object);
	if (pthread_create(&worker->thread, NULL, worker_main, worker) != 0)
		return bd_error_set(err, BD_ERR_INTERNAL, "cannot start a worker thread for '%s'",
				    job->object);
	worker->running = true;
	return 0;
}

bool worker_poll(struct worker *worker, struct job *out)
{
	bool finished;

	if (!worker->running)
		return false;
	pthread_mutex_lock(&worker->lock);
	finished = worker->finished;
	pthread_mutex_unlock(&worker->lock);
	if (!finished)
		return false;
	pthread_join(worker->thread, NULL);
	worker->running = false;
	if (out)
		*out = worker->job;
	return true;
}

bool worker_wait(struct worker *worker, struct job *out)
{
	if (!worker->running)
		return false;
	pthread_join(worker->thread, NULL);
	worker->running = false;
	worker->finished = true;
	if (out)
		*out = worker->job;
	return true;
}

void worker_progress(struct worker *worker, int *step, int *steps, char *message,
		     size_t size)
{
	pthread_mutex_lock(&worker->lock);
	*step = worker->step;
	*steps = worker->steps;
	snprintf(message, size, "%s", worker->message);
	pthread_mutex_unlock(&worker->lock);
}
