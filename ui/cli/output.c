/* Prints a CloudStack-shaped response as JSON, a table or CSV. Tables and
 * CSV show the scalar fields of the listed objects; nested values (details,
 * placement trails) are in the JSON form only. */
#include "cli.h"

#include <string.h>

/* The array of a list response ({"count": N, "noun": [...]}), or NULL. */
static json_object *response_rows(json_object *response)
{
	json_object_object_foreach(response, key, value) {
		(void)key;
		if (json_object_is_type(value, json_type_array))
			return value;
	}
	return NULL;
}

/* The single object of {"noun": {...}}, or NULL. */
static json_object *response_object(json_object *response)
{
	json_object_object_foreach(response, key, value) {
		(void)key;
		if (json_object_is_type(value, json_type_object))
			return value;
	}
	return NULL;
}

static bool is_scalar(json_object *value)
{
	return !json_object_is_type(value, json_type_object) &&
	       !json_object_is_type(value, json_type_array);
}

static const char *scalar_text(json_object *value)
{
	if (!value || json_object_is_type(value, json_type_null))
		return "";
	return json_object_get_string(value);
}

/* Column names: scalar keys in order of first appearance. */
static size_t collect_columns(json_object *rows, const char **cols, size_t max)
{
	size_t ncols = 0;

	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		json_object *row = json_object_array_get_idx(rows, i);

		if (!json_object_is_type(row, json_type_object))
			continue;
		json_object_object_foreach(row, key, value) {
			bool seen = false;

			if (!is_scalar(value))
				continue;
			for (size_t c = 0; c < ncols; c++)
				seen = seen || strcmp(cols[c], key) == 0;
			if (!seen && ncols < max)
				cols[ncols++] = key;
		}
	}
	return ncols;
}

static void print_csv_field(FILE *out, const char *text)
{
	if (!strpbrk(text, ",\"\r\n")) {
		fputs(text, out);
		return;
	}
	fputc('"', out);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

#define MAX_COLUMNS 64

static void print_rows(FILE *out, enum cli_format format, json_object *rows)
{
	const char *cols[MAX_COLUMNS];
	size_t widths[MAX_COLUMNS];
	size_t ncols = collect_columns(rows, cols, MAX_COLUMNS);
	size_t nrows = json_object_array_length(rows);

	for (size_t c = 0; c < ncols; c++)
		widths[c] = strlen(cols[c]);
	if (format == CLI_FORMAT_TABLE) {
		for (size_t r = 0; r < nrows; r++) {
			json_object *row = json_object_array_get_idx(rows, r);

			for (size_t c = 0; c < ncols; c++) {
				json_object *v = NULL;
				size_t len;

				json_object_object_get_ex(row, cols[c], &v);
				len = strlen(scalar_text(v));
				if (len > widths[c])
					widths[c] = len;
			}
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		if (format == CLI_FORMAT_CSV) {
			if (c)
				fputc(',', out);
			print_csv_field(out, cols[c]);
		} else {
			fprintf(out, "%s%-*s", c ? "  " : "", (int)widths[c], cols[c]);
		}
	}
	fputc('\n', out);
	for (size_t r = 0; r < nrows; r++) {
		json_object *row = json_object_array_get_idx(rows, r);

		for (size_t c = 0; c < ncols; c++) {
			json_object *v = NULL;

			json_object_object_get_ex(row, cols[c], &v);
			if (format == CLI_FORMAT_CSV) {
				if (c)
					fputc(',', out);
				print_csv_field(out, scalar_text(v));
			} else {
				fprintf(out, "%s%-*s", c ? "  " : "", (int)widths[c], scalar_text(v));
			}
		}
		fputc('\n', out);
	}
}

int cli_print(FILE *out, enum cli_format format, json_object *response)
{
	json_object *rows;

	if (format == CLI_FORMAT_JSON) {
		fprintf(out, "%s\n", json_object_to_json_string_ext(response, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE));
		return ferror(out) ? -1 : 0;
	}
	rows = response_rows(response);
	if (rows) {
		print_rows(out, format, rows);
	} else {
		/* One object: print it as a one-row list. */
		json_object *single = response_object(response);
		json_object *wrapped = json_object_new_array();

		json_object_array_add(wrapped, json_object_get(single ? single : response));
		print_rows(out, format, wrapped);
		json_object_put(wrapped);
	}
	return ferror(out) ? -1 : 0;
}
