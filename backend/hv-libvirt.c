/* The libvirt hypervisor driver: KVM/QEMU hosts (local, session, remote
 * over SSH/TLS) and libvirt's in-process test:/// driver for demo hosts.
 *
 * Firmware is never taken on trust: the probe reads the host's domain
 * capabilities (or the operator's uefi.properties) and then boots a small
 * transient canary per claimed mode, watching its console until OVMF's
 * boot manager speaks. */
#include "backend/hv.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "backend/caps.h"
#include "backend/domxml.h"

#define HVL_POOL_NAME "bootdeck"
#define HVL_SYSTEM_STORAGE_DIR "/var/lib/libvirt/images/bootdeck"
#define HVL_DEFAULT_CANARY_TIMEOUT_S 60
#define HVL_DEFAULT_ISO_DISK_BYTES (1024LL * 1024 * 1024)
#define HVL_POLL_MS 50
/* OVMF's boot manager names itself on every line it prints. */
#define HVL_UEFI_BANNER "BdsDxe"
/* What an enforcing Secure Boot firmware says when asked to run the
 * unsigned built-in shell. */
#define HVL_SECURE_REFUSAL "Security Violation"
#define HVL_CONSOLE_KEEP 4096

struct hv_conn {
	virConnectPtr conn;
	char *url;          /* as given */
	char *shown_url;    /* without password, for messages */
	bool is_test;       /* libvirt's in-process test:/// driver */
	char *storage_dir;  /* cached answer of storage_dir() */
};

/* ---- errors ---------------------------------------------------------- */

