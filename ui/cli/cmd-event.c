/* The event log (every change, CloudStack's listEvents) and the alerts
 * (things an operator must look at, listAlerts). */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/store.h"
#include "model/text.h"

int cmd_event_commit(struct store *store, const char *type, const char *what,
		     const char *resource_id, const char *name, struct bd_error *err)
{
	char description[160];

	snprintf(description, sizeof description, "%s '%s'", what, name);
	if (store_event_add(store, type, EVENT_INFO, resource_id, description) < 0)
		return bd_error_set(err, BD_ERR_INTERNAL, "cannot record the event %s for '%s'",
				    type, name);
	return store_commit(store, err);
}

void cmd_success_write(struct reply *reply)
{
	reply_bool(reply, "success", true);
}

/* Events are stored by object id; resourceid= may also name a live object.
 * A value that names nothing is kept as given: events outlive the objects
 * they describe. Fills id (ID_LEN bytes). */
static void event_resource_resolve(struct store *store, const char *given, char *id)
{
	struct cluster cluster;
	struct template tmpl = { 0 };
	struct service_offering offering;
	struct host host = { 0 };
	struct vm vm = { 0 };

	snprintf(id, ID_LEN, "%s", given);
	if (store_cluster_get(store, given, &cluster, NULL) == 0) {
		snprintf(id, ID_LEN, "%s", cluster.id);
	} else if (store_template_get(store, given, &tmpl, NULL) == 0) {
		snprintf(id, ID_LEN, "%s", tmpl.id);
	} else if (store_offering_get(store, given, &offering, NULL) == 0) {
		snprintf(id, ID_LEN, "%s", offering.id);
	} else if (store_host_get(store, given, &host, NULL) == 0) {
		snprintf(id, ID_LEN, "%s", host.id);
	} else if (store_vm_get(store, given, &vm, NULL) == 0) {
		snprintf(id, ID_LEN, "%s", vm.id);
	}
	template_clear(&tmpl);
	host_clear(&host);
	vm_clear(&vm);
}

static void event_write(struct reply *reply, const struct event *event)
{
	reply_object_begin(reply, NULL);
	reply_int(reply, "id", event->id);
	reply_string(reply, "type", event->type);
	reply_string(reply, "level", event_level_name(event->level));
	reply_string(reply, "description", event->description ? event->description : "");
	reply_time(reply, "created", event->created);
	reply_string(reply, "resourceid", event->resource_id);
	reply_object_end(reply);
}

/* Whether an event passes listEvents' level= and type= filters. */
static bool event_shown(const struct event *event, int level, const char *type)
{
	return (level < 0 || (int)event->level == level) &&
	       (!type || strcasecmp(event->type, type) == 0);
}

static int cmd_event_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
			       struct reply *reply, struct bd_error *err)
{
	const char *resource = kv_args_get(args, "resourceid");
	const char *level_text = kv_args_get(args, "level");
	const char *type_text = kv_args_get(args, "type");
	char resource_id[ID_LEN];
	char type[sizeof ((struct event *)0)->type];
	struct event *list = NULL;
	size_t count = 0, shown = 0;
	int level = -1;

	if (level_text) {
		level = enum_parse(&event_level_table, "level", level_text, err);
		if (level < 0)
			return -1;
	}
	if (type_text)
		text_trim_copy(type_text, type, sizeof type);
	if (resource) {
		size_t len;

		text_trim_span(resource, &len);
		if (len == 0)
			return bd_error_set(err, BD_ERR_PARAM, "parameter resourceid must not be empty");
		event_resource_resolve(ctx->store, resource, resource_id);
	}
	if (store_event_list(ctx->store, resource ? resource_id : NULL, 0, &list, &count, err) < 0)
		return -1;
	/* The count comes first, so the filters run twice. */
	for (size_t i = 0; i < count; i++)
		shown += event_shown(&list[i], level, type_text ? type : NULL);
	reply_list_begin(reply, "event", shown);
	for (size_t i = 0; i < count; i++) {
		if (event_shown(&list[i], level, type_text ? type : NULL))
			event_write(reply, &list[i]);
	}
	reply_list_end(reply);
	store_event_list_free(list, count);
	return 0;
}

static void alert_write(struct reply *reply, const struct alert *alert)
{
	reply_object_begin(reply, NULL);
	reply_int(reply, "id", alert->id);
	reply_string(reply, "type", alert->type);
	reply_string(reply, "description", alert->description ? alert->description : "");
	reply_time(reply, "created", alert->created);
	reply_string(reply, "resourceid", alert->resource_id);
	reply_bool(reply, "read", alert->read);
	reply_object_end(reply);
}

static int cmd_alert_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
			       struct reply *reply, struct bd_error *err)
{
	struct alert *list = NULL;
	size_t count = 0;

	(void)args;
	if (store_alert_list(ctx->store, 0, &list, &count, err) < 0)
		return -1;
	reply_list_begin(reply, "alert", count);
	for (size_t i = 0; i < count; i++)
		alert_write(reply, &list[i]);
	reply_list_end(reply);
	store_alert_list_free(list, count);
	return 0;
}

static const char *const event_list_keys[] = { "resourceid", "level", "type", NULL };
static const char *const alert_list_keys[] = { NULL };

const struct cli_command cmd_event_list = {
	.api = "listEvents",
	.keys = event_list_keys,
	.synopsis = "[resourceid=] [level=INFO|WARN|ERROR] [type=]",
	.help = "list events, newest first",
	.exec = cmd_event_list_exec,
};

const struct cli_command cmd_alert_list = {
	.api = "listAlerts",
	.keys = alert_list_keys,
	.synopsis = "",
	.help = "list alerts, newest first",
	.exec = cmd_alert_list_exec,
};
