/* The planner: named fleets with the exact trail each must produce, then
 * thousands of seeded random fleets checked against the rules by brute
 * force. PLANNER_SEED=<n> replays a failing random run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/planner.h"

#define MAX_CLUSTERS 6
#define MAX_HOSTS 16

/* flags: u = UEFI, s = proven Secure Boot, d = disabled, x = not Up,
 * a = failed earlier in this deploy (avoid). */
struct host_spec {
	const char *name;
	const char *cluster;
	const char *flags;
	int64_t cpu_total;
	int64_t cpu_used;
	int64_t mem_total;
	int64_t mem_used;
};

struct plan_case {
	const char *name;
	const char *clusters[MAX_CLUSTERS + 1];
	struct host_spec hosts[MAX_HOSTS + 1];
	const char *boot;            /* "BIOS", "UEFI LEGACY", "UEFI SECURE" */
	int64_t cpu;
	int64_t mem;
	const char *only_host;
	const char *only_cluster;
	const char *want_host;       /* NULL: an error is expected */
	int want_code;
	const char *want_text[3];    /* fragments the error message must hold */
	const char *want_trail;      /* "host=reason | [cluster]=reason | ..." */
};

#define UEFI_NOTE "has UEFI hosts: kept for UEFI guests"
#define UEFI_HOST "UEFI host: kept for UEFI guests"