static void hvl_error_ignore(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

/* The hypervisor's own words for the last failure. */
static const char *hvl_last_text(void)
{
	const char *text = virGetLastErrorMessage();

	return text ? text : "no further detail";
}

static bool hvl_last_is(int code)
{
	virErrorPtr last = virGetLastError();

	return last && last->code == code;
}

/* Fills err with "<message>: <hypervisor text>". */
static bool hvl_connection_lost(void)
{
	virErrorPtr last = virGetLastError();

	return last && (last->domain == VIR_FROM_RPC || last->code == VIR_ERR_NO_CONNECT ||
			last->code == VIR_ERR_RPC);
}

static int hvl_error_set(struct bd_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int hvl_error_set(struct bd_error *err, int code, const char *fmt, ...)
{
	char message[BD_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	/* Whatever was being asked, a daemon that went away mid-call (closed
	 * socket, end of file on the RPC stream) means the host is unreachable,
	 * not that the request was wrong. */
	if (hvl_connection_lost())
		code = BD_ERR_UNAVAILABLE;
	bd_error_set(err, code, "%s: %s", message, hvl_last_text());
	virResetLastError();
	return -1;
}

/* ---- process-wide setup ---------------------------------------------- */

static pthread_once_t hvl_once = PTHREAD_ONCE_INIT;
static bool hvl_event_loop_running;

static void *hvl_event_loop(void *opaque)
{
	(void)opaque;
	for (;;) {
		if (virEventRunDefaultImpl() < 0)
			virResetLastError();
	}
	return NULL;
}

/* libvirt prints every error to stderr unless told otherwise, which would
 * scribble over the console. Console streams and keepalives need an event
 * loop, which must exist before the first connection is opened. */
static void hvl_init_once(void)
{
	pthread_t thread;
	pthread_attr_t attr;

	virSetErrorFunc(NULL, hvl_error_ignore);
	if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0) {
		virResetLastError();
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, hvl_event_loop, NULL) == 0)
		hvl_event_loop_running = true;
	pthread_attr_destroy(&attr);
}

/* ---- small helpers --------------------------------------------------- */

static double hvl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hvl_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Appends "; text" to an owned string. */
static void hvl_append(char **buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hvl_append(char **buf, const char *fmt, ...)
{
	char *piece = NULL;
	char *joined = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&piece, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return;
	if (!*buf) {
		*buf = piece;
		return;
	}
	if (asprintf(&joined, "%s; %s", *buf, piece) >= 0) {
		free(*buf);
		*buf = joined;
	}
	free(piece);
}

static xmlDocPtr hvl_xml_read(const char *xml)
{
	/* No network, no entity expansion: the document comes from a host. */
	return xmlReadMemory(xml, (int)strlen(xml), "hypervisor.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Whether the XPath expression selects anything in doc. */
static bool hvl_xml_has(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	bool found = false;

	ctx = xmlXPathNewContext(doc);
	if (!ctx)
		goto cleanup;
	res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (!res)
		goto cleanup;
	found = res->type == XPATH_NODESET && res->nodesetval &&
		res->nodesetval->nodeNr > 0;
cleanup:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return found;
}

/* The string value of the first node the expression selects; owned. */
static char *hvl_xml_string(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	char *value = NULL;
	xmlChar *text;

	ctx = xmlXPathNewContext(doc);
	if (!ctx)
		goto cleanup;
	res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (!res || res->type != XPATH_NODESET || !res->nodesetval ||
	    res->nodesetval->nodeNr == 0)
		goto cleanup;
	text = xmlNodeGetContent(res->nodesetval->nodeTab[0]);
	if (text) {
		value = strdup((const char *)text);
		xmlFree(text);
	}
cleanup:
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return value;
}

static char *hvl_xml_to_string(xmlDocPtr doc)
{
	xmlChar *mem = NULL;
	char *out;
	int size = 0;

	xmlDocDumpMemory(doc, &mem, &size);
	if (!mem)
		return NULL;
	out = strdup((const char *)mem);
	xmlFree(mem);
	return out;
}

/* ---- URL, open, close ------------------------------------------------ */

static const char *const hvl_transports[] = {
	"unix", "ssh", "tls", "tcp", "libssh", "libssh2",
};

static bool hvl_handles(const char *url)
{
	const char *sep;
	size_t scheme_len;
	size_t i;

	if (!url)
		return false;
	sep = strstr(url, "://");
	if (!sep)
		return false;
	scheme_len = (size_t)(sep - url);
	if ((scheme_len == 4 && strncmp(url, "test", 4) == 0) ||
	    (scheme_len == 4 && strncmp(url, "qemu", 4) == 0))
		return true;
	if (scheme_len < 6 || strncmp(url, "qemu+", 5) != 0)
		return false;
	for (i = 0; i < sizeof hvl_transports / sizeof hvl_transports[0]; i++) {
		if (strlen(hvl_transports[i]) == scheme_len - 5 &&
		    strncmp(url + 5, hvl_transports[i], scheme_len - 5) == 0)
			return true;
	}
	return false;
}

static void hvl_close(struct hv_conn *conn)
{
	if (!conn)
		return;
	if (conn->conn)
		virConnectClose(conn->conn);
	free(conn->url);
	free(conn->shown_url);
	free(conn->storage_dir);
	free(conn);
}

static struct hv_conn *hvl_open(const char *url, struct bd_error *err)
{
	struct hv_conn *conn = NULL;
	const char *type;

	if (!hvl_handles(url)) {
		char *shown = hv_url_redact(url);

		bd_error_set(err, BD_ERR_PARAM,
			     "host URL '%s' is not a libvirt URL (qemu://, qemu+ssh://, test://, ...)",
			     shown ? shown : "");
		free(shown);
		return NULL;
	}
	pthread_once(&hvl_once, hvl_init_once);

	conn = calloc(1, sizeof *conn);
	if (!conn)
		goto oom;
	conn->url = strdup(url);
	conn->shown_url = hv_url_redact(url);
	if (!conn->url || !conn->shown_url)
		goto oom;
	conn->conn = virConnectOpen(url);
	if (!conn->conn) {
		hvl_error_set(err, BD_ERR_UNAVAILABLE, "cannot connect to host '%s'",
			      conn->shown_url);
		hvl_close(conn);
		return NULL;
	}
	type = virConnectGetType(conn->conn);
	conn->is_test = type && strcasecmp(type, "TEST") == 0;
	/* Notice a host that vanished instead of hanging on it. */
	if (!conn->is_test && hvl_event_loop_running &&
	    virConnectSetKeepAlive(conn->conn, 5, 3) < 0)
		virResetLastError();
	return conn;

oom:
	hvl_close(conn);
	bd_error_set(err, BD_ERR_INTERNAL, "out of memory connecting to a host");
	return NULL;
}

/* ---- node facts ------------------------------------------------------ */

/* Whether the host's capabilities offer a guest domain of this type for
 * x86_64 (e.g. "kvm": hardware virtualisation usable by the daemon). */
static bool hvl_offers_domain_type(struct hv_conn *conn, const char *type)
{
	char *xml = virConnectGetCapabilities(conn->conn);
	char expr[160];
	xmlDocPtr doc;
	bool offered = false;

	if (!xml) {
		virResetLastError();
		return false;
	}
	doc = hvl_xml_read(xml);
	if (doc) {
		snprintf(expr, sizeof expr,
			 "/capabilities/guest[arch/@name='x86_64']/arch/domain[@type='%s']",
			 type);
		offered = hvl_xml_has(doc, expr);
		xmlFreeDoc(doc);
	}
	free(xml);
	return offered;
}

static void hvl_version_text(unsigned long version, char *buf, size_t size)
{
	snprintf(buf, size, "%lu.%lu.%lu", version / 1000000, (version / 1000) % 1000,
		 version % 1000);
}

static int hvl_node_info(struct hv_conn *conn, struct hv_node_info *out, struct bd_error *err)
{
	virNodeInfo info;
	const char *type;
	char *hostname = NULL;
	unsigned long version = 0;
	int ret = -1;

	memset(out, 0, sizeof *out);
	if (virNodeGetInfo(conn->conn, &info) < 0) {
		hvl_error_set(err, BD_ERR_UNAVAILABLE, "cannot read node facts of host '%s'",
			      conn->shown_url);
		goto cleanup;
	}
	type = virConnectGetType(conn->conn);
	if (!type) {
		hvl_error_set(err, BD_ERR_UNAVAILABLE, "cannot read hypervisor type of host '%s'",
			      conn->shown_url);
		goto cleanup;
	}
	if (strcasecmp(type, "QEMU") == 0) {
		out->hypervisor = HYPERVISOR_KVM;
		if (virConnectGetVersion(conn->conn, &version) < 0)
			virResetLastError();
	} else if (strcasecmp(type, "TEST") == 0) {
		out->hypervisor = HYPERVISOR_SIMULATOR;
	} else {
		bd_error_set(err, BD_ERR_UNSUPPORTED,
			     "host '%s' runs hypervisor '%s': bootdeck manages QEMU/KVM and libvirt's test driver",
			     conn->shown_url, type);
		goto cleanup;
	}
	/* The test driver's "hypervisor version" is meaningless: show libvirt's. */
	if (version == 0 && virConnectGetLibVersion(conn->conn, &version) < 0)
		virResetLastError();
	hvl_version_text(version, out->version, sizeof out->version);

	hostname = virConnectGetHostname(conn->conn);
	if (!hostname) {
		hvl_error_set(err, BD_ERR_UNAVAILABLE, "cannot read host name of host '%s'",
			      conn->shown_url);
		goto cleanup;
	}
	snprintf(out->hostname, sizeof out->hostname, "%s", hostname);
	snprintf(out->arch, sizeof out->arch, "%s", info.model);
	out->cpus = (int)info.cpus;
	out->memory_mib = (int64_t)(info.memory / 1024);
	out->kvm_available = hvl_offers_domain_type(conn, "kvm");
	ret = 0;
cleanup:
	free(hostname);
	return ret;
}

/* ---- canary boots ---------------------------------------------------- */

struct hvl_canary_result {
	bool booted;
	double seconds;
	char *failure;  /* owned; what went wrong, in the hypervisor's words */
};

static const char *hvl_state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting down";
	case VIR_DOMAIN_SHUTOFF: return "shut off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "suspended";
	default: return "in an unknown state";
	}
}

/* Why a canary stopped, in words: KVM's "emulation failure" shows up as
 * a guest paused because it crashed. */
static const char *hvl_state_reason(int state, int reason)
{
	if (state == VIR_DOMAIN_PAUSED) {
		switch (reason) {
		case VIR_DOMAIN_PAUSED_CRASHED:
			return "the hypervisor hit an internal error (e.g. KVM emulation failure)";
		case VIR_DOMAIN_PAUSED_IOERROR: return "an I/O error";
		case VIR_DOMAIN_PAUSED_WATCHDOG: return "its watchdog fired";
		case VIR_DOMAIN_PAUSED_USER: return "someone paused it";
		default: return "unknown reason";
		}
	}
	if (state == VIR_DOMAIN_SHUTOFF) {
		switch (reason) {
		case VIR_DOMAIN_SHUTOFF_SHUTDOWN: return "the guest powered off";
		case VIR_DOMAIN_SHUTOFF_DESTROYED: return "someone destroyed it";
		case VIR_DOMAIN_SHUTOFF_CRASHED: return "the hypervisor process crashed";
		case VIR_DOMAIN_SHUTOFF_FAILED: return "the hypervisor failed to run it";
		default: return "unknown reason";
		}
	}
	if (state == VIR_DOMAIN_CRASHED)
		return "the guest crashed";
	return "unknown reason";
}

/* Keeps the last HVL_CONSOLE_KEEP bytes the console printed. */
static void hvl_console_keep(char *seen, size_t *seen_len, const char *data, size_t len)
{
	if (len >= HVL_CONSOLE_KEEP - 1) {
		data += len - (HVL_CONSOLE_KEEP - 1);
		len = HVL_CONSOLE_KEEP - 1;
	}
	if (*seen_len + len >= HVL_CONSOLE_KEEP) {
		size_t drop = *seen_len + len - (HVL_CONSOLE_KEEP - 1);

		memmove(seen, seen + drop, *seen_len - drop);
		*seen_len -= drop;
	}
	/* The firmware prints NULs now and then; they would end the search. */
	for (size_t i = 0; i < len; i++)
		seen[(*seen_len)++] = data[i] ? data[i] : ' ';
	seen[*seen_len] = '\0';
}

/* Whether the console text proves the mode: the boot manager ran and, for
 * SECURE, refused unsigned code. */
static bool hvl_console_proves(const char *seen, struct boot_choice boot)
{
	if (!strstr(seen, HVL_UEFI_BANNER))
		return false;
	if (boot.mode == BOOT_MODE_SECURE)
		return strstr(seen, HVL_SECURE_REFUSAL) != NULL;
	return true;
}

struct hvl_probe_ctx {
	struct hv_conn *conn;
	hv_progress_fn progress;
	void *opaque;
	int step;
	int steps;
	int timeout_s;
};

static void hvl_progress(struct hvl_probe_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hvl_progress(struct hvl_probe_ctx *ctx, const char *fmt, ...)
{
	char message[256];
	va_list ap;

	if (ctx->step < ctx->steps)
		ctx->step++;
	if (!ctx->progress)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	ctx->progress(ctx->opaque, ctx->step, ctx->steps, message);
}

/* One canary: a transient diskless guest booting one firmware mode, watched
 * through its console until the firmware proves the mode or fails. */
struct hvl_canary {
	struct boot_choice boot;
	char seen[HVL_CONSOLE_KEEP];
	size_t seen_len;
	virDomainPtr dom;
	virStreamPtr stream;
	bool stream_open;
	bool done;
	double started;
	double last_state_check;
	struct hvl_canary_result result;
};

/* Records the hypervisor's last error as the canary's failure and ends it. */
static void hvl_canary_fail_last(struct hvl_canary *c, const char *what)
{
	if (asprintf(&c->result.failure, "%s%s", what, hvl_last_text()) < 0)
		c->result.failure = NULL;
	virResetLastError();
	c->done = true;
}

/* Starts the canary paused, attaches its console, then lets it run. A
 * canary that cannot start is done with its failure; -1 only for
 * failures of bootdeck itself. */
static int hvl_canary_start(struct hv_conn *conn, const char *virt_type,
			    const struct host_caps *caps, struct hvl_canary *c,
			    struct bd_error *err)
{
	char name[64];
	xmlDocPtr doc;
	char *xml;

	/* One name per mode: the NVRAM file libvirt keeps for a canary is
	 * then reused (and reset) instead of piling up on every probe. */
	snprintf(name, sizeof name, "bootdeck-canary-uefi-%s",
		 c->boot.mode == BOOT_MODE_SECURE ? "secure" : "legacy");
	doc = domxml_build_canary(name, c->boot, caps, virt_type, err);
	if (!doc)
		return -1;
	xml = domxml_to_string(doc);
	xmlFreeDoc(doc);
	if (!xml)
		return bd_error_set(err, BD_ERR_INTERNAL, "cannot serialise canary '%s'", name);

	c->started = hvl_now();
	/* Paused first so the console is attached before the firmware speaks. */
	c->dom = virDomainCreateXML(conn->conn, xml,
				    VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_RESET_NVRAM);
	free(xml);
	if (!c->dom) {
		hvl_canary_fail_last(c, "");
		return 0;
	}
	c->stream = virStreamNew(conn->conn, VIR_STREAM_NONBLOCK);
	if (!c->stream || virDomainOpenConsole(c->dom, NULL, c->stream,
					       VIR_DOMAIN_CONSOLE_FORCE) < 0) {
		hvl_canary_fail_last(c, "cannot open the console: ");
		return 0;
	}
	c->stream_open = true;
	if (virDomainResume(c->dom) < 0)
		hvl_canary_fail_last(c, "");
	return 0;
}

/* Reads what the console has printed and checks the guest's state now and
 * then. Returns whether anything was read, so the caller sleeps only when
 * every canary is quiet. */
static bool hvl_canary_poll(struct hvl_canary *c, int timeout_s)
{
	char buf[1024];
	int n = virStreamRecv(c->stream, buf, sizeof buf);
	double now = hvl_now();

	if (n > 0) {
		hvl_console_keep(c->seen, &c->seen_len, buf, (size_t)n);
		if (hvl_console_proves(c->seen, c->boot)) {
			c->result.booted = true;
			c->done = true;
		}
		return true;
	}
	if (n == -1)
		virResetLastError();
	if (n == 0 || n == -1)
		c->stream_open = false;

	if (now - c->last_state_check >= 0.5 || !c->stream_open) {
		int state = 0, reason = 0;

		c->last_state_check = now;
		if (virDomainGetState(c->dom, &state, &reason, 0) < 0) {
			hvl_canary_fail_last(c, "");
			return false;
		}
		if (state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_SHUTOFF ||
		    state == VIR_DOMAIN_CRASHED || state == VIR_DOMAIN_SHUTDOWN) {
			if (asprintf(&c->result.failure, "the guest stopped %s: %s (%s)",
				     strstr(c->seen, HVL_UEFI_BANNER) ?
					"after the firmware started" :
					"before the firmware printed anything",
				     hvl_state_name(state), hvl_state_reason(state, reason)) < 0)
				c->result.failure = NULL;
			c->done = true;
			return false;
		}
		if (!c->stream_open) {
			c->result.failure = strdup("the console closed before the firmware banner");
			c->done = true;
			return false;
		}
	}
	if (now - c->started >= timeout_s) {
		int rc;

		if (c->boot.mode == BOOT_MODE_SECURE && strstr(c->seen, HVL_UEFI_BANNER))
			rc = asprintf(&c->result.failure,
				      "the firmware started but did not refuse unsigned code within %d s: Secure Boot is not enforced",
				      timeout_s);
		else
			rc = asprintf(&c->result.failure,
				      "no firmware banner on the console within %d s", timeout_s);
		if (rc < 0)
			c->result.failure = NULL;
		c->done = true;
	}
	return false;
}

/* A canary never outlives the probe. */
static void hvl_canary_end(struct hvl_canary *c)
{
	if (c->dom)
		c->result.seconds = hvl_now() - c->started;
	if (c->stream) {
		if (c->stream_open && virStreamAbort(c->stream) < 0)
			virResetLastError();
		virStreamFree(c->stream);
		c->stream = NULL;
	}
	if (c->dom) {
		if (virDomainDestroy(c->dom) < 0)
			virResetLastError();
		virDomainFree(c->dom);
		c->dom = NULL;
	}
}

/* Boots one canary per mode, all at once (each is a few seconds of
 * firmware under emulation), and watches them until each has proven its
 * mode or failed. Fills each canary's result; -1 only for failures of
 * bootdeck itself (a canary failing is a result, not an error). */
static int hvl_canaries_run(struct hvl_probe_ctx *ctx, const char *virt_type,
			    const struct host_caps *caps, struct hvl_canary *canaries,
			    size_t count, struct bd_error *err)
{
	size_t running = 0;
	int ret = 0;

	for (size_t i = 0; i < count && ret == 0; i++)
		ret = hvl_canary_start(ctx->conn, virt_type, caps, &canaries[i], err);
	for (size_t i = 0; i < count; i++)
		running += !canaries[i].done;
	while (ret == 0 && running > 0) {
		bool heard = false;

		for (size_t i = 0; i < count; i++) {
			struct hvl_canary *c = &canaries[i];

			if (c->done)
				continue;
			heard |= hvl_canary_poll(c, ctx->timeout_s);
			if (!c->done)
				continue;
			hvl_canary_end(c);
			running--;
			if (c->result.booted)
				hvl_progress(ctx, "%s: %s canary reached the firmware in %.1f s",
					     virt_type, boot_choice_label(c->boot),
					     c->result.seconds);
			else
				hvl_progress(ctx, "%s: %s canary failed after %.1f s", virt_type,
					     boot_choice_label(c->boot), c->result.seconds);
		}
		if (!heard)
			hvl_sleep_ms(HVL_POLL_MS);
	}
	for (size_t i = 0; i < count; i++)
		hvl_canary_end(&canaries[i]);
	return ret;
}

/* ---- probe ----------------------------------------------------------- */

/* Moves the claims of `from` into `to` (which is cleared first). */
static void hvl_caps_take(struct host_caps *to, struct host_caps *from)
{
	host_caps_clear(to);
	*to = *from;
	memset(from, 0, sizeof *from);
}

/* What the host claims for one virt type: from uefi.properties or from
 * its domain capabilities. *no_domcaps is set when the driver has none. */
static int hvl_probe_claims(struct hvl_probe_ctx *ctx, const struct hv_probe_request *req,
			    const char *virt_type, struct host_caps *claims,
			    bool *no_domcaps, struct bd_error *err)
{
	char *xml = NULL;
	int ret = -1;

	memset(claims, 0, sizeof *claims);
	*no_domcaps = false;
	if (!req->uefi_properties) {
		xml = virConnectGetDomainCapabilities(ctx->conn->conn, NULL, "x86_64", "q35",
						      virt_type, 0);
		if (!xml && hvl_last_is(VIR_ERR_NO_SUPPORT)) {
			virResetLastError();
			*no_domcaps = true;
			ret = 0;
			goto cleanup;
		}
		if (!xml) {
			hvl_error_set(err, BD_ERR_INTERNAL,
				      "cannot read %s domain capabilities of host '%s'",
				      virt_type, ctx->conn->shown_url);
			goto cleanup;
		}
		if (caps_parse_domcaps(xml, strlen(xml), claims, err) < 0) {
			bd_error_prefix(err, "host '%s'", ctx->conn->shown_url);
			goto cleanup;
		}
		claims->autoselect = true;
	} else {
		if (caps_load_uefi_properties(req->uefi_properties, claims, err) < 0)
			goto cleanup;
		claims->autoselect = false;
	}
	snprintf(claims->virt_type, sizeof claims->virt_type, "%s", virt_type);
	ret = 0;
cleanup:
	free(xml);
	return ret;
}

/* Proves each mode the claims make by booting it; a mode whose canary
 * fails is withdrawn with the reason appended to *failures. */
static int hvl_probe_prove(struct hvl_probe_ctx *ctx, const char *virt_type,
			   struct host_caps *claims, char **failures, struct bd_error *err)
{
	static const struct boot_choice modes[] = {
		{ BOOT_TYPE_UEFI, BOOT_MODE_LEGACY },
		{ BOOT_TYPE_UEFI, BOOT_MODE_SECURE },
	};
	struct hvl_canary canaries[2];
	bool proven[2] = { false, false };
	size_t slot_of[2], count = 0;
	char names[128] = "";

	memset(canaries, 0, sizeof canaries);
	for (size_t i = 0; i < 2; i++) {
		bool claimed = modes[i].mode == BOOT_MODE_SECURE ? claims->secure : claims->uefi;

		if (!claimed) {
			hvl_progress(ctx, "%s: host does not offer %s", virt_type,
				     boot_choice_label(modes[i]));
			continue;
		}
		slot_of[count] = i;
		canaries[count++].boot = modes[i];
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
			 names[0] ? " and " : "", boot_choice_label(modes[i]));
	}
	if (count > 0) {
		/* One step to start them, one as each one ends. */
		hvl_progress(ctx, "%s: booting %s %s", virt_type,
			     count > 1 ? "canaries for" : "a canary for", names);
		if (hvl_canaries_run(ctx, virt_type, claims, canaries, count, err) < 0) {
			for (size_t c = 0; c < count; c++)
				free(canaries[c].result.failure);
			return -1;
		}
	}
	for (size_t c = 0; c < count; c++) {
		struct hvl_canary_result *result = &canaries[c].result;

		if (result->booted)
			proven[slot_of[c]] = true;
		else
			hvl_append(failures, "%s %s canary failed: %s", virt_type,
				   boot_choice_label(canaries[c].boot),
				   result->failure ? result->failure : "unknown failure");
		free(result->failure);
	}
	/* Each mode stands on its own canary. */
	claims->uefi = proven[0];
	claims->secure = proven[1];
	return 0;
}

static int hvl_caps_score(const struct host_caps *caps)
{
	return (caps->uefi ? 1 : 0) + (caps->secure ? 2 : 0);
}

static int hvl_probe(struct hv_conn *conn, const struct hv_probe_request *req,
		     struct host_caps *caps, hv_progress_fn progress, void *opaque,
		     struct bd_error *err)
{
	static const struct hv_probe_request no_request = { 0 };
	struct hvl_probe_ctx ctx = { conn, progress, opaque, 0, 0, 0 };
	const char *candidates[2];
	size_t ncandidates = 0;
	struct host_caps best = { 0 };
	bool have_best = false;
	char *failures = NULL;
	char *first_error = NULL;
	size_t i;
	int ret = -1;

	if (!req)
		req = &no_request;
	host_caps_clear(caps);
	memset(caps, 0, sizeof *caps);
	ctx.timeout_s = req->canary_timeout_s > 0 ? req->canary_timeout_s :
			HVL_DEFAULT_CANARY_TIMEOUT_S;

	if (req->virt_type && *req->virt_type) {
		if (strcmp(req->virt_type, "kvm") != 0 && strcmp(req->virt_type, "qemu") != 0) {
			return bd_error_set(err, BD_ERR_PARAM,
					    "unknown virt type '%s' for host '%s': accepted are kvm and qemu",
					    req->virt_type, conn->shown_url);
		}
		candidates[ncandidates++] = req->virt_type;
	} else {
		/* KVM when the host offers it; plain emulation proves what KVM cannot. */
		if (!conn->is_test && hvl_offers_domain_type(conn, "kvm"))
			candidates[ncandidates++] = "kvm";
		else if (!conn->is_test)
			/* Worth saying: guests there will run emulated (TCG). */
			hvl_append(&failures, "kvm: host '%s' does not offer KVM; guests run under "
				   "TCG emulation", conn->shown_url);
		candidates[ncandidates++] = "qemu";
	}
	/* Per virt type: claims, canaries started, then each UEFI mode ends
	 * (its canary's result, or not offered). */
	ctx.steps = (int)ncandidates * 4;

	for (i = 0; i < ncandidates; i++) {
		const char *virt_type = candidates[i];
		struct host_caps claims;
		struct bd_error local = { 0 };
		bool no_domcaps = false;

		hvl_progress(&ctx, "%s: reading what firmware host '%s' offers", virt_type,
			     conn->shown_url);
		if (hvl_probe_claims(&ctx, req, virt_type, &claims, &no_domcaps, &local) < 0) {
			/* A bad uefi.properties is the operator's mistake: say so now. */
			if (req->uefi_properties) {
				if (err)
					*err = local;
				goto cleanup;
			}
			hvl_append(&failures, "%s", local.text);
			if (!first_error)
				first_error = strdup(local.text);
			ctx.step += 3;
			continue;
		}
		if (no_domcaps) {
			/* test:/// and kin: no firmware to boot, nothing to claim. */
			snprintf(claims.virt_type, sizeof claims.virt_type, "%s", virt_type);
			hvl_append(&failures,
				   "host '%s' describes no firmware (no domain capabilities) and no uefi.properties was given",
				   conn->shown_url);
			hvl_caps_take(&best, &claims);
			have_best = true;
			break;
		}
		if (conn->is_test) {
			/* The test driver runs no firmware: the file is the evidence. */
			hvl_caps_take(&best, &claims);
			have_best = true;
			break;
		}
		if (hvl_probe_prove(&ctx, virt_type, &claims, &failures, err) < 0) {
			host_caps_clear(&claims);
			goto cleanup;
		}
		if (!have_best || hvl_caps_score(&claims) > hvl_caps_score(&best)) {
			hvl_caps_take(&best, &claims);
			have_best = true;
		} else {
			host_caps_clear(&claims);
		}
		/* Everything claimed was proven: no need to try slower emulation. */
		if (!failures)
			break;
	}

	if (!have_best) {
		bd_error_set(err, BD_ERR_UNAVAILABLE, "cannot probe firmware of host '%s': %s",
			     conn->shown_url, first_error ? first_error : "no virt type usable");
		goto cleanup;
	}
	hvl_caps_take(caps, &best);
	/* The claims' own reasons (a mode not offered) come first. */
	if (failures && caps->probe_error) {
		hvl_append(&caps->probe_error, "%s", failures);
	} else if (failures) {
		caps->probe_error = failures;
		failures = NULL;
	}
	caps->probed = time(NULL);
	if (progress)
		progress(opaque, ctx.steps, ctx.steps, "probe finished");
	ret = 0;
cleanup:
	host_caps_clear(&best);
	free(failures);
	free(first_error);
	return ret;
}

/* ---- storage ---------------------------------------------------------- */

/* The URI path names the daemon flavour: "/system" or "/session". */
static bool hvl_is_session(struct hv_conn *conn)
{
	const char *path = strstr(conn->url, "://");

	if (!path)
		return false;
	path = strchr(path + 3, '/');
	return path && strncmp(path, "/session", 8) == 0 &&
	       (path[8] == '\0' || path[8] == '?');
}

/* Value of a query parameter of the URL; owned, or NULL. */
static char *hvl_url_param(const char *url, const char *key)
{
	const char *query = strchr(url, '?');
	size_t key_len = strlen(key);

	while (query) {
		const char *end;

		query++;
		end = query + strcspn(query, "&");
		if ((size_t)(end - query) > key_len && strncmp(query, key, key_len) == 0 &&
		    query[key_len] == '=')
			return strndup(query + key_len + 1, (size_t)(end - query) - key_len - 1);
		query = *end ? end : NULL;
	}
	return NULL;
}

/* Reads one variable of a process environment (/proc/PID/environ). */
static char *hvl_proc_env(long pid, const char *name)
{
	char path[64];
	char *data = NULL;
	char *value = NULL;
	size_t len = 0;
	size_t name_len = strlen(name);
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%ld/environ", pid);
	fp = fopen(path, "r");
	if (!fp)
		return NULL;
	data = malloc(65536);
	if (data)
		len = fread(data, 1, 65535, fp);
	fclose(fp);
	if (!data)
		return NULL;
	data[len] = '\0';
	for (size_t off = 0; off < len; off += strlen(data + off) + 1) {
		if (strncmp(data + off, name, name_len) == 0 && data[off + name_len] == '=') {
			value = strdup(data + off + name_len + 1);
			break;
		}
	}
	free(data);
	return value;
}

/* The pid of the daemon listening on a local socket, from the kernel's
 * record of the peer (SO_PEERCRED): no guessing at pid files. */
static long hvl_socket_peer_pid(const char *socket_path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof cred;
	long pid = -1;
	int fd;

	if (strlen(socket_path) >= sizeof addr.sun_path)
		return -1;
	strcpy(addr.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0)
		pid = cred.pid;
	close(fd);
	return pid;
}

/* A local session daemon's own environment says where it keeps data
 * ($XDG_DATA_HOME, else $HOME/.local/share), which is where libvirt puts
 * its session images. */
static char *hvl_session_data_dir(struct hv_conn *conn)
{
	char *socket_path = hvl_url_param(conn->url, "socket");
	char *dir = NULL;
	char *value;
	long pid;

	if (!socket_path) {
		const char *runtime = getenv("XDG_RUNTIME_DIR");
		const char *host = strstr(conn->url, "://");

		/* Only plain qemu:///session talks to this user's own daemon. */
		if (!host || host[3] != '/' || strncmp(conn->url, "qemu://", 7) != 0)
			return NULL;
		if (runtime && *runtime) {
			if (asprintf(&socket_path, "%s/libvirt/libvirt-sock", runtime) < 0)
				return NULL;
		} else {
			const char *xdg_data = getenv("XDG_DATA_HOME");
			const char *home = getenv("HOME");

			if (xdg_data && *xdg_data)
				return strdup(xdg_data);
			if (home && *home && asprintf(&dir, "%s/.local/share", home) >= 0)
				return dir;
			return NULL;
		}
	}
	pid = hvl_socket_peer_pid(socket_path);
	free(socket_path);
	if (pid <= 0)
		return NULL;
	value = hvl_proc_env(pid, "XDG_DATA_HOME");
	if (value && *value)
		return value;
	free(value);
	value = hvl_proc_env(pid, "HOME");
	if (value && *value && asprintf(&dir, "%s/.local/share", value) < 0)
		dir = NULL;
	free(value);
	return dir;
}

static char *hvl_pool_target(virStoragePoolPtr pool)
{
	char *xml = virStoragePoolGetXMLDesc(pool, 0);
	char *path = NULL;
	xmlDocPtr doc;

	if (!xml) {
		virResetLastError();
		return NULL;
	}
	doc = hvl_xml_read(xml);
	if (doc) {
		path = hvl_xml_string(doc, "/pool/target/path");
		xmlFreeDoc(doc);
	}
	free(xml);
	return path;
}

static int hvl_storage_dir(struct hv_conn *conn, char **dir_out, struct bd_error *err);

/* The bootdeck pool, defined, built, started and autostarted as needed. */
static virStoragePoolPtr hvl_pool_get(struct hv_conn *conn, struct bd_error *err)
{
	virStoragePoolPtr pool = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlNodePtr target;
	xmlNodePtr perms;
	char *dir = NULL;
	char *xml = NULL;
	int active;

	pool = virStoragePoolLookupByName(conn->conn, HVL_POOL_NAME);
	if (!pool) {
		if (!hvl_last_is(VIR_ERR_NO_STORAGE_POOL)) {
			hvl_error_set(err, BD_ERR_INTERNAL,
				      "cannot look up storage pool '" HVL_POOL_NAME "' on host '%s'",
				      conn->shown_url);
			goto error;
		}
		virResetLastError();
		if (hvl_storage_dir(conn, &dir, err) < 0)
			goto error;
		doc = xmlNewDoc(BAD_CAST "1.0");
		root = xmlNewNode(NULL, BAD_CAST "pool");
		xmlDocSetRootElement(doc, root);
		xmlNewProp(root, BAD_CAST "type", BAD_CAST "dir");
		xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST HVL_POOL_NAME);
		target = xmlNewChild(root, NULL, BAD_CAST "target", NULL);
		xmlNewTextChild(target, NULL, BAD_CAST "path", BAD_CAST dir);
		/* Guests of a system daemon run as another user: let them in. */
		perms = xmlNewChild(target, NULL, BAD_CAST "permissions", NULL);
		xmlNewTextChild(perms, NULL, BAD_CAST "mode", BAD_CAST "0755");
		xml = hvl_xml_to_string(doc);
		if (!xml) {
			bd_error_set(err, BD_ERR_INTERNAL, "cannot build storage pool '%s'", dir);
			goto error;
		}
		pool = virStoragePoolDefineXML(conn->conn, xml, 0);
		if (!pool) {
			hvl_error_set(err, BD_ERR_INTERNAL,
				      "cannot define storage pool '" HVL_POOL_NAME "' at '%s' on host '%s'",
				      dir, conn->shown_url);
			goto error;
		}
		if (virStoragePoolBuild(pool, 0) < 0) {
			hvl_error_set(err, BD_ERR_INTERNAL,
				      "cannot create folder '%s' for storage pool '" HVL_POOL_NAME "' on host '%s'",
				      dir, conn->shown_url);
			if (virStoragePoolUndefine(pool) < 0)
				virResetLastError();
			goto error;
		}
		if (virStoragePoolSetAutostart(pool, 1) < 0)
			virResetLastError();
	}
	active = virStoragePoolIsActive(pool);
	if (active == 0 && virStoragePoolCreate(pool, 0) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL,
			      "cannot start storage pool '" HVL_POOL_NAME "' on host '%s'",
			      conn->shown_url);
		goto error;
	}
	if (active < 0)
		virResetLastError();
	goto done;

error:
	if (pool)
		virStoragePoolFree(pool);
	pool = NULL;
done:
	free(xml);
	free(dir);
	xmlFreeDoc(doc);
	return pool;
}

