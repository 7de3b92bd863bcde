/* Every machine's clock against the reference (the host's): which method
 * placed it, how well, and a few of its trace's timestamps mapped.
 *
 *     cc clock_transforms.c -o clock_transforms $(pkg-config --cflags --libs vmtrace)
 *     ./clock_transforms TRACE-FOLDER...
 */
#include <vmtrace/vmtrace.h>

#include <inttypes.h>
#include <stdio.h>

static void print_safe(const char *s)
{
	for (; s && *s; s++)
		putchar(*s >= 0x20 && *s < 0x7f ? *s : '?');
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s TRACE-FOLDER...\n", argv[0]);
		return 2;
	}
	struct vt_error err;
	struct vt_session *s = vt_session_new(NULL, &err);
	if (!s) {
		fprintf(stderr, "clock_transforms: %s\n", err.msg);
		return 1;
	}
	int status = 0;
	for (int i = 1; i < argc; i++)
		if (vt_session_read(s, argv[i], &err)) {
			fprintf(stderr, "clock_transforms: %s\n", err.msg);
			status = 1;
		}
	if (vt_session_sync(s, &err)) {
		fprintf(stderr, "clock_transforms: %s\n", err.msg);
		vt_session_free(s);
		return 1;
	}
	const struct vt_machines *m = vt_session_machines(s);
	const struct vt_sync_result *clocks = vt_session_clocks(s);
	const struct vt_trace_info *const *traces = vt_session_traces(s);
	for (size_t k = 0; k < m->count && k < clocks->count; k++) {
		const struct vt_machine *mm = &m->machines[k];
		const struct vt_clock_sync *c = &clocks->machines[k];
		printf("machine %zu ", k);
		print_safe(mm->hostname ? mm->hostname : mm->key);
		printf(" role=%s", vt_role_name(mm->role));
		if ((int)k == clocks->root) {
			printf(" reference\n");
			continue;
		}
		printf(" method=%s quality=%s slope=%.9f accuracy_ns=%" PRId64 "\n", vt_sync_method_name(c->method),
		       vt_sync_quality_name(c->quality), c->to_ref.slope, c->accuracy_ns);
		/* The first and last event of its first trace, in its own time and in the reference's. */
		const struct vt_trace_info *t = mm->ntraces ? traces[mm->traces[0]] : NULL;
		if (t && t->events)
			printf("  %" PRIu64 " -> %" PRId64 "\n  %" PRIu64 " -> %" PRId64 "\n", t->first_ns,
			       vt_clock_to_ref(c, (int64_t)t->first_ns), t->last_ns, vt_clock_to_ref(c, (int64_t)t->last_ns));
	}
	vt_session_free(s);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "clock_transforms: cannot write the output\n");
		return 1;
	}
	return status;
}
