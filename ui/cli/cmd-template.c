/* Templates: local disk or ISO images VMs are created from. The declared
 * format is checked against the file's own magic, because a QCOW2 image
 * handed to QEMU as RAW exposes its header (and backing file name) to the
 * guest, and a wrong format never boots. */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/store.h"
#include "model/text.h"

static const unsigned char template_qcow2_magic[4] = { 'Q', 'F', 'I', 0xfb };
/* ISO 9660: the primary volume descriptor starts at sector 16 (2048-byte
 * sectors) with a type byte, then the identifier "CD001". */
#define TEMPLATE_ISO_MAGIC_OFFSET 32769
static const char template_iso_magic[5] = { 'C', 'D', '0', '0', '1' };

static bool template_has_bytes(int fd, off_t offset, const void *magic, size_t len)
{
	unsigned char buf[8];

	return pread(fd, buf, len, offset) == (ssize_t)len && memcmp(buf, magic, len) == 0;
}

/* Opens path, checks it is a readable regular file of the declared format,
 * and fills the absolute path and size. */
static int template_file_check(const char *path, enum template_format format,
			       struct template *tmpl, struct bd_error *err)
{
	char shown[TEXT_QUOTE_MAX * 2];
	struct stat st;
	bool is_qcow2, is_iso;
	int fd = -1;
	int ret = -1;

	text_quote(path, shown, sizeof shown);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bd_error_set(err, BD_ERR_PARAM, "cannot read template file '%s': %s", shown,
			     strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		bd_error_set(err, BD_ERR_PARAM, "template file '%s' is not a regular file", shown);
		goto cleanup;
	}
	if (st.st_size == 0) {
		bd_error_set(err, BD_ERR_PARAM, "template file '%s' is empty", shown);
		goto cleanup;
	}
	is_qcow2 = template_has_bytes(fd, 0, template_qcow2_magic, sizeof template_qcow2_magic);
	is_iso = template_has_bytes(fd, TEMPLATE_ISO_MAGIC_OFFSET, template_iso_magic,
				    sizeof template_iso_magic);
	switch (format) {
	case TEMPLATE_QCOW2:
		if (!is_qcow2) {
			bd_error_set(err, BD_ERR_PARAM,
				     "template file '%s' is not QCOW2: it lacks the QFI\\xfb magic at its start",
				     shown);
			goto cleanup;
		}
		break;
	case TEMPLATE_ISO:
		if (!is_iso) {
			bd_error_set(err, BD_ERR_PARAM,
				     "template file '%s' is not an ISO image: no CD001 at offset %d",
				     shown, TEMPLATE_ISO_MAGIC_OFFSET);
			goto cleanup;
		}
		break;
	case TEMPLATE_RAW:
		if (is_qcow2) {
			bd_error_set(err, BD_ERR_PARAM,
				     "template file '%s' is a QCOW2 image: register it with format=QCOW2",
				     shown);
			goto cleanup;
		}
		break;
	default:
		bd_error_set(err, BD_ERR_INTERNAL, "unknown template format %d", (int)format);
		goto cleanup;
	}
	/* Stored absolute: later commands run from other folders. */
	tmpl->url = realpath(path, NULL);
	if (!tmpl->url) {
		bd_error_set(err, BD_ERR_PARAM, "cannot resolve template file '%s': %s", shown,
			     strerror(errno));
		goto cleanup;
	}
	tmpl->format = format;
	tmpl->size_bytes = (int64_t)st.st_size;
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

static void template_write(struct reply *reply, const char *key, const struct template *tmpl)
{
	reply_object_begin(reply, key);
	reply_string(reply, "id", tmpl->id);
	reply_string(reply, "name", tmpl->name);
	reply_string(reply, "format", template_format_name(tmpl->format));
	reply_string(reply, "url", tmpl->url);
	reply_int(reply, "size", tmpl->size_bytes);
	reply_time(reply, "created", tmpl->created);
	reply_object_end(reply);
}

static int cmd_template_register_exec(struct cli_ctx *ctx, const struct kv_args *args,
				      struct reply *reply, struct bd_error *err)
{
	struct template tmpl = { 0 };
	const char *name, *url, *format_text;
	int format;
	int ret = -1;