static int hvl_storage_dir(struct hv_conn *conn, char **dir_out, struct bd_error *err)
{
	virStoragePoolPtr pool = NULL;
	char *dir = NULL;
	char *data = NULL;

	*dir_out = NULL;
	if (conn->storage_dir)
		goto found;

	/* An existing pool wins: the operator may have placed it. */
	pool = virStoragePoolLookupByName(conn->conn, HVL_POOL_NAME);
	if (pool) {
		dir = hvl_pool_target(pool);
		virStoragePoolFree(pool);
		pool = NULL;
	}
	virResetLastError();

	if (!dir && !hvl_is_session(conn)) {
		dir = strdup(HVL_SYSTEM_STORAGE_DIR);
	} else if (!dir) {
		/* Beside the session daemon's own images folder. */
		pool = virStoragePoolLookupByName(conn->conn, "default");
		if (pool) {
			char *images = hvl_pool_target(pool);
			char *slash = images ? strrchr(images, '/') : NULL;

			if (slash && slash != images) {
				*slash = '\0';
				if (asprintf(&dir, "%s/" HVL_POOL_NAME, images) < 0)
					dir = NULL;
			}
			free(images);
			virStoragePoolFree(pool);
		}
		virResetLastError();
		if (!dir) {
			data = hvl_session_data_dir(conn);
			if (data && asprintf(&dir, "%s/libvirt/" HVL_POOL_NAME, data) < 0)
				dir = NULL;
		}
		if (!dir) {
			return bd_error_set(err, BD_ERR_INTERNAL,
					    "cannot tell where session host '%s' keeps files: define a storage pool named '" HVL_POOL_NAME "' or 'default' there",
					    conn->shown_url);
		}
	}
	free(data);
	if (!dir)
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	conn->storage_dir = dir;
found:
	*dir_out = strdup(conn->storage_dir);
	if (!*dir_out)
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	return 0;
}

