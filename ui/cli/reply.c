/* Answers written as they are built. JSON is text from the first member on:
 * reply.c lays out the structure and writes integers' digits, json-c writes
 * every string (keys included) and real number, escapes and all. Tables
 * and CSV keep cells (key and text) of the rows only.
 * Either way the cost is one pass over the values, with no tree: a listing
 * of 10,000 hosts used to build, print and free a json-c tree of 200,000
 * objects, most of its run time. */
#include "reply.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Deeper than any answer: a host's details sit at depth 3, a placement
 * trail's steps at 5, and json-c parses at most 32 levels. */
#define REPLY_DEPTH_MAX 64
/* A streaming reply writes its JSON out in blocks of about this size. */
#define REPLY_STREAM_BLOCK (64 * 1024)
/* Tables and CSV show at most this many columns. */
#define REPLY_COLUMNS_MAX 64

struct text {
	char *data;
	size_t len;
	size_t cap;
};

/* What an open container is to a table: the rows are the items of the
 * answer's first array, else the answer's first object, else the answer. */
enum frame_role {
	ROLE_NONE,   /* nothing a table shows */
	ROLE_ANSWER, /* the answer itself */
	ROLE_SINGLE, /* the answer's first object */
	ROLE_LIST,   /* the answer's first array */
	ROLE_ROW,    /* an object in that array */
};

struct frame {
	bool array;
	bool filled; /* holds a member: the next one needs a separator */
	enum frame_role role;
};

/* A scalar of a row: its key (an index into keys) and its text. */
struct cell {
	size_t key;
	size_t text;
	size_t len;
};

struct cells {
	struct cell *items;
	size_t count;
	size_t cap;
};

struct key_entry {
	char *name;
	size_t hash;
	size_t text; /* its quoted JSON text in key_text */
	size_t len;
};

struct reply {
	enum cli_format format;
	bool failed;
	size_t depth;
	struct frame frames[REPLY_DEPTH_MAX];
	struct text json;
	FILE *stream;  /* where JSON goes as it is built (reply_stream), or NULL */
	bool streamed; /* some of it went there already */
	/* json-c objects that write scalars' text (see scalar_text). */
	json_object *string;
	json_object *real;

	/* Every distinct key, in order of first use (a table's columns), with
	 * its JSON text as json-c escaped it once; slots hash keys to entries. */
	struct key_entry *keys;
	size_t nkey;
	size_t key_cap;
	size_t *key_slots; /* entry index + 1, 0 when free */
	size_t nslot;
	struct text key_text;

	/* Tables and CSV. */
	struct text cell_text;
	struct cells answer_cells;
	struct cells single_cells;
	struct cells list_cells;
	size_t *row_start; /* first cell of each list row in list_cells */
	size_t nrow;
	size_t row_cap;
	bool seen_single;
	bool seen_list;
};

/* ---- growing buffers ---- */

static int grow(struct reply *reply, void **data, size_t *cap, size_t want, size_t size)
{
	size_t next = *cap ? *cap : 64;
	void *bigger;

	if (want <= *cap)
		return 0;
	while (next < want)
		next *= 2;
	bigger = realloc(*data, next * size);
	if (!bigger) {
		reply->failed = true;
		return -1;
	}
	*data = bigger;
	*cap = next;
	return 0;
}

static void text_put(struct reply *reply, struct text *text, const char *bytes, size_t len)
{
	if (text->len + len > text->cap &&
	    grow(reply, (void **)&text->data, &text->cap, text->len + len, 1) < 0)
		return;
	memcpy(text->data + text->len, bytes, len);
	text->len += len;
}

static void text_putc(struct reply *reply, struct text *text, char c)
{
	if (text->len + 1 > text->cap &&
	    grow(reply, (void **)&text->data, &text->cap, text->len + 1, 1) < 0)
		return;
	text->data[text->len++] = c;
}

static void text_spaces(struct reply *reply, struct text *text, size_t count)
{
	static const char spaces[] = "                                                                ";

	while (count > 0) {
		size_t n = count < sizeof spaces - 1 ? count : sizeof spaces - 1;

		text_put(reply, text, spaces, n);
		count -= n;
	}
}

