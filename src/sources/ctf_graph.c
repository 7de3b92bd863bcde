#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/oom.h"
#include "sources/ctf_source.h"

/* babeltrace2's messages carry object addresses that mean nothing to a user
 * (", msg-it-addr=0x55..."): cut them, and keep the message on one line. */
void vt_bt_tidy_message(char *msg)
{
	char *addr;
	while ((addr = strstr(msg, "-addr=0x"))) {
		char *start = addr, *end = addr + 8;
		while (start > msg && start[-1] != ' ' && start[-1] != ',' && start[-1] != ':')
			start--;
		while (*end && *end != ',' && *end != ' ')
			end++;
		while (start > msg && (start[-1] == ' ' || start[-1] == ',' || start[-1] == ':'))
			start--;
		if (*end == ',')
			memmove(start, end, strlen(end) + 1); /* more fields follow: keep the comma */
		else
			*start = '\0';
	}
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

void vt_bt_error_text(char *buf, size_t size)
{
	const bt_error *error = bt_current_thread_take_error();
	buf[0] = '\0';
	if (vt_out_of_memory_now()) { /* its text would be a state machine's ("Cannot handle state") */
		bt_error_release(error);
		snprintf(buf, size, "out of memory");
		return;
	}
	if (!error) {
		snprintf(buf, size, "babeltrace2 failed without saying why");
		return;
	}
	/* Cause 0 was appended first: the root, most specific and naming the file;
	 * later causes only summarize it. */
	uint64_t n = bt_error_get_cause_count(error);
	const char *root = n ? bt_error_cause_get_message(bt_error_borrow_cause_by_index(error, 0)) : NULL;
	snprintf(buf, size, "%s", root && *root ? root : "babeltrace2 failed without saying why");
	bt_error_release(error);
	vt_bt_tidy_message(buf);
}

static pthread_once_t plugin_once = PTHREAD_ONCE_INIT;
static const bt_component_class_source *ctf_fs_class;

static void load_ctf_plugin(void)
{
	const bt_plugin *plugin = NULL;
	if (bt_plugin_find("ctf", BT_TRUE, BT_TRUE, BT_TRUE, BT_TRUE, BT_FALSE, &plugin) !=
	    BT_PLUGIN_FIND_STATUS_OK) {
		bt_current_thread_clear_error();
		return;
	}
	ctf_fs_class = bt_plugin_borrow_source_component_class_by_name_const(plugin, "fs");
	if (ctf_fs_class)
		bt_component_class_source_get_ref(ctf_fs_class);
	/* The class keeps its plugin's shared object loaded. */
	bt_plugin_put_ref(plugin);
}

/* Our sink: an input port per data stream and an iterator on each. consume()
 * serves exactly the stream the merge asked for (src->refill). */
static bt_component_class_initialize_method_status sink_init(bt_self_component_sink *self,
							       bt_self_component_sink_configuration *config,
							       const bt_value *params, void *data)
{
	(void)config;
	(void)params;
	struct vt_source *src = data;
	bt_self_component_set_data(bt_self_component_sink_as_self_component(self), src);
	for (size_t i = 0; i < src->nstreams; i++) {
		char name[32];
		snprintf(name, sizeof(name), "in%zu", i);
		if (bt_self_component_sink_add_input_port(self, name, &src->streams[i], NULL) !=
		    BT_SELF_COMPONENT_ADD_PORT_STATUS_OK)
			return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_MEMORY_ERROR;
	}
	return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

static bt_component_class_sink_graph_is_configured_method_status sink_configured(bt_self_component_sink *self)
{
	struct vt_source *src = bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
	for (size_t i = 0; i < src->nstreams; i++) {
		bt_self_component_port_input *port = bt_self_component_sink_borrow_input_port_by_index(self, i);
		if (bt_message_iterator_create_from_sink_component(self, port, &src->streams[i].iter) !=
		    BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK)
			return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
	}
	return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

static bt_component_class_sink_consume_method_status sink_consume(bt_self_component_sink *self)
{
	struct vt_source *src = bt_self_component_get_data(bt_self_component_sink_as_self_component(self));
	if (src->refill < 0)
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	struct vt_ctf_stream *s = &src->streams[src->refill];
	src->refill = -1;
	src->refill_status = bt_message_iterator_next(s->iter, &s->msgs, &s->count);
	s->pos = 0;
	switch (src->refill_status) {
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK: {
		/* ctf.fs returns the messages it decoded before an error, leaving the
		 * error set on the thread for its next call. Keep its text for then:
		 * no babeltrace2 function may be called while an error is set. */
		const bt_error *pending = bt_current_thread_take_error();
		if (pending) {
			const char *msg = bt_error_get_cause_count(pending)
				? bt_error_cause_get_message(bt_error_borrow_cause_by_index(pending, 0))
				: "decoding failed";
			snprintf(s->pending_error, sizeof(s->pending_error), "%s", msg);
			vt_bt_tidy_message(s->pending_error);
			bt_error_release(pending);
		}
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	}
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN:
		s->count = 0;
		/* Only this stream ended: the graph must go on for the others. */
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
	case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR:
		s->count = 0;
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
	default:
		s->count = 0;
		return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
	}
}

int vt_ctf_graph_refill(struct vt_source *src, struct vt_ctf_stream *s, struct vt_error *err)
{
	for (;;) {
		src->refill = (int)s->index;
		bt_graph_run_once_status st = bt_graph_run_once(src->graph);
		if (st != BT_GRAPH_RUN_ONCE_STATUS_OK && st != BT_GRAPH_RUN_ONCE_STATUS_AGAIN) {
			char why[768], problem[800];
			vt_bt_error_text(why, sizeof(why));
			snprintf(problem, sizeof(problem), "cannot decode: %s",
				 s->pending_error[0] && strcmp(why, "out of memory") ? s->pending_error : why);
			return vt_ctf_stream_error(src, s, err, problem);
		}
		if (src->refill_status == BT_MESSAGE_ITERATOR_NEXT_STATUS_OK)
			return 1;
		/* The error ctf.fs stashed may surface as a plain end: still an error. */
		if (s->pending_error[0]) {
			char problem[600];
			bt_current_thread_clear_error();
			snprintf(problem, sizeof(problem), "cannot decode: %s",
				 vt_out_of_memory_now() ? "out of memory" : s->pending_error);
			return vt_ctf_stream_error(src, s, err, problem);
		}
		if (src->refill_status == BT_MESSAGE_ITERATOR_NEXT_STATUS_END) {
			s->ended = true;
			return 0;
		}
		/* AGAIN (or the graph ran before configuring): ask again. A file source
		 * never waits on anything, so this does not spin for long. */
	}
}

/* babeltrace2 puts the precise reason a trace is refused (the metadata line
 * that does not parse, the stream file size that does not match) only in its
 * log, not in its error causes. While a trace component is created, its log
 * goes to a temporary file, and the first warning or error line is kept. */
struct log_capture {
	FILE *file;
	int saved_stderr;
};

static void log_capture_begin(struct log_capture *cap)
{
	cap->saved_stderr = -1;
	cap->file = tmpfile();
	if (!cap->file)
		return;
	fflush(stderr);
	cap->saved_stderr = dup(2);
	if (cap->saved_stderr < 0 || dup2(fileno(cap->file), 2) < 0) {
		fclose(cap->file);
		cap->file = NULL;
	}
}

/* Restores stderr; copies the first W/E log message into why (may be empty). */
static void log_capture_end(struct log_capture *cap, char *why, size_t size)
{
	why[0] = '\0';
	if (!cap->file)
		return;
	fflush(stderr);
	dup2(cap->saved_stderr, 2);
	close(cap->saved_stderr);
	rewind(cap->file);
	char line[1024];
	while (!why[0] && fgets(line, sizeof(line), cap->file)) {
		/* "MM-DD HH:MM:SS.mmm PID TID L TAG func@file:line [comp] message" */
		char level;
		int skip = 0;
		if (sscanf(line, "%*s %*s %*d %*d %c %*s %*s %n", &level, &skip) < 1 || !skip)
			continue;
		if (level != 'W' && level != 'E')
			continue;
		const char *msg = line + skip;
		if (*msg == '[' && strchr(msg, ']'))
			msg = strchr(msg, ']') + 1;
		while (*msg == ' ')
			msg++;
		snprintf(why, size, "%s", msg);
		why[strcspn(why, "\n")] = '\0';
		vt_bt_tidy_message(why);
	}
	fclose(cap->file);
}

/* babeltrace2 2.0.4 aborts or dies on some malformed metadata (assertions in
 * its metadata visitor, found by fuzzing) instead of returning an error, also
 * on metadata it parses alone but that does not fit the stream files it then
 * indexes. So a child process creates the trace's component first, exactly as
 * this process will (metadata parsed, streams indexed); if the child dies, the
 * trace is refused with a message and this process lives on. */
static int probe_in_child(const char *path, struct vt_error *err)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return 0; /* cannot isolate: go on unprotected */
	if (pid == 0) {
		/* The child's dying words (an assertion) are not ours to print,
		 * and a crash must kill it, not run a handler its parent set. */
		static const int fatal[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			signal(fatal[i], SIG_DFL);
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		bt_value *params = bt_value_map_create();
		bt_value *inputs = NULL;
		bt_graph *graph = bt_graph_create(0);
		const bt_component_source *comp;
		if (params && graph && !bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) &&
		    !bt_value_array_append_string_element(inputs, path))
			bt_graph_add_source_component(graph, ctf_fs_class, "probe", params, BT_LOGGING_LEVEL_NONE,
						      &comp);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (WIFSIGNALED(status))
		return vt_error_set(err, "%s: not a readable CTF trace: babeltrace2 crashed on it (%s)", path,
				    strsignal(WTERMSIG(status)));
	return 0;
}

/* CTF 2 metadata (a JSON text sequence: its first byte is RS, 0x1E), which
 * babeltrace2 2.0 takes for broken CTF 1.8 (2.1 reads it). */
static int is_ctf2(const char *trace)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/metadata", trace);
	FILE *f = fopen(path, "rb");
	int c = f ? fgetc(f) : EOF;
	if (f)
		fclose(f);
	return c == 0x1E;
}

static int add_trace_component(struct vt_source *src, size_t i, const bt_component_source **comp,
			       struct vt_error *err)
{
	bt_value *params = bt_value_map_create();
	bt_value *inputs = NULL;
	int rc = -1;
	if (!params || bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) ||
	    bt_value_array_append_string_element(inputs, src->traces[i].path)) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "%s: out of memory", src->traces[i].path);
		goto out;
	}
	if (bt_version_get_major() == 2 && bt_version_get_minor() == 0 && is_ctf2(src->traces[i].path)) {
		vt_error_set(err, "%s: CTF 2, which babeltrace2 %d.%d cannot read (--reader native can)",
			     src->traces[i].path, (int)bt_version_get_major(), (int)bt_version_get_minor());
		goto out;
	}
	if (probe_in_child(src->traces[i].path, err))
		goto out;
	char name[32];
	snprintf(name, sizeof(name), "trace%zu", i);
	if (bt_graph_add_source_component(src->graph, ctf_fs_class, name, params, BT_LOGGING_LEVEL_NONE, comp) !=
	    BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
		char why[768], detail[512];
		vt_bt_error_text(why, sizeof(why));
		/* Refused: once more, in a scratch graph with its log captured, for the reason. */
		bt_graph *scratch = bt_graph_create(0);
		struct log_capture cap;
		const bt_component_source *again;
		log_capture_begin(&cap);
		if (scratch && cap.file)
			bt_graph_add_source_component(scratch, ctf_fs_class, name, params, BT_LOGGING_LEVEL_WARNING,
						      &again);
		log_capture_end(&cap, detail, sizeof(detail));
		bt_current_thread_clear_error();
		bt_graph_put_ref(scratch);
		if (detail[0] && !strstr(why, detail))
			vt_error_set(err, "%s: not a readable CTF trace: %s (%s)", src->traces[i].path, why, detail);
		else
			vt_error_set(err, "%s: not a readable CTF trace: %s", src->traces[i].path, why);
		goto out;
	}
	rc = 0;