static const char *hvl_volume_format(enum template_format format)
{
	return format == TEMPLATE_RAW ? "raw" : "qcow2";
}

static int hvl_disk_create(struct hv_conn *conn, const struct hv_disk_request *req,
			   char **path_out, struct bd_error *err)
{
	virStoragePoolPtr pool = NULL;
	virStorageVolPtr vol = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlNodePtr node;
	char *vol_name = NULL;
	char *xml = NULL;
	char size[32];
	bool overlay;
	int ret = -1;

	*path_out = NULL;
	if (!req || !req->vm_name || !*req->vm_name)
		return bd_error_set(err, BD_ERR_PARAM, "missing VM name for its disk");
	if (strchr(req->vm_name, '/'))
		return bd_error_set(err, BD_ERR_PARAM,
				    "VM name '%s' cannot name a disk: '/' is not accepted",
				    req->vm_name);
	if (req->template_format < 0 || req->template_format >= TEMPLATE_FORMAT_LAST)
		return bd_error_set(err, BD_ERR_PARAM,
				    "unknown template format %d for VM '%s': accepted are QCOW2, RAW and ISO",
				    (int)req->template_format, req->vm_name);
	overlay = req->template_format != TEMPLATE_ISO;
	if (overlay && (!req->template_path || req->template_path[0] != '/'))
		return bd_error_set(err, BD_ERR_PARAM,
				    "template path '%s' for VM '%s' must be absolute",
				    req->template_path ? req->template_path : "",
				    req->vm_name);
	if (req->size_bytes < 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "disk size %lld for VM '%s' is negative",
				    (long long)req->size_bytes, req->vm_name);

	pool = hvl_pool_get(conn, err);
	if (!pool)
		goto cleanup;
	if (asprintf(&vol_name, "%s.qcow2", req->vm_name) < 0) {
		vol_name = NULL;
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		goto cleanup;
	}
	vol = virStorageVolLookupByName(pool, vol_name);
	if (vol) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "disk '%s' already exists in pool '" HVL_POOL_NAME "' on host '%s'",
			     vol_name, conn->shown_url);
		goto cleanup;
	}
	virResetLastError();

	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "volume");
	xmlDocSetRootElement(doc, root);
	xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST vol_name);
	/* An overlay takes its size from the template unless told otherwise;
	 * the test driver has no template to read and wants a number. */
	snprintf(size, sizeof size, "%lld",
		 (long long)(req->size_bytes > 0 ? req->size_bytes : HVL_DEFAULT_ISO_DISK_BYTES));
	if (!overlay || req->size_bytes > 0 || conn->is_test) {
		node = xmlNewTextChild(root, NULL, BAD_CAST "capacity", BAD_CAST size);
		xmlNewProp(node, BAD_CAST "unit", BAD_CAST "bytes");
	}
	node = xmlNewChild(root, NULL, BAD_CAST "target", NULL);
	xmlNewProp(xmlNewChild(node, NULL, BAD_CAST "format", NULL), BAD_CAST "type",
		   BAD_CAST "qcow2");
	if (overlay) {
		node = xmlNewChild(root, NULL, BAD_CAST "backingStore", NULL);
		xmlNewTextChild(node, NULL, BAD_CAST "path", BAD_CAST req->template_path);
		xmlNewProp(xmlNewChild(node, NULL, BAD_CAST "format", NULL), BAD_CAST "type",
			   BAD_CAST hvl_volume_format(req->template_format));
	}
	xml = hvl_xml_to_string(doc);
	if (!xml) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot build disk '%s'", vol_name);
		goto cleanup;
	}
	vol = virStorageVolCreateXML(pool, xml, 0);
	if (!vol) {
		hvl_error_set(err, BD_ERR_INTERNAL,
			      overlay ? "cannot create disk '%s' over template '%s' on host '%s'" :
				        "cannot create disk '%s'%s on host '%s'",
			      vol_name, overlay ? req->template_path : "", conn->shown_url);
		goto cleanup;
	}
	*path_out = virStorageVolGetPath(vol);
	if (!*path_out) {
		hvl_error_set(err, BD_ERR_INTERNAL, "cannot read the path of disk '%s'", vol_name);
		if (virStorageVolDelete(vol, 0) < 0)
			virResetLastError();
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (vol)
		virStorageVolFree(vol);
	if (pool)
		virStoragePoolFree(pool);
	xmlFreeDoc(doc);
	free(xml);
	free(vol_name);
	return ret;
}

