/* Host onboarding and upkeep: connect, read the node, prove the firmware,
 * store the result; and the shared per-process connections every other
 * operation goes through. */
#include "hostops.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/log.h"
#include "backend/vmops.h"

/* ---- shared connections ---- */

struct shared_conn {
	char *url;
	const struct hv_driver *drv;
	struct hv_conn *conn;
	struct shared_conn *next;
};

static struct shared_conn *shared_conns;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

/* Finds or opens the connection for url. *opened tells whether this call
 * made it (first use in this process). */
static int shared_get(const char *url, struct host_session *out, bool *opened,
		      struct bd_error *err)
{
	struct shared_conn *sc;
	const struct hv_driver *drv;
	struct hv_conn *conn;

	*opened = false;
	pthread_mutex_lock(&shared_lock);
	for (sc = shared_conns; sc; sc = sc->next) {
		if (strcmp(sc->url, url) == 0) {
			out->drv = sc->drv;
			out->conn = sc->conn;
			pthread_mutex_unlock(&shared_lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&shared_lock);

	drv = hv_driver_for(url, err);
	if (!drv)
		return -1;
	/* Opened outside the lock: connecting can take seconds. */
	conn = drv->open(url, err);
	if (!conn)
		return -1;
	sc = calloc(1, sizeof *sc);
	if (!sc || !(sc->url = strdup(url))) {
		free(sc);
		drv->close(conn);
		return bd_error_set(err, BD_ERR_INTERNAL, "out of memory");
	}
	sc->drv = drv;
	sc->conn = conn;
	pthread_mutex_lock(&shared_lock);
	sc->next = shared_conns;
	shared_conns = sc;
	pthread_mutex_unlock(&shared_lock);
	out->drv = drv;
	out->conn = conn;
	*opened = true;
	return 0;
}

/* Drops the shared connection of url so the next use connects afresh. */
static void shared_forget(const char *url)
{
	struct shared_conn **link, *sc;

	pthread_mutex_lock(&shared_lock);
	for (link = &shared_conns; (sc = *link); link = &sc->next) {
		if (strcmp(sc->url, url) == 0) {
			*link = sc->next;
			sc->drv->close(sc->conn);
			free(sc->url);
			free(sc);
			break;
		}
	}
	pthread_mutex_unlock(&shared_lock);
}

void hostops_shutdown(void)
{
	pthread_mutex_lock(&shared_lock);
	while (shared_conns) {
		struct shared_conn *sc = shared_conns;

		shared_conns = sc->next;
		sc->drv->close(sc->conn);
		free(sc->url);
		free(sc);
	}
	pthread_mutex_unlock(&shared_lock);
}

static void set_owned(char **field, const char *value)
{
	free(*field);
	*field = value ? strdup(value) : NULL;
}

void hostops_mark_disconnected(struct store *store, struct host *host,
			       const struct bd_error *cause)
{
	char text[BD_ERROR_TEXT_MAX + 128];

	shared_forget(host->url);
	host->state = HOST_STATE_DISCONNECTED;
	set_owned(&host->last_error, cause->text);
	if (store_host_update(store, host, NULL) < 0)
		log_msg(LOG_ERROR, "host", "cannot record host '%s' as Disconnected", host->name);
	snprintf(text, sizeof text, "host '%s' is Disconnected: %s", host->name, cause->text);
	store_event_add(store, "HOST.DISCONNECT", EVENT_ERROR, host->id, text);
	store_alert_add(store, "HOST.DISCONNECT", host->id, text);
	log_msg(LOG_ERROR, "host", "%s", text);
}

int hostops_open(struct store *store, struct host *host, struct host_session *out,
		 struct bd_error *err)
{
	bool opened;

	if (shared_get(host->url, out, &opened, err) < 0) {
		bd_error_prefix(err, "cannot reach host '%s'", host->name);
		err->code = BD_ERR_UNAVAILABLE;
		hostops_mark_disconnected(store, host, err);
		return -1;
	}
	/* A simulated host forgets everything between processes: give it back
	 * the domains on record, once per process. */
	if (opened && host->hypervisor == HYPERVISOR_SIMULATOR &&
	    vmops_restore_host(store, host, out, err) < 0) {
		shared_forget(host->url);
		return -1;
	}
	return 0;
}

/* ---- onboarding ---- */

static void report(hv_progress_fn progress, void *opaque, int step, int steps, const char *msg)
{
	if (progress)
		progress(opaque, step, steps, msg);
}

/* A host name from free text (a node's hostname): allowed characters only. */
static void name_from_text(const char *text, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = text; *p && n + 1 < size && n < NAME_MAX_LEN; p++) {
		char c = *p;

		if (isalnum((unsigned char)c) || c == '-' || c == '_' || (c == '.' && n > 0))
			out[n++] = c;
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && !isalnum((unsigned char)out[n - 1]))
		n--;
	if (n == 0)
		n = (size_t)snprintf(out, size, "host");
	out[n] = '\0';
}

/* Picks a free name: `base`, else base-2, base-3, ... */
static int unique_host_name(struct store *store, const char *base, char *out, size_t size,
			    struct bd_error *err)
{
	struct host existing = { 0 };

