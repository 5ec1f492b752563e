/* The SQLite store: one database file holding every operator choice.
 *
 * WAL journal, foreign keys on, a busy timeout; prepared statements only.
 * The schema version lives in PRAGMA user_version and forward migrations
 * run in order at open; a database written by a newer bootdeck is refused.
 *
 * Lookups take an id or a name ("...id= also accepts the name"). Functions
 * return 0, or -1 with err filled: 431 for an unknown object or a refused
 * change (the message names the object), 530 for database failures. Lists
 * return owned arrays released with the matching *_list_free(). */
#ifndef BOOTDECK_BACKEND_STORE_H
#define BOOTDECK_BACKEND_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/error.h"
#include "model/types.h"

struct store;

/* Opens (creating when absent) the database at path, with mode 0600 and its
 * folder 0700, and migrates it to the current schema. */
struct store *store_open(const char *path, struct bd_error *err);
void store_close(struct store *store);
/* For a long-lived process (the console): SQLite's default 2 MiB page cache
 * instead of room for a whole fleet's listing. What it lists it keeps in
 * its own tables, and the file's pages stay in the OS cache anyway. */
int store_cache_small(struct store *store, struct bd_error *err);

/* $BOOTDECK_DB, else $XDG_DATA_HOME/bootdeck/bootdeck.db (~/.local/share).
 * Returns an owned string. */
char *store_default_path(void);

int store_schema_version(struct store *store);

/* Write transactions take the write lock up front (BEGIN IMMEDIATE), so
 * choosing and reserving capacity cannot interleave across processes. */
int store_begin(struct store *store, struct bd_error *err);
int store_commit(struct store *store, struct bd_error *err);
void store_rollback(struct store *store);

/* ---- clusters ---- */
int store_cluster_insert(struct store *store, struct cluster *cluster, struct bd_error *err);
int store_cluster_get(struct store *store, const char *id_or_name, struct cluster *out,
		      struct bd_error *err);
int store_cluster_list(struct store *store, struct cluster **out, size_t *count,
		       struct bd_error *err);
int store_cluster_update(struct store *store, const struct cluster *cluster, struct bd_error *err);
/* Refused while hosts belong to it. */
int store_cluster_delete(struct store *store, const char *id, struct bd_error *err);

/* ---- templates ---- */
int store_template_insert(struct store *store, struct template *tmpl, struct bd_error *err);
int store_template_get(struct store *store, const char *id_or_name, struct template *out,
		       struct bd_error *err);
int store_template_list(struct store *store, struct template **out, size_t *count,
			struct bd_error *err);
void store_template_list_free(struct template *list, size_t count);
/* Refused while VMs use it. */
int store_template_delete(struct store *store, const char *id, struct bd_error *err);

/* ---- service offerings ---- */
int store_offering_insert(struct store *store, struct service_offering *offering,
			  struct bd_error *err);
int store_offering_get(struct store *store, const char *id_or_name,
		       struct service_offering *out, struct bd_error *err);
int store_offering_list(struct store *store, struct service_offering **out, size_t *count,
			struct bd_error *err);
int store_offering_delete(struct store *store, const char *id, struct bd_error *err);

/* ---- hosts ---- */
struct host_filter {
	const char *id;          /* id or name, or NULL */
	const char *cluster_id;  /* id or name, or NULL */
	int uefi;                /* -1 any, 0 without UEFI, 1 with UEFI */
};

/* Inserts the host and its details (caps included); fills host->id. */
int store_host_insert(struct store *store, struct host *host, struct bd_error *err);
/* Rewrites state, allocation, node facts, caps and last_error. */
int store_host_update(struct store *store, const struct host *host, struct bd_error *err);
/* Fills cpu_allocated/memory_allocated_mib from the VMs that are Starting,
 * Running or Migrating on it, and cluster_name. */
int store_host_get(struct store *store, const char *id_or_name, struct host *out,
		   struct bd_error *err);
struct detail;
/* A walk over the hosts a filter selects, in onboarding order, all read in
 * one snapshot: begin (may be NULL) gets their number first, then host gets
 * each one with its caps loaded and its details by key. Both belong to the
 * walk; host may take the host, leaving it cleared. Either returning -1
 * ends the walk with that error. Memory stays that of one host, however
 * many there are. */
struct store_host_walk {
	int (*begin)(void *opaque, size_t count, struct bd_error *err);
	int (*host)(void *opaque, struct host *host, const struct detail *details,
		    size_t ndetail, struct bd_error *err);
	void *opaque;
};
int store_host_each(struct store *store, const struct host_filter *filter,
		    const struct store_host_walk *walk, struct bd_error *err);
/* The same hosts, as one array. */
int store_host_list(struct store *store, const struct host_filter *filter, struct host **out,
		    size_t *count, struct bd_error *err);
void store_host_list_free(struct host *list, size_t count);
/* Ids of the hosts that are Up and hold VMs, sorted (strcmp); owned array. */
int store_host_ids_up(struct store *store, char (**ids)[ID_LEN], size_t *count,
		      struct bd_error *err);
/* What the planner needs of a host. cpu_used/memory_used_mib are the
 * vCPUs and memory of its Starting, Running and Migrating VMs, and uefi and
 * secure its host.uefi.enable and host.uefi.secure.enable details: the
 * database keeps all four on the host row as VMs and details change. */
