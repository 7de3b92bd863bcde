/* A `vmtrace record` output names its guests (record.json): uuid ↔ QEMU pid
 * from the statedump taken when the recording started, the same evidence the
 * agent's events carry, kept beside the traces. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "record_file.h"
#include "vmtrace/agent.h"

static int keep(struct vt_pass1 *p, const char *uuid, int64_t pid)
{
	char **a = realloc(p->hint_uuids, (p->nhint_uuids + 1) * sizeof(*a));
	if (!a)
		return -1;
	p->hint_uuids = a;
	char *copy = strdup(uuid);
	if (!copy)
		return -1;
	struct vt_guest_hint h = {copy, pid};
	if (vt_identify_add_hint(p->id, &h) < 0) {
		free(copy);
		return -1;
	}
	p->hint_uuids[p->nhint_uuids++] = copy;
	return 0;
}

size_t vt_pass1_record_hints(struct vt_pass1 *p, const char *path)
{
	json_t *doc = vt_record_file_load(path);
	size_t added = 0, i;
	json_t *g;
	if (doc)
		json_array_foreach(json_object_get(doc, "guests"), i, g) {
			const char *uuid = json_string_value(json_object_get(g, "uuid"));
			json_int_t pid = json_integer_value(json_object_get(g, "pid"));
			/* A hint overrides the traces: only a well-formed one. */
			if (uuid && vt_uuid_valid(uuid) && pid > 0 && keep(p, uuid, pid) == 0)
				added++;
		}
	json_decref(doc);
	return added;
}
