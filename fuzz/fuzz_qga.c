/* libFuzzer target for what a guest (or another user) hands `vmtrace record`:
 * the guest agent's byte stream and answers, the archives a guest makes, a
 * QEMU command line and /proc/net/unix lines, a guest script's output,
 * virsh's stderr and domain names.
 * The first byte picks the part; the rest is its input. Any crash, leak,
 * sanitizer report, or a file written outside the extraction folder is a
 * bug; a clean refusal is fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "record/guest_session.h"
#include "record/qga_find.h"
#include "record/qga_proto.h"
#include "record/qga_virsh.h"
#include "record/untar.h"

static char base[64];

static void remove_base(void)
{
	vt_remove_tree(base);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(base, sizeof(base), "/tmp/vmtrace-fuzz-qga-XXXXXX");
	if (!mkdtemp(base))
		exit(1);
	atexit(remove_base);
	return 0;
}

/* Every typed parser over one answer's "return" value. */
static void parse_answer(const char *line, size_t len)
{
	json_t *ret;
	int is_error;
	if (vt_qga_reply_parse(line, len, &ret, &is_error, NULL) < 0)
		return;
	int64_t pid;
	vt_qga_parse_exec_pid(ret, &pid, NULL);
	struct vt_qga_exec_status st;
	if (vt_qga_parse_exec_status(ret, 256, &st, NULL) == 0)
		vt_qga_exec_status_free(&st);
	uint8_t buf[512];
	size_t n;
	int eof;
	vt_qga_parse_file_read(ret, buf, sizeof(buf), &n, &eof, NULL);
	struct vt_qga_info info;
	vt_qga_parse_info(ret, &info, NULL);
	char host[64];
	vt_qga_parse_host_name(ret, host, sizeof(host), NULL);
	json_decref(ret);
}

/* The stream, fed in pieces whose sizes the input's bytes also choose. */
static void stream(const uint8_t *data, size_t size)
{
	struct vt_qga_reader r;
	if (vt_qga_reader_init(&r, 4096) < 0)
		return;
	r.want_sentinel = size > 0 && (data[0] & 1);
	size_t pos = 0;
	while (pos < size) {
		size_t room;
		char *at = vt_qga_reader_space(&r, &room);
		size_t n = 1 + data[pos] % 97;
		n = n > room ? room : n;
		n = n > size - pos ? size - pos : n;
		memcpy(at, data + pos, n);
		vt_qga_reader_commit(&r, n);
		pos += n;
		const char *line;
		size_t len;
		enum vt_qga_next k;
		while ((k = vt_qga_reader_next(&r, &line, &len)) != VT_QGA_MORE) {
			if (k == VT_QGA_TOO_LONG) {
				vt_qga_reader_resync(&r);
				break;
			}
			parse_answer(line, len);
		}
	}
	vt_qga_reader_free(&r);
}

/* The destination must hold nothing but what untar made, and nothing may
 * appear beside it. */
static void archive(const uint8_t *data, size_t size)
{
	char dest[128], beside[128];
	snprintf(dest, sizeof(dest), "%s/d", base);
	snprintf(beside, sizeof(beside), "%s/x", base);
	struct vt_untar_limits lim = {.max_bytes = 1 << 20, .max_entries = 64, .max_name = 200, .max_depth = 8};
	struct vt_untar *u = vt_untar_begin(dest, &lim, NULL);
	if (!u)
		abort();
	size_t pos = 0;
	int ok = 0;
	while (pos < size && ok == 0) {
		size_t n = size - pos < 700 ? size - pos : 700;
		ok = vt_untar_feed(u, data + pos, n, NULL);
		pos += n;
	}
	if (ok == 0)
		vt_untar_end(u, NULL, NULL);
	else
		vt_untar_free(u);
	struct stat st;
	if (stat(beside, &st) == 0)
		abort();
	vt_remove_tree(dest);
}

static void lines(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	uint64_t inode;
	unsigned state;
	char path[128], clean[256];
	vt_qga_net_unix_line(s, size, &inode, &state, path, sizeof(path));
	uint8_t out[256];
	vt_b64_decode(s, size, out, sizeof(out));
	struct vt_guest_report rep = {0};
	vt_guest_report_take(&rep, s, size);
	struct vt_guest_result res = {.out = s, .out_len = size, .err = s, .err_len = size, .exitcode = 1};
	char why[128];
	vt_guest_failure(&res, why, sizeof(why));
	const char *reason;
	vt_untar_clean_name(s, size, 200, 8, clean, sizeof(clean), &reason);
	char line[200];
	vt_qga_virsh_error_line(s, line, sizeof(line));
	vt_qga_virsh_name_ok(s);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t part = data[0];
	data++;
	size--;
	switch (part % 4) {
	case 0:
		stream(data, size);
		break;
	case 1:
		archive(data, size);
		break;
	case 2: {
		struct vt_qga_spec spec;
		vt_qga_parse_cmdline((const char *)data, size, &spec);
		break;
	}
	default:
		lines(data, size);
	}
	return 0;
}
