/* Placement: a UEFI-aware FirstFit planner that explains itself.
 *
 * Rules (the design document's, made to take effect):
 * - capacity: a host offers cores x its cluster's CPU overcommit factor and
 *   memory x the memory factor; Starting/Running/Migrating VMs consume it;
 * - clusters are taken least utilised first; hosts in a cluster first-fit,
 *   in the order given; Disconnected, Disabled, full or avoided hosts are
 *   skipped;
 * - a cluster's utilisation is the larger of used/total vCPUs and used/total
 *   memory, summed over its eligible hosts (Up, Enabled, not avoided, able
 *   to boot the guest's firmware); a cluster with none goes last; equal
 *   utilisation keeps the given order;
 * - UEFI guests only on hosts with UEFI; SECURE guests only on hosts with
 *   proven Secure Boot;
 * - BIOS guests: clusters holding UEFI hosts go to the end, and inside a
 *   cluster hosts without UEFI come first, so a BIOS guest lands on a UEFI
 *   host only when no other host has room. This is done in two passes:
 *   first the hosts without UEFI of every cluster, in cluster order, then
 *   the UEFI hosts, so a host without UEFI in a later mixed cluster still
 *   beats a UEFI host in an earlier one;
 * - an explicit host or cluster is honoured only when it satisfies these.
 *
 * The trail lists only what was considered: a host outside an explicit
 * host or cluster does not appear; for a UEFI guest, a cluster where no
 * host has the firmware gets one note (host -1) instead of a line per host.
 *
 * Pure computation over arrays the caller fills (from the store): either
 * the whole fleet (planner_place), or each cluster's kept sums with the
 * hosts of a cluster handed over only when the plan reaches it
 * (planner_place_source), so a plan reads a few clusters' hosts instead of
 * all of them. Both decide and explain alike. */
#ifndef BOOTDECK_MODEL_PLANNER_H
#define BOOTDECK_MODEL_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot.h"
#include "error.h"

struct plan_cluster {
	const char *id;            /* borrowed */
	const char *name;
};

struct plan_host {
	const char *id;            /* borrowed */
	const char *name;
	size_t cluster;            /* index into plan_fleet.clusters */
	bool up;                   /* host state Up */
	bool enabled;              /* allocation state Enabled */
	bool uefi;                 /* host.uefi.enable */
	bool secure;               /* host.uefi.secure.enable (proven) */
	int64_t cpu_total;         /* schedulable vCPUs (overcommit applied) */
	int64_t cpu_used;
	int64_t mem_total_mib;     /* schedulable memory (overcommit applied) */
	int64_t mem_used_mib;
};

struct plan_fleet {
	const struct plan_cluster *clusters;
	size_t ncluster;
	const struct plan_host *hosts;   /* in first-fit order within each cluster */
	size_t nhost;
};

struct plan_request {
	struct boot_choice boot;
	int64_t cpu;
	int64_t mem_mib;
	long only_host;            /* index of an explicit host, or -1 */
	long only_cluster;         /* index of an explicit cluster, or -1 */
	const bool *avoid;         /* nhost flags: hosts that failed this deploy, or NULL */
};

/* Why a cluster or host was passed over, or how it was taken. */
enum plan_reason {
	PLAN_CHOSEN,
	PLAN_NO_UEFI,          /* guest needs UEFI, host has none */
	PLAN_NO_SECURE,        /* guest needs Secure Boot, host has not proven it */
	PLAN_NO_CPU,
	PLAN_NO_MEMORY,
	PLAN_DISABLED,
	PLAN_DISCONNECTED,
	PLAN_AVOIDED,          /* failed earlier in this deploy */
	PLAN_NOT_REQUESTED,    /* outside the explicit host or cluster */
	PLAN_CLUSTER_DEFERRED, /* cluster holds UEFI hosts: kept last for BIOS guests */
	PLAN_HOST_DEFERRED,    /* UEFI host: kept last for BIOS guests */
	PLAN_REASON_LAST
};

/* One line of the reason trail, in the order things were considered. */
struct plan_step {
	size_t cluster;
	long host;                 /* -1: a note about the whole cluster */
	enum plan_reason reason;
};

struct plan_result {
	long host;                 /* chosen host index, or -1 */
	struct plan_step *steps;   /* owned */
	size_t nstep;
};

/* Plans one guest. Returns 0 with result->host set; or -1 with result
 * still holding the trail and err: 431 when an explicit host or cluster
 * cannot boot the firmware (naming it and what it lacks), 533 when nothing
 * has room. */
int planner_place(const struct plan_fleet *fleet, const struct plan_request *req,
		  struct plan_result *result, struct bd_error *err);

/* The firmware classes the cluster sums are kept for: the hosts that could
 * boot a BIOS guest (all), a UEFI guest, and a UEFI SECURE guest. */
enum plan_class {
	PLAN_CLASS_ANY,
	PLAN_CLASS_UEFI,
	PLAN_CLASS_SECURE,
	PLAN_CLASS_LAST
};

struct plan_sums {
	int64_t cpu_used;
	int64_t cpu_total;
	int64_t mem_used_mib;
	int64_t mem_total_mib;
};

/* One cluster as the caller keeps it. usable[k]: sums over its hosts of
 * class k that are Up and Enabled (avoided ones included: the planner takes
 * them out); the counts are of all its hosts, in any state. */
struct plan_cluster_sums {
	size_t nhost;
	size_t nuefi;
	size_t nsecure;            /* with UEFI and proven Secure Boot */
	struct plan_sums usable[PLAN_CLASS_LAST];
};

/* Hands over the hosts of `cluster` when the plan reaches it: *members
 * gets their indices into *table, in first-fit order. The caller owns both
 * until the plan ends; *table may move between calls, indices may not
 * (they are what the result and the trail name). Returns 0, or -1 with err. */
typedef int (*plan_members_fn)(void *opaque, size_t cluster, const struct plan_host **table,
			       const size_t **members, size_t *count, struct bd_error *err);

struct plan_source {
	const struct plan_cluster *clusters;
	const struct plan_cluster_sums *sums;     /* ncluster */
	size_t ncluster;
	plan_members_fn members;
	void *opaque;
	/* Hosts 0 .. nknown-1 of that numbering, held before planning:
	 * request.only_host names one of them. */
	const struct plan_host *known;
	size_t nknown;
	/* Hosts that failed this deploy (request.avoid is not used): left out
	 * of their cluster's sums and skipped, matched by id. */
	const struct plan_host *avoided;
	size_t navoid;
};

/* Plans one guest like planner_place, from kept cluster sums and hosts
 * fetched per cluster. */
int planner_place_source(const struct plan_source *source, const struct plan_request *req,
			 struct plan_result *result, struct bd_error *err);

/* The class whose sums a request's cluster ordering uses. */
enum plan_class plan_class_of(struct boot_choice boot);

/* Short text of a reason: "no UEFI", "not enough memory", ... */
const char *plan_reason_text(enum plan_reason reason);

void plan_result_clear(struct plan_result *result);

#endif
