#include "backend/caps.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "model/text.h"

/* A uefi.properties file is a handful of lines; anything larger is not one. */
#define CAPS_PROPERTIES_MAX (64 * 1024)

/* Appends one reason to caps->probe_error ("a; b"). */
static int caps_reason_add(struct host_caps *caps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int caps_reason_add(struct host_caps *caps, const char *fmt, ...)
{
	char reason[BD_ERROR_TEXT_MAX];
	const char *old = caps->probe_error;
	char *joined;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (old && old[0]) {
		if (asprintf(&joined, "%s; %s", old, reason) < 0)
			return -1;
	} else {
		joined = strdup(reason);
		if (!joined)
			return -1;
	}
	free(caps->probe_error);
	caps->probe_error = joined;
	return 0;
}

static int caps_strdup_into(char **dst, const char *src)
{
	char *copy = strdup(src);

	if (!copy)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

static const char *caps_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Whether a firmware file name names a Secure Boot build. Distributions
 * mark them with a word of the file name: Debian OVMF_CODE_4M.secboot.fd
 * and OVMF_CODE_4M.ms.fd (Microsoft keys), Fedora OVMF_CODE.secboot.fd,
 * SUSE ovmf-x86_64-smm-ms-code.bin. Words, not substrings: "ms" inside
 * another word means nothing. */
static bool caps_loader_is_secure(const char *path)
{
	static const char *const words[] = { "secboot", "ms", "smm" };
	const char *name = caps_basename(path);
	bool found = false;
	char *copy = strdup(name);
	char *save = NULL;

	if (!copy)
		return false;
	for (char *word = strtok_r(copy, "._-", &save); word && !found;
	     word = strtok_r(NULL, "._-", &save)) {
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
			if (strcasecmp(word, words[i]) == 0)
				found = true;
		}
	}
	free(copy);
	return found;
}

/* Text of an element's own text children only: an entity reference the
 * parser left unexpanded contributes nothing. Owned, or NULL. */
static char *caps_node_text(xmlNodePtr node)
{
	size_t len = 0;
	char *out;

	for (xmlNodePtr child = node->children; child; child = child->next) {
		if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
		    child->content)
			len += strlen((const char *)child->content);
	}
	out = calloc(1, len + 1);
	if (!out)
		return NULL;
	for (xmlNodePtr child = node->children; child; child = child->next) {
		if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
		    child->content)
			strcat(out, (const char *)child->content);
	}
	return out;
}

/* Trimmed texts of the nodes `expr` selects; owned array of owned strings
 * (empty texts skipped). Returns the count, or -1. */
static int caps_xpath_texts(xmlXPathContextPtr xpath, const char *expr, char ***out)
{
	xmlXPathObjectPtr result = xmlXPathEvalExpression(BAD_CAST expr, xpath);
	char **texts = NULL;
	int count = 0;
	int ret = -1;

	*out = NULL;
	if (!result)
		goto cleanup;
	if (result->nodesetval && result->nodesetval->nodeNr > 0) {
		texts = calloc((size_t)result->nodesetval->nodeNr, sizeof *texts);
		if (!texts)
			goto cleanup;
		for (int i = 0; i < result->nodesetval->nodeNr; i++) {
			char *raw = caps_node_text(result->nodesetval->nodeTab[i]);
			char trimmed[4096];

			if (!raw)
				goto cleanup;
			text_trim_copy(raw, trimmed, sizeof trimmed);
			free(raw);
			if (!trimmed[0])
				continue;
			texts[count] = strdup(trimmed);
			if (!texts[count])
				goto cleanup;
			count++;
		}
	}
	*out = texts;
	texts = NULL;
	ret = count;

cleanup:
	if (texts) {
		for (int i = 0; i < count; i++)
			free(texts[i]);
		free(texts);
	}
	xmlXPathFreeObject(result);
	return ret;
}

static void caps_texts_free(char **texts, int count)
{
	if (!texts)
		return;
	for (int i = 0; i < count; i++)
		free(texts[i]);
	free(texts);
}

static bool caps_texts_have(char **texts, int count, const char *value)
{
	for (int i = 0; i < count; i++) {
		if (strcmp(texts[i], value) == 0)
			return true;
	}
	return false;
}

