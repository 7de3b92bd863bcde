/* Temporary outputs that an interrupted run removes: result files and folders
 * written under a temporary name (output.h, the CTF export, vmtrace-sim) are
 * registered here while they exist; on SIGINT, SIGTERM, SIGHUP or SIGPIPE the
 * handler removes them and the process dies of that signal, as the shell
 * expects. A second signal during that cleanup kills at once.
 *
 * Why the handler removes them itself: the long parts of a run are inside
 * babeltrace2 or the model, which check no flag for minutes, so "set a flag,
 * unwind later" would leave the files for as long; and a handler may only
 * call async-signal-safe functions. Removing a file is unlink(); removing a
 * folder tree is done with openat, getdents64, unlinkat and close on stack
 * buffers (no malloc, no stdio, no nftw), which are all plain system calls.
 * The registry itself is fixed slots, published with a flag written last. */
#ifndef VT_COMMON_CLEANUP_H
#define VT_COMMON_CLEANUP_H

#include <sys/types.h>

/* Installs the handlers (a command's main, once; a signal the parent
 * ignores, as a shell does for `cmd &`, stays ignored). A library that is not
 * asked never touches signals: registering is then mere bookkeeping. SIGABRT
 * is handled too: a library that aborts (GLib, when an allocation fails)
 * leaves nothing either, and "PROG: out of memory" is said when it was that. */
void vt_cleanup_on_signals(const char *prog);

/* Registers a temporary file or folder tree. Returns a handle for
 * vt_cleanup_forget, or -1 (no slot free, path too long: the run works the
 * same, only an interruption would leave it behind). */
int vt_cleanup_add(const char *path);
/* mkstemp / mkdtemp, the result registered: with the signals held between
 * the two, so that it never exists unregistered. *handle: for
 * vt_cleanup_forget (-1 when not registered). errno as theirs. */
int vt_cleanup_mkstemp(char *template, int *handle);
char *vt_cleanup_mkdtemp(char *template, int *handle);

/* The path was renamed into place or removed: no longer the handler's. */
void vt_cleanup_forget(int handle);

/* fork() for a child that writes into a registered folder: the handler
 * kills it (and waits for it) before removing the folder; the child starts
 * with the default signals and an empty registry (only the parent cleans
 * up), and dies with its parent. Signals are held until the parent knows the
 * child (its SIGABRT handler stays: "out of memory" is said by the one that
 * knows). Returns as fork(). */
pid_t vt_cleanup_fork(void);
/* The child has been waited for: the handler forgets it. */
void vt_cleanup_child(pid_t pid);

/* Removes a folder tree now (also for the normal failure path). Returns 0,
 * or -1 with errno when something could not be removed. */
int vt_remove_tree(const char *path);

#endif