/* ---- scalar text, written by json-c ---- */

/* json-c writes strings and reals, escapes included: one object of each
 * kind, refilled for each value and printed into its own reused buffer, so
 * a value costs no allocation (a string only when it is longer than the
 * one before). */
static const char *scalar_text(struct reply *reply, json_object *scratch, size_t *len)
{
	const char *text = json_object_to_json_string_length(
		scratch, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);

	if (!text) {
		reply->failed = true;
		*len = 0;
		return "";
	}
	return text;
}

/* value as a quoted JSON string, escaped by json-c; NULL (reply failed)
 * when out of memory. */
static const char *string_text(struct reply *reply, const char *value, size_t len,
			       size_t *text_len)
{
	if (len == 0) {
		/* json-c 0.16 loses a longer string's buffer when an empty one
		 * is set over it: an empty value gets a fresh object. */
		json_object_put(reply->string);
		reply->string = json_object_new_string("");
	}
	if (!reply->string || len > INT_MAX - 1 ||
	    (len && !json_object_set_string_len(reply->string, value, (int)len))) {
		reply->failed = true;
		return NULL;
	}
	return scalar_text(reply, reply->string, text_len);
}

static void json_string(struct reply *reply, const char *value, size_t len)
{
	size_t text_len;
	const char *text = string_text(reply, value, len, &text_len);

	if (text)
		text_put(reply, &reply->json, text, text_len);
}

/* ---- structure ---- */

/* The open container if key fits it (a name in an object, none in an
 * array); NULL, marking the reply failed, when it does not. */
static struct frame *member_frame(struct reply *reply, const char *key)
{
	struct frame *frame = &reply->frames[reply->depth];

	if (reply->failed)
		return NULL;
	if (frame->array != (key == NULL)) {
		reply->failed = true;
		return NULL;
	}
	return frame;
}

static size_t key_hash(const char *key)
{
	size_t hash = 2166136261u; /* FNV-1a */

	for (; *key; key++)
		hash = (hash ^ (unsigned char)*key) * 16777619u;
	return hash;
}

/* Rehashes every entry into twice the slots. */
static int key_slots_grow(struct reply *reply)
{
	size_t nslot = reply->nslot ? reply->nslot * 2 : 64;
	size_t *slots = calloc(nslot, sizeof *slots);

	if (!slots) {
		reply->failed = true;
		return -1;
	}
	for (size_t k = 0; k < reply->nkey; k++) {
		size_t at = reply->keys[k].hash & (nslot - 1);

		while (slots[at])
			at = (at + 1) & (nslot - 1);
		slots[at] = k + 1;
	}
	free(reply->key_slots);
	reply->key_slots = slots;
	reply->nslot = nslot;
	return 0;
}

/* The entry of key, added on first use. Answers name the same few dozen
 * keys over and over: each is escaped by json-c once. */
static size_t key_index(struct reply *reply, const char *key)
{
	size_t hash = key_hash(key), at;
	struct key_entry *entry;

	if (reply->failed || ((reply->nkey + 1) * 2 > reply->nslot && key_slots_grow(reply) < 0))
		return 0;
	for (at = hash & (reply->nslot - 1); reply->key_slots[at];
	     at = (at + 1) & (reply->nslot - 1)) {
		entry = &reply->keys[reply->key_slots[at] - 1];
		if (entry->hash == hash && strcmp(entry->name, key) == 0)
			return reply->key_slots[at] - 1;
	}
	if (grow(reply, (void **)&reply->keys, &reply->key_cap, reply->nkey + 1,
		 sizeof *reply->keys) < 0)
		return 0;
	entry = &reply->keys[reply->nkey];
	*entry = (struct key_entry){ .name = strdup(key), .hash = hash };
	if (!entry->name) {
		reply->failed = true;
		return 0;
	}
	if (reply->format == CLI_FORMAT_JSON) {
		const char *text = string_text(reply, key, strlen(key), &entry->len);

		if (!text) {
			free(entry->name);
			return 0;
		}
		entry->text = reply->key_text.len;
		text_put(reply, &reply->key_text, text, entry->len);
	}
	reply->key_slots[at] = reply->nkey + 1;
	return reply->nkey++;
}