/* Keeps the parser's first complaint (the cause; later ones are usually
 * consequences) in the buffer hung on the context, and prints nothing. */
struct caps_parse_error {
	char message[256];
	int line;
};

static void caps_parse_error_keep(void *user_data, xmlErrorPtr xerr)
{
	xmlParserCtxtPtr parser = user_data;
	struct caps_parse_error *first = parser ? parser->_private : NULL;

	if (!first || first->message[0] || !xerr || xerr->level < XML_ERR_ERROR)
		return;
	text_trim_copy(xerr->message ? xerr->message : "not well-formed", first->message,
		       sizeof first->message);
	first->line = xerr->line;
}

int caps_parse_domcaps(const char *xml, size_t len, struct host_caps *caps,
		       struct bd_error *err)
{
	struct caps_parse_error first_error = { 0 };
	struct host_caps found = { 0 };
	xmlParserCtxtPtr parser = NULL;
	xmlXPathContextPtr xpath = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char **firmware = NULL, **loaders = NULL, **secure = NULL, **domain = NULL;
	int n_firmware = 0, n_loaders = 0, n_secure = 0, n_domain = 0;
	int ret = -1;

	if (!xml || !caps) {
		bd_error_set(err, BD_ERR_INTERNAL, "no domain capabilities document given");
		goto cleanup;
	}
	if (len > INT32_MAX) {
		bd_error_set(err, BD_ERR_INTERNAL, "domain capabilities document too large "
			     "(%zu bytes)", len);
		goto cleanup;
	}
	parser = xmlNewParserCtxt();
	if (!parser) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot parse domain capabilities: out of memory");
		goto cleanup;
	}
	parser->_private = &first_error;
	parser->sax->serror = caps_parse_error_keep;
	/* No XML_PARSE_NOENT (entities stay unexpanded), no DTD loading, no
	 * network: the document comes from a host and is not trusted. */
	doc = xmlCtxtReadMemory(parser, xml, (int)len, "domcapabilities.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !parser->wellFormed) {
		const xmlError *xerr = xmlCtxtGetLastError(parser);

		if (!first_error.message[0]) {
			text_trim_copy(xerr && xerr->message ? xerr->message : "not well-formed",
				       first_error.message, sizeof first_error.message);
			first_error.line = xerr ? xerr->line : 0;
		}
		bd_error_set(err, BD_ERR_INTERNAL, "cannot parse domain capabilities: %s "
			     "(line %d)", first_error.message, first_error.line);
		goto cleanup;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !xmlStrEqual(root->name, BAD_CAST "domainCapabilities")) {
		char quoted[TEXT_QUOTE_MAX + 8];

		bd_error_set(err, BD_ERR_INTERNAL, "not a domain capabilities document: root "
			     "element is '%s', expected 'domainCapabilities'",
			     text_quote(root ? (const char *)root->name : "", quoted,
					sizeof quoted));
		goto cleanup;
	}
	xpath = xmlXPathNewContext(doc);
	if (!xpath)
		goto oom;
	n_firmware = caps_xpath_texts(xpath,
		"/domainCapabilities/os/enum[@name='firmware']/value", &firmware);
	n_loaders = caps_xpath_texts(xpath, "/domainCapabilities/os/loader/value", &loaders);
	n_secure = caps_xpath_texts(xpath,
		"/domainCapabilities/os/loader/enum[@name='secure']/value", &secure);
	n_domain = caps_xpath_texts(xpath, "/domainCapabilities/domain", &domain);
	if (n_firmware < 0 || n_loaders < 0 || n_secure < 0 || n_domain < 0)
		goto oom;

	if (n_domain > 0 && (strcmp(domain[0], "kvm") == 0 || strcmp(domain[0], "qemu") == 0))
		snprintf(found.virt_type, sizeof found.virt_type, "%s", domain[0]);

	/* libvirt picks the image from firmware descriptors when it offers
	 * the efi firmware enum; the loader list says which images exist. */
	found.autoselect = caps_texts_have(firmware, n_firmware, "efi");
	for (int i = 0; i < n_loaders; i++) {
		char **slot = caps_loader_is_secure(loaders[i]) ? &found.loader_secure
								: &found.loader_legacy;

		if (!*slot && caps_strdup_into(slot, loaders[i]) < 0)
			goto oom;
	}
	found.uefi = found.autoselect && n_loaders > 0;
	found.secure = found.uefi && caps_texts_have(secure, n_secure, "yes") &&
		       found.loader_secure;

	if (!found.autoselect) {
		if (caps_reason_add(&found, "no UEFI: the firmware enum does not offer efi") < 0)
			goto oom;
	} else if (n_loaders == 0) {
		if (caps_reason_add(&found, "no UEFI: no firmware loader is listed") < 0)
			goto oom;
	} else if (!caps_texts_have(secure, n_secure, "yes")) {
		if (caps_reason_add(&found, "no UEFI SECURE: the loader's secure enum does "
				    "not offer yes") < 0)
			goto oom;
	} else if (!found.loader_secure) {
		if (caps_reason_add(&found, "no UEFI SECURE: none of the %d listed loaders "
				    "is a Secure Boot build", n_loaders) < 0)
			goto oom;
	}

	host_caps_clear(caps);
	*caps = found;
	memset(&found, 0, sizeof found);
	ret = 0;
	goto cleanup;

