/* A `vmtrace record` output names its guests (record.json): uuid ↔ QEMU pid
 * from the statedump taken when the recording started, the same evidence the
 * agent's events carry, kept beside the traces. */
#include <jansson.h>
#include <stdio.h>

#include "inputs.h"
#include "record_file.h"
#include "agent/agent.h"

size_t vt_record_hints(struct vt_session *s, const char *path)
{
	json_t *doc = vt_record_file_load(path);
	size_t added = 0, i;
	json_t *g;
	if (doc)
		json_array_foreach(json_object_get(doc, "guests"), i, g) {
			const char *uuid = json_string_value(json_object_get(g, "uuid"));
			json_int_t pid = json_integer_value(json_object_get(g, "pid"));
			/* A hint overrides the traces: only a well-formed one. */
			if (uuid && vt_uuid_valid(uuid) && pid > 0 &&
			    vt_session_add_hint(s, &(struct vt_guest_hint){uuid, pid}, NULL) == 0)
				added++;
		}
	json_decref(doc);
	return added;
}
