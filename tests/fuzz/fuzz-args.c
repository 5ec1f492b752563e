/* libFuzzer target: the key=value parser every CLI command goes through. */
#include <stddef.h>
#include <stdint.h>

#include "model/args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kv_args args = { 0 };
	struct bd_error err = { 0 };

	if (kv_args_parse_line((const char *)data, size, &args, &err) == 0) {
		/* Every parsed key must be findable again. */
		for (size_t i = 0; i < args.count; i++)
			if (!kv_args_get(&args, args.items[i].key))
				__builtin_trap();
	}
	kv_args_free(&args);
	return 0;
}