/* Deletes the volume at path; an unknown path is not an error. */
static int hvl_volume_delete(struct hv_conn *conn, const char *path, struct bd_error *err)
{
	virStorageVolPtr vol;
	virStoragePoolPtr pool;

	vol = virStorageVolLookupByPath(conn->conn, path);
	if (!vol && hvl_last_is(VIR_ERR_NO_STORAGE_VOL)) {
		/* Files made behind libvirt's back appear after a refresh. */
		virResetLastError();
		pool = virStoragePoolLookupByName(conn->conn, HVL_POOL_NAME);
		if (pool) {
			if (virStoragePoolRefresh(pool, 0) < 0)
				virResetLastError();
			virStoragePoolFree(pool);
		}
		virResetLastError();
		vol = virStorageVolLookupByPath(conn->conn, path);
	}
	if (!vol) {
		if (hvl_last_is(VIR_ERR_NO_STORAGE_VOL)) {
			virResetLastError();
			return 0;
		}
		return hvl_error_set(err, BD_ERR_INTERNAL, "cannot find disk '%s' on host '%s'",
				     path, conn->shown_url);
	}
	if (virStorageVolDelete(vol, 0) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL, "cannot delete disk '%s' on host '%s'",
			      path, conn->shown_url);
		virStorageVolFree(vol);
		return -1;
	}
	virStorageVolFree(vol);
	return 0;
}

