/* The domain's records, as the store keeps them and the screens show them.
 * Plain data: no I/O. Strings that can be long (URLs, paths) are owned
 * heap copies released by the matching *_clear(); short ones are inline. */
#ifndef BOOTDECK_MODEL_TYPES_H
#define BOOTDECK_MODEL_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "boot.h"
#include "enums.h"
#include "text.h"

#define ID_LEN 37 /* a UUID in text form, with its NUL */
#define NAME_SIZE (NAME_MAX_LEN + 1)

struct cluster {
	char id[ID_LEN];
	char name[NAME_SIZE];
	double cpu_overcommit; /* host cores x this = schedulable vCPUs; default 1.0 */
	double mem_overcommit; /* host memory x this = schedulable memory; default 1.0 */
	time_t created;
};

/* What a probe proved about a host's firmware. `uefi` and `secure` are
 * CloudStack's host.uefi.enable and host.uefi.secure.enable details. */
struct host_caps {
	bool uefi;
	bool secure;
	/* Firmware chosen by the hypervisor from descriptors (libvirt's
	 * <os firmware='efi'>) rather than by the explicit paths below. */
	bool autoselect;
	char virt_type[16];            /* "kvm" or "qemu" for libvirt hosts */
	char *loader_legacy;           /* guest.loader.legacy */
	char *loader_secure;           /* guest.loader.secure */
	char *nvram_template_legacy;   /* guest.nvram.template.legacy */
	char *nvram_template_secure;   /* guest.nvram.template.secure */
	char *nvram_dir;               /* guest.nvram.path */
	time_t probed;                 /* 0: never */
	char *probe_error;             /* why a mode is unavailable, or NULL */
};

void host_caps_clear(struct host_caps *caps);

struct host {
	char id[ID_LEN];
	char name[NAME_SIZE];
	char cluster_id[ID_LEN];
	char cluster_name[NAME_SIZE];
	char *url;                    /* libvirt URI */
	enum host_state state;
	enum allocation_state allocation;
	enum hypervisor_type hypervisor;
	char hypervisor_version[32];
	char arch[16];
	int cpus;                     /* physical cores the hypervisor reports */
	int64_t memory_mib;
	int cpu_allocated;            /* vCPUs of Starting/Running VMs on it */
	int64_t memory_allocated_mib;
	char *uefi_properties;        /* path given at addHost, or NULL */
	struct host_caps caps;
	char *last_error;             /* why the host is Disconnected, or NULL */
	time_t created;
};

void host_clear(struct host *host);

struct template {
	char id[ID_LEN];
	char name[NAME_SIZE];
	char *url;                    /* local path of the image */
	enum template_format format;
	int64_t size_bytes;
	time_t created;
};

void template_clear(struct template *tmpl);

struct service_offering {
	char id[ID_LEN];
	char name[NAME_SIZE];
	int cpunumber;
	int64_t memory_mib;
	time_t created;
};

struct vm {
	char id[ID_LEN];
	char name[NAME_SIZE];
	char displayname[NAME_SIZE * 2];
	enum vm_state state;
	struct boot_choice boot;
	char host_id[ID_LEN];         /* empty: not placed */
	char host_name[NAME_SIZE];
	char cluster_id[ID_LEN];
	char template_id[ID_LEN];
	char offering_id[ID_LEN];
	int cpunumber;
	int64_t memory_mib;
	char machine[16];             /* "q35", "pc" */
	char *loader;                 /* firmware loader in use, or NULL */
	char *nvram;                  /* NVRAM file, or NULL */
	char *disk;                   /* overlay path or volume key */
	char *console_log;            /* serial console log path */
	char *placement;              /* the planner's explanation, as JSON text */
	time_t created;
};

void vm_clear(struct vm *vm);

struct event {
	int64_t id;
	time_t created;
	char type[32];                /* "VM.CREATE", "HOST.ADD", ... */
	enum event_level level;
	char resource_id[ID_LEN];     /* object the event is about, may be empty */
	char *description;
};

void event_clear(struct event *event);

struct alert {
	int64_t id;
	time_t created;
	char type[32];
	char resource_id[ID_LEN];
	char *description;
	bool read;
};

void alert_clear(struct alert *alert);

#endif