	for (int i = 1; i < 1000; i++) {
		if (i == 1)
			snprintf(out, size, "%s", base);
		else
			snprintf(out, size, "%.*s-%d", NAME_MAX_LEN - 5, base, i);
		if (store_host_get(store, out, &existing, NULL) < 0)
			return 0;
		host_clear(&existing);
	}
	return bd_error_set(err, BD_ERR_PARAM, "no free host name left for '%s'", base);
}

static int check_virt_type(const char *virt_type, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX];

	if (!virt_type || strcmp(virt_type, "kvm") == 0 || strcmp(virt_type, "qemu") == 0)
		return 0;
	return bd_error_set(err, BD_ERR_PARAM, "invalid virttype '%s': accepted values are kvm, qemu",
			    text_quote(virt_type, shown, sizeof shown));
}

static const char *uefi_label(const struct host_caps *caps)
{
	if (!caps->uefi)
		return "No";
	return caps->secure ? "Legacy+Secure" : "Legacy";
}

/* Connects, reads the node and proves the firmware into host. */
static int host_probe(struct host *host, const char *virt_type, hv_progress_fn progress,
		      void *opaque, struct host_session *session, struct bd_error *err)
{
	struct hv_node_info node = { 0 };
	struct hv_probe_request req = {
		.virt_type = virt_type,
		.uefi_properties = host->uefi_properties,
	};
	bool opened;

	report(progress, opaque, 1, 4, "connecting");
	if (shared_get(host->url, session, &opened, err) < 0)
		return -1;
	report(progress, opaque, 2, 4, "reading the node");
	if (session->drv->node_info(session->conn, &node, err) < 0)
		return -1;
	snprintf(host->arch, sizeof host->arch, "%s", node.arch);
	host->cpus = node.cpus;
	host->memory_mib = node.memory_mib;
	host->hypervisor = node.hypervisor;
	snprintf(host->hypervisor_version, sizeof host->hypervisor_version, "%s", node.version);
	if (!host->name[0])
		name_from_text(node.hostname, host->name, sizeof host->name);
	report(progress, opaque, 3, 4, "proving UEFI and Secure Boot firmware");
	host_caps_clear(&host->caps);
	memset(&host->caps, 0, sizeof host->caps);
	if (session->drv->probe(session->conn, &req, &host->caps, progress, opaque, err) < 0)
		return -1;
	if (!host->caps.probed)
		host->caps.probed = time(NULL);
	report(progress, opaque, 4, 4, "done");
	return 0;
}

int hostops_add(struct store *store, const struct host_add_request *req, struct host *out,
		hv_progress_fn progress, void *opaque, struct bd_error *err)
{
	struct cluster cluster;
	struct host host = { 0 };
	struct host_session session;
	struct host *others = NULL;
	size_t nothers = 0;
	char base[NAME_SIZE];
	char text[BD_ERROR_TEXT_MAX + 256];
	int rc = -1;

	if (!req->url || !*req->url)
		return bd_error_set(err, BD_ERR_PARAM, "missing parameter url");
	if (check_virt_type(req->virt_type, err) < 0 ||
	    (req->name && name_check("name", req->name, err) < 0) ||
	    store_cluster_get(store, req->cluster_id, &cluster, err) < 0 ||
	    !hv_driver_for(req->url, err))
		return -1;
	if (req->uefi_properties && access(req->uefi_properties, R_OK) < 0)
		return bd_error_set(err, BD_ERR_PARAM,
				    "uefiproperties file '%s' cannot be read: give the path of a "
				    "readable uefi.properties file", req->uefi_properties);
	if (store_host_list(store, NULL, &others, &nothers, err) < 0)
		return -1;
	for (size_t i = 0; i < nothers; i++) {
		if (strcmp(others[i].url, req->url) == 0) {
			bd_error_set(err, BD_ERR_PARAM, "url '%s' is already host '%s'", req->url,
				     others[i].name);
			store_host_list_free(others, nothers);
			return -1;
		}
	}
	store_host_list_free(others, nothers);
	if (req->name && store_host_get(store, req->name, &host, NULL) == 0) {
		host_clear(&host);
		return bd_error_set(err, BD_ERR_PARAM, "a host named '%s' already exists", req->name);
	}

	memset(&host, 0, sizeof host);
	snprintf(host.cluster_id, sizeof host.cluster_id, "%s", cluster.id);
	host.url = strdup(req->url);
	host.uefi_properties = req->uefi_properties ? strdup(req->uefi_properties) : NULL;
	host.allocation = ALLOCATION_ENABLED;
	host.hypervisor = HYPERVISOR_KVM;
	if (req->name)
		snprintf(host.name, sizeof host.name, "%s", req->name);

	if (host_probe(&host, req->virt_type, progress, opaque, &session, err) < 0) {
		if (err->code != BD_ERR_UNAVAILABLE)
			goto out; /* bad input: nothing is stored */
		/* Unreachable: keep the host, Disconnected, so reconnectHost can
		 * bring it back when its daemon returns. */
		shared_forget(req->url);
		host.state = HOST_STATE_DISCONNECTED;
		set_owned(&host.last_error, err->text);
		if (!host.name[0])
			name_from_text(req->url, host.name, sizeof host.name);
	} else {
		host.state = HOST_STATE_UP;
	}
	snprintf(base, sizeof base, "%s", host.name);
	if (!req->name && unique_host_name(store, base, host.name, sizeof host.name, err) < 0)
		goto out;
	{
		struct bd_error cause = *err;

		if (store_host_insert(store, &host, err) < 0)
			goto out;
		if (host.state == HOST_STATE_DISCONNECTED) {
			snprintf(text, sizeof text, "host '%s' added but unreachable: %s", host.name,
				 cause.text);
			store_event_add(store, "HOST.ADD", EVENT_ERROR, host.id, text);
			store_alert_add(store, "HOST.DISCONNECT", host.id, text);
			*err = cause;
			bd_error_prefix(err, "host '%s' was added as Disconnected", host.name);
			err->code = BD_ERR_UNAVAILABLE;
			goto out;
		}
	}
	snprintf(text, sizeof text, "host '%s' added to cluster '%s': UEFI %s, virt type %s",
		 host.name, cluster.name, uefi_label(&host.caps), host.caps.virt_type);
	store_event_add(store, "HOST.ADD", EVENT_INFO, host.id, text);
	if (host.caps.probe_error) {
		snprintf(text, sizeof text, "host '%s' probe: %s", host.name, host.caps.probe_error);
		store_event_add(store, "HOST.PROBE", EVENT_WARN, host.id, text);
	}
	log_msg(LOG_INFO, "addHost", "host '%s' (%s) UEFI %s", host.name, host.url,
		uefi_label(&host.caps));
	rc = store_host_get(store, host.id, out, err);
out:
	host_clear(&host);
	return rc;
}

