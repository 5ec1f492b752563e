/* One background job at a time: deploys, probes and lifecycle calls run
 * here with their own store handle, so the screen keeps drawing. The UI
 * thread polls worker_poll() between keys. */
#ifndef BOOTDECK_CONSOLE_WORKER_H
#define BOOTDECK_CONSOLE_WORKER_H

#include <pthread.h>
#include <stdbool.h>

#include "model/error.h"
#include "model/types.h"

enum job_kind {
	JOB_DEPLOY,
	JOB_HOST_ADD,
	JOB_HOST_RECONNECT,
	JOB_HOST_ENABLE,
	JOB_HOST_DISABLE,
	JOB_HOST_DELETE,
	JOB_VM_START,
	JOB_VM_STOP,
	JOB_VM_FORCE_STOP,
	JOB_VM_REBOOT,
	JOB_VM_MIGRATE,
	JOB_VM_DESTROY,
	JOB_VM_EXPUNGE,
	JOB_KIND_LAST
};

#define JOB_ARG_MAX 512

/* A job's inputs are copies: the screen may change while it runs. */
struct job {
	enum job_kind kind;
	char object[NAME_SIZE];    /* name for messages */
	char id[JOB_ARG_MAX];      /* VM or host id; the URL for JOB_HOST_ADD */
	char target[JOB_ARG_MAX];  /* migrate: host id; add host: cluster */
	char extra[JOB_ARG_MAX];   /* add host: uefi.properties path */
	char virt_type[8];         /* add host: "kvm", "qemu" or "" (kvm when offered) */
	/* deploy */
	char name[NAME_SIZE];
	char template_id[ID_LEN];
	char offering_id[ID_LEN];
	char boottype[8];
	char bootmode[8];
	char cluster_id[ID_LEN];
	char host_id[ID_LEN];
	/* results */
	int rc;
	struct bd_error err;
	char result_id[ID_LEN];    /* the VM or host the job produced */
};

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	bool running;              /* a thread exists and is not joined */
	bool finished;             /* under lock: the job returned */
	int step;                  /* under lock */
	int steps;
	char message[128];
	struct job job;
	char *db_path;
};

/* What a job kind does, for progress text and messages ("Deploying"). */
const char *job_kind_verb(enum job_kind kind);

int worker_init(struct worker *worker, const char *db_path);
/* Joins a running job first. */
void worker_free(struct worker *worker);
/* Starts a job; 534 when one is running already. */
int worker_start(struct worker *worker, const struct job *job, struct bd_error *err);
/* True once when a job has finished: *out gets its record. */
bool worker_poll(struct worker *worker, struct job *out);
/* Blocks until the running job finishes (tests, quit). */
bool worker_wait(struct worker *worker, struct job *out);
void worker_progress(struct worker *worker, int *step, int *steps, char *message,
		     size_t size);

#endif