/* Writes out what a streaming reply holds, once it fills a block. */
static void json_flush(struct reply *reply, size_t at_least)
{
	struct text *json = &reply->json;

	if (!reply->stream || json->len < at_least || reply->failed)
		return;
	if (fwrite(json->data, 1, json->len, reply->stream) != json->len)
		reply->failed = true;
	reply->streamed = true;
	json->len = 0;
}

/* Starts a JSON member: separator, indent and, in an object, the key. */
static void json_member(struct reply *reply, struct frame *frame, const char *key)
{
	json_flush(reply, REPLY_STREAM_BLOCK);
	if (frame->filled)
		text_put(reply, &reply->json, ",\n", 2);
	frame->filled = true;
	text_spaces(reply, &reply->json, 2 * (reply->depth + 1));
	if (key) {
		size_t k = key_index(reply, key);

		if (reply->failed)
			return;
		text_put(reply, &reply->json, reply->key_text.data + reply->keys[k].text,
			 reply->keys[k].len);
		text_putc(reply, &reply->json, ':');
	}
}

static void cells_add(struct reply *reply, struct cells *cells, const char *key, const char *text,
		      size_t len)
{
	struct cell *cell;
	size_t index = key_index(reply, key);

	if (reply->failed ||
	    grow(reply, (void **)&cells->items, &cells->cap, cells->count + 1, sizeof *cells->items) < 0)
		return;
	cell = &cells->items[cells->count++];
	cell->key = index;
	cell->text = reply->cell_text.len;
	cell->len = len;
	text_put(reply, &reply->cell_text, text, len);
}

static void row_new(struct reply *reply)
{
	if (grow(reply, (void **)&reply->row_start, &reply->row_cap, reply->nrow + 1,
		 sizeof *reply->row_start) < 0)
		return;
	reply->row_start[reply->nrow++] = reply->list_cells.count;
}

/* A scalar member: text as JSON writes it, cell as a table shows it. */
static void table_cell(struct reply *reply, struct frame *frame, const char *key,
		       const char *cell, size_t len)
{
	switch (frame->role) {
	case ROLE_ANSWER:
		cells_add(reply, &reply->answer_cells, key, cell, len);
		break;
	case ROLE_SINGLE:
		cells_add(reply, &reply->single_cells, key, cell, len);
		break;
	case ROLE_ROW:
		cells_add(reply, &reply->list_cells, key, cell, len);
		break;
	case ROLE_LIST:
		/* A scalar item: a row with no cells. */
		row_new(reply);
		break;
	case ROLE_NONE:
		break;
	}
}

/* A scalar member. Its text goes into JSON as a quoted string (escaped
 * by json-c) or, for numbers, booleans and null, as it is. */
static void member_text(struct reply *reply, const char *key, const char *text, size_t len,
			bool quoted)
{
	struct frame *frame = member_frame(reply, key);

	if (!frame)
		return;
	if (reply->format == CLI_FORMAT_JSON) {
		json_member(reply, frame, key);
		if (quoted)
			json_string(reply, text, len);
		else
			text_put(reply, &reply->json, text, len);
	} else {
		table_cell(reply, frame, key, text, len);
	}
}

static void open_container(struct reply *reply, const char *key, bool array)
{
	struct frame *parent = member_frame(reply, key);
	enum frame_role role = ROLE_NONE;

	if (!parent)
		return;
	if (reply->depth + 1 >= REPLY_DEPTH_MAX) {
		reply->failed = true;
		return;
	}
	if (reply->format == CLI_FORMAT_JSON) {
		json_member(reply, parent, key);
		text_put(reply, &reply->json, array ? "[\n" : "{\n", 2);
	} else if (parent->role == ROLE_ANSWER && array && !reply->seen_list) {
		reply->seen_list = true;
		role = ROLE_LIST;
	} else if (parent->role == ROLE_ANSWER && !array && !reply->seen_single) {
		reply->seen_single = true;
		role = ROLE_SINGLE;
	} else if (parent->role == ROLE_LIST) {
		/* Every item is a row; only an object's scalars fill it. */
		row_new(reply);
		role = array ? ROLE_NONE : ROLE_ROW;
	}
	reply->frames[++reply->depth] = (struct frame){ .array = array, .role = role };
}