static const struct plan_case plan_cases[] = {
	{
		.name = "BIOS guest goes to the cluster without UEFI although the UEFI one is emptier",
		.clusters = { "efi", "plain" },
		.hosts = {
			{ "e1", "efi", "us", 32, 2, 65536, 4096 },
			{ "p1", "plain", "", 32, 24, 65536, 50000 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "p1",
		.want_trail = "[efi]=" UEFI_NOTE " | p1=chosen",
	},
	{
		.name = "BIOS guest falls back to a UEFI host when every other host is full",
		.clusters = { "plain", "efi" },
		.hosts = {
			{ "p1", "plain", "", 8, 8, 65536, 0 },
			{ "p2", "plain", "", 8, 0, 4096, 3072 },
			{ "e1", "efi", "u", 8, 0, 16384, 0 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "e1",
		.want_trail = "[efi]=" UEFI_NOTE " | p1=not enough CPU | p2=not enough memory | "
			      "e1=" UEFI_HOST " | e1=chosen",
	},
	{
		.name = "UEFI SECURE refuses a host with UEFI LEGACY only",
		.clusters = { "c" },
		.hosts = {
			{ "legacy", "c", "u", 16, 0, 32768, 0 },
			{ "secure", "c", "us", 16, 0, 32768, 0 },
		},
		.boot = "UEFI SECURE", .cpu = 2, .mem = 2048,
		.want_host = "secure",
		.want_trail = "legacy=no Secure Boot | secure=chosen",
	},
	{
		.name = "UEFI LEGACY may use a host that proves Secure Boot",
		.clusters = { "c" },
		.hosts = {
			{ "plain", "c", "", 16, 0, 32768, 0 },
			{ "secure", "c", "us", 16, 0, 32768, 0 },
		},
		.boot = "UEFI LEGACY", .cpu = 2, .mem = 2048,
		.want_host = "secure",
		.want_trail = "plain=no UEFI | secure=chosen",
	},
	{
		.name = "explicit host without Secure Boot is refused with 431",
		.clusters = { "c" },
		.hosts = {
			{ "kvm-1", "c", "us", 16, 0, 32768, 0 },
			{ "kvm-2", "c", "u", 16, 0, 32768, 0 },
		},
		.boot = "UEFI SECURE", .cpu = 2, .mem = 2048, .only_host = "kvm-2",
		.want_code = BD_ERR_PARAM,
		.want_text = { "host 'kvm-2' cannot boot UEFI SECURE", "no proven Secure Boot" },
		.want_trail = "kvm-2=no Secure Boot",
	},
	{
		.name = "explicit host without UEFI is refused with 431",
		.clusters = { "c" },
		.hosts = { { "kvm-2", "c", "", 16, 0, 32768, 0 } },
		.boot = "UEFI LEGACY", .cpu = 2, .mem = 2048, .only_host = "kvm-2",
		.want_code = BD_ERR_PARAM,
		.want_text = { "host 'kvm-2' cannot boot UEFI LEGACY", "no UEFI" },
		.want_trail = "kvm-2=no UEFI",
	},
	{
		.name = "explicit host without room is refused with 533",
		.clusters = { "c" },
		.hosts = {
			{ "kvm-1", "c", "", 16, 0, 32768, 0 },
			{ "kvm-2", "c", "", 16, 0, 4096, 3584 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048, .only_host = "kvm-2",
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "host 'kvm-2' has not enough memory: 512 MiB free, 2048 MiB asked" },
		.want_trail = "kvm-2=not enough memory",
	},
	{
		.name = "explicit host without CPU is refused with 533",
		.clusters = { "c" },
		.hosts = { { "kvm-2", "c", "", 8, 7, 32768, 0 } },
		.boot = "BIOS", .cpu = 4, .mem = 512, .only_host = "kvm-2",
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "host 'kvm-2' has not enough CPU: 1 vCPUs free, 4 asked" },
		.want_trail = "kvm-2=not enough CPU",
	},
	{
		.name = "explicit disabled host is refused with 431",
		.clusters = { "c" },
		.hosts = { { "kvm-2", "c", "d", 16, 0, 32768, 0 } },
		.boot = "BIOS", .cpu = 1, .mem = 512, .only_host = "kvm-2",
		.want_code = BD_ERR_PARAM,
		.want_text = { "host 'kvm-2'", "disabled" },
		.want_trail = "kvm-2=disabled",
	},
	{
		.name = "explicit disconnected host is refused with 431",
		.clusters = { "c" },
		.hosts = { { "kvm-2", "c", "x", 16, 0, 32768, 0 } },
		.boot = "BIOS", .cpu = 1, .mem = 512, .only_host = "kvm-2",
		.want_code = BD_ERR_PARAM,
		.want_text = { "host 'kvm-2'", "not Up" },
		.want_trail = "kvm-2=disconnected",
	},
	{
		.name = "explicit UEFI host is honoured for a BIOS guest",
		.clusters = { "plain", "efi" },
		.hosts = {
			{ "p1", "plain", "", 16, 0, 32768, 0 },
			{ "e1", "efi", "u", 16, 0, 32768, 0 },
		},
		.boot = "BIOS", .cpu = 1, .mem = 512, .only_host = "e1",
		.want_host = "e1",
		.want_trail = "e1=chosen",
	},
	{
		.name = "explicit host outside the explicit cluster is refused",
		.clusters = { "a", "b" },
		.hosts = {
			{ "a1", "a", "", 16, 0, 32768, 0 },
			{ "b1", "b", "", 16, 0, 32768, 0 },
		},
		.boot = "BIOS", .cpu = 1, .mem = 512, .only_host = "a1", .only_cluster = "b",
		.want_code = BD_ERR_PARAM,
		.want_text = { "host 'a1' is not in cluster 'b'" },
		.want_trail = "",
	},
	{
		.name = "disabled and disconnected hosts are skipped",
		.clusters = { "c" },
		.hosts = {
			{ "off", "c", "d", 64, 0, 65536, 0 },
			{ "gone", "c", "x", 64, 0, 65536, 0 },
			{ "ok", "c", "", 8, 0, 8192, 0 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "ok",
		.want_trail = "off=disabled | gone=disconnected | ok=chosen",
	},
	{
		.name = "the retry after a failure skips the avoided host",
		.clusters = { "c" },
		.hosts = {
			{ "failed", "c", "a", 64, 0, 65536, 0 },
			{ "next", "c", "", 8, 0, 8192, 0 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "next",
		.want_trail = "failed=avoided after a failure | next=chosen",
	},
	{
		.name = "explicit cluster: planning stays inside it",
		.clusters = { "empty", "busy" },
		.hosts = {
			{ "e1", "empty", "", 64, 0, 65536, 0 },
			{ "b1", "busy", "", 8, 6, 8192, 6000 },
			{ "b2", "busy", "", 8, 2, 8192, 2000 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 4096, .only_cluster = "busy",
		.want_host = "b2",
		.want_trail = "b1=not enough memory | b2=chosen",
	},
	{
		.name = "explicit cluster without room reports 533 naming it",
		.clusters = { "empty", "busy" },
		.hosts = {
			{ "e1", "empty", "", 64, 0, 65536, 0 },
			{ "b1", "busy", "", 8, 8, 8192, 0 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 1024, .only_cluster = "busy",
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "no host in cluster 'busy' has room", "2 vCPUs and 1024 MiB",
			       "(1 host considered)" },
		.want_trail = "b1=not enough CPU",
	},
	{
		.name = "explicit cluster without Secure Boot is refused with 431",
		.clusters = { "legacy", "secure" },
		.hosts = {
			{ "l1", "legacy", "u", 64, 0, 65536, 0 },
			{ "s1", "secure", "us", 64, 0, 65536, 0 },
		},
		.boot = "UEFI SECURE", .cpu = 2, .mem = 1024, .only_cluster = "legacy",
		.want_code = BD_ERR_PARAM,
		.want_text = { "cluster 'legacy' cannot boot UEFI SECURE", "proven Secure Boot" },
		.want_trail = "[legacy]=no Secure Boot",
	},
	{
		.name = "overcommit is what cpu_total says: 8 cores x 2",
		.clusters = { "c" },
		.hosts = { { "kvm", "c", "", 16, 10, 32768, 0 } },
		.boot = "BIOS", .cpu = 6, .mem = 1024,
		.want_host = "kvm",
		.want_trail = "kvm=chosen",
	},
	{
		.name = "without overcommit the same host is full",
		.clusters = { "c" },
		.hosts = { { "kvm", "c", "", 8, 10, 32768, 0 } },
		.boot = "BIOS", .cpu = 6, .mem = 1024,
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "no host has room for a BIOS guest with 6 vCPUs and 1024 MiB",
			       "(1 host considered)" },
		.want_trail = "kvm=not enough CPU",
	},
	{
		.name = "a host with exactly the room asked fits",
		.clusters = { "c" },
		.hosts = { { "kvm", "c", "", 4, 2, 4096, 2048 } },
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "kvm",
		.want_trail = "kvm=chosen",
	},
	{
		.name = "UEFI guest takes the least utilised cluster first",
		.clusters = { "busy", "idle", "mid" },
		.hosts = {
			{ "b1", "busy", "us", 32, 24, 65536, 8192 },
			{ "i1", "idle", "us", 32, 4, 65536, 8192 },
			{ "m1", "mid", "us", 32, 8, 65536, 8192 },
		},
		.boot = "UEFI SECURE", .cpu = 2, .mem = 2048,
		.want_host = "i1",
		.want_trail = "i1=chosen",
	},
	{
		.name = "utilisation is the larger of the CPU and memory ratios",
		.clusters = { "memfull", "even" },
		.hosts = {
			{ "f1", "memfull", "u", 32, 0, 65536, 60000 },
			{ "e1", "even", "u", 32, 16, 65536, 32768 },
		},
		.boot = "UEFI LEGACY", .cpu = 2, .mem = 2048,
		.want_host = "e1",
		.want_trail = "e1=chosen",
	},
	{
		.name = "utilisation counts eligible hosts only: an idle disabled host does not help",
		.clusters = { "a", "b" },
		.hosts = {
			{ "a-off", "a", "ud", 256, 0, 1048576, 0 },
			{ "a1", "a", "u", 32, 28, 65536, 8192 },
			{ "b1", "b", "u", 32, 16, 65536, 8192 },
		},
		.boot = "UEFI LEGACY", .cpu = 2, .mem = 2048,
		.want_host = "b1",
		.want_trail = "b1=chosen",
	},
	{
		.name = "equally utilised clusters keep their given order",
		.clusters = { "first", "second" },
		.hosts = {
			{ "s1", "second", "u", 16, 8, 32768, 0 },
			{ "f1", "first", "u", 16, 8, 32768, 0 },
		},
		.boot = "UEFI LEGACY", .cpu = 2, .mem = 2048,
		.want_host = "f1",
		.want_trail = "f1=chosen",
	},
	{
		.name = "hosts of a cluster are first-fit in given order even when interleaved",
		.clusters = { "a", "b" },
		.hosts = {
			{ "a1", "a", "", 4, 4, 32768, 0 },
			{ "b1", "b", "", 64, 32, 65536, 32768 },
			{ "a2", "a", "", 16, 0, 32768, 0 },
			{ "a3", "a", "", 64, 0, 65536, 0 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "a2",
		.want_trail = "a1=not enough CPU | a2=chosen",
	},
	{
		.name = "UEFI guest: a cluster without UEFI gets one note, not a line per host",
		.clusters = { "plain", "efi" },
		.hosts = {
			{ "p1", "plain", "", 64, 0, 65536, 0 },
			{ "p2", "plain", "", 64, 0, 65536, 0 },
			{ "e1", "efi", "u", 4, 4, 65536, 0 },
		},
		.boot = "UEFI LEGACY", .cpu = 2, .mem = 2048,
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "no host has room for a UEFI LEGACY guest", "(1 host considered)" },
		.want_trail = "e1=not enough CPU | [plain]=no UEFI",
	},
	{
		.name = "mixed clusters: no UEFI in a later cluster beats UEFI in an earlier one",
		.clusters = { "mixed-idle", "mixed-busy" },
		.hosts = {
			{ "u1", "mixed-idle", "u", 64, 0, 131072, 0 },
			{ "n1", "mixed-idle", "", 8, 2, 4096, 3072 },
			{ "n2", "mixed-busy", "", 16, 10, 32768, 20000 },
			{ "u2", "mixed-busy", "u", 16, 12, 32768, 24000 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "n2",
		.want_trail = "[mixed-idle]=" UEFI_NOTE " | u1=" UEFI_HOST " | n1=not enough memory | "
			      "[mixed-busy]=" UEFI_NOTE " | n2=chosen",
	},
	{
		.name = "mixed clusters: the fallback is the first UEFI host in cluster order",
		.clusters = { "plain", "mixed-busy", "mixed-idle" },
		.hosts = {
			{ "p1", "plain", "", 4, 4, 8192, 0 },
			{ "u2", "mixed-busy", "u", 16, 12, 32768, 24000 },
			{ "u1", "mixed-idle", "u", 64, 0, 131072, 0 },
			{ "n1", "mixed-idle", "", 8, 2, 4096, 3072 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_host = "u1",
		.want_trail = "[mixed-idle]=" UEFI_NOTE " | [mixed-busy]=" UEFI_NOTE
			      " | p1=not enough CPU | u1=" UEFI_HOST " | n1=not enough memory | u2="
			      UEFI_HOST " | u1=chosen",
	},
	{
		.name = "a more utilised UEFI cluster is noted where it comes",
		.clusters = { "plain", "efi" },
		.hosts = {
			{ "p1", "plain", "", 64, 0, 65536, 0 },
			{ "e1", "efi", "u", 64, 60, 65536, 0 },
		},
		.boot = "BIOS", .cpu = 1, .mem = 512,
		.want_host = "p1",
		.want_trail = "p1=chosen",
	},
	{
		.name = "nothing fits: 533 with the trail kept",
		.clusters = { "plain", "efi" },
		.hosts = {
			{ "p1", "plain", "", 4, 4, 8192, 0 },
			{ "e1", "efi", "u", 4, 0, 1024, 0 },
		},
		.boot = "BIOS", .cpu = 2, .mem = 2048,
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "no host has room for a BIOS guest with 2 vCPUs and 2048 MiB",
			       "(2 hosts considered)" },
		.want_trail = "[efi]=" UEFI_NOTE " | p1=not enough CPU | e1=not enough memory",
	},
	{
		.name = "an empty fleet has no room",
		.boot = "UEFI SECURE", .cpu = 1, .mem = 1,
		.want_code = BD_ERR_CAPACITY,
		.want_text = { "(0 hosts considered)" },
		.want_trail = "",
	},
	{
		.name = "zero vCPUs is a bad parameter",
		.clusters = { "c" },
		.hosts = { { "kvm", "c", "", 4, 0, 4096, 0 } },
		.boot = "BIOS", .cpu = 0, .mem = 512,
		.want_code = BD_ERR_PARAM,
		.want_text = { "CPU count 0", "1 or more" },
		.want_trail = "",
	},
	{
		.name = "negative memory is a bad parameter",
		.clusters = { "c" },
		.hosts = { { "kvm", "c", "", 4, 0, 4096, 0 } },
		.boot = "BIOS", .cpu = 1, .mem = -5,
		.want_code = BD_ERR_PARAM,
		.want_text = { "memory -5 MiB" },
		.want_trail = "",
	},
};

/* A fleet built from a case, with the storage its pointers borrow. */
struct fleet_buf {
	struct plan_cluster clusters[MAX_CLUSTERS];
	struct plan_host hosts[MAX_HOSTS];
	bool avoid[MAX_HOSTS];
	struct plan_fleet fleet;
	struct plan_request req;
};

static long cluster_index(const struct plan_case *c, const char *name)
{
	for (long i = 0; i < MAX_CLUSTERS && c->clusters[i]; i++)
		if (strcmp(c->clusters[i], name) == 0)
			return i;
	fail_msg("case '%s': no cluster '%s'", c->name, name);
	return -1;
}

static struct boot_choice boot_from_label(const char *label)
{
	if (strcmp(label, "BIOS") == 0)
		return (struct boot_choice){ BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	if (strcmp(label, "UEFI LEGACY") == 0)
		return (struct boot_choice){ BOOT_TYPE_UEFI, BOOT_MODE_LEGACY };
	assert_string_equal(label, "UEFI SECURE");
	return (struct boot_choice){ BOOT_TYPE_UEFI, BOOT_MODE_SECURE };
}

static void fleet_build(const struct plan_case *c, struct fleet_buf *buf)
{
	size_t ncluster = 0;
	size_t nhost = 0;

	memset(buf, 0, sizeof *buf);
	while (ncluster < MAX_CLUSTERS && c->clusters[ncluster]) {
		buf->clusters[ncluster].id = c->clusters[ncluster];
		buf->clusters[ncluster].name = c->clusters[ncluster];
		ncluster++;
	}
	buf->req.only_host = -1;
	buf->req.only_cluster = -1;
	while (nhost < MAX_HOSTS && c->hosts[nhost].name) {
		const struct host_spec *spec = &c->hosts[nhost];
		struct plan_host *host = &buf->hosts[nhost];

		host->id = spec->name;
		host->name = spec->name;
		host->cluster = (size_t)cluster_index(c, spec->cluster);
		host->up = !strchr(spec->flags, 'x');
		host->enabled = !strchr(spec->flags, 'd');
		host->uefi = strchr(spec->flags, 'u') != NULL;
		host->secure = strchr(spec->flags, 's') != NULL;
		host->cpu_total = spec->cpu_total;
		host->cpu_used = spec->cpu_used;
		host->mem_total_mib = spec->mem_total;
		host->mem_used_mib = spec->mem_used;
		buf->avoid[nhost] = strchr(spec->flags, 'a') != NULL;
		if (c->only_host && strcmp(c->only_host, spec->name) == 0)
			buf->req.only_host = (long)nhost;
		nhost++;
	}
	buf->fleet = (struct plan_fleet){ buf->clusters, ncluster, buf->hosts, nhost };
	buf->req.boot = boot_from_label(c->boot);
	buf->req.cpu = c->cpu;
	buf->req.mem_mib = c->mem;
	buf->req.avoid = buf->avoid;
	if (c->only_cluster)
		buf->req.only_cluster = cluster_index(c, c->only_cluster);
	if (c->only_host && buf->req.only_host < 0)
		fail_msg("case '%s': no host '%s'", c->name, c->only_host);
}

static void trail_render(const struct plan_fleet *fleet, const struct plan_result *result,
			 char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < result->nstep; i++) {
		const struct plan_step *step = &result->steps[i];
		char target[64];

		assert_true(step->cluster < fleet->ncluster);
		if (step->host < 0) {
			snprintf(target, sizeof target, "[%s]", fleet->clusters[step->cluster].name);
		} else {
			assert_true((size_t)step->host < fleet->nhost);
			assert_int_equal(fleet->hosts[step->host].cluster, step->cluster);
			snprintf(target, sizeof target, "%s", fleet->hosts[step->host].name);
		}
		len += (size_t)snprintf(out + len, size - len, "%s%s=%s", i ? " | " : "", target,
					plan_reason_text(step->reason));
		assert_true(len < size);
	}
}

static void test_plan_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof plan_cases / sizeof plan_cases[0]; i++) {
		const struct plan_case *c = &plan_cases[i];
		struct fleet_buf buf;
		struct plan_result result = { 0 };
		struct bd_error err = { 0 };
		char trail[2048];
		int rc;

		fleet_build(c, &buf);
		rc = planner_place(&buf.fleet, &buf.req, &result, &err);
		trail_render(&buf.fleet, &result, trail, sizeof trail);
		if (c->want_host) {
			if (rc != 0)
				fail_msg("case '%s': failed with %d '%s'", c->name, err.code, err.text);
			assert_true(result.host >= 0);
			if (strcmp(buf.hosts[result.host].name, c->want_host) != 0)
				fail_msg("case '%s': chose '%s', wanted '%s' (trail: %s)", c->name,
					 buf.hosts[result.host].name, c->want_host, trail);
		} else {
			if (rc != -1 || err.code != c->want_code)
				fail_msg("case '%s': rc %d code %d '%s', wanted code %d", c->name, rc,
					 err.code, err.text, c->want_code);
			assert_int_equal(result.host, -1);
			for (size_t k = 0; k < 3 && c->want_text[k]; k++)
				if (!strstr(err.text, c->want_text[k]))
					fail_msg("case '%s': '%s' lacks '%s'", c->name, err.text,
						 c->want_text[k]);
		}
		if (strcmp(trail, c->want_trail) != 0)
			fail_msg("case '%s':\n  trail %s\n  wanted %s", c->name, trail, c->want_trail);
		plan_result_clear(&result);
		assert_null(result.steps);
		assert_int_equal(result.nstep, 0);
	}
}

static void test_reason_texts(void **state)
{
	(void)state;
	for (int i = 0; i < PLAN_REASON_LAST; i++) {
		const char *text = plan_reason_text((enum plan_reason)i);

		assert_non_null(text);
		assert_string_not_equal(text, "?");
		for (int k = 0; k < i; k++)
			assert_string_not_equal(text, plan_reason_text((enum plan_reason)k));
	}
	assert_string_equal(plan_reason_text(PLAN_NO_SECURE), "no Secure Boot");
	assert_string_equal(plan_reason_text(PLAN_AVOIDED), "avoided after a failure");
	assert_string_equal(plan_reason_text(PLAN_REASON_LAST), "?");
	assert_string_equal(plan_reason_text((enum plan_reason)-1), "?");
	plan_result_clear(NULL);
}

static void test_bad_indices(void **state)
{
	struct fleet_buf buf;
	struct plan_result result = { 0 };
	struct bd_error err = { 0 };

	(void)state;
	fleet_build(&plan_cases[0], &buf);
	buf.req.only_host = 7;
	assert_int_equal(planner_place(&buf.fleet, &buf.req, &result, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "host index 7"));

	buf.req.only_host = -1;
	buf.req.only_cluster = 2;
	assert_int_equal(planner_place(&buf.fleet, &buf.req, &result, &err), -1);
	assert_non_null(strstr(err.text, "cluster index 2"));

	/* Secure Boot is never planned as something weaker. */
	buf.req.only_cluster = -1;
	buf.req.boot = (struct boot_choice){ BOOT_TYPE_BIOS, BOOT_MODE_SECURE };
	assert_int_equal(planner_place(&buf.fleet, &buf.req, &result, &err), -1);
	assert_int_equal(err.code, BD_ERR_PARAM);
	assert_non_null(strstr(err.text, "SECURE"));

	buf.req.boot = (struct boot_choice){ BOOT_TYPE_BIOS, BOOT_MODE_LEGACY };
	buf.hosts[1].cluster = 9;
	assert_int_equal(planner_place(&buf.fleet, &buf.req, &result, &err), -1);
	assert_int_equal(err.code, BD_ERR_INTERNAL);
	assert_non_null(strstr(err.text, "host 'p1'"));
	assert_int_equal(result.nstep, 0);
	plan_result_clear(&result);
}

/* ---- seeded random fleets ---- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: small, fast, and the same on every platform. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(int percent)
{
	return rng_range(0, 99) < percent;
}

static uint64_t run_seed;
static int run_fleet;
static int run_request;

#define CHECK(cond, ...)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			print_error("PLANNER_SEED=%" PRIu64 " fleet %d request %d: ",      \
				    run_seed, run_fleet, run_request);                \
			fail_msg(__VA_ARGS__);                                        \
		}                                                                     \
	} while (0)

static bool firmware_ok(const struct plan_request *req, const struct plan_host *host)
{
	if (req->boot.type == BOOT_TYPE_BIOS)
		return true;
	return host->uefi && (req->boot.mode != BOOT_MODE_SECURE || host->secure);
}

static bool usable(const struct plan_request *req, const struct plan_host *host, size_t i)
{
	return host->up && host->enabled && !req->avoid[i];
}

static bool has_room(const struct plan_request *req, const struct plan_host *host)
{
	return host->cpu_total - host->cpu_used >= req->cpu &&
	       host->mem_total_mib - host->mem_used_mib >= req->mem_mib;
}

static bool in_scope(const struct plan_request *req, const struct plan_host *host, size_t i)
{
	if (req->only_host >= 0 && (size_t)req->only_host != i)
		return false;
	return req->only_cluster < 0 || host->cluster == (size_t)req->only_cluster;
}

static double utilisation(const struct plan_fleet *fleet, const struct plan_request *req,
			  size_t cluster)
{
	int64_t cu = 0, ct = 0, mu = 0, mt = 0;
	double cpu = 1e300, mem = 1e300;

	for (size_t i = 0; i < fleet->nhost; i++) {
		const struct plan_host *h = &fleet->hosts[i];

		if (h->cluster != cluster || !firmware_ok(req, h) || !usable(req, h, i))
			continue;
		cu += h->cpu_used;
		ct += h->cpu_total;
		mu += h->mem_used_mib;
		mt += h->mem_total_mib;
	}
	if (ct > 0)
		cpu = (double)cu / (double)ct;
	if (mt > 0)
		mem = (double)mu / (double)mt;
	return cpu > mem ? cpu : mem;
}

/* Every line of the trail must be true of the host it names. */
static void check_trail(const struct plan_fleet *fleet, const struct plan_request *req,
			const struct plan_result *result, int rc)
{
	static unsigned seen[MAX_HOSTS];

	memset(seen, 0, sizeof seen);
	for (size_t s = 0; s < result->nstep; s++) {
		const struct plan_step *step = &result->steps[s];
		const struct plan_host *h;

		CHECK(step->cluster < fleet->ncluster, "step %zu: cluster %zu", s, step->cluster);
		if (step->host < 0) {
			CHECK(step->reason == PLAN_CLUSTER_DEFERRED || step->reason == PLAN_NO_UEFI ||
			      step->reason == PLAN_NO_SECURE,
			      "cluster note with reason '%s'", plan_reason_text(step->reason));
			continue;
		}
		CHECK((size_t)step->host < fleet->nhost, "step %zu: host %ld", s, step->host);
		h = &fleet->hosts[step->host];
		CHECK(in_scope(req, h, (size_t)step->host), "host '%s' outside the request in trail",
		      h->name);
		CHECK(h->cluster == step->cluster, "host '%s' under the wrong cluster", h->name);
		seen[step->host]++;
		switch (step->reason) {
		case PLAN_CHOSEN:
			CHECK(rc == 0 && s == result->nstep - 1 && step->host == result->host,
			      "'chosen' step for '%s' is not the final choice", h->name);
			break;
		case PLAN_HOST_DEFERRED:
			CHECK(req->boot.type == BOOT_TYPE_BIOS && h->uefi && usable(req, h, (size_t)step->host) &&
			      has_room(req, h), "host '%s' deferred untruthfully", h->name);
			seen[step->host]--;
			break;
		case PLAN_NO_UEFI:
			CHECK(req->boot.type == BOOT_TYPE_UEFI && !h->uefi, "'%s': no UEFI?", h->name);
			break;
		case PLAN_NO_SECURE:
			CHECK(req->boot.mode == BOOT_MODE_SECURE && h->uefi && !h->secure,
			      "'%s': no Secure Boot?", h->name);
			break;
		case PLAN_DISCONNECTED:
			CHECK(!h->up, "'%s' is up", h->name);
			break;
		case PLAN_DISABLED:
			CHECK(h->up && !h->enabled, "'%s': disabled?", h->name);
			break;
		case PLAN_AVOIDED:
			CHECK(req->avoid[step->host], "'%s' was not to be avoided", h->name);
			break;
		case PLAN_NO_CPU:
			CHECK(h->cpu_total - h->cpu_used < req->cpu, "'%s' had CPU", h->name);
			break;
		case PLAN_NO_MEMORY:
			CHECK(h->cpu_total - h->cpu_used >= req->cpu &&
			      h->mem_total_mib - h->mem_used_mib < req->mem_mib, "'%s' had memory", h->name);
			break;
		default:
			CHECK(0, "host step with reason '%s'", plan_reason_text(step->reason));
		}
		CHECK(seen[step->host] <= 1, "host '%s' considered twice", h->name);
	}
}

static void check_one(const struct plan_fleet *fleet, const struct plan_request *req,
		      const struct plan_result *result, const struct bd_error *err, int rc)
{
	bool any_room = false;
	bool plain_room = false;

	for (size_t i = 0; i < fleet->nhost; i++) {
		const struct plan_host *h = &fleet->hosts[i];

		if (!in_scope(req, h, i) || !firmware_ok(req, h) || !usable(req, h, i) ||
		    !has_room(req, h))
			continue;
		any_room = true;
		plain_room |= !h->uefi;
	}
	check_trail(fleet, req, result, rc);

	if (rc == 0) {
		const struct plan_host *h;

		CHECK(result->host >= 0 && (size_t)result->host < fleet->nhost, "host %ld", result->host);
		h = &fleet->hosts[result->host];
		CHECK(in_scope(req, h, (size_t)result->host), "'%s' outside the request", h->name);
		CHECK(firmware_ok(req, h), "%s guest on '%s' (uefi %d secure %d)",
		      boot_choice_label(req->boot), h->name, h->uefi, h->secure);
		CHECK(usable(req, h, (size_t)result->host), "'%s' is not usable", h->name);
		CHECK(has_room(req, h), "'%s' has no room", h->name);
		CHECK(result->nstep > 0 && result->steps[result->nstep - 1].reason == PLAN_CHOSEN,
		      "trail does not end with the choice");
		if (req->boot.type == BOOT_TYPE_BIOS && h->uefi && req->only_host < 0)
			CHECK(!plain_room, "BIOS guest on UEFI host '%s' while a host without UEFI had room",
			      h->name);
		/* Least utilised first: no cluster with room, less utilised than
		 * the chosen one, may be passed over (UEFI guests: no deferral). */
		if (req->boot.type == BOOT_TYPE_UEFI && req->only_host < 0 && req->only_cluster < 0) {
			double chosen = utilisation(fleet, req, h->cluster);

			for (size_t i = 0; i < fleet->nhost; i++) {
				const struct plan_host *o = &fleet->hosts[i];

				if (o->cluster == h->cluster || !firmware_ok(req, o) ||
				    !usable(req, o, i) || !has_room(req, o))
					continue;
				CHECK(utilisation(fleet, req, o->cluster) >= chosen,
				      "'%s' in a less utilised cluster was passed over for '%s'",
				      o->name, h->name);
			}
		}
		/* First fit: every earlier host of the chosen cluster was considered. */
		if (req->only_host < 0 && !(req->boot.type == BOOT_TYPE_BIOS && h->uefi)) {
			for (long i = 0; i < result->host; i++) {
				bool listed = false;

				if (fleet->hosts[i].cluster != h->cluster ||
				    (req->boot.type == BOOT_TYPE_BIOS && fleet->hosts[i].uefi))
					continue;
				for (size_t s = 0; s < result->nstep; s++)
					listed |= result->steps[s].host == i;
				CHECK(listed, "'%s' precedes '%s' but was not considered",
				      fleet->hosts[i].name, h->name);
			}
		}
		return;
	}
	CHECK(rc == -1 && result->host == -1, "rc %d host %ld", rc, result->host);
	if (err->code == BD_ERR_CAPACITY) {
		CHECK(!any_room, "533 '%s' while a host had room", err->text);
	} else {
		CHECK(err->code == BD_ERR_PARAM, "unexpected error %d '%s'", err->code, err->text);
		if (req->only_host >= 0) {
			const struct plan_host *h = &fleet->hosts[req->only_host];

			CHECK(!firmware_ok(req, h) || !h->up || !h->enabled,
			      "431 '%s' for a host that can boot the guest", err->text);
			CHECK(strstr(err->text, h->name) != NULL, "'%s' does not name the host", err->text);
		} else {
			bool capable = false;

			for (size_t i = 0; i < fleet->nhost; i++)
				capable |= in_scope(req, &fleet->hosts[i], i) &&
					   firmware_ok(req, &fleet->hosts[i]);
			CHECK(req->only_cluster >= 0 && !capable,
			      "431 '%s' for a cluster that can boot the guest", err->text);
		}
	}
}

static void random_fleet(struct fleet_buf *buf, char names[][8])
{
	size_t ncluster = (size_t)rng_range(1, MAX_CLUSTERS);
	size_t nhost = (size_t)rng_range(0, MAX_HOSTS);
	int uefi_share = (int)rng_range(0, 100);

	memset(buf, 0, sizeof *buf);
	for (size_t c = 0; c < ncluster; c++) {
		snprintf(names[MAX_HOSTS + c], 8, "c%zu", c);
		buf->clusters[c] = (struct plan_cluster){ names[MAX_HOSTS + c], names[MAX_HOSTS + c] };
	}
	for (size_t i = 0; i < nhost; i++) {
		struct plan_host *h = &buf->hosts[i];

		snprintf(names[i], 8, "h%zu", i);
		h->id = h->name = names[i];
		h->cluster = (size_t)rng_range(0, (int64_t)ncluster - 1);
		h->up = rng_chance(90);
		h->enabled = rng_chance(90);
		h->uefi = rng_chance(uefi_share);
		h->secure = h->uefi && rng_chance(50);
		h->cpu_total = rng_range(0, 32);
		h->cpu_used = rng_range(0, h->cpu_total);
		h->mem_total_mib = 1024 * rng_range(0, 32);
		h->mem_used_mib = rng_range(0, h->mem_total_mib);
	}
	buf->fleet = (struct plan_fleet){ buf->clusters, ncluster, buf->hosts, nhost };
}

static void random_request(struct fleet_buf *buf)
{
	static const struct boot_choice boots[] = {
		{ BOOT_TYPE_BIOS, BOOT_MODE_LEGACY },
		{ BOOT_TYPE_UEFI, BOOT_MODE_LEGACY },
		{ BOOT_TYPE_UEFI, BOOT_MODE_SECURE },
	};
	struct plan_request *req = &buf->req;

	req->boot = boots[rng_range(0, 2)];
	req->cpu = rng_range(1, 8);
	req->mem_mib = 256 * rng_range(1, 32);
	req->only_host = -1;
	req->only_cluster = -1;
	if (buf->fleet.nhost && rng_chance(10))
		req->only_host = (long)rng_range(0, (int64_t)buf->fleet.nhost - 1);
	if (rng_chance(10))
		req->only_cluster = (long)rng_range(0, (int64_t)buf->fleet.ncluster - 1);
	if (req->only_host >= 0 && req->only_cluster >= 0)
		req->only_cluster = (long)buf->hosts[req->only_host].cluster;
	for (size_t i = 0; i < buf->fleet.nhost; i++)
		buf->avoid[i] = rng_chance(5);
	req->avoid = rng_chance(70) ? buf->avoid : NULL;
}

static void test_random_fleets(void **state)
{
	static const bool no_avoid[MAX_HOSTS];
	const char *env = getenv("PLANNER_SEED");
	int placed = 0, full = 0, refused = 0;

	(void)state;
	run_seed = env && *env ? strtoull(env, NULL, 0) : 20261203;
	rng_state = run_seed;
	print_message("planner random test: PLANNER_SEED=%" PRIu64 "\n", run_seed);

	for (run_fleet = 0; run_fleet < 3000; run_fleet++) {
		struct fleet_buf buf;
		char names[MAX_HOSTS + MAX_CLUSTERS][8];
		int nreq = (int)rng_range(1, 12);

		random_fleet(&buf, names);
		for (run_request = 0; run_request < nreq; run_request++) {
			struct plan_result result = { 0 };
			struct plan_result again = { 0 };
			struct bd_error err = { 0 };
			struct bd_error err2 = { 0 };
			struct plan_request checked;
			int rc, rc2;

			random_request(&buf);
			rc = planner_place(&buf.fleet, &buf.req, &result, &err);
			rc2 = planner_place(&buf.fleet, &buf.req, &again, &err2);
			CHECK(rc == rc2 && result.host == again.host && result.nstep == again.nstep &&
			      strcmp(err.text, err2.text) == 0, "two runs differ");
			for (size_t s = 0; s < result.nstep; s++)
				CHECK(result.steps[s].cluster == again.steps[s].cluster &&
				      result.steps[s].host == again.steps[s].host &&
				      result.steps[s].reason == again.steps[s].reason,
				      "two runs differ at step %zu", s);
			checked = buf.req;
			if (!checked.avoid)
				checked.avoid = no_avoid;
			check_one(&buf.fleet, &checked, &result, &err, rc);
			if (rc == 0) {
				/* Reserve what was placed, so later requests see it. */
				buf.hosts[result.host].cpu_used += buf.req.cpu;
				buf.hosts[result.host].mem_used_mib += buf.req.mem_mib;
				placed++;
			} else if (err.code == BD_ERR_CAPACITY) {
				full++;
			} else {
				refused++;
			}
			plan_result_clear(&result);
			plan_result_clear(&again);
		}
	}
	/* The generator must exercise every outcome, or the checks prove little. */
	assert_true(placed > 1000);
	assert_true(full > 1000);
	assert_true(refused > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_cases),
		cmocka_unit_test(test_reason_texts),
		cmocka_unit_test(test_bad_indices),
		cmocka_unit_test(test_random_fleets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