oom:
	bd_error_set(err, BD_ERR_INTERNAL, "cannot read domain capabilities: out of memory");
cleanup:
	caps_texts_free(firmware, n_firmware);
	caps_texts_free(loaders, n_loaders);
	caps_texts_free(secure, n_secure);
	caps_texts_free(domain, n_domain);
	host_caps_clear(&found);
	xmlXPathFreeContext(xpath);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(parser);
	return ret;
}

/* The keys of CloudStack's uefi.properties and where each one goes. */
struct caps_property {
	const char *key;
	size_t field;
};

static const struct caps_property caps_properties[] = {
	{ "guest.loader.legacy", offsetof(struct host_caps, loader_legacy) },
	{ "guest.loader.secure", offsetof(struct host_caps, loader_secure) },
	{ "guest.nvram.template.legacy", offsetof(struct host_caps, nvram_template_legacy) },
	{ "guest.nvram.template.secure", offsetof(struct host_caps, nvram_template_secure) },
	{ "guest.nvram.path", offsetof(struct host_caps, nvram_dir) },
};

static char **caps_property_slot(struct host_caps *caps, const char *key)
{
	for (size_t i = 0; i < sizeof caps_properties / sizeof caps_properties[0]; i++) {
		if (strcmp(caps_properties[i].key, key) == 0)
			return (char **)((char *)caps + caps_properties[i].field);
	}
	return NULL;
}

static bool caps_set(const char *value)
{
	return value && value[0];
}

/* A firmware image where a VARS template belongs (or the reverse) would
 * boot with a variable store that is really code: refuse it by name. */
static int caps_properties_check_roles(const struct host_caps *caps, struct bd_error *err)
{
	const struct {
		const char *key;
		const char *path;
	} templates[] = {
		{ "guest.nvram.template.legacy", caps->nvram_template_legacy },
		{ "guest.nvram.template.secure", caps->nvram_template_secure },
	}, loaders[] = {
		{ "guest.loader.legacy", caps->loader_legacy },
		{ "guest.loader.secure", caps->loader_secure },
	};
	char quoted[TEXT_QUOTE_MAX + 8];

	for (size_t i = 0; i < 2; i++) {
		const char *path = templates[i].path;

		if (!caps_set(path))
			continue;
		if (strcasestr(caps_basename(path), "code"))
			return bd_error_set(err, BD_ERR_PARAM,
					    "%s '%s' is a firmware CODE image, not an NVRAM "
					    "(VARS) template", templates[i].key,
					    text_quote(path, quoted, sizeof quoted));
		for (size_t j = 0; j < 2; j++) {
			if (caps_set(loaders[j].path) && strcmp(loaders[j].path, path) == 0)
				return bd_error_set(err, BD_ERR_PARAM,
						    "%s '%s' is the same file as %s: an NVRAM "
						    "template must be a VARS image, not the loader",
						    templates[i].key,
						    text_quote(path, quoted, sizeof quoted),
						    loaders[j].key);
		}
	}
	for (size_t j = 0; j < 2; j++) {
		const char *path = loaders[j].path;

		if (caps_set(path) && strcasestr(caps_basename(path), "vars"))
			return bd_error_set(err, BD_ERR_PARAM,
					    "%s '%s' is an NVRAM (VARS) template, not a firmware "
					    "CODE image", loaders[j].key,
					    text_quote(path, quoted, sizeof quoted));
	}
	return 0;
}

