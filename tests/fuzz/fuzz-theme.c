/* libFuzzer target: the console's theme file parser. */
#include <stddef.h>
#include <stdint.h>

#include "model/theme-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme theme;
	struct bd_error err = { 0 };

	theme_parse("fuzz.theme", (const char *)data, size, &theme, &err);
	return 0;
}
