#include "backend/domxml.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "model/text.h"

/* Every guest gets q35: one machine type for all three boot choices keeps
 * the device layout identical, and LEGACY UEFI does not boot on i440fx. */
#define DOMXML_MACHINE "q35"
#define DOMXML_ARCH "x86_64"
#define DOMXML_CANARY_MEMORY_MIB 256

/* libvirt's <driver type=...> for each template format. ISO images are
 * attached read-only as CD-ROMs, never as the boot disk. */
static const char *const domxml_disk_driver_types[TEMPLATE_FORMAT_LAST] = {
	[TEMPLATE_QCOW2] = "qcow2",
	[TEMPLATE_RAW] = "raw",
	[TEMPLATE_ISO] = NULL,
};

/* How the firmware is chosen for one boot choice on one host. */
struct domxml_firmware {
	bool efi;
	bool secure;                  /* Secure Boot enforced: SMM and enrolled keys */
	bool autoselect;              /* <os firmware='efi'> + feature list */
	const char *loader;           /* explicit loader path */
	const char *nvram_template;   /* explicit VARS template, or NULL */
};

/* Why a firmware-related refusal happened, for the parenthesis of the
 * message: the probe's own reason when it recorded one. */
static const char *domxml_caps_reason(const struct host_caps *caps, const char *fallback)
{
	if (caps && caps->probe_error && caps->probe_error[0])
		return caps->probe_error;
	return fallback;
}

/* Decides the firmware for `boot` on a host with `caps`. Refuses rather
 * than falling back to anything that boots less securely than asked. */
static int domxml_firmware_choose(struct boot_choice boot, const struct host_caps *caps,
				  const char *what, const char *host_name,
				  struct domxml_firmware *fw, struct bd_error *err)
{
	const char *label = boot_choice_label(boot);
	bool want_secure = boot.mode == BOOT_MODE_SECURE;

	memset(fw, 0, sizeof *fw);
	if (boot.type != BOOT_TYPE_UEFI) {
		if (want_secure)
			return bd_error_set(err, BD_ERR_PARAM,
					    "%s '%s' cannot boot BIOS SECURE: Secure Boot needs "
					    "boottype UEFI (BIOS guests boot LEGACY only)", what, host_name);
		return 0;
	}
	if (!caps || !caps->uefi)
		return bd_error_set(err, BD_ERR_PARAM,
				    "%s '%s' cannot boot %s: no proven UEFI firmware (%s)",
				    what, host_name, label,
				    domxml_caps_reason(caps, "the probe found none"));
	if (want_secure && !caps->secure)
		return bd_error_set(err, BD_ERR_PARAM,
				    "%s '%s' cannot boot UEFI SECURE: no proven Secure Boot "
				    "firmware (%s)", what, host_name,
				    domxml_caps_reason(caps, "the probe found none"));

	fw->efi = true;
	fw->secure = want_secure;
	if (caps->autoselect) {
		fw->autoselect = true;
		return 0;
	}

	if (want_secure) {
		/* The keys that make Secure Boot enforce live in the VARS
		 * template: a secure loader without it would boot unenforced. */
		if (!caps->loader_secure || !caps->loader_secure[0])
			return bd_error_set(err, BD_ERR_PARAM,
					    "%s '%s' cannot boot UEFI SECURE: no proven Secure "
					    "Boot firmware (guest.loader.secure is not set)", what, host_name);
		if (!caps->nvram_template_secure || !caps->nvram_template_secure[0])
			return bd_error_set(err, BD_ERR_PARAM,
					    "%s '%s' cannot boot UEFI SECURE: no proven Secure "
					    "Boot firmware (guest.nvram.template.secure is not set)",
					    what, host_name);
		fw->loader = caps->loader_secure;
		fw->nvram_template = caps->nvram_template_secure;
		return 0;
	}
	if (!caps->loader_legacy || !caps->loader_legacy[0])
		return bd_error_set(err, BD_ERR_PARAM,
				    "%s '%s' cannot boot UEFI LEGACY: no proven UEFI firmware "
				    "(guest.loader.legacy is not set)", what, host_name);
	fw->loader = caps->loader_legacy;
	if (caps->nvram_template_legacy && caps->nvram_template_legacy[0])
		fw->nvram_template = caps->nvram_template_legacy;
	return 0;
}