static int hvl_disk_delete(struct hv_conn *conn, const char *path, struct bd_error *err)
{
	if (!path || !*path)
		return bd_error_set(err, BD_ERR_PARAM, "missing disk path to delete");
	return hvl_volume_delete(conn, path, err);
}

/* ---- guests ---------------------------------------------------------- */

/* The guest called name; NULL with *missing set when there is none. */
static virDomainPtr hvl_domain_find(struct hv_conn *conn, const char *name, bool *missing,
				    struct bd_error *err)
{
	virDomainPtr dom;

	*missing = false;
	if (!name || !*name) {
		bd_error_set(err, BD_ERR_PARAM, "missing guest name");
		return NULL;
	}
	dom = virDomainLookupByName(conn->conn, name);
	if (dom)
		return dom;
	if (hvl_last_is(VIR_ERR_NO_DOMAIN)) {
		*missing = true;
		bd_error_set(err, BD_ERR_INTERNAL, "no guest '%s' on host '%s'", name,
			     conn->shown_url);
		virResetLastError();
		return NULL;
	}
	hvl_error_set(err, BD_ERR_UNAVAILABLE, "cannot look up guest '%s' on host '%s'", name,
		      conn->shown_url);
	return NULL;
}

static virDomainPtr hvl_domain_get(struct hv_conn *conn, const char *name, struct bd_error *err)
{
	bool missing;

	return hvl_domain_find(conn, name, &missing, err);
}