static void close_container(struct reply *reply, bool array)
{
	struct frame *frame = &reply->frames[reply->depth];

	if (reply->failed)
		return;
	if (reply->depth == 0 || frame->array != array) {
		reply->failed = true;
		return;
	}
	if (reply->format == CLI_FORMAT_JSON) {
		if (frame->filled)
			text_putc(reply, &reply->json, '\n');
		text_spaces(reply, &reply->json, 2 * reply->depth);
		text_putc(reply, &reply->json, array ? ']' : '}');
	}
	reply->depth--;
}

struct reply *reply_new(enum cli_format format)
{
	struct reply *reply = calloc(1, sizeof *reply);

	if (!reply)
		return NULL;
	reply->format = format;
	reply->frames[0].role = ROLE_ANSWER;
	reply->string = json_object_new_string("");
	reply->real = json_object_new_double(0);
	if (!reply->string || !reply->real)
		reply->failed = true;
	if (format == CLI_FORMAT_JSON)
		text_put(reply, &reply->json, "{\n", 2);
	if (reply->failed) {
		reply_free(reply);
		return NULL;
	}
	return reply;
}

void reply_free(struct reply *reply)
{
	if (!reply)
		return;
	json_object_put(reply->string);
	json_object_put(reply->real);
	free(reply->json.data);
	free(reply->cell_text.data);
	for (size_t i = 0; i < reply->nkey; i++)
		free(reply->keys[i].name);
	free(reply->keys);
	free(reply->key_slots);
	free(reply->key_text.data);
	free(reply->answer_cells.items);
	free(reply->single_cells.items);
	free(reply->list_cells.items);
	free(reply->row_start);
	free(reply);
}

void reply_object_begin(struct reply *reply, const char *key)
{
	open_container(reply, key, false);
}

void reply_object_end(struct reply *reply)
{
	close_container(reply, false);
}

void reply_array_begin(struct reply *reply, const char *key)
{
	open_container(reply, key, true);
}

void reply_array_end(struct reply *reply)
{
	close_container(reply, true);
}

static void scalar(struct reply *reply, const char *key, const char *text, size_t len)
{
	member_text(reply, key, text, len, false);
}

static void string_member(struct reply *reply, const char *key, const char *value, size_t len)
{
	member_text(reply, key, value, len, true);
}

void reply_string(struct reply *reply, const char *key, const char *value)
{
	if (value)
		string_member(reply, key, value, strlen(value));
}

/* An integer's digits, as json-c writes them (its tests compare the two).
 * Digits need no escaping, and json-c's snprintf cost more than the rest
 * of a listing's integers together. */