/* Which modes the keys allow; the reasons for missing ones go to
 * probe_error. Secure Boot is a UEFI mode, so it needs UEFI too. */
static int caps_properties_decide(struct host_caps *caps)
{
	caps->uefi = caps_set(caps->loader_legacy);
	caps->secure = caps->uefi && caps_set(caps->loader_secure) &&
		       caps_set(caps->nvram_template_secure);
	if (!caps->uefi)
		return caps_reason_add(caps, "no UEFI: guest.loader.legacy is not set");
	if (!caps_set(caps->loader_secure))
		return caps_reason_add(caps, "no UEFI SECURE: guest.loader.secure is not set");
	if (!caps_set(caps->nvram_template_secure))
		return caps_reason_add(caps, "no UEFI SECURE: guest.nvram.template.secure "
				       "is not set");
	return 0;
}

int caps_parse_uefi_properties(const char *text, size_t len, struct host_caps *caps,
			       struct bd_error *err)
{
	struct host_caps found = { 0 };
	const char *end = text ? text + len : NULL;
	const char *line = text;
	int line_no = 0;
	int known_keys = 0;
	int setting_lines = 0;
	int ret = -1;

	if (!text || !caps) {
		bd_error_set(err, BD_ERR_INTERNAL, "no uefi.properties text given");
		goto cleanup;
	}
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = eol ? (size_t)(eol - line) : (size_t)(end - line);
		char buf[4096], key_buf[4096], value_buf[4096];
		char *key, *value, *sep;
		char **slot;

		line_no++;
		if (line_len >= sizeof buf) {
			bd_error_set(err, BD_ERR_PARAM, "uefi.properties line %d is too long "
				     "(%zu characters, at most %zu)", line_no, line_len,
				     sizeof buf - 1);
			goto cleanup;
		}
		memcpy(buf, line, line_len);
		buf[line_len] = '\0';
		line = eol ? eol + 1 : end;
		if (memchr(buf, '\0', line_len)) {
			bd_error_set(err, BD_ERR_PARAM, "uefi.properties line %d contains a NUL "
				     "byte", line_no);
			goto cleanup;
		}

		key = buf + strspn(buf, " \t\r\f");
		if (!*key || *key == '#' || *key == '!')
			continue;
		/* Java also allows white space alone as the separator; only '='
		 * and ':' are taken so that a stray line is reported, not read
		 * as an unknown key. */
		sep = strpbrk(key, "=:");
		if (!sep) {
			char quoted[TEXT_QUOTE_MAX + 8];

			bd_error_set(err, BD_ERR_PARAM, "uefi.properties line %d ('%s') is not "
				     "'key=value' or 'key: value'", line_no,
				     text_quote(key, quoted, sizeof quoted));
			goto cleanup;
		}
		*sep = '\0';
		text_trim_copy(key, key_buf, sizeof key_buf);
		text_trim_copy(sep + 1, value_buf, sizeof value_buf);
		key = key_buf;
		value = value_buf;
		if (!key[0]) {
			bd_error_set(err, BD_ERR_PARAM, "uefi.properties line %d has no key "
				     "before its separator", line_no);
			goto cleanup;
		}
		setting_lines++;
		slot = caps_property_slot(&found, key);
		if (!slot)
			continue; /* other agent settings share the file */
		known_keys++;
		if (!value[0]) {
			free(*slot);
			*slot = NULL;
			continue;
		}
		if (caps_strdup_into(slot, value) < 0) {
			bd_error_set(err, BD_ERR_INTERNAL, "cannot read uefi.properties: out of "
				     "memory");
			goto cleanup;
		}
	}

	/* Settings without a single uefi.properties key mean the wrong file
	 * (say /etc/passwd, whose "name:..." lines parse as keys); an empty
	 * or comment-only file still says "no UEFI". */
	if (setting_lines && !known_keys) {
		bd_error_set(err, BD_ERR_PARAM, "uefi.properties holds none of its keys: "
			     "expected guest.loader.legacy, guest.loader.secure, "
			     "guest.nvram.template.legacy, guest.nvram.template.secure or "
			     "guest.nvram.path");
		goto cleanup;
	}
	if (caps_properties_check_roles(&found, err) < 0)
		goto cleanup;
	found.autoselect = false;
	if (caps_properties_decide(&found) < 0) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot read uefi.properties: out of memory");
		goto cleanup;
	}

	host_caps_clear(caps);
	*caps = found;
	memset(&found, 0, sizeof found);
	ret = 0;