out:
	bt_value_put_ref(params);
	return rc;
}

int vt_ctf_graph_build(struct vt_source *src, struct vt_error *err)
{
	pthread_once(&plugin_once, load_ctf_plugin);
	if (!ctf_fs_class)
		return vt_error_set(err, "babeltrace2's ctf plugin is not installed (Debian package babeltrace2)");
	src->graph = bt_graph_create(0);
	if (!src->graph)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "cannot create a babeltrace2 graph: out of memory");

	const bt_component_source **comps = calloc(src->ntraces, sizeof(*comps));
	if (!comps)
		return vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
	int rc = -1;
	size_t total = 0;
	for (size_t i = 0; i < src->ntraces; i++) {
		if (add_trace_component(src, i, &comps[i], err))
			goto out;
		uint64_t n = bt_component_source_get_output_port_count(comps[i]);
		src->traces[i].info.streams = (uint32_t)n;
		total += n;
	}
	src->streams = calloc(total ? total : 1, sizeof(*src->streams));
	if (!src->streams) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		goto out;
	}
	src->nstreams = total;
	size_t k = 0;
	for (size_t i = 0; i < src->ntraces; i++)
		for (uint32_t p = 0; p < src->traces[i].info.streams; p++, k++) {
			src->streams[k].index = (uint32_t)k;
			src->streams[k].trace = (uint32_t)i;
			src->streams[k].cpu = VT_NO_CPU;
		}

	src->sink_class = bt_component_class_sink_create("vmtrace-merge", sink_consume);
	if (!src->sink_class ||
	    bt_component_class_sink_set_initialize_method(src->sink_class, sink_init) ||
	    bt_component_class_sink_set_graph_is_configured_method(src->sink_class, sink_configured)) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "cannot create a babeltrace2 sink: out of memory");
		goto out;
	}
	const bt_component_sink *sink;
	if (bt_graph_add_sink_component_with_initialize_method_data(src->graph, src->sink_class, "merge", NULL,
								     src, BT_LOGGING_LEVEL_NONE, &sink)) {
		char why[768];
		vt_bt_error_text(why, sizeof(why));
		vt_error_set(err, "cannot set up the babeltrace2 graph: %s", why);
		goto out;
	}
	k = 0;
	for (size_t i = 0; i < src->ntraces; i++)
		for (uint32_t p = 0; p < src->traces[i].info.streams; p++, k++) {
			const bt_port_output *out = bt_component_source_borrow_output_port_by_index_const(comps[i], p);
			const bt_port_input *in = bt_component_sink_borrow_input_port_by_index_const(sink, k);
			if (bt_graph_connect_ports(src->graph, out, in, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK) {
				char why[768];
				vt_bt_error_text(why, sizeof(why));
				vt_error_set(err, "%s: cannot connect data stream %u: %s", src->traces[i].path, p,
					     why);
				goto out;
			}
		}
	rc = 0;
out:
	free(comps);
	return rc;
}

void vt_ctf_graph_destroy(struct vt_source *src)
{
	for (size_t i = 0; i < src->nstreams; i++) {
		struct vt_ctf_stream *s = &src->streams[i];
		for (uint64_t m = s->pos; m < s->count; m++)
			bt_message_put_ref(s->msgs[m]);
		s->count = s->pos = 0;
		bt_message_iterator_put_ref(s->iter);
		s->iter = NULL;
		free(s->file);
		s->file = NULL;
	}
	bt_graph_put_ref(src->graph);
	src->graph = NULL;
	bt_component_class_sink_put_ref(src->sink_class);
	src->sink_class = NULL;
}