static int hvl_define(struct hv_conn *conn, const struct hv_vm_spec *spec, struct bd_error *err)
{
	const char *virt_type;
	xmlDocPtr doc = NULL;
	char *xml = NULL;
	virDomainPtr dom = NULL;
	int ret = -1;

	if (!spec || !spec->name || !*spec->name)
		return bd_error_set(err, BD_ERR_PARAM, "missing guest name to define");
	if (!spec->caps)
		return bd_error_set(err, BD_ERR_PARAM,
				    "guest '%s' cannot be defined on host '%s' before its firmware is probed",
				    spec->name, conn->shown_url);
	virt_type = spec->caps->virt_type[0] ? spec->caps->virt_type : "qemu";
	doc = domxml_build(spec, virt_type, conn->shown_url, err);
	if (!doc)
		goto cleanup;
	xml = domxml_to_string(doc);
	if (!xml) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot serialise guest '%s'", spec->name);
		goto cleanup;
	}
	dom = virDomainDefineXML(conn->conn, xml);
	if (!dom) {
		hvl_error_set(err, BD_ERR_INTERNAL, "failed to define guest '%s' on host '%s'",
			      spec->name, conn->shown_url);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (dom)
		virDomainFree(dom);
	free(xml);
	xmlFreeDoc(doc);
	return ret;
}

static int hvl_start(struct hv_conn *conn, const char *name, struct bd_error *err)
{
	virDomainPtr dom = hvl_domain_get(conn, name, err);
	int ret = -1;

	if (!dom)
		return -1;
	if (virDomainCreate(dom) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL, "failed to start guest '%s' on host '%s'", name,
			      conn->shown_url);
		goto cleanup;
	}
	ret = 0;
cleanup:
	virDomainFree(dom);
	return ret;
}

static int hvl_destroy(struct hv_conn *conn, const char *name, struct bd_error *err)
{
	virDomainPtr dom = hvl_domain_get(conn, name, err);
	int ret = -1;

	if (!dom)
		return -1;
	/* Destroying a stopped guest leaves it as asked. */
	if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL, "failed to destroy guest '%s' on host '%s'",
			      name, conn->shown_url);
		goto cleanup;
	}
	virResetLastError();
	ret = 0;
cleanup:
	virDomainFree(dom);
	return ret;
}

static int hvl_stop(struct hv_conn *conn, const char *name, int timeout_s, struct bd_error *err)
{
	virDomainPtr dom = hvl_domain_get(conn, name, err);
	double deadline;
	int ret = -1;

	if (!dom)
		return -1;
	if (virDomainIsActive(dom) != 1) {
		virResetLastError();
		ret = 0;
		goto cleanup;
	}
	if (virDomainShutdown(dom) < 0) {
		/* A guest that ignores ACPI is still stopped, by force below. */
		virResetLastError();
	}
	deadline = hvl_now() + (timeout_s > 0 ? timeout_s : 0);
	while (hvl_now() < deadline) {
		int active = virDomainIsActive(dom);

		if (active == 0) {
			ret = 0;
			goto cleanup;
		}
		if (active < 0) {
			hvl_error_set(err, BD_ERR_UNAVAILABLE,
				      "lost guest '%s' on host '%s' while stopping it", name,
				      conn->shown_url);
			goto cleanup;
		}
		hvl_sleep_ms(200);
	}
	if (virDomainIsActive(dom) == 1 && virDomainDestroy(dom) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL,
			      "guest '%s' on host '%s' did not stop within %d s and could not be forced off",
			      name, conn->shown_url, timeout_s);
		goto cleanup;
	}
	virResetLastError();
	ret = 0;
cleanup:
	virDomainFree(dom);
	return ret;
}

static int hvl_reboot(struct hv_conn *conn, const char *name, struct bd_error *err)
{
	virDomainPtr dom = hvl_domain_get(conn, name, err);
	int ret = -1;

	if (!dom)
		return -1;
	if (virDomainReboot(dom, 0) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL, "failed to reboot guest '%s' on host '%s'", name,
			      conn->shown_url);
		goto cleanup;
	}
	ret = 0;
cleanup:
	virDomainFree(dom);
	return ret;
}

/* Whether path lies inside folder dir. */
static bool hvl_path_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

static int hvl_undefine(struct hv_conn *conn, const char *name, struct bd_error *err)
{
	bool missing = false;
	virDomainPtr dom = hvl_domain_find(conn, name, &missing, err);
	char *xml = NULL;
	char *nvram = NULL;
	char *dir = NULL;
	xmlDocPtr doc = NULL;
	int ret = -1;

	if (!dom) {
		if (missing) {
			bd_error_clear(err);
			return 0;
		}
		return -1;
	}
	if (virDomainIsActive(dom) == 1) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "guest '%s' on host '%s' is still running: stop it before removing it",
			     name, conn->shown_url);
		goto cleanup;
	}
	xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (xml && (doc = hvl_xml_read(xml)))
		nvram = hvl_xml_string(doc, "/domain/os/nvram");
	virResetLastError();

	if (virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_NVRAM) < 0) {
		/* Drivers without NVRAM support (test:///) reject the flag. */
		if (!hvl_last_is(VIR_ERR_INVALID_ARG) && !hvl_last_is(VIR_ERR_NO_SUPPORT)) {
			hvl_error_set(err, BD_ERR_INTERNAL,
				      "failed to undefine guest '%s' on host '%s'", name,
				      conn->shown_url);
			goto cleanup;
		}
		virResetLastError();
		if (virDomainUndefine(dom) < 0) {
			hvl_error_set(err, BD_ERR_INTERNAL,
				      "failed to undefine guest '%s' on host '%s'", name,
				      conn->shown_url);
			goto cleanup;
		}
	}
	/* A per-VM NVRAM copy bootdeck placed in its own folder goes too. */
	if (nvram && *nvram && hvl_storage_dir(conn, &dir, NULL) < 0)
		dir = NULL;
	if (nvram && dir && hvl_path_under(nvram, dir) &&
	    hvl_volume_delete(conn, nvram, err) < 0) {
		bd_error_prefix(err, "guest '%s' removed but its NVRAM was kept", name);
		goto cleanup;
	}
	ret = 0;
cleanup:
	xmlFreeDoc(doc);
	free(xml);
	free(nvram);
	free(dir);
	virDomainFree(dom);
	return ret;
}

/* A job still running inside libvirtd (a start or destroy whose caller
 * went away, e.g. was killed) decides the guest's state when it ends:
 * reading the state before then would record what is about to change. */
#define HVL_JOB_WAIT_MS 30000
#define HVL_JOB_POLL_MS 100

static void hvl_wait_job_end(virDomainPtr dom)
{
	virDomainControlInfo info;

	for (int waited = 0; waited < HVL_JOB_WAIT_MS; waited += HVL_JOB_POLL_MS) {
		/* Drivers without control info (test:///) have no jobs to wait on. */
		if (virDomainGetControlInfo(dom, &info, 0) < 0 ||
		    info.state == VIR_DOMAIN_CONTROL_OK || info.state == VIR_DOMAIN_CONTROL_ERROR)
			return;
		usleep(HVL_JOB_POLL_MS * 1000);
	}
}

