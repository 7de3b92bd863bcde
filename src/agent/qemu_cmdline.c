/* What a QEMU command line says about its guest: uuid, name, vCPU count, QMP
 * socket. The command line is the process's own: any bytes, any length (the
 * last argument need not end with a NUL). Nothing is allocated. */
#include "agent/agent.h"
#include "agent/qemu_opts.h"
#include "agent/util.h"

#include <stdint.h>
#include <string.h>

/* Reads the element of a QemuOpts string at p into elem, undoing ",,"
 * escapes (cut to size); returns where the next element starts. */
static const char *next_elem(const char *p, char *elem, size_t size)
{
	size_t n = 0;
	while (*p) {
		if (*p == ',' && p[1] == ',') {
			if (n + 1 < size)
				elem[n++] = ',';
			p += 2;
			continue;
		}
		if (*p == ',')
			break;
		if (n + 1 < size)
			elem[n++] = *p;
		p++;
	}
	elem[n] = '\0';
	return *p == ',' ? p + 1 : p;
}

/* Value of KEY in a QemuOpts string ("a=1,b=2"), where ",," escapes a comma.
 * implied: the key a leading value without '=' stands for. Returns 1 when found. */
static int opt_get(const char *opts, const char *key, const char *implied, char *out, size_t size)
{
	const char *p = opts;
	int first = 1;
	while (*p) {
		/* Read one element, undoing ",," escapes (cut at 1023 bytes). */
		char elem[1024];
		p = next_elem(p, elem, sizeof(elem));
		char *eq = strchr(elem, '=');
		if (eq) {
			*eq = '\0';
			if (!strcmp(elem, key)) {
				vt_strlcpy(out, eq + 1, size);
				return 1;
			}
		} else if (first && implied && !strcmp(implied, key)) {
			vt_strlcpy(out, elem, size);
			return 1;
		}
		first = 0;
	}
	return 0;
}

/* A count: decimal digits only; larger than UINT32_MAX saturates; 0 when absent or not a number. */
static uint32_t opt_u32(const char *opts, const char *key, const char *implied)
{
	char v[32];
	uint64_t x;
	if (!opt_get(opts, key, implied, v, sizeof(v)) || !v[0])
		return 0;
	size_t digits = strspn(v, "0123456789");
	if (digits != strlen(v))
		return 0;
	return vt_parse_decimal(v, digits, UINT32_MAX, &x) == 0 ? (uint32_t)x : UINT32_MAX;
}

static uint32_t mul_sat(uint32_t a, uint32_t b)
{
	return b && a > UINT32_MAX / b ? UINT32_MAX : a * b;
}

static void parse_smp(const char *opts, struct vt_qemu_cmdline *out)
{
	out->maxcpus = opt_u32(opts, "maxcpus", NULL);
	uint32_t cpus = opt_u32(opts, "cpus", "cpus");
	if (cpus) {
		out->smp = cpus;
		return;
	}
	/* -smp sockets=2,cores=2: the topology's product. */
	uint32_t total = 1;
	int any = 0;
	const char *keys[] = {"sockets", "dies", "clusters", "cores", "threads"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint32_t v = opt_u32(opts, keys[i], NULL);
		if (v) {
			total = mul_sat(total, v);
			any = 1;
		}
	}
	out->smp = any ? total : 1;
}

static int is_qemu_argv0(const char *a)
{
	const char *base = strrchr(a, '/');
	base = base ? base + 1 : a;
	return !strncmp(base, "qemu-system-", 12) || !strcmp(base, "qemu-kvm") || !strcmp(base, "kvm");
}

