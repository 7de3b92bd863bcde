/* Which libvirt domain a QEMU process is, checked before its guest agent is
 * talked to through virsh (qga_virsh.h): the domain named by the QEMU's
 * uuid must have that QEMU's pid in libvirt's own pid file. The uuid comes
 * from a command line any user writes; the pid file is libvirtd's (root's). */
#include "record/qga_virsh.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "record/proc_run.h"
#include "record/qga.h"
#include "agent/agent.h"

int vt_qga_libvirt_resolve(const struct vt_qga_libvirt *lv, char *uri, size_t usize, char *run_dir, size_t rsize,
			   struct vt_error *err)
{
	const char *u = lv && lv->uri ? lv->uri : getenv("LIBVIRT_DEFAULT_URI");
	if (!u || !u[0])
		u = "qemu:///system";
	char shown[600];
	const char *colon = strstr(u, "://");
	/* A host between "//" and the path would be another machine's QEMU. */
	if (!colon || colon[3] != '/' || strncmp(u, "qemu", 4))
		return vt_error_set(err, "libvirt URI '%s': not a local QEMU URI (qemu:///system, qemu:///session): "
				    "its guests are not this host's", vt_text_line(u, shown, sizeof(shown)));
	snprintf(uri, usize, "%s", u);
	if (lv && lv->run_dir) {
		snprintf(run_dir, rsize, "%s", lv->run_dir);
	} else if (strstr(colon, "/session")) {
		const char *x = getenv("XDG_RUNTIME_DIR");
		if (!x || x[0] != '/')
			return vt_error_set(err, "libvirt URI '%s': XDG_RUNTIME_DIR is not set, so where its pid files "
					    "are is not known", vt_text_line(u, shown, sizeof(shown)));
		snprintf(run_dir, rsize, "%s/libvirt/qemu/run", x);
	} else {
		snprintf(run_dir, rsize, "/run/libvirt/qemu");
	}
	return 0;
}

int vt_qga_virsh_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 255 || !strcmp(s, ".") || !strcmp(s, "..") || strchr(s, '/'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

void vt_qga_virsh_error_line(const char *err, char *buf, size_t size)
{
	const char *pick = NULL, *last = NULL;
	size_t pick_len = 0, last_len = 0;
	for (const char *line = err; *line;) {
		size_t n = strcspn(line, "\n");
		size_t t = n;
		while (t && strchr(" \t\r", line[t - 1]))
			t--;
		if (t) {
			last = line;
			last_len = t;
			if (!strncmp(line, "error: ", 7) && t > 7) {
				pick = line + 7;
				pick_len = t - 7;
			}
		}
		line += n + (line[n] == '\n');
	}
	if (!pick) {
		pick = last;
		pick_len = last_len;
	}
	char raw[1024];
	size_t n = pick_len < sizeof(raw) - 1 ? pick_len : sizeof(raw) - 1;
	if (pick)
		memcpy(raw, pick, n);
	raw[pick ? n : 0] = '\0';
	vt_text_line(raw, buf, size);
}

/* `virsh domname UUID`: the domain's name, by the deadline. */
static int domain_name(const char *virsh, const char *uri, const char *uuid, int64_t deadline, char *name,
		       size_t size, struct vt_error *err)
{
	const char *argv[] = {virsh, "-q", "-c", uri, "domname", uuid, NULL};
	struct vt_proc p = {.kill_on_excess = 1};
	struct vt_proc_result r;
	struct vt_error e;
	if (vt_proc_start(argv, &p, &e) < 0 || vt_proc_collect(&p, virsh, deadline, 1024, &r, &e) < 0)
		return vt_error_set(err, "libvirt owns the guest agent channel, reached through virsh (package "
				    "libvirt-clients), which cannot be run: %s", e.msg);
	char line[600];
	int rc = -1;
	r.out[strcspn(r.out, "\n")] = '\0';
	if (r.status == -1)
		vt_error_set(err, "virsh domname: no answer in time (killed)");
	else if (r.status != 0)
		vt_error_set(err, "virsh: %s", (vt_qga_virsh_error_line(r.err, line, sizeof(line)), line[0] ? line :
						"domname failed and said nothing"));
	else if (r.truncated || strlen(r.out) >= size || !vt_qga_virsh_name_ok(r.out))
		vt_error_set(err, "virsh domname gave no usable domain name ('%s')",
			     vt_text_line(r.out, line, sizeof(line)));
	else
		rc = 0;
	if (rc == 0)
		snprintf(name, size, "%s", r.out);
	vt_proc_result_free(&r);
	return rc;
}

/* The pid in libvirt's DIR/NAME.pid (a regular file, not followed). */
static int64_t pid_file(const char *dir, const char *name, char *path, size_t size, struct vt_error *err)
{
	snprintf(path, size, "%s/%s.pid", dir, name);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return vt_error_set_cause(err, VT_ERR_IO, "%s: %s", path, strerror(errno));
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	char *end;
	long long pid = strtoll(buf, &end, 10);
	if (n <= 0 || end == buf || pid < 1 || pid > INT32_MAX || strspn(end, " \n") != strlen(end))
		return vt_error_set(err, "%s: not a pid", path);
	return pid;
}

struct vt_qga_virsh *vt_qga_virsh_open(const struct vt_qga_libvirt *lv, int64_t pid, const char *uuid,
				       int64_t deadline, char *name, size_t size, struct vt_error *err)
{
	char uri[512], dir[512], dom[256], path[1024], shown[600];
	const char *virsh = lv && lv->virsh ? lv->virsh : "virsh";
	if (!uuid || !vt_uuid_valid(uuid)) {
		vt_error_set(err, "pid %" PRId64 ": libvirt owns the guest agent channel, and the QEMU has no -uuid to "
			     "name its domain by", pid);
		return NULL;
	}
	if (vt_qga_libvirt_resolve(lv, uri, sizeof(uri), dir, sizeof(dir), err) < 0 ||
	    domain_name(virsh, uri, uuid, deadline, dom, sizeof(dom), err) < 0)
		return NULL;
	struct vt_error e;
	int64_t found = pid_file(dir, dom, path, sizeof(path), &e);
	if (found < 0 || found != pid) {
		if (found >= 0)
			vt_error_set(err, "libvirt domain %s (%s) runs as pid %" PRId64 " (%s), not as pid %" PRId64
				     ": not used", vt_text_line(dom, shown, sizeof(shown)), uuid, found, path, pid);
		else
			vt_error_set(err, "libvirt domain %s (%s): cannot check that it is pid %" PRId64 ": %s",
				     vt_text_line(dom, shown, sizeof(shown)), uuid, pid, e.msg);
		return NULL;
	}
	struct vt_qga_virsh *v = vt_qga_virsh_new(virsh, uri, uuid);
	if (!v) {
		vt_error_set_cause(err, VT_ERR_NOMEM, "out of memory");
		return NULL;
	}
	vt_text_line(dom, name, size);
	return v;
}
