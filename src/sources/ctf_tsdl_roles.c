/* CTF 1.8 gives fields their meaning by name, as LTTng (and babeltrace2's
 * CTF 1.8 reader) does; CTF 2 by roles. These are the names, and the roles
 * they become: the packet header's and packet context's top-level members,
 * and the event header's `id` and `timestamp` at any depth (LTTng's compact
 * and extended headers hold them inside a variant). */
#include "sources/ctf_tsdl.h"

#include <string.h>

struct named_role {
	const char *name;
	uint32_t role;
};

static const struct named_role packet_header[] = {
	{"magic", VT_CTF_ROLE_PACKET_MAGIC},
	{"stream_id", VT_CTF_ROLE_STREAM_CLASS_ID},
	{"stream_instance_id", VT_CTF_ROLE_STREAM_ID},
};

static const struct named_role packet_context[] = {
	{"timestamp_begin", VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP}, {"timestamp_end", VT_CTF_ROLE_PACKET_END_TIMESTAMP},
	{"content_size", VT_CTF_ROLE_PACKET_CONTENT_LENGTH},      {"packet_size", VT_CTF_ROLE_PACKET_TOTAL_LENGTH},
	{"events_discarded", VT_CTF_ROLE_DISCARDED_COUNTER},      {"packet_seq_num", VT_CTF_ROLE_PACKET_SEQ_NUM},
};

static const struct named_role event_header[] = {
	{"id", VT_CTF_ROLE_EVENT_CLASS_ID},
	{"timestamp", VT_CTF_ROLE_DEFAULT_CLOCK_TIMESTAMP},
};

static uint32_t role_of(const struct named_role *table, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].role;
	return 0;
}

/* The packet header's uuid[16] (bytes) is the CTF 2 metadata-stream-uuid BLOB. */
static void uuid_blob(struct vt_ctf_fc *fc)
{
	int bytes =
		(fc->type == VT_CTF_FC_SL_ARRAY && fc->u.a.length == 16 && fc->u.a.element->type == VT_CTF_FC_UINT &&
		 fc->u.a.element->u.i.length == 8 && fc->u.a.element->align % 8 == 0) ||
		(fc->type == VT_CTF_FC_SL_STRING && fc->u.s.length == 16);
	if (!bytes)
		return;
	uint32_t align = fc->type == VT_CTF_FC_SL_ARRAY ? fc->u.a.element->align : fc->align;
	memset(&fc->u, 0, sizeof(fc->u));
	fc->type = VT_CTF_FC_SL_BLOB;
	fc->u.s.length = 16;
	fc->align = align;
	fc->roles = VT_CTF_ROLE_METADATA_UUID;
}

static void event_header_roles(struct vt_ctf_fc *fc, uint32_t depth)
{
	if (depth > VT_CTF_MAX_DEPTH)
		return;
	if (fc->type == VT_CTF_FC_STRUCT) {
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++) {
			struct vt_ctf_member *m = &fc->u.st.members[i];
			if (m->fc->type == VT_CTF_FC_UINT)
				m->fc->roles |= role_of(event_header, 2, m->name);
			event_header_roles(m->fc, depth + 1);
		}
	} else if (fc->type == VT_CTF_FC_VARIANT) {
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			event_header_roles(fc->u.v.options[i].fc, depth + 1);
	}
}

int vt_tsdl_roles(struct tsdl_parser *p, struct vt_ctf_fc *root, enum vt_ctf_scope scope)
{
	(void)p;
	if (scope == VT_CTF_SCOPE_EVENT_HEADER) {
		event_header_roles(root, 0);
		return 0;
	}
	const struct named_role *table = scope == VT_CTF_SCOPE_PACKET_HEADER ? packet_header : packet_context;
	size_t n = scope == VT_CTF_SCOPE_PACKET_HEADER ? sizeof(packet_header) / sizeof(packet_header[0])
						       : sizeof(packet_context) / sizeof(packet_context[0]);
	for (uint32_t i = 0; i < root->u.st.nmembers; i++) {
		struct vt_ctf_member *m = &root->u.st.members[i];
		if (scope == VT_CTF_SCOPE_PACKET_HEADER && strcmp(m->name, "uuid") == 0)
			uuid_blob(m->fc);
		else if (m->fc->type == VT_CTF_FC_UINT)
			m->fc->roles |= role_of(table, n, m->name);
	}
	return 0;
}