struct host_plan_row {
	char id[ID_LEN];
	char name[NAME_SIZE];
	char cluster_id[ID_LEN];
	enum host_state state;
	enum allocation_state allocation;
	bool uefi;
	bool secure;
	int cpus;
	int64_t memory_mib;
	int cpu_used;
	int64_t memory_used_mib;
};
/* Every host in onboarding order (the planner's first-fit order), from one
 * narrow query; *out is an owned array released with free(). */
int store_host_plan_list(struct store *store, struct host_plan_row **out, size_t *count,
			 struct bd_error *err);
/* Appends the hosts of one cluster (id), in onboarding order, to *list
 * (*count rows used of *cap, grown with realloc; released with free()):
 * what a plan reads of the clusters it reaches. On failure *count is as
 * it was. */
int store_host_plan_cluster(struct store *store, const char *cluster_id,
			    struct host_plan_row **list, size_t *count, size_t *cap,
			    struct bd_error *err);
/* One host's planner row by id (an explicit or avoided host). */
int store_host_plan_get(struct store *store, const char *id, struct host_plan_row *out,
			struct bd_error *err);

/* What the planner needs of a cluster to order the clusters without
 * reading their hosts: the database keeps, per firmware class, how many
 * hosts the cluster has (in any state) and the taken and schedulable
 * capacity of those Up and Enabled (totals with the overcommit factors
 * applied per host, truncated), as host rows and factors change. */
enum capacity_class {
	CAPACITY_ANY,          /* every host */
	CAPACITY_UEFI,         /* hosts with UEFI */
	CAPACITY_SECURE,       /* hosts with UEFI and proven Secure Boot */
	CAPACITY_CLASS_LAST
};
struct cluster_capacity {
	int64_t hosts;
	int64_t cpu_used;
	int64_t cpu_total;
	int64_t memory_used_mib;
	int64_t memory_total_mib;
};
struct cluster_plan_row {
	char id[ID_LEN];
	char name[NAME_SIZE];
	double cpu_overcommit;
	double mem_overcommit;
	struct cluster_capacity capacity[CAPACITY_CLASS_LAST];
};
/* Every cluster in creation order (the order store_cluster_list gives);
 * *out is an owned array released with free(). */
int store_cluster_plan_list(struct store *store, struct cluster_plan_row **out, size_t *count,
			    struct bd_error *err);
/* Refused while VMs that are not expunged live on it. */
int store_host_delete(struct store *store, const char *id, struct bd_error *err);

/* A host's details as stored (CloudStack's host_details): key/value pairs,
 * e.g. host.uefi.enable=true. The caps fields are stored as details too. */
struct detail {
	char *key;
	char *value;
};
int store_host_details(struct store *store, const char *host_id, struct detail **out,
		       size_t *count, struct bd_error *err);
void store_detail_list_free(struct detail *list, size_t count);

/* ---- virtual machines ---- */
struct vm_filter {
	const char *id;       /* id or name, or NULL */
	const char *host_id;  /* id or name, or NULL */
	int state;            /* enum vm_state, or -1 for any */
};

/* Inserts the VM with its boot details (user_vm_details); fills vm->id. */
int store_vm_insert(struct store *store, struct vm *vm, struct bd_error *err);
/* Rewrites everything but the boot details, which the database itself
 * refuses to change once written. */
int store_vm_update(struct store *store, const struct vm *vm, struct bd_error *err);
int store_vm_set_state(struct store *store, const char *id, enum vm_state state,
		       struct bd_error *err);
/* Sets the state only while it is still `from` (*changed says whether it
 * was): for a check that read the state earlier, so it never undoes what
 * another bootdeck wrote meanwhile. */
int store_vm_swap_state(struct store *store, const char *id, enum vm_state from,
			enum vm_state to, bool *changed, struct bd_error *err);
int store_vm_get(struct store *store, const char *id_or_name, struct vm *out,
		 struct bd_error *err);
/* A walk over the VMs a filter selects, by name, in one snapshot: as
 * store_host_walk, begin (may be NULL) gets their number, then vm each
 * one (the walk's; vm may take it, leaving it cleared). */
struct store_vm_walk {
	int (*begin)(void *opaque, size_t count, struct bd_error *err);
	int (*vm)(void *opaque, struct vm *vm, struct bd_error *err);
	void *opaque;
};
int store_vm_each(struct store *store, const struct vm_filter *filter,
		  const struct store_vm_walk *walk, struct bd_error *err);
/* The same VMs, as one array. */
int store_vm_list(struct store *store, const struct vm_filter *filter, struct vm **out,
		  size_t *count, struct bd_error *err);
void store_vm_list_free(struct vm *list, size_t count);
/* Removes the record (expunge). */
int store_vm_delete(struct store *store, const char *id, struct bd_error *err);

/* ---- events and alerts ---- */
int store_event_add(struct store *store, const char *type, enum event_level level,
		    const char *resource_id, const char *description);
/* Newest first; resource_id NULL for all; limit 0 for no limit. */
int store_event_list(struct store *store, const char *resource_id, int limit,
		     struct event **out, size_t *count, struct bd_error *err);
void store_event_list_free(struct event *list, size_t count);

int store_alert_add(struct store *store, const char *type, const char *resource_id,
		    const char *description);
int store_alert_list(struct store *store, int limit, struct alert **out, size_t *count,
		     struct bd_error *err);
void store_alert_list_free(struct alert *list, size_t count);
int store_alert_unread_count(struct store *store);
int store_alert_mark_read(struct store *store, int64_t id, struct bd_error *err);

#endif