static int domxml_virt_type_check(const char *virt_type, struct bd_error *err)
{
	char quoted[TEXT_QUOTE_MAX + 8];

	if (virt_type && (strcmp(virt_type, "kvm") == 0 || strcmp(virt_type, "qemu") == 0))
		return 0;
	return bd_error_set(err, BD_ERR_PARAM, "virt type '%s' is not supported: use kvm or qemu",
			    text_quote(virt_type ? virt_type : "", quoted, sizeof quoted));
}

/* xmlNewChild reads '&' in its content as the start of an entity
 * reference; xmlNewTextChild takes the text as is, so every caller-supplied
 * string (paths, names) goes through it. */
static xmlNodePtr domxml_child(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void domxml_prop(xmlNodePtr node, const char *name, const char *value)
{
	xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

static void domxml_int_child(xmlNodePtr parent, const char *name, int64_t value,
			     const char *unit)
{
	char buf[32];
	xmlNodePtr node;

	snprintf(buf, sizeof buf, "%" PRId64, value);
	node = domxml_child(parent, name, buf);
	if (unit)
		domxml_prop(node, "unit", unit);
}

static void domxml_firmware_feature(xmlNodePtr firmware, const char *name, bool enabled)
{
	xmlNodePtr feature = domxml_child(firmware, "feature", NULL);

	domxml_prop(feature, "enabled", enabled ? "yes" : "no");
	domxml_prop(feature, "name", name);
}

static void domxml_os_add(xmlNodePtr domain, const struct domxml_firmware *fw,
			  const char *nvram_path)
{
	xmlNodePtr os = domxml_child(domain, "os", NULL);
	xmlNodePtr type;

	if (fw->efi && fw->autoselect)
		domxml_prop(os, "firmware", "efi");
	type = domxml_child(os, "type", "hvm");
	domxml_prop(type, "arch", DOMXML_ARCH);
	domxml_prop(type, "machine", DOMXML_MACHINE);
	if (!fw->efi) {
		/* SeaBIOS prints its banner on the serial console too, so the
		 * console log proves which firmware booted. */
		domxml_prop(domxml_child(os, "bios", NULL), "useserial", "yes");
		return;
	}

	if (fw->autoselect) {
		/* Both features always spelled out: without them libvirt may
		 * pick the Secure Boot image for a LEGACY guest. */
		xmlNodePtr firmware = domxml_child(os, "firmware", NULL);

		domxml_firmware_feature(firmware, "enrolled-keys", fw->secure);
		domxml_firmware_feature(firmware, "secure-boot", fw->secure);
		return;
	}

	xmlNodePtr loader = domxml_child(os, "loader", fw->loader);

	domxml_prop(loader, "readonly", "yes");
	domxml_prop(loader, "secure", fw->secure ? "yes" : "no");
	domxml_prop(loader, "type", "pflash");
	if (fw->nvram_template || nvram_path) {
		/* Without a path libvirt names the per-guest copy itself. */
		xmlNodePtr nvram = domxml_child(os, "nvram", nvram_path);

		if (fw->nvram_template)
			domxml_prop(nvram, "template", fw->nvram_template);
	}
}

static void domxml_features_add(xmlNodePtr domain, const struct domxml_firmware *fw)
{
	xmlNodePtr features = domxml_child(domain, "features", NULL);

	domxml_child(features, "acpi", NULL);
	/* OVMF's Secure Boot build keeps its variables behind SMM; without it
	 * a guest could rewrite the keys. */
	if (fw->secure)
		domxml_prop(domxml_child(features, "smm", NULL), "state", "on");
}

static void domxml_boot_order(xmlNodePtr disk, int order)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%d", order);
	domxml_prop(domxml_child(disk, "boot", NULL), "order", buf);
}

static void domxml_disk_add(xmlNodePtr devices, const char *path, const char *driver_type,
			    int boot_order)
{
	xmlNodePtr disk = domxml_child(devices, "disk", NULL);
	xmlNodePtr node;

	domxml_prop(disk, "type", "file");
	domxml_prop(disk, "device", "disk");
	node = domxml_child(disk, "driver", NULL);
	domxml_prop(node, "name", "qemu");
	domxml_prop(node, "type", driver_type);
	domxml_prop(domxml_child(disk, "source", NULL), "file", path);
	node = domxml_child(disk, "target", NULL);
	domxml_prop(node, "dev", "vda");
	domxml_prop(node, "bus", "virtio");
	domxml_boot_order(disk, boot_order);
}

static void domxml_cdrom_add(xmlNodePtr devices, const char *path, int boot_order)
{
	xmlNodePtr disk = domxml_child(devices, "disk", NULL);
	xmlNodePtr node;

	domxml_prop(disk, "type", "file");
	domxml_prop(disk, "device", "cdrom");
	node = domxml_child(disk, "driver", NULL);
	domxml_prop(node, "name", "qemu");
	domxml_prop(node, "type", "raw");
	domxml_prop(domxml_child(disk, "source", NULL), "file", path);
	/* q35 has no IDE controller: CD-ROMs go on SATA. */
	node = domxml_child(disk, "target", NULL);
	domxml_prop(node, "dev", "sda");
	domxml_prop(node, "bus", "sata");
	domxml_child(disk, "readonly", NULL);
	domxml_boot_order(disk, boot_order);
}

/* The serial port and the console bound to it: into a file when `log` is
 * given, else onto a pty the hypervisor's console stream can read. */
static void domxml_serial_add(xmlNodePtr devices, const char *log)
{
	const char *type = log ? "file" : "pty";
	xmlNodePtr serial = domxml_child(devices, "serial", NULL);
	xmlNodePtr console = domxml_child(devices, "console", NULL);
	xmlNodePtr target;

	domxml_prop(serial, "type", type);
	if (log)
		domxml_prop(domxml_child(serial, "source", NULL), "path", log);
	domxml_prop(domxml_child(serial, "target", NULL), "port", "0");

	domxml_prop(console, "type", type);
	if (log)
		domxml_prop(domxml_child(console, "source", NULL), "path", log);
	target = domxml_child(console, "target", NULL);
	domxml_prop(target, "type", "serial");
	domxml_prop(target, "port", "0");
}

/* The document up to <devices>: everything but the guest's own devices. */
static xmlDocPtr domxml_skeleton_new(const char *name, const char *uuid, int vcpus,
				     int64_t memory_mib, const char *virt_type,
				     const struct domxml_firmware *fw, const char *nvram_path,
				     xmlNodePtr *devices)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr domain = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);

	xmlDocSetRootElement(doc, domain);
	domxml_prop(domain, "type", virt_type);
	domxml_child(domain, "name", name);
	if (uuid)
		domxml_child(domain, "uuid", uuid);
	domxml_int_child(domain, "memory", memory_mib, "MiB");
	domxml_int_child(domain, "vcpu", vcpus, NULL);
	domxml_os_add(domain, fw, nvram_path);
	domxml_features_add(domain, fw);
	/* TCG cannot pass the host CPU through; its default model is kept. */
	if (strcmp(virt_type, "kvm") == 0)
		domxml_prop(domxml_child(domain, "cpu", NULL), "mode", "host-passthrough");
	domxml_child(domain, "on_poweroff", "destroy");
	domxml_child(domain, "on_reboot", "restart");
	*devices = domxml_child(domain, "devices", NULL);
	return doc;
}