static size_t int_text(int64_t value, char *buf)
{
	char digits[24];
	uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
	size_t n = 0, len = 0;

	do {
		digits[n++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (value < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = digits[--n];
	buf[len] = '\0';
	return len;
}

/* A number's text as json-c writes it, once `number` holds the value. */
static void number_member(struct reply *reply, const char *key, json_object *number)
{
	const char *text;
	size_t len;

	if (reply->failed)
		return;
	text = scalar_text(reply, number, &len);
	scalar(reply, key, text, len);
}

void reply_int(struct reply *reply, const char *key, int64_t value)
{
	char buf[24];

	scalar(reply, key, buf, int_text(value, buf));
}

void reply_bool(struct reply *reply, const char *key, bool value)
{
	scalar(reply, key, value ? "true" : "false", value ? 4 : 5);
}

void reply_double(struct reply *reply, const char *key, double value)
{
	json_object_set_double(reply->real, value);
	number_member(reply, key, reply->real);
}

/* Two digits of a time field. */
static char *put2(char *at, int value)
{
	at[0] = (char)('0' + value / 10 % 10);
	at[1] = (char)('0' + value % 10);
	return at + 2;
}

void reply_time(struct reply *reply, const char *key, time_t when)
{
	char stamp[48], *at;
	struct tm tm;

	if (when <= 0 || !gmtime_r(&when, &tm))
		return;
	/* strftime's "%Y-%m-%dT%H:%M:%S+0000", without its locale work. */
	at = stamp + int_text((int64_t)tm.tm_year + 1900, stamp);
	*at++ = '-';
	at = put2(at, tm.tm_mon + 1);
	*at++ = '-';
	at = put2(at, tm.tm_mday);
	*at++ = 'T';
	at = put2(at, tm.tm_hour);
	*at++ = ':';
	at = put2(at, tm.tm_min);
	*at++ = ':';
	at = put2(at, tm.tm_sec);
	memcpy(at, "+0000", 5);
	at += 5;
	string_member(reply, key, stamp, (size_t)(at - stamp));
}

void reply_json(struct reply *reply, const char *key, struct json_object *value)
{
	const char *text;

	switch (json_object_get_type(value)) {
	case json_type_object: {
		reply_object_begin(reply, key);
		json_object_object_foreach(value, member, child)
			reply_json(reply, member, child);
		reply_object_end(reply);
		break;
	}
	case json_type_array:
		reply_array_begin(reply, key);
		for (size_t i = 0; i < json_object_array_length(value); i++)
			reply_json(reply, NULL, json_object_array_get_idx(value, i));
		reply_array_end(reply);
		break;
	case json_type_string:
		if (reply->format == CLI_FORMAT_JSON)
			string_member(reply, key, json_object_get_string(value),
				      (size_t)json_object_get_string_len(value));
		else
			reply_string(reply, key, json_object_get_string(value));
		break;
	case json_type_null:
		scalar(reply, key, reply->format == CLI_FORMAT_JSON ? "null" : "",
		       reply->format == CLI_FORMAT_JSON ? 4 : 0);
		break;
	default:
		/* Numbers keep the spelling they were parsed with (1.50 stays
		 * 1.50), which only json-c itself knows. */
		text = json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN);
		scalar(reply, key, text, strlen(text));
		break;
	}
}

void reply_list_begin(struct reply *reply, const char *noun, size_t count)
{
	reply_int(reply, "count", (int64_t)count);
	reply_array_begin(reply, noun);
}

void reply_list_end(struct reply *reply)
{
	reply_array_end(reply);
}

/* ---- tables and CSV ---- */

struct row {
	const struct cell *cells;
	size_t count;
};

static bool csv_needs_quotes(char c)
{
	return c == ',' || c == '"' || c == '\r' || c == '\n';
}

static void csv_field(struct reply *reply, struct text *out, const char *text, size_t len)
{
	size_t start = 0;
	bool plain = true;

	for (size_t i = 0; i < len && plain; i++)
		plain = !csv_needs_quotes(text[i]);
	if (plain) {
		text_put(reply, out, text, len);
		return;
	}
	text_putc(reply, out, '"');
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '"')
			continue;
		/* A quote is written twice. */
		text_put(reply, out, text + start, i + 1 - start);
		start = i;
	}
	text_put(reply, out, text + start, len - start);
	text_putc(reply, out, '"');
}

static void table_field(struct reply *reply, struct text *out, size_t column, size_t width,
			const char *text, size_t len)
{
	if (reply->format == CLI_FORMAT_CSV) {
		if (column)
			text_putc(reply, out, ',');
		csv_field(reply, out, text, len);
		return;
	}
	if (column)
		text_put(reply, out, "  ", 2);
	text_put(reply, out, text, len);
	if (len < width)
		text_spaces(reply, out, width - len);
}

/* The cell of each column in one row, the last of a repeated key. */
static void row_columns(const struct row *row, const int *column_of, const struct cell **at,
			size_t ncol)
{
	for (size_t c = 0; c < ncol; c++)
		at[c] = NULL;
	for (size_t i = 0; i < row->count; i++) {
		int c = column_of[row->cells[i].key];

		if (c >= 0)
			at[c] = &row->cells[i];
	}
}

