/* The hypervisor layer: one interface the deploy flow and the console use
 * for every kind of host. KVM/QEMU (and libvirt's test:/// driver) come
 * first through libvirt; VMware ESXi and XenServer will be further drivers
 * behind the same table, so nothing here speaks of QEMU, XML or libvirt.
 *
 * Every function returns 0 on success, or -1 with `err` filled: 534 when the
 * host cannot be reached, 530 for other hypervisor failures, with the
 * hypervisor's own text included. */
#ifndef BOOTDECK_BACKEND_HV_H
#define BOOTDECK_BACKEND_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/error.h"
#include "model/types.h"

struct hv_conn; /* one open connection to one host; opaque */

struct hv_node_info {
	char hostname[256];
	char arch[16];
	int cpus;
	int64_t memory_mib;
	enum hypervisor_type hypervisor;
	char version[32];          /* "8.0.0" */
	bool kvm_available;        /* hardware virtualisation offered */
};

/* What to ask of a firmware probe. */
struct hv_probe_request {
	const char *virt_type;        /* forced virt type, or NULL: kvm when offered */
	const char *uefi_properties;  /* CloudStack uefi.properties path, or NULL */
	int canary_timeout_s;         /* per canary boot; 0: default */
};

/* Progress of slow work (probes, deploys) for the console and the CLI:
 * `step` of `steps`, with a short message. */
typedef void (*hv_progress_fn)(void *opaque, int step, int steps, const char *message);

/* A hypervisor-neutral description of a guest to define. */
struct hv_vm_spec {
	const char *name;
	const char *uuid;
	int vcpus;
	int64_t memory_mib;
	struct boot_choice boot;
	const struct host_caps *caps;   /* firmware the host proved */
	const char *nvram_path;         /* per-VM NVRAM file for explicit firmware, or NULL */
	const char *disk_path;          /* boot disk (overlay), or NULL */
	enum template_format disk_format;
	const char *cdrom_path;         /* ISO attached as a CD-ROM, or NULL */
	const char *serial_log;         /* file receiving the serial console */
};

/* Where a VM's disk comes from and where its overlay goes. */
struct hv_disk_request {
	const char *vm_name;
	const char *template_path;
	enum template_format template_format;
	int64_t size_bytes;             /* for the empty disk of an ISO VM; 0: default */
};

struct hv_driver {
	const char *name;
	/* Whether this driver serves the URI (scheme check only). */
	bool (*handles)(const char *url);
	struct hv_conn *(*open)(const char *url, struct bd_error *err);
	void (*close)(struct hv_conn *conn);
	int (*node_info)(struct hv_conn *conn, struct hv_node_info *out, struct bd_error *err);
	/* Proves what firmware the host can boot; fills caps (caller clears). */
	int (*probe)(struct hv_conn *conn, const struct hv_probe_request *req,
		     struct host_caps *caps, hv_progress_fn progress, void *opaque,
		     struct bd_error *err);
	/* Creates the VM's disk; *path_out gets an owned path. */
	int (*disk_create)(struct hv_conn *conn, const struct hv_disk_request *req,
			   char **path_out, struct bd_error *err);
	int (*disk_delete)(struct hv_conn *conn, const char *path, struct bd_error *err);
	int (*define)(struct hv_conn *conn, const struct hv_vm_spec *spec, struct bd_error *err);
	int (*start)(struct hv_conn *conn, const char *name, struct bd_error *err);
	/* Graceful shutdown, forced after timeout_s seconds. */
	int (*stop)(struct hv_conn *conn, const char *name, int timeout_s, struct bd_error *err);
	int (*destroy)(struct hv_conn *conn, const char *name, struct bd_error *err);
	int (*reboot)(struct hv_conn *conn, const char *name, struct bd_error *err);
	/* Removes the definition and its NVRAM. Absent domains are not an error. */
	int (*undefine)(struct hv_conn *conn, const char *name, struct bd_error *err);
	/* *exists false when no such guest; *running as the hypervisor sees it. */
	int (*state)(struct hv_conn *conn, const char *name, bool *exists, bool *running,
		     struct bd_error *err);
	/* Names of all guests defined on the host; caller frees each and the array. */
	int (*list)(struct hv_conn *conn, char ***names, size_t *count, struct bd_error *err);
	/* Reads back the running guest's live definition and checks it really
	 * boots with Secure Boot (secure loader, SMM). -1 with the missing
	 * piece named when it does not. */
	int (*verify_secure)(struct hv_conn *conn, const char *name, struct bd_error *err);
	/* Firmware loader and NVRAM file of the running guest (owned; NULL
	 * when it boots without them, e.g. BIOS). */
	int (*firmware)(struct hv_conn *conn, const char *name, char **loader, char **nvram,
			struct bd_error *err);
	/* The folder on the host where bootdeck keeps per-VM files (disk
	 * overlays, serial logs, NVRAM copies for explicit firmware), readable
	 * and writable by the hypervisor's own user. It is created when
	 * missing; *dir_out gets an owned path as the host sees it. */
	int (*storage_dir)(struct hv_conn *conn, char **dir_out, struct bd_error *err);
	/* The guest's UUID ("xxxxxxxx-xxxx-..."; bootdeck gives each guest its
	 * VM id), so leftovers can be told from other owners' guests. */
	int (*guest_uuid)(struct hv_conn *conn, const char *name, char uuid[37],
			  struct bd_error *err);
	/* Paths of the disks in bootdeck's own storage on the host (what
	 * disk_create makes); caller frees each and the array. */
	int (*disk_list)(struct hv_conn *conn, char ***paths, size_t *count, struct bd_error *err);
};

/* The driver serving `url`, or NULL with a 431 error naming the URL. */
const struct hv_driver *hv_driver_for(const char *url, struct bd_error *err);

/* `url` with any password removed from its user part, for messages and
 * logs ("qemu+ssh://root:pw@h/system" -> "qemu+ssh://root@h/system").
 * Owned string; NULL only when out of memory. */
char *hv_url_redact(const char *url);

#endif
