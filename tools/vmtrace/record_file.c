/* DIR/record.json as the readers of a recording take it (record_file.h). */
#include "record_file.h"

#include <stdio.h>
#include <string.h>

json_t *vt_record_file_load(const char *dir)
{
	char file[4200];
	if (snprintf(file, sizeof(file), "%s/record.json", dir) >= (int)sizeof(file))
		return NULL;
	/* Duplicate keys refused: a hint or a counter must not be chosen among two. */
	json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, NULL);
	const char *format = json_string_value(json_object_get(doc, "format"));
	if (format && !strcmp(format, "vmtrace-record"))
		return doc;
	json_decref(doc);
	return NULL;
}
