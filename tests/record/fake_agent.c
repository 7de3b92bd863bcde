#include "fake_agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

const uint8_t *fake_file;
size_t fake_file_len;
const char *fake_exec_out = "";
int fake_exec_code;
char fake_exec_log[512];

void fake_write(int fd, const char *s, long len)
{
	size_t n = len < 0 ? strlen(s) : (size_t)len;
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void answer_json(int fd, json_t *ret)
{
	json_t *a = json_pack("{s:o}", "return", ret);
	char *t = json_dumps(a, JSON_COMPACT);
	fake_write(fd, t, -1);
	fake_write(fd, "\n", 1);
	free(t);
	json_decref(a);
}

static char *b64(const uint8_t *d, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc((n + 2) / 3 * 4 + 1), *w = o;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
		*w++ = al[v >> 18 & 63];
		*w++ = al[v >> 12 & 63];
		*w++ = i + 1 < n ? al[v >> 6 & 63] : '=';
		*w++ = i + 2 < n ? al[v & 63] : '=';
	}
	*w = '\0';
	return o;
}

static size_t file_pos;

int fake_default(int fd, const char *c, json_t *args, unsigned nth)
{
	(void)nth;
	if (!strcmp(c, "guest-sync-delimited")) {
		fake_write(fd, "\xff", 1);
		answer_json(fd, json_pack("I", json_integer_value(json_object_get(args, "id"))));
	} else if (!strcmp(c, "guest-info")) {
		const char *names[] = {"guest-exec", "guest-exec-status", "guest-file-open", "guest-file-read",
				       "guest-file-close", "guest-get-host-name", "guest-ping"};
		json_t *list = json_array();
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			json_array_append_new(list, json_pack("{s:b,s:s,s:b}", "enabled", 1, "name", names[i],
							      "success-response", 1));
		answer_json(fd, json_pack("{s:s,s:o}", "version", "7.2.0-fake", "supported_commands", list));
	} else if (!strcmp(c, "guest-get-host-name")) {
		answer_json(fd, json_pack("{s:s}", "host-name", "fake\x1b[31mguest"));
	} else if (!strcmp(c, "guest-exec")) {
		if (fake_exec_log[0]) {
			FILE *f = fopen(fake_exec_log, "a");
			if (f) {
				json_t *arg = json_object_get(args, "arg");
				fprintf(f, "%s\n---\n", json_string_value(json_array_get(arg, 1)));
				fclose(f);
			}
		}
		answer_json(fd, json_pack("{s:i}", "pid", 42));
	} else if (!strcmp(c, "guest-exec-status")) {
		char *out = b64((const uint8_t *)fake_exec_out, strlen(fake_exec_out));
		answer_json(fd, json_pack("{s:b,s:i,s:s,s:s}", "exited", 1, "exitcode", fake_exec_code, "out-data", out,
					  "err-data", ""));
		free(out);
	} else if (!strcmp(c, "guest-file-open")) {
		file_pos = 0;
		answer_json(fd, json_integer(7));
	} else if (!strcmp(c, "guest-file-read")) {
		size_t want = (size_t)json_integer_value(json_object_get(args, "count"));
		size_t n = fake_file_len - file_pos < want ? fake_file_len - file_pos : want;
		char *data = b64(fake_file + file_pos, n);
		file_pos += n;
		answer_json(fd, json_pack("{s:I,s:s,s:b}", "count", (json_int_t)n, "buf-b64", data, "eof",
					  file_pos == fake_file_len));
		free(data);
	} else if (!strcmp(c, "guest-file-close")) {
		answer_json(fd, json_object());
	} else {
		fake_write(fd, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no such command\"}}\n", -1);
	}
	return 0;
}

/* One request line: strip the sentinel bytes, parse, answer. */
static void request(int fd, char *line, fake_answer fn, unsigned nth)
{
	while ((unsigned char)*line == 0xff)
		line++;
	json_t *j = json_loads(line, 0, NULL);
	const char *c = json_string_value(json_object_get(j, "execute"));
	if (c && (!fn || fn(fd, c, json_object_get(j, "arguments"), nth)))
		fake_default(fd, c, json_object_get(j, "arguments"), nth);
	json_decref(j);
}

static void serve(int fd, fake_answer fn)
{
	char buf[1 << 16];
	size_t len = 0;
	unsigned nth = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (n <= 0)
			return;
		len += (size_t)n;
		char *nl;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			request(fd, buf, fn, nth++);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1)
			len = 0;
	}
}

/* Every agent started, killed at exit whatever failed in between. */
static pid_t started[64];

static void stop_all(void)
{
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] > 0)
			fake_agent_stop(started[i]);
}

static void remember(pid_t pid)
{
	static int registered;
	if (!registered++)
		atexit(stop_all);
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] <= 0) {
			started[i] = pid;
			return;
		}
}

pid_t fake_agent_start(const char *path, fake_answer fn)
{
	unlink(path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* The child says when it listens: the socket file exists from bind()
	 * on, but a connect() before listen() is refused. */
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		memset(started, 0, sizeof(started)); /* the parent's, not ours to kill */
		close(ready[0]);
		/* The child listens, so that SO_PEERCRED names it. */
		if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 4) < 0)
			_exit(1);
		signal(SIGPIPE, SIG_IGN);
		close(ready[1]);
		for (;;) {
			int c = accept(l, NULL, NULL);
			if (c < 0)
				_exit(0);
			serve(c, fn);
			close(c);
		}
	}
	close(l);
	close(ready[1]);
	if (pid > 0) {
		remember(pid);
		char b;
		while (read(ready[0], &b, 1) < 0 && errno == EINTR)
			;
	}
	close(ready[0]);
	return pid;
}

void fake_agent_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] == pid)
			started[i] = 0;
}