static void table_write(struct reply *reply, struct text *out, const struct row *rows, size_t nrow)
{
	const struct cell *at[REPLY_COLUMNS_MAX];
	size_t column_key[REPLY_COLUMNS_MAX];
	size_t widths[REPLY_COLUMNS_MAX];
	int *column_of = malloc((reply->nkey ? reply->nkey : 1) * sizeof *column_of);
	size_t ncol = 0;

	if (!column_of) {
		reply->failed = true;
		return;
	}
	/* Columns: the keys of the rows' scalars in order of first use. */
	for (size_t k = 0; k < reply->nkey; k++)
		column_of[k] = -1;
	for (size_t r = 0; r < nrow; r++) {
		for (size_t i = 0; i < rows[r].count && ncol < REPLY_COLUMNS_MAX; i++) {
			size_t key = rows[r].cells[i].key;

			if (column_of[key] < 0) {
				column_of[key] = (int)ncol;
				column_key[ncol++] = key;
			}
		}
	}
	for (size_t c = 0; c < ncol; c++)
		widths[c] = strlen(reply->keys[column_key[c]].name);
	if (reply->format == CLI_FORMAT_TABLE) {
		for (size_t r = 0; r < nrow; r++) {
			for (size_t i = 0; i < rows[r].count; i++) {
				int c = column_of[rows[r].cells[i].key];

				if (c >= 0 && rows[r].cells[i].len > widths[c])
					widths[c] = rows[r].cells[i].len;
			}
		}
	}
	for (size_t c = 0; c < ncol; c++) {
		const char *name = reply->keys[column_key[c]].name;

		table_field(reply, out, c, widths[c], name, strlen(name));
	}
	text_putc(reply, out, '\n');
	for (size_t r = 0; r < nrow; r++) {
		row_columns(&rows[r], column_of, at, ncol);
		for (size_t c = 0; c < ncol; c++) {
			const char *text = at[c] ? reply->cell_text.data + at[c]->text : "";

			table_field(reply, out, c, widths[c], text, at[c] ? at[c]->len : 0);
		}
		text_putc(reply, out, '\n');
	}
	free(column_of);
}

/* The rows a table shows, as reply.h describes them. */
static void table_print(struct reply *reply, struct text *out)
{
	struct row *rows;
	size_t nrow;

	if (reply->seen_list) {
		nrow = reply->nrow;
		rows = calloc(nrow ? nrow : 1, sizeof *rows);
		if (!rows) {
			reply->failed = true;
			return;
		}
		for (size_t r = 0; r < nrow; r++) {
			size_t end = r + 1 < nrow ? reply->row_start[r + 1] : reply->list_cells.count;

			rows[r].cells = reply->list_cells.items + reply->row_start[r];
			rows[r].count = end - reply->row_start[r];
		}
		table_write(reply, out, rows, nrow);
		free(rows);
		return;
	}
	{
		const struct cells *one = reply->seen_single ? &reply->single_cells : &reply->answer_cells;
		struct row row = { .cells = one->items, .count = one->count };

		table_write(reply, out, &row, 1);
	}
}

void reply_stream(struct reply *reply, FILE *out)
{
	if (reply->format == CLI_FORMAT_JSON)
		reply->stream = out;
}

bool reply_streamed(const struct reply *reply)
{
	return reply->streamed;
}

int reply_print(struct reply *reply, FILE *out)
{
	struct text table = { 0 };
	const struct text *text = &reply->json;
	int ret = -1;

	if (reply->failed || reply->depth != 0)
		return -1;
	if (reply->format == CLI_FORMAT_JSON) {
		if (reply->frames[0].filled)
			text_putc(reply, &reply->json, '\n');
		text_put(reply, &reply->json, "}\n", 2);
	} else {
		table_print(reply, &table);
		text = &table;
	}
	if (!reply->failed && fwrite(text->data, 1, text->len, out) == text->len && !ferror(out))
		ret = 0;
	/* The answer is closed: nothing more may be added. */
	reply->failed = true;
	free(table.data);
	return ret;
}
