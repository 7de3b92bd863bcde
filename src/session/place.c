/* Identification, then sync's refinement of the identities no agent gave,
 * then the clocks: in that order only, which the session enforces. */
#include "session/internal.h"

#include <stdlib.h>

static void warn_conflicts(const struct vt_session *s)
{
	for (size_t i = 0; i < s->machines->nconflicts; i++) {
		char *what = vt_uuid_conflict_describe(s->machines, &s->machines->conflicts[i]);
		vt_session_warn(s, "warning: %s", what ? what : "out of memory");
		free(what);
	}
}

int vt_session_identify(struct vt_session *s, struct vt_error *err)
{
	if (s->step >= VT_STEP_IDENTIFIED)
		return 0;
	if (!s->ntraces)
		return vt_error_set_cause(err, VT_ERR_USAGE, "no trace was read");
	if (vt_identify_finish(s->id, vt_session_traces(s), s->ntraces, &s->machines, err))
		return -1;
	warn_conflicts(s);
	if (vt_session_refine(s->sync, s->id, s->machines))
		return vt_error_set_cause(err, VT_ERR_NOMEM, "identification: out of memory");
	s->step = VT_STEP_IDENTIFIED;
	return 0;
}

int vt_session_sync(struct vt_session *s, struct vt_error *err)
{
	if (s->step >= VT_STEP_SYNCED)
		return 0;
	if (vt_session_identify(s, err) ||
	    vt_sync_finish(s->sync, s->machines, vt_session_traces(s), s->opt.method, &s->clocks, err))
		return -1;
	int root = s->clocks->root;
	s->host = root >= 0 && (size_t)root < s->machines->count && s->machines->machines[root].role == VT_ROLE_HOST
			  ? root
			  : -1;
	s->step = VT_STEP_SYNCED;
	return 0;
}
