/* The synchronized CTF export: per input CTF trace, a babeltrace2 graph
 *   source.ctf.fs → our filter (timestamps → host time) → sink.ctf.fs
 * writing OUT/<the trace's path below the inputs' common folder>. The filter
 * reads the trace's data streams one after the other (no muxer: it refuses
 * the backward steps real traces have, and each stream is written alone).
 *
 * Written whole or not at all: everything goes to a temporary folder,
 * renamed to OUT at the end, and removed on failure or SIGINT/SIGTERM
 * (common/cleanup.h). The graphs run in a child process: sink.ctf.fs cannot
 * be trusted with a write error (2.0.4 dies of a double free tearing down
 * after one, aborts when its metadata write fails, and only warns when the
 * metadata's fclose fails), so the child stops at the first error without
 * tearing down, reads every written trace back before it says "done", and
 * whatever it dies of, the parent still removes the folder and says why. The
 * event payloads stay babeltrace2's to copy (all fields of every event, of
 * any trace): our CTF writer (ctf_writer.c) knows only the simulator's. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/dirs.h"
#include "common/oom.h"
#include "exporters/ctf_export.h"
#include "vmtrace/report.h"

/* --- the filter ------------------------------------------------------------------ */

static bt_component_class_initialize_method_status filter_init(bt_self_component_filter *self,
								 bt_self_component_filter_configuration *config,
								 const bt_value *params, void *data)
{
	(void)config;
	(void)params;
	struct vt_ctf_export_filter *f = data;
	bt_self_component_set_data(bt_self_component_filter_as_self_component(self), f);
	for (size_t i = 0; i < f->nupstream; i++) {
		char name[32];
		snprintf(name, sizeof(name), "in%zu", i);
		if (bt_self_component_filter_add_input_port(self, name, NULL, NULL))
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	if (bt_self_component_filter_add_output_port(self, "out", NULL, NULL))
		return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_message_iterator_class_initialize_method_status iter_init(bt_self_message_iterator *self,
								      bt_self_message_iterator_configuration *config,
								      bt_self_component_port_output *port)
{
	(void)config;
	(void)port;
	bt_self_component *comp = bt_self_message_iterator_borrow_component(self);
	struct vt_ctf_export_filter *f = bt_self_component_get_data(comp);
	bt_self_component_filter *filter = (bt_self_component_filter *)comp;
	for (size_t i = 0; i < f->nupstream; i++) {
		bt_self_component_port_input *in = bt_self_component_filter_borrow_input_port_by_index(filter, i);
		if (bt_message_iterator_create_from_message_iterator(self, in, &f->upstream[i]) !=
		    BT_MESSAGE_ITERATOR_CREATE_FROM_MESSAGE_ITERATOR_STATUS_OK)
			return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
	}
	bt_self_message_iterator_set_data(self, f);
	return BT_MESSAGE_ITERATOR_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_message_iterator_class_next_method_status iter_next(bt_self_message_iterator *self,
							       bt_message_array_const msgs, uint64_t capacity,
							       uint64_t *count)
{
	struct vt_ctf_export_filter *f = bt_self_message_iterator_get_data(self);
	for (;;) {
		if (f->current >= f->nupstream)
			return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_END;
		bt_message_array_const in;
		uint64_t n;
		bt_message_iterator_next_status st = bt_message_iterator_next(f->upstream[f->current], &in, &n);
		if (st == BT_MESSAGE_ITERATOR_NEXT_STATUS_END) {
			f->current++;
			continue;
		}
		if (st == BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN)
			return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_AGAIN;
		if (st != BT_MESSAGE_ITERATOR_NEXT_STATUS_OK)
			return st == BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR
				       ? BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_MEMORY_ERROR
				       : BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
		/* upstream batches are at most as large as ours (both the graph's capacity) */
		uint64_t k = 0, i;
		for (i = 0; i < n && k < capacity; i++) {
			const bt_message *out = vt_ctf_export_map(f, self, in[i]);
			bt_message_put_ref(in[i]);
			if (!out)
				break;
			msgs[k++] = out;
		}
		if (i < n) {
			for (; i < n; i++)
				bt_message_put_ref(in[i]);
			for (uint64_t j = 0; j < k; j++)
				bt_message_put_ref(msgs[j]);
			if (!f->failed)
				f->failed = "out of memory";
			return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_ERROR;
		}
		*count = k;
		return BT_MESSAGE_ITERATOR_CLASS_NEXT_METHOD_STATUS_OK;
	}
}

static void iter_fini(bt_self_message_iterator *self)
{
	struct vt_ctf_export_filter *f = bt_self_message_iterator_get_data(self);
	for (size_t i = 0; f && i < f->nupstream; i++) {
		bt_message_iterator_put_ref(f->upstream[i]);
		f->upstream[i] = NULL;
	}
}

/* --- the graph per trace ---------------------------------------------------------------- */

static const bt_plugin *ctf_plugin;

static void bt_why(char *buf, size_t size)
{
	const bt_error *e = bt_current_thread_take_error();
	buf[0] = '\0';
	if (vt_out_of_memory_now()) { /* babeltrace2's text would not say so (oom.h) */
		bt_error_release(e);
		snprintf(buf, size, "out of memory");
		return;
	}
	if (e) {
		uint64_t n = bt_error_get_cause_count(e);
		snprintf(buf, size, "%s", n ? bt_error_cause_get_message(bt_error_borrow_cause_by_index(e, 0)) : "");
		bt_error_release(e);
		char *detail = strstr(buf, ": status="); /* the library's addresses and flags: noise to a user */
		if (detail)
			*detail = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
	}
	if (!buf[0])
		snprintf(buf, size, "babeltrace2 failed without saying why");
}

/* Runs in the child: a failure returns at once, leaving the graph as it is
 * (the child exits without tearing it down). */
static int export_trace(const char *in, const char *out, const struct vt_clock_sync *clock, uint64_t *events,
			struct vt_error *err)
{
	const bt_component_class_source *src_class = bt_plugin_borrow_source_component_class_by_name_const(ctf_plugin, "fs");
	const bt_component_class_sink *sink_class = bt_plugin_borrow_sink_component_class_by_name_const(ctf_plugin, "fs");
	if (!src_class || !sink_class)
		return vt_error_set(err, "babeltrace2's ctf plugin lacks source.ctf.fs or sink.ctf.fs");
	struct vt_ctf_export_filter f = {.clock = clock};
	bt_graph *graph = bt_graph_create(0);
	bt_value *sparams = bt_value_map_create(), *kparams = bt_value_map_create(), *inputs = NULL;
	bt_message_iterator_class *iclass = bt_message_iterator_class_create(iter_next);
	bt_component_class_filter *fclass = iclass ? bt_component_class_filter_create("vmtrace-sync", iclass) : NULL;
	const bt_component_source *src = NULL;
	const bt_component_filter *flt = NULL;
	const bt_component_sink *sink = NULL;
	int rc = -1;
	char why[600];
	if (!graph || !sparams || !kparams || !fclass || bt_value_map_insert_empty_array_entry(sparams, "inputs", &inputs) ||
	    bt_value_array_append_string_element(inputs, in) || bt_value_map_insert_string_entry(kparams, "path", out) ||
	    bt_value_map_insert_bool_entry(kparams, "assume-single-trace", BT_TRUE) ||
	    bt_value_map_insert_bool_entry(kparams, "quiet", BT_TRUE) ||
	    bt_message_iterator_class_set_initialize_method(iclass, iter_init) ||
	    bt_message_iterator_class_set_finalize_method(iclass, iter_fini) ||
	    bt_component_class_filter_set_initialize_method(fclass, filter_init)) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", in);
		goto out;
	}
	if (bt_graph_add_source_component(graph, src_class, "src", sparams, BT_LOGGING_LEVEL_NONE, &src)) {
		bt_why(why, sizeof(why));
		vt_error_set(err, "%s: cannot read: %s", in, why);
		goto out;
	}
	f.nupstream = bt_component_source_get_output_port_count(src);
	f.upstream = calloc(f.nupstream ? f.nupstream : 1, sizeof(*f.upstream));
	if (!f.upstream ||
	    bt_graph_add_filter_component_with_initialize_method_data(graph, fclass, "sync", NULL, &f,
								       BT_LOGGING_LEVEL_NONE, &flt) ||
	    bt_graph_add_sink_component(graph, sink_class, "sink", kparams, BT_LOGGING_LEVEL_NONE, &sink)) {
		bt_why(why, sizeof(why));
		vt_error_set(err, "%s: cannot set up the export: %s", out, why);
		goto out;
	}
	for (uint64_t i = 0; i < f.nupstream; i++)
		if (bt_graph_connect_ports(graph, bt_component_source_borrow_output_port_by_index_const(src, i),
					   bt_component_filter_borrow_input_port_by_index_const(flt, i), NULL)) {
			bt_why(why, sizeof(why));
			vt_error_set(err, "%s: cannot set up the export: %s", in, why);
			goto out;
		}
	if (bt_graph_connect_ports(graph, bt_component_filter_borrow_output_port_by_index_const(flt, 0),
				   bt_component_sink_borrow_input_port_by_index_const(sink, 0), NULL)) {
		bt_why(why, sizeof(why));
		vt_error_set(err, "%s: cannot set up the export: %s", out, why);
		goto out;
	}
	bt_graph_run_status st;
	while ((st = bt_graph_run(graph)) == BT_GRAPH_RUN_STATUS_AGAIN)
		;
	if (st == BT_GRAPH_RUN_STATUS_MEMORY_ERROR)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: cannot export: out of memory", in);
	if (st != BT_GRAPH_RUN_STATUS_OK) {
		bt_why(why, sizeof(why));
		return vt_error_set(err, "%s: cannot export: %s", in, f.failed ? f.failed : why);
	}
	*events += f.events;
	rc = 0;
out:
	if (rc)
		return rc; /* a graph set up halfway: the child exits without it */
	bt_graph_put_ref(graph); /* finalizes the iterators before f goes; sink.ctf.fs writes the metadata */
	bt_current_thread_clear_error();
	free(f.upstream);
	bt_value_put_ref(sparams);
	bt_value_put_ref(kparams);
	bt_component_class_filter_put_ref(fclass);
	bt_message_iterator_class_put_ref(iclass);
	return rc;
}

/* --- the folder ------------------------------------------------------------------------ */

/* Length of the folder prefix every CTF trace path shares, ending at a '/':
 * what is below it names each trace in OUT (a lone trace keeps its own name). */
static size_t common_folder(const struct vt_trace_info *const *traces, size_t ntraces)
{
	const char *first = NULL;
	size_t len = 0;
	for (size_t t = 0; t < ntraces; t++) {
		if (strcmp(traces[t]->format, "ctf"))
			continue;
		const char *p = traces[t]->path;
		size_t pl = strlen(p);
		while (pl > 1 && p[pl - 1] == '/')
			pl--;
		if (!first) {
			first = p;
			len = pl;
			continue;
		}
		size_t i = 0;
		while (i < len && i < pl && p[i] == first[i])
			i++;
		len = i;
	}
	if (!first)
		return 0;
	/* a prefix that is a whole path, or ends inside a name, goes back to its folder */
	if (len == 0 || first[len - 1] != '/' || len >= strlen(first))
		while (len > 0 && first[len - 1] != '/')
			len--;
	if (len > 0 && first[len] == '\0') /* "a/b/" itself: keep its last name */
		for (len--; len > 0 && first[len - 1] != '/'; len--)
			;
	return len;
}

/* A written trace read back (its metadata parsed, its packets indexed):
 * what sink.ctf.fs may have left truncated without saying so. */
static int verify_trace(const char *out, struct vt_error *err)
{
	const bt_component_class_source *src_class = bt_plugin_borrow_source_component_class_by_name_const(ctf_plugin, "fs");
	bt_graph *graph = bt_graph_create(0);
	bt_value *params = bt_value_map_create(), *inputs = NULL;
	if (!graph || !params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) ||
	    bt_value_array_append_string_element(inputs, out))
		return vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", out);
	const bt_component_source *src = NULL;
	if (bt_graph_add_source_component(graph, src_class, "check", params, BT_LOGGING_LEVEL_NONE, &src)) {
		char why[600];
		bt_why(why, sizeof(why));
		return vt_error_set(err, "%s: written, but does not read back: %s", out, why);
	}
	bt_graph_put_ref(graph);
	bt_value_put_ref(params);
	return 0;
}

/* What the child tells the parent through a pipe. */
struct child_report {
	int rc;
	size_t exported;
	uint64_t events;
	char msg[sizeof(((struct vt_error *)0)->msg)];
};

static void child_export(int fd, const struct vt_trace_info *const *traces, size_t ntraces, const struct vt_machines *m,
			 const struct vt_sync_result *r, const char *tmp)
{
	struct child_report rep = {0};
	struct vt_error err = {0};
	size_t prefix = common_folder(traces, ntraces);
	for (size_t t = 0; t < ntraces && !rep.rc; t++) {
		if (strcmp(traces[t]->format, "ctf"))
			continue;
		const char *rel = traces[t]->path + prefix;
		while (*rel == '/')
			rel++;
		char out[8400];
		snprintf(out, sizeof(out), "%s/%s", tmp, *rel ? rel : "trace");
		size_t ol = strlen(out);
		while (ol > 1 && out[ol - 1] == '/')
			out[--ol] = '\0';
		rep.rc = export_trace(traces[t]->path, out, &r->machines[m->trace_machine[t]], &rep.events, &err);
		if (!rep.rc)
			rep.rc = verify_trace(out, &err);
		rep.exported += !rep.rc;
	}
	snprintf(rep.msg, sizeof(rep.msg), "%s", err.msg);
	ssize_t w = write(fd, &rep, sizeof(rep)); /* less than PIPE_BUF: whole or nothing */
	_exit(w == (ssize_t)sizeof(rep) && !rep.rc ? 0 : 1); /* no teardown: see the top of this file */
}

/* A full disk under `path`: less than 1 MiB left (a failed write leaves some
 * blocks that a smaller one could still use). */
static int disk_full(const char *path)
{
	struct statvfs st;
	return statvfs(path, &st) == 0 && (uint64_t)st.f_bavail * st.f_frsize < (1u << 20);
}

/* Why the child failed, when it could not say. */
static int child_died(int status, const char *outdir, const char *tmp, struct vt_error *err)
{
	if (disk_full(tmp))
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", outdir, strerror(ENOSPC));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) /* its line said when it was for want of memory */
		return vt_error_set(err, "%s: babeltrace2 aborted writing it", outdir);
	if (WIFSIGNALED(status))
		return vt_error_set(err, "%s: babeltrace2 died writing it (%s)", outdir, strsignal(WTERMSIG(status)));
	return vt_error_set(err, "%s: babeltrace2 failed writing it (exit status %d)", outdir, WEXITSTATUS(status));
}

static size_t read_full(int fd, void *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, (char *)buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* Runs the export in a child; 0 when it wrote every trace and read each back. */
static int run_child(const struct vt_trace_info *const *traces, size_t ntraces, const struct vt_machines *m,
		     const struct vt_sync_result *r, const char *outdir, const char *tmp, size_t *exported,
		     uint64_t *events, struct vt_error *err)
{
	int fds[2];
	if (pipe(fds) != 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot start the export: %s", outdir, strerror(errno));
	fflush(NULL); /* nothing buffered twice */
	pid_t pid = vt_cleanup_fork(); /* an interruption kills it before removing tmp */
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot start the export: %s", outdir, strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		child_export(fds[1], traces, ntraces, m, r, tmp);
	}
	close(fds[1]);
	struct child_report rep;
	size_t got = read_full(fds[0], &rep, sizeof(rep));
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	vt_cleanup_child(0);
	if (got == sizeof(rep) && rep.rc && rep.msg[0]) {
		if (disk_full(tmp)) /* sink.ctf.fs logs ENOSPC but does not pass it on */
			return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot write: %s", outdir, strerror(ENOSPC));
		return vt_error_set(err, "%s", rep.msg);
	}
	if (got != sizeof(rep) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return child_died(status, outdir, tmp, err);
	*exported = rep.exported;
	*events = rep.events;
	return 0;
}

int vt_ctf_export(const struct vt_trace_info *const *traces, size_t ntraces, const struct vt_machines *m,
		  const struct vt_sync_result *r, const char *outdir, size_t *exported, size_t *skipped,
		  uint64_t *events, struct vt_error *err)
{
	*exported = *skipped = 0;
	*events = 0;
	if (!ctf_plugin && bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &ctf_plugin) !=
				   BT_PLUGIN_FIND_STATUS_OK) {
		bt_current_thread_clear_error();
		return vt_error_set(err, "babeltrace2's ctf plugin is not installed (Debian package babeltrace2)");
	}
	size_t nctf = 0;
	for (size_t t = 0; t < ntraces; t++)
		nctf += !strcmp(traces[t]->format, "ctf");
	if (!nctf)
		return vt_error_set(err, "%s: no CTF trace among the inputs to rewrite (trace.dat files are not)", outdir);
	*skipped = ntraces - nctf;
	struct stat st;
	if (stat(outdir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return vt_error_set(err, "%s: exists and is not a folder", outdir);
		if (!vt_dir_is_empty(outdir)) /* only an empty folder is replaced, by rename() */
			return vt_error_set(err, "%s: exists and is not empty (nothing written)", outdir);
	}
	char tmp[4200];
	size_t l = strlen(outdir);
	while (l > 1 && outdir[l - 1] == '/')
		l--;
	if (snprintf(tmp, sizeof(tmp), "%.*s.tmp-XXXXXX", (int)l, outdir) >= (int)sizeof(tmp))
		return vt_error_set(err, "%s: path too long", outdir);
	int cleanup;
	if (!vt_cleanup_mkdtemp(tmp, &cleanup))
		return vt_error_set_cause(err, VT_ERR_IO, "%s: cannot create a folder beside it: %s", outdir, strerror(errno));
	chmod(tmp, 0755);
	int rc = run_child(traces, ntraces, m, r, outdir, tmp, exported, events, err);
	if (!rc && rename(tmp, outdir) != 0)
		rc = vt_error_set_cause(err, VT_ERR_IO, "%s: cannot rename %s to it: %s", outdir, tmp, strerror(errno));
	if (rc)
		vt_remove_tree(tmp);
	vt_cleanup_forget(cleanup);
	return rc;
}
