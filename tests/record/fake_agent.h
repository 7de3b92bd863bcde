/* A fake guest agent on a socket of the test's own: a child process that
 * answers as a test's function says (silent, garbage, lies...), falling back
 * to a well-behaved agent for the rest. */
#ifndef VT_TEST_FAKE_AGENT_H
#define VT_TEST_FAKE_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* Answers one request (command, its arguments or NULL, the nth request of
 * this connection from 0) by writing to fd; returns 0 when it did, 1 to
 * leave it to fake_default. */
typedef int (*fake_answer)(int fd, const char *command, json_t *args, unsigned nth);

/* What fake_default serves: guest-file-read's file, guest-exec-status's
 * output and exit code. Set them before fake_agent_start. */
extern const uint8_t *fake_file;
extern size_t fake_file_len;
extern const char *fake_exec_out;
extern int fake_exec_code;
/* Where the child appends each guest-exec script it gets ("" for none). */
extern char fake_exec_log[512];

/* Listens on PATH in a child, serving connections one after another until
 * killed; returns once the socket is there. */
pid_t fake_agent_start(const char *path, fake_answer fn);
void fake_agent_stop(pid_t pid);

/* A well-behaved agent's answer. */
int fake_default(int fd, const char *command, json_t *args, unsigned nth);

/* Writes all of s (len bytes; -1: strlen), ignoring errors (the client may be gone). */
void fake_write(int fd, const char *s, long len);

#endif