static int domxml_spec_check(const struct hv_vm_spec *spec, struct bd_error *err)
{
	if (name_check("name", spec->name, err) < 0)
		return -1;
	if (spec->vcpus < 1)
		return bd_error_set(err, BD_ERR_PARAM, "VM '%s': vcpus %d is not accepted: "
				    "use 1 or more", spec->name, spec->vcpus);
	if (spec->memory_mib < 1)
		return bd_error_set(err, BD_ERR_PARAM, "VM '%s': memory %" PRId64 " MiB is not "
				    "accepted: use 1 or more", spec->name, spec->memory_mib);
	if (spec->disk_path &&
	    ((int)spec->disk_format < 0 || spec->disk_format >= TEMPLATE_FORMAT_LAST ||
	     !domxml_disk_driver_types[spec->disk_format]))
		return bd_error_set(err, BD_ERR_PARAM,
				    "VM '%s': disk format '%s' is not accepted for the boot "
				    "disk: use QCOW2 or RAW (ISO images are attached as CD-ROMs)",
				    spec->name, template_format_name(spec->disk_format));
	return 0;
}

xmlDocPtr domxml_build(const struct hv_vm_spec *spec, const char *virt_type,
		       const char *host_name, struct bd_error *err)
{
	struct domxml_firmware fw;
	xmlNodePtr devices;
	xmlDocPtr doc;
	int boot_order = 1;

	if (!spec) {
		bd_error_set(err, BD_ERR_INTERNAL, "no VM description given for host '%s'",
			     host_name ? host_name : "");
		return NULL;
	}
	if (!host_name)
		host_name = "";
	if (domxml_spec_check(spec, err) < 0 ||
	    domxml_virt_type_check(virt_type, err) < 0 ||
	    domxml_firmware_choose(spec->boot, spec->caps, "host", host_name, &fw, err) < 0)
		return NULL;

	doc = domxml_skeleton_new(spec->name, spec->uuid, spec->vcpus, spec->memory_mib,
				  virt_type, &fw, spec->nvram_path, &devices);
	/* An ISO is the installer: it boots first, the disk after it. */
	if (spec->cdrom_path)
		domxml_cdrom_add(devices, spec->cdrom_path, boot_order++);
	if (spec->disk_path)
		domxml_disk_add(devices, spec->disk_path,
				domxml_disk_driver_types[spec->disk_format], boot_order++);
	domxml_serial_add(devices, spec->serial_log);
	return doc;
}