/* "-opt" and "--opt" are the same to QEMU. */
static const char *opt_name(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

/* Walks the arguments: each call copies the next one into buf (cut to size). */
struct args {
	const char *buf;
	size_t len, pos;
};

static int next_arg(struct args *a, char *buf, size_t size)
{
	if (a->pos >= a->len)
		return 0;
	const char *s = a->buf + a->pos;
	size_t n = strnlen(s, a->len - a->pos);
	size_t keep = n < size ? n : size - 1;
	memcpy(buf, s, keep);
	buf[keep] = '\0';
	a->pos += n + 1;
	return 1;
}

static void one_option(const char *o, const char *v, struct vt_qemu_cmdline *out, char *mon, size_t mon_size)
{
	if (!strcmp(o, "uuid")) {
		vt_strlcpy(out->uuid, v, sizeof(out->uuid));
	} else if (!strcmp(o, "name")) {
		opt_get(v, "guest", "guest", out->name, sizeof(out->name));
	} else if (!strcmp(o, "smbios")) {
		char type[8];
		if (opt_get(v, "type", NULL, type, sizeof(type)) && !strcmp(type, "1") && !out->uuid[0])
			opt_get(v, "uuid", NULL, out->uuid, sizeof(out->uuid));
	} else if (!strcmp(o, "smp")) {
		parse_smp(v, out);
	} else if (!strcmp(o, "qmp") && !strncmp(v, "unix:", 5)) {
		opt_get(v + 5, "path", "path", out->qmp, sizeof(out->qmp));
	} else if (!strcmp(o, "mon")) {
		char mode[32];
		if (opt_get(v, "mode", NULL, mode, sizeof(mode)) && !strcmp(mode, "control"))
			opt_get(v, "chardev", "chardev", mon, mon_size);
	}
}

/* Calls fn(option, value) for each argument that starts with '-' and the one
 * after it (as QEMU's own parser pairs them, whatever the value looks like). */
static void each_option(const char *buf, size_t len, void (*fn)(void *ctx, const char *o, const char *v), void *ctx)
{
	char arg[4096], pending[64] = "";
	struct args a = {buf, len, 0};
	if (!next_arg(&a, arg, sizeof(arg)))
		return;
	while (next_arg(&a, arg, sizeof(arg))) {
		if (pending[0])
			fn(ctx, pending, arg);
		const char *o = opt_name(arg);
		vt_strlcpy(pending, o ? o : "", sizeof(pending));
	}
}

struct parse_ctx {
	struct vt_qemu_cmdline *out;
	char mon[256];
};

static void on_option(void *ctx, const char *o, const char *v)
{
	struct parse_ctx *p = ctx;
	one_option(o, v, p->out, p->mon, sizeof(p->mon));
}

/* libvirt style: -chardev socket,id=charmonitor,path=... -mon chardev=charmonitor,mode=control */
static void on_chardev(void *ctx, const char *o, const char *v)
{
	struct parse_ctx *p = ctx;
	char id[256], backend[32];
	if (!strcmp(o, "chardev") && opt_get(v, "backend", "backend", backend, sizeof(backend)) &&
	    !strcmp(backend, "socket") && opt_get(v, "id", NULL, id, sizeof(id)) && !strcmp(id, p->mon))
		opt_get(v, "path", NULL, p->out->qmp, sizeof(p->out->qmp));
}

void vt_qemu_parse_cmdline(const char *buf, size_t len, struct vt_qemu_cmdline *out)
{
	memset(out, 0, sizeof(*out));
	out->smp = 1;
	char argv0[4096];
	struct args a = {buf, len, 0};
	if (!next_arg(&a, argv0, sizeof(argv0)))
		return;
	out->is_qemu = is_qemu_argv0(argv0);
	struct parse_ctx p = {out, ""};
	each_option(buf, len, on_option, &p);
	if (!out->qmp[0] && p.mon[0])
		each_option(buf, len, on_chardev, &p);
}

int vt_qemu_opt_get(const char *opts, const char *key, const char *implied, char *out, size_t size)
{
	return opt_get(opts, key, implied, out, size);
}

int vt_qemu_opt_bool(const char *opts, const char *key, int absent)
{
	char elem[1024];
	int value = absent;
	for (const char *p = opts; *p;) {
		p = next_elem(p, elem, sizeof(elem));
		char *eq = strchr(elem, '=');
		if (eq) {
			*eq = '\0';
			if (!strcmp(elem, key))
				value = !strcmp(eq + 1, "on") || !strcmp(eq + 1, "yes") || !strcmp(eq + 1, "true") ||
					!strcmp(eq + 1, "y");
		} else if (!strcmp(elem, key)) {
			value = 1; /* the old bare form: "server" */
		} else if (elem[0] == 'n' && elem[1] == 'o' && !strcmp(elem + 2, key)) {
			value = 0; /* "nowait" */
		}
	}
	return value;
}
