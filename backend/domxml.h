/* Domain XML for libvirt hosts, built with libxml2 (never by pasting
 * strings). Every guest gets machine q35 (no IDE there: the boot disk is
 * virtio, CD-ROMs are SATA), whatever its firmware. Firmware is either
 * autoselected (<os firmware='efi'> with explicit secure-boot and
 * enrolled-keys features, SMM on for SECURE) or given as explicit loader
 * and NVRAM-template paths (uefi.properties hosts).
 *
 * A SECURE request against caps without proven Secure Boot is refused
 * (431, naming the host): no document that boots less securely than asked
 * is ever produced. */
#ifndef BOOTDECK_BACKEND_DOMXML_H
#define BOOTDECK_BACKEND_DOMXML_H

#include <libxml/tree.h>

#include "backend/hv.h"

/* Builds the domain document for spec; `virt_type` is "kvm" or "qemu",
 * `host_name` is used in refusals. Returns an owned document or NULL. */
xmlDocPtr domxml_build(const struct hv_vm_spec *spec, const char *virt_type,
		       const char *host_name, struct bd_error *err);

/* A small diskless transient guest that only runs the firmware, for the
 * probe's canary boots; serial console on a pty (read through the
 * hypervisor's console stream). */
xmlDocPtr domxml_build_canary(const char *name, struct boot_choice boot,
			      const struct host_caps *caps, const char *virt_type,
			      struct bd_error *err);

/* Serialises doc; owned string (free()). */
char *domxml_to_string(xmlDocPtr doc);

#endif
