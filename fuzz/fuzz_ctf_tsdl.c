/* libFuzzer target for the native reader's CTF 1.8 metadata (src/sources/ctf_tsdl_*.c,
 * ctf_meta.c): the input is a metadata file, packetized or text. A trace class that loads is
 * walked whole (every stream and event class found by its id) so that a bad pointer shows, then
 * written as CTF 2 (src/exporters/ctf2_metadata.c): what it writes must load again. Any crash,
 * leak or sanitizer report is a bug; a clean refusal is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "exporters/ctf2_metadata.h"
#include "sources/ctf_ir.h"

static size_t walk(const struct vt_ctf_fc *fc)
{
	size_t n = 1 + (size_t)fc->slot + fc->align;
	switch (fc->type) {
	case VT_CTF_FC_STRUCT:
		for (uint32_t i = 0; i < fc->u.st.nmembers; i++)
			n += walk(fc->u.st.members[i].fc);
		break;
	case VT_CTF_FC_VARIANT:
		for (uint32_t i = 0; i < fc->u.v.noptions; i++)
			n += walk(fc->u.v.options[i].fc) + fc->u.v.options[i].nranges + fc->u.v.loc.target->order;
		break;
	case VT_CTF_FC_SL_ARRAY:
	case VT_CTF_FC_DL_ARRAY:
		n += walk(fc->u.a.element);
		break;
	case VT_CTF_FC_OPTIONAL:
		n += walk(fc->u.o.fc);
		break;
	default:
		break;
	}
	return n;
}

/* Everything reachable from the trace class. */
static size_t walk_all(const struct vt_ctf_trace_class *tc)
{
	size_t n = tc->packet_header ? walk(tc->packet_header) : 0;
	for (size_t s = 0; s < tc->nstreams; s++) {
		const struct vt_ctf_stream_class *sc = vt_ctf_stream_class_find(tc, tc->streams[s]->id);
		const struct vt_ctf_fc *scopes[] = {sc->packet_context, sc->event_header, sc->event_common_context};
		for (size_t i = 0; i < 3; i++)
			n += scopes[i] ? walk(scopes[i]) : 0;
		for (size_t e = 0; e < sc->nevents; e++) {
			const struct vt_ctf_event_class *ec = vt_ctf_event_class_find(sc, sc->events[e]->id);
			n += ec->payload ? walk(ec->payload) : 0;
			n += ec->specific_context ? walk(ec->specific_context) : 0;
		}
	}
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 0x1E)
		return 0; /* CTF 2: fuzz_ctf2_meta's */
	struct vt_ctf_trace_class *tc;
	struct vt_error err;
	if (vt_ctf_meta_parse(&tc, data, size, "fuzz", &err) == 0) {
		volatile size_t n = walk_all(tc);
		(void)n;
		/* both layouts: the writer must not write CTF 2 its own reader refuses */
		for (int layout = VT_CTF2_PLAIN; layout <= VT_CTF2_LTTNG_214; layout++) {
			size_t len;
			struct vt_ctf_trace_class *back;
			char *ctf2 = vt_ctf2_metadata_text(tc, "fuzz", (enum vt_ctf2_layout)layout, &len, &err);
			if (ctf2 && vt_ctf_meta_parse(&back, ctf2, len, "fuzz (as CTF 2)", &err) != 0) {
				fprintf(stderr, "layout %d, its own CTF 2 refused: %s\n", layout, err.msg);
				abort();
			}
			if (ctf2)
				vt_ctf_trace_class_free(back);
			free(ctf2);
		}
		vt_ctf_trace_class_free(tc);
	}
	return 0;
}