cleanup:
	host_caps_clear(&found);
	return ret;
}

/* A named file that is not there makes its mode unavailable. */
static int caps_file_check(struct host_caps *caps, const char *key, const char *path,
			   bool *mode, const char *mode_label)
{
	char quoted[TEXT_QUOTE_MAX + 8];

	if (!caps_set(path) || access(path, R_OK) == 0)
		return 0;
	*mode = false;
	return caps_reason_add(caps, "no %s: %s '%s': %s", mode_label, key,
			       text_quote(path, quoted, sizeof quoted), strerror(errno));
}

int caps_load_uefi_properties(const char *path, struct host_caps *caps, struct bd_error *err)
{
	struct host_caps found = { 0 };
	char quoted[TEXT_QUOTE_MAX + 8];
	char *text = NULL;
	size_t len = 0;
	FILE *file = NULL;
	int ret = -1;

	if (!path || !caps) {
		bd_error_set(err, BD_ERR_PARAM, "no uefi.properties file given");
		goto cleanup;
	}
	text_quote(path, quoted, sizeof quoted);
	file = fopen(path, "re");
	if (!file) {
		bd_error_set(err, BD_ERR_PARAM, "cannot read uefi.properties '%s': %s", quoted,
			     strerror(errno));
		goto cleanup;
	}
	text = malloc(CAPS_PROPERTIES_MAX + 1);
	if (!text) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot read uefi.properties '%s': out of "
			     "memory", quoted);
		goto cleanup;
	}
	len = fread(text, 1, CAPS_PROPERTIES_MAX + 1, file);
	if (ferror(file)) {
		bd_error_set(err, BD_ERR_PARAM, "cannot read uefi.properties '%s': %s", quoted,
			     strerror(errno));
		goto cleanup;
	}
	if (len > CAPS_PROPERTIES_MAX) {
		bd_error_set(err, BD_ERR_PARAM, "uefi.properties '%s' is larger than %d bytes: "
			     "not a uefi.properties file", quoted, CAPS_PROPERTIES_MAX);
		goto cleanup;
	}
	if (caps_parse_uefi_properties(text, len, &found, err) < 0) {
		bd_error_prefix(err, "uefi.properties '%s'", quoted);
		goto cleanup;
	}

	/* The files must be there now: a host that lost OVMF must not keep
	 * claiming UEFI. */
	if (caps_file_check(&found, "guest.loader.legacy", found.loader_legacy,
			    &found.uefi, "UEFI") < 0 ||
	    caps_file_check(&found, "guest.nvram.template.legacy", found.nvram_template_legacy,
			    &found.uefi, "UEFI") < 0 ||
	    caps_file_check(&found, "guest.loader.secure", found.loader_secure,
			    &found.secure, "UEFI SECURE") < 0 ||
	    caps_file_check(&found, "guest.nvram.template.secure", found.nvram_template_secure,
			    &found.secure, "UEFI SECURE") < 0) {
		bd_error_set(err, BD_ERR_INTERNAL, "cannot read uefi.properties '%s': out of "
			     "memory", quoted);
		goto cleanup;
	}
	if (!found.uefi)
		found.secure = false;

	host_caps_clear(caps);
	*caps = found;
	memset(&found, 0, sizeof found);
	ret = 0;

cleanup:
	host_caps_clear(&found);
	free(text);
	if (file)
		fclose(file);
	return ret;
}
