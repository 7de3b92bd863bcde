/* The guest agent of a libvirt guest, reached through libvirt: libvirtd
 * holds the channel's only connection, so each call is one `virsh
 * qemu-agent-command DOMAIN --timeout S JSON` process (argv, no shell). No
 * build or run dependency on libvirt: without virsh, such a guest is said
 * so and recorded host-only.
 *
 * virsh and what it prints are as hostile as the guest behind it: its
 * output is bounded, every call has a deadline at which the virsh process
 * group is killed, and its errors become one escaped line. */
#ifndef VT_RECORD_QGA_VIRSH_H
#define VT_RECORD_QGA_VIRSH_H

#include <stddef.h>
#include <stdint.h>

#include "vmtrace/error.h"

/* How libvirt is reached; NULL members are the defaults. */
struct vt_qga_libvirt {
	const char *virsh;   /* "virsh", found on PATH */
	const char *uri;     /* $LIBVIRT_DEFAULT_URI, else "qemu:///system" */
	const char *run_dir; /* where libvirt's QEMU driver keeps DOMAIN.pid: /run/libvirt/qemu for a
				system URI, $XDG_RUNTIME_DIR/libvirt/qemu/run for qemu:///session */
};

/* Calls that may wait at once (sent, not yet received). */
#define VT_QGA_VIRSH_MAX_PENDING 8

/* The most of virsh's stderr kept (its error is one line of it). */
#define VT_QGA_VIRSH_MAX_ERR 4096

struct vt_qga_virsh;

/* The libvirt domain of uuid UUID, checked to be the QEMU process PID (the
 * pid file of the domain named by `virsh domname UUID` holds PID), so that
 * no other guest is ever talked to. name gets the domain's name, escaped.
 * NULL with err (virsh missing, no such domain, another process). */
struct vt_qga_virsh *vt_qga_virsh_open(const struct vt_qga_libvirt *lv, int64_t pid, const char *uuid,
				       int64_t deadline, char *name, size_t size, struct vt_error *err);
/* Kills the virsh processes of calls not received. */
void vt_qga_virsh_close(struct vt_qga_virsh *v);

/* Starts the virsh process of one call (a guest agent command as JSON
 * text) and returns: its answer is read by recv, oldest first. */
int vt_qga_virsh_send(struct vt_qga_virsh *v, const char *json, int64_t deadline, struct vt_error *err);

/* Waits for the oldest call's virsh by the deadline (then kills it): *out
 * its stdout (owned, NUL-terminated, trailing white space cut), at most max
 * bytes. virsh's failure: -1 with err its error line. */
int vt_qga_virsh_recv(struct vt_qga_virsh *v, size_t max, int64_t deadline, char **out, size_t *len,
		      struct vt_error *err);

/* Calls sent and not received. */
unsigned vt_qga_virsh_pending(const struct vt_qga_virsh *v);

/* ---- qga_libvirt.c's ---- */

/* A handle on domain UUID through VIRSH at URI, unchecked (open checks). */
struct vt_qga_virsh *vt_qga_virsh_new(const char *virsh, const char *uri, const char *uuid);

/* ---- without I/O (tested alone) ---- */

/* The one line that says why virsh failed, from its stderr (the last
 * "error: " line without that prefix, else its last line), escaped, into
 * buf; "" when stderr says nothing. */
void vt_qga_virsh_error_line(const char *err, char *buf, size_t size);

/* The URI and pid folder that lv means (its defaults filled from the
 * environment). -1 with err for a URI that names another machine. */
int vt_qga_libvirt_resolve(const struct vt_qga_libvirt *lv, char *uri, size_t usize, char *run_dir, size_t rsize,
			   struct vt_error *err);

/* Is s a domain name safe to use as a file name (one line, no '/', not "."
 * or "..", at most 255 bytes, no control character)? */
int vt_qga_virsh_name_ok(const char *s);

#endif
