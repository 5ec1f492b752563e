/* A command's answer, written member by member as the command produces it.
 *
 * JSON goes straight into one text buffer, laid out byte for byte as
 * json-c's pretty printer laid out the object trees this replaced (two-space
 * indent, "key":value, "/" unescaped). A table or CSV keeps only the scalar
 * cells of the listed objects and lays them out at the end, once the column
 * widths are known. Nothing reaches the output before reply_print() (but
 * for a listing that streams, see reply_stream()), so a command that fails
 * half way prints its error alone.
 *
 * The answer is one object, opened by reply_new(). Inside an object every
 * call names its member with key; inside an array key is NULL. Keys must be
 * unique within their object, as they are in everything CloudStack answers. */
#ifndef BOOTDECK_UI_CLI_REPLY_H
#define BOOTDECK_UI_CLI_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct json_object;

enum cli_format { CLI_FORMAT_JSON, CLI_FORMAT_TABLE, CLI_FORMAT_CSV };

struct reply;

/* An empty answer in the given format; NULL when out of memory. */
struct reply *reply_new(enum cli_format format);
void reply_free(struct reply *reply);

void reply_object_begin(struct reply *reply, const char *key);
void reply_object_end(struct reply *reply);
void reply_array_begin(struct reply *reply, const char *key);
void reply_array_end(struct reply *reply);

/* Scalars. A NULL string and a time <= 0 add no member at all. */
void reply_string(struct reply *reply, const char *key, const char *value);
void reply_int(struct reply *reply, const char *key, int64_t value);
void reply_bool(struct reply *reply, const char *key, bool value);
void reply_double(struct reply *reply, const char *key, double value);
/* ISO 8601 time as CloudStack prints it: 2026-12-03T19:20:10+0000. */
void reply_time(struct reply *reply, const char *key, time_t when);
/* A value json-c parsed (a stored placement trail), written as it reads. */
void reply_json(struct reply *reply, const char *key, struct json_object *value);

/* CloudStack's list shape: "count": count, then the array "noun". Items
 * follow with key NULL; reply_list_end() closes the array. */
void reply_list_begin(struct reply *reply, const char *noun, size_t count);
void reply_list_end(struct reply *reply);

/* Lets a listing write its JSON to out as it is built, a block of 64 KiB
 * at a time, instead of all of it at reply_print(): 10,000 hosts are 9.5
 * MB of JSON that need not sit in memory. A command calls it when nothing
 * but the database failing mid-read can go wrong any more; should that
 * happen, what was written stands, cut short (reply_streamed() is then
 * true), and the error goes to stderr alone. Tables and CSV still wait
 * for the end: their column widths need every row. */
void reply_stream(struct reply *reply, FILE *out);
bool reply_streamed(const struct reply *reply);

/* Closes the answer and writes it to out: the JSON document, or the rows
 * (the items of the first array of the answer, else its first object, else
 * the answer itself) as an aligned table or CSV. 0, or -1 when memory ran
 * out, the calls did not nest, or out could not be written. */
int reply_print(struct reply *reply, FILE *out);

#endif