int hostops_reconnect(struct store *store, const char *host_id, struct host *out,
		      hv_progress_fn progress, void *opaque, struct bd_error *err)
{
	struct host host = { 0 };
	struct host_session session;
	char before[16], text[BD_ERROR_TEXT_MAX + 256];
	int rc = -1;

	if (store_host_get(store, host_id, &host, err) < 0)
		return -1;
	snprintf(before, sizeof before, "%s", uefi_label(&host.caps));
	shared_forget(host.url);
	if (host_probe(&host, NULL, progress, opaque, &session, err) < 0) {
		if (err->code == BD_ERR_UNAVAILABLE)
			hostops_mark_disconnected(store, &host, err);
		goto out;
	}
	host.state = HOST_STATE_UP;
	set_owned(&host.last_error, NULL);
	if (store_host_update(store, &host, err) < 0)
		goto out;
	snprintf(text, sizeof text, "host '%s' reconnected: UEFI %s", host.name,
		 uefi_label(&host.caps));
	store_event_add(store, "HOST.RECONNECT", EVENT_INFO, host.id, text);
	if (strcmp(before, uefi_label(&host.caps)) != 0) {
		snprintf(text, sizeof text, "host '%s' UEFI capability changed from %s to %s",
			 host.name, before, uefi_label(&host.caps));
		store_event_add(store, "HOST.UEFI.CHANGE", EVENT_WARN, host.id, text);
		store_alert_add(store, "HOST.UEFI.CHANGE", host.id, text);
	}
	/* A simulated host just lost its state with the old connection. */
	if (host.hypervisor == HYPERVISOR_SIMULATOR &&
	    vmops_restore_host(store, &host, &session, err) < 0)
		goto out;
	rc = store_host_get(store, host.id, out, err);
out:
	host_clear(&host);
	return rc;
}

int hostops_set_allocation(struct store *store, const char *host_id,
			   enum allocation_state allocation, struct host *out,
			   struct bd_error *err)
{
	struct host host = { 0 };
	char text[256];
	int rc = -1;

	if (store_host_get(store, host_id, &host, err) < 0)
		return -1;
	host.allocation = allocation;
	if (store_host_update(store, &host, err) < 0)
		goto out;
	snprintf(text, sizeof text, "host '%s' allocation state set to %s", host.name,
		 allocation_state_name(allocation));
	store_event_add(store, allocation == ALLOCATION_ENABLED ? "HOST.ENABLE" : "HOST.DISABLE",
			EVENT_INFO, host.id, text);
	rc = store_host_get(store, host.id, out, err);
out:
	host_clear(&host);
	return rc;
}

int hostops_delete(struct store *store, const char *host_id, struct bd_error *err)
{
	struct host host = { 0 };
	char text[256];
	int rc = -1;

	if (store_host_get(store, host_id, &host, err) < 0)
		return -1;
	if (store_host_delete(store, host.id, err) < 0)
		goto out;
	shared_forget(host.url);
	snprintf(text, sizeof text, "host '%s' deleted", host.name);
	store_event_add(store, "HOST.DELETE", EVENT_INFO, NULL, text);
	rc = 0;
out:
	host_clear(&host);
	return rc;
}