static int hvl_state(struct hv_conn *conn, const char *name, bool *exists, bool *running,
		     struct bd_error *err)
{
	bool missing = false;
	virDomainPtr dom = hvl_domain_find(conn, name, &missing, err);
	int active;

	*exists = false;
	*running = false;
	if (!dom) {
		if (missing) {
			bd_error_clear(err);
			return 0;
		}
		return -1;
	}
	hvl_wait_job_end(dom);
	active = virDomainIsActive(dom);
	virDomainFree(dom);
	if (active < 0)
		return hvl_error_set(err, BD_ERR_UNAVAILABLE,
				     "cannot read state of guest '%s' on host '%s'", name,
				     conn->shown_url);
	*exists = true;
	*running = active == 1;
	return 0;
}

static int hvl_list(struct hv_conn *conn, char ***names, size_t *count, struct bd_error *err)
{
	virDomainPtr *doms = NULL;
	char **out = NULL;
	int n;
	int i;
	int ret = -1;

	*names = NULL;
	*count = 0;
	n = virConnectListAllDomains(conn->conn, &doms, 0);
	if (n < 0)
		return hvl_error_set(err, BD_ERR_UNAVAILABLE, "cannot list guests of host '%s'",
				     conn->shown_url);
	out = calloc((size_t)n + 1, sizeof *out);
	if (!out) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		out[i] = strdup(virDomainGetName(doms[i]));
		if (!out[i]) {
			bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
			goto cleanup;
		}
	}
	*names = out;
	*count = (size_t)n;
	out = NULL;
	ret = 0;
cleanup:
	if (out) {
		for (i = 0; i < n; i++)
			free(out[i]);
		free(out);
	}
	for (i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	return ret;
}

/* The live definition of a running guest, parsed; NULL with err. */
static xmlDocPtr hvl_live_doc(struct hv_conn *conn, const char *name, const char *why,
			      struct bd_error *err)
{
	virDomainPtr dom = hvl_domain_get(conn, name, err);
	xmlDocPtr doc = NULL;
	char *xml = NULL;

	if (!dom)
		return NULL;
	if (virDomainIsActive(dom) != 1) {
		virResetLastError();
		bd_error_set(err, BD_ERR_INTERNAL, "guest '%s' on host '%s' is not running: %s",
			     name, conn->shown_url, why);
		goto cleanup;
	}
	xml = virDomainGetXMLDesc(dom, 0);
	if (!xml) {
		hvl_error_set(err, BD_ERR_UNAVAILABLE,
			      "cannot read the live definition of guest '%s' on host '%s'", name,
			      conn->shown_url);
		goto cleanup;
	}
	doc = hvl_xml_read(xml);
	if (!doc)
		bd_error_set(err, BD_ERR_INTERNAL,
			     "host '%s' returned an unreadable definition of guest '%s'",
			     conn->shown_url, name);
cleanup:
	free(xml);
	virDomainFree(dom);
	return doc;
}

static int hvl_verify_secure(struct hv_conn *conn, const char *name, struct bd_error *err)
{
	xmlDocPtr doc = hvl_live_doc(conn, name, "Secure Boot can only be verified live", err);
	bool secure_loader;
	bool smm;
	int ret = -1;

	if (!doc)
		return -1;
	secure_loader = hvl_xml_has(doc, "/domain/os/loader[@secure='yes']") ||
			hvl_xml_has(doc, "/domain/os/firmware/feature[@name='secure-boot' and @enabled='yes']");
	smm = hvl_xml_has(doc, "/domain/features/smm[not(@state) or @state='on']");
	if (!secure_loader || !smm) {
		bd_error_set(err, BD_ERR_INTERNAL,
			     "guest '%s' on host '%s' is not booting with Secure Boot: missing %s%s%s",
			     name, conn->shown_url,
			     secure_loader ? "" : "a Secure Boot loader",
			     !secure_loader && !smm ? " and " : "",
			     smm ? "" : "System Management Mode (smm)");
		goto cleanup;
	}
	ret = 0;
cleanup:
	xmlFreeDoc(doc);
	return ret;
}

/* Firmware is chosen at start (libvirt 9), so only the live definition
 * names the loader and NVRAM file in use. */
static int hvl_firmware(struct hv_conn *conn, const char *name, char **loader, char **nvram,
			struct bd_error *err)
{
	xmlDocPtr doc = hvl_live_doc(conn, name, "its firmware is chosen at start", err);

	*loader = NULL;
	*nvram = NULL;
	if (!doc)
		return -1;
	*loader = hvl_xml_string(doc, "/domain/os/loader");
	*nvram = hvl_xml_string(doc, "/domain/os/nvram");
	xmlFreeDoc(doc);
	return 0;
}

static int hvl_guest_uuid(struct hv_conn *conn, const char *name, char uuid[37],
			  struct bd_error *err)
{
	virDomainPtr dom = hvl_domain_get(conn, name, err);
	char text[VIR_UUID_STRING_BUFLEN];
	int ret = -1;

	if (!dom)
		return -1;
	if (virDomainGetUUIDString(dom, text) < 0) {
		hvl_error_set(err, BD_ERR_INTERNAL, "cannot read the UUID of guest '%s' on host '%s'",
			      name, conn->shown_url);
		goto cleanup;
	}
	snprintf(uuid, 37, "%s", text);
	ret = 0;
cleanup:
	virDomainFree(dom);
	return ret;
}

static int hvl_disk_list(struct hv_conn *conn, char ***paths, size_t *count, struct bd_error *err)
{
	virStoragePoolPtr pool = NULL;
	virStorageVolPtr *vols = NULL;
	char **out = NULL;
	size_t n = 0;
	int nvol = 0;
	int ret = -1;

	*paths = NULL;
	*count = 0;
	pool = hvl_pool_get(conn, err);
	if (!pool)
		return -1;
	/* Files written behind libvirt's back (or by a killed caller) show
	 * only after a refresh. */
	virStoragePoolRefresh(pool, 0);
	nvol = virStoragePoolListAllVolumes(pool, &vols, 0);
	if (nvol < 0) {
		hvl_error_set(err, BD_ERR_UNAVAILABLE,
			      "cannot list the disks of pool '" HVL_POOL_NAME "' on host '%s'",
			      conn->shown_url);
		goto cleanup;
	}
	out = calloc((size_t)nvol + 1, sizeof *out);
	if (!out) {
		bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
		goto cleanup;
	}
	for (int i = 0; i < nvol; i++) {
		char *path = virStorageVolGetPath(vols[i]);

		if (path)
			out[n++] = path;
	}
	*paths = out;
	*count = n;
	out = NULL;
	ret = 0;
cleanup:
	if (out) {
		for (size_t i = 0; i < n; i++)
			free(out[i]);
		free(out);
	}
	for (int i = 0; i < nvol; i++)
		virStorageVolFree(vols[i]);
	free(vols);
	virStoragePoolFree(pool);
	return ret;
}

const struct hv_driver hv_libvirt_driver = {
	.name = "libvirt",
	.handles = hvl_handles,
	.open = hvl_open,
	.close = hvl_close,
	.node_info = hvl_node_info,
	.probe = hvl_probe,
	.disk_create = hvl_disk_create,
	.disk_delete = hvl_disk_delete,
	.define = hvl_define,
	.start = hvl_start,
	.stop = hvl_stop,
	.destroy = hvl_destroy,
	.reboot = hvl_reboot,
	.undefine = hvl_undefine,
	.state = hvl_state,
	.list = hvl_list,
	.verify_secure = hvl_verify_secure,
	.firmware = hvl_firmware,
	.storage_dir = hvl_storage_dir,
	.guest_uuid = hvl_guest_uuid,
	.disk_list = hvl_disk_list,
};