	name = cli_require(args, "name", err);
	if (!name || name_check("name", name, err) < 0)
		goto cleanup;
	url = cli_require(args, "url", err);
	if (!url)
		goto cleanup;
	format_text = cli_require(args, "format", err);
	if (!format_text)
		goto cleanup;
	format = enum_parse(&template_format_table, "format", format_text, err);
	if (format < 0)
		goto cleanup;
	if (template_file_check(url, (enum template_format)format, &tmpl, err) < 0)
		goto cleanup;
	snprintf(tmpl.name, sizeof tmpl.name, "%s", name);
	tmpl.created = time(NULL);
	if (store_begin(ctx->store, err) < 0)
		goto cleanup;
	if (store_template_insert(ctx->store, &tmpl, err) < 0 ||
	    cmd_event_commit(ctx->store, "TEMPLATE.REGISTER", "registered template", tmpl.id,
			     tmpl.name, err) < 0) {
		store_rollback(ctx->store);
		goto cleanup;
	}
	template_write(reply, "template", &tmpl);
	ret = 0;
cleanup:
	template_clear(&tmpl);
	return ret;
}

static int cmd_template_list_exec(struct cli_ctx *ctx, const struct kv_args *args,
				  struct reply *reply, struct bd_error *err)
{
	const char *id = kv_args_get(args, "id");

	if (id) {
		struct template tmpl = { 0 };

		if (store_template_get(ctx->store, id, &tmpl, err) < 0)
			return -1;
		reply_list_begin(reply, "template", 1);
		template_write(reply, NULL, &tmpl);
		template_clear(&tmpl);
	} else {
		struct template *list = NULL;
		size_t count = 0;

		if (store_template_list(ctx->store, &list, &count, err) < 0)
			return -1;
		reply_list_begin(reply, "template", count);
		for (size_t i = 0; i < count; i++)
			template_write(reply, NULL, &list[i]);
		store_template_list_free(list, count);
	}
	reply_list_end(reply);
	return 0;
}

static int cmd_template_delete_exec(struct cli_ctx *ctx, const struct kv_args *args,
				    struct reply *reply, struct bd_error *err)
{
	struct template tmpl = { 0 };
	const char *id;
	int ret = -1;

	id = cli_require(args, "id", err);
	if (!id)
		return -1;
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (store_template_get(ctx->store, id, &tmpl, err) < 0 ||
	    store_template_delete(ctx->store, tmpl.id, err) < 0 ||
	    cmd_event_commit(ctx->store, "TEMPLATE.DELETE", "deleted template", tmpl.id,
			     tmpl.name, err) < 0) {
		store_rollback(ctx->store);
		goto cleanup;
	}
	cmd_success_write(reply);
	ret = 0;
cleanup:
	template_clear(&tmpl);
	return ret;
}

static const char *const template_register_keys[] = { "name", "url", "format", NULL };
static const char *const template_list_keys[] = { "id", NULL };
static const char *const template_delete_keys[] = { "id", NULL };

const struct cli_command cmd_template_register = {
	.api = "registerTemplate",
	.keys = template_register_keys,
	.synopsis = "name= url=PATH format=QCOW2|RAW|ISO",
	.help = "register a local image file; its format is checked against its contents",
	.exec = cmd_template_register_exec,
};

const struct cli_command cmd_template_list = {
	.api = "listTemplates",
	.keys = template_list_keys,
	.synopsis = "[id=]",
	.help = "list templates",
	.exec = cmd_template_list_exec,
};

const struct cli_command cmd_template_delete = {
	.api = "deleteTemplate",
	.keys = template_delete_keys,
	.synopsis = "id=",
	.help = "delete a template no VM uses (the image file is kept)",
	.exec = cmd_template_delete_exec,
};
