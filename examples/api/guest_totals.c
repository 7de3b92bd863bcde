/* Where each guest's vCPU time went, from the traces of a host and its guests:
 * the smallest complete use of libvmtrace's session.
 *
 *     cc guest_totals.c -o guest_totals $(pkg-config --cflags --libs vmtrace)
 *     ./guest_totals TRACE-FOLDER...
 */
#include <vmtrace/vmtrace.h>

#include <stdio.h>
#include <stdlib.h>

/* Names come from the traces, written by other machines: printable ASCII only. */
static void print_safe(const char *s)
{
	for (; *s; s++)
		putchar(*s >= 0x20 && *s < 0x7f ? *s : '?');
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
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
		fprintf(stderr, "guest_totals: %s\n", err.msg);
		return 1;
	}
	int status = 0;
	for (int i = 1; i < argc; i++)
		if (vt_session_read(s, argv[i], &err)) { /* that folder is left out; the others still count */
			fprintf(stderr, "guest_totals: %s\n", err.msg);
			status = 1;
		}
	/* Identifies the machines and syncs their clocks first. */
	struct vt_session_model_options model_opt = {.host = VT_SESSION_HOST_AUTO};
	if (vt_session_model(s, &model_opt, &err)) {
		fprintf(stderr, "guest_totals: %s\n", err.msg);
		vt_session_free(s);
		return 1;
	}
	if (vt_session_host(s) < 0) {
		fprintf(stderr, "guest_totals: no host trace among the inputs: vCPU states need the host's view\n");
		vt_session_free(s);
		return 1;
	}
	const struct vt_machines *m = vt_session_machines(s);
	struct vt_guest_summary *g;
	size_t n = vt_guest_summaries(vt_session_model_result(s), &g);
	for (size_t i = 0; i < n; i++) {
		const struct vt_machine *guest = g[i].guest >= 0 ? &m->machines[g[i].guest] : NULL;
		const char *name = !guest ? "(not traced)" : guest->name ? guest->name : guest->hostname ? guest->hostname : guest->key;
		print_safe(name);
		printf(" qemu=%lld vcpus=%zu observed_ns=%llu", (long long)g[i].qemu_pid, g[i].nvcpus,
		       (unsigned long long)g[i].observed_ns);
		for (int st = VT_VCPU_IDLE; st < VT_VCPU_STATE_COUNT; st++)
			printf(" %s=%.2f%%", vt_vcpu_state_name((enum vt_vcpu_state)st), pct(g[i].totals[st], g[i].observed_ns));
		printf("\n");
	}
	vt_guest_summaries_free(g, n);
	vt_session_free(s);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "guest_totals: cannot write the output\n");
		return 1;
	}
	return status;
}
