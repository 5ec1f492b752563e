/* Probes one host's firmware the way addHost does and prints the outcome
 * as JSON lines, for the fleet suite and for checking a host by hand:
 *
 *   probe-check URI [--virt-type kvm|qemu] [--uefi-properties PATH]
 *               [--timeout SECONDS]
 *
 * One {"event":"progress",...} line per probe step, then one
 * {"event":"result",...} or {"event":"error",...} line. Exit status 0 when
 * the probe ran (whatever it found), 1 when it failed, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "backend/hv.h"

static double probe_check_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double probe_check_started;

static void probe_check_print(json_object *obj)
{
	printf("%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

static void probe_check_progress(void *opaque, int step, int steps, const char *message)
{
	json_object *obj = json_object_new_object();

	(void)opaque;
	json_object_object_add(obj, "event", json_object_new_string("progress"));
	json_object_object_add(obj, "step", json_object_new_int(step));
	json_object_object_add(obj, "steps", json_object_new_int(steps));
	json_object_object_add(obj, "message", json_object_new_string(message));
	json_object_object_add(obj, "elapsed_s",
			       json_object_new_double(probe_check_now() - probe_check_started));
	probe_check_print(obj);
}

static json_object *probe_check_string_or_null(const char *text)
{
	return text ? json_object_new_string(text) : NULL;
}

static int probe_check_usage(void)
{
	fprintf(stderr, "usage: probe-check URI [--virt-type kvm|qemu] "
			"[--uefi-properties PATH] [--timeout SECONDS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct hv_probe_request req = { 0 };
	struct host_caps caps = { 0 };
	struct bd_error err = { 0 };
	const struct hv_driver *driver;
	struct hv_conn *conn = NULL;
	json_object *obj;
	int status = 1;
	int i;

	if (argc < 2)
		return probe_check_usage();
	for (i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			return probe_check_usage();
		if (strcmp(argv[i], "--virt-type") == 0)
			req.virt_type = argv[++i];
		else if (strcmp(argv[i], "--uefi-properties") == 0)
			req.uefi_properties = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0)
			req.canary_timeout_s = atoi(argv[++i]);
		else
			return probe_check_usage();
	}

	probe_check_started = probe_check_now();
	driver = hv_driver_for(argv[1], &err);
	if (driver)
		conn = driver->open(argv[1], &err);
	if (conn && driver->probe(conn, &req, &caps, probe_check_progress, NULL, &err) == 0)
		status = 0;

	obj = json_object_new_object();
	if (status == 0) {
		json_object_object_add(obj, "event", json_object_new_string("result"));
		json_object_object_add(obj, "uefi", json_object_new_boolean(caps.uefi));
		json_object_object_add(obj, "secure", json_object_new_boolean(caps.secure));
		json_object_object_add(obj, "autoselect", json_object_new_boolean(caps.autoselect));
		json_object_object_add(obj, "virt_type", json_object_new_string(caps.virt_type));
		json_object_object_add(obj, "loader_legacy",
				       probe_check_string_or_null(caps.loader_legacy));
		json_object_object_add(obj, "loader_secure",
				       probe_check_string_or_null(caps.loader_secure));
		json_object_object_add(obj, "probe_error",
				       probe_check_string_or_null(caps.probe_error));
	} else {
		json_object_object_add(obj, "event", json_object_new_string("error"));
		json_object_object_add(obj, "errorcode", json_object_new_int(err.code));
		json_object_object_add(obj, "errortext", json_object_new_string(err.text));
	}
	json_object_object_add(obj, "elapsed_s",
			       json_object_new_double(probe_check_now() - probe_check_started));
	probe_check_print(obj);

	host_caps_clear(&caps);
	if (conn)
		driver->close(conn);
	return status;
}