xmlDocPtr domxml_build_canary(const char *name, struct boot_choice boot,
			      const struct host_caps *caps, const char *virt_type,
			      struct bd_error *err)
{
	struct domxml_firmware fw;
	xmlNodePtr devices;
	xmlDocPtr doc;

	if (name_check("name", name, err) < 0 ||
	    domxml_virt_type_check(virt_type, err) < 0 ||
	    domxml_firmware_choose(boot, caps, "canary", name, &fw, err) < 0)
		return NULL;

	/* No uuid: the canary is transient and libvirt makes one up. */
	doc = domxml_skeleton_new(name, NULL, 1, DOMXML_CANARY_MEMORY_MIB, virt_type, &fw,
				  NULL, &devices);
	domxml_serial_add(devices, NULL);
	return doc;
}

char *domxml_to_string(xmlDocPtr doc)
{
	xmlBufferPtr buf = NULL;
	xmlSaveCtxtPtr save = NULL;
	char *out = NULL;

	if (!doc || !xmlDocGetRootElement(doc))
		return NULL;
	buf = xmlBufferCreate();
	if (!buf)
		goto cleanup;
	/* No XML declaration: the documents look like libvirt's own dumps. */
	save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (!save)
		goto cleanup;
	if (xmlSaveTree(save, xmlDocGetRootElement(doc)) < 0)
		goto cleanup;
	if (xmlSaveClose(save) < 0) {
		save = NULL;
		goto cleanup;
	}
	save = NULL;
	out = malloc(xmlBufferLength(buf) + 2);
	if (!out)
		goto cleanup;
	memcpy(out, xmlBufferContent(buf), xmlBufferLength(buf));
	out[xmlBufferLength(buf)] = '\0';
	/* A dumped element ends without a newline; files end with one. */
	if (xmlBufferLength(buf) == 0 || out[xmlBufferLength(buf) - 1] != '\n')
		strcat(out, "\n");

cleanup:
	if (save)
		xmlSaveClose(save);
	xmlBufferFree(buf);
	return out;
}
