/* What a QEMU command line says about its guest: uuid, name, vCPU count, QMP socket. */
#include "vmtrace/agent.h"
#include "agent/qemu_opts.h"
#include "agent/util.h"

#include <stdlib.h>
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

static uint32_t opt_u32(const char *opts, const char *key, const char *implied)
{
	char v[32];
	if (!opt_get(opts, key, implied, v, sizeof(v)))
		return 0;
	return (uint32_t)strtoul(v, NULL, 10);
}

static uint32_t parse_smp(const char *opts)
{
	uint32_t cpus = opt_u32(opts, "cpus", "cpus");
	if (cpus)
		return cpus;
	/* -smp sockets=2,cores=2: the topology's product. */
	uint32_t total = 1;
	int any = 0;
	const char *keys[] = {"sockets", "dies", "clusters", "cores", "threads"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint32_t v = opt_u32(opts, keys[i], NULL);
		if (v) {
			total *= v;
			any = 1;
		}
	}
	return any ? total : 1;
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

void vt_qemu_parse_cmdline(const char *buf, size_t len, struct vt_qemu_cmdline *out)
{
	memset(out, 0, sizeof(*out));
	out->smp = 1;
	/* Split into argv (the buffer need not end with a NUL). */
	size_t argc = 0, cap = 64;
	const char **argv = malloc(cap * sizeof(*argv));
	char *copy = malloc(len + 1);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (size_t i = 0; i < len;) {
		if (argc == cap) {
			cap *= 2;
			argv = realloc(argv, cap * sizeof(*argv));
		}
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	if (argc > 0)
		out->is_qemu = is_qemu_argv0(argv[0]);

	char mon_chardev[256] = "";
	for (size_t i = 1; i + 1 < argc; i++) {
		const char *o = opt_name(argv[i]);
		if (!o)
			continue;
		const char *v = argv[i + 1];
		if (!strcmp(o, "uuid")) {
			vt_strlcpy(out->uuid, v, sizeof(out->uuid));
		} else if (!strcmp(o, "name")) {
			opt_get(v, "guest", "guest", out->name, sizeof(out->name));
		} else if (!strcmp(o, "smbios")) {
			char type[8];
			if (opt_get(v, "type", NULL, type, sizeof(type)) && !strcmp(type, "1") && !out->uuid[0])
				opt_get(v, "uuid", NULL, out->uuid, sizeof(out->uuid));
		} else if (!strcmp(o, "smp")) {
			out->smp = parse_smp(v);
		} else if (!strcmp(o, "qmp") && !strncmp(v, "unix:", 5)) {
			opt_get(v + 5, "path", "path", out->qmp, sizeof(out->qmp));
		} else if (!strcmp(o, "mon")) {
			char mode[32];
			if (opt_get(v, "mode", NULL, mode, sizeof(mode)) && !strcmp(mode, "control"))
				opt_get(v, "chardev", "chardev", mon_chardev, sizeof(mon_chardev));
		}
	}
	/* libvirt style: -chardev socket,id=charmonitor,path=... -mon chardev=charmonitor,mode=control */
	if (!out->qmp[0] && mon_chardev[0]) {
		for (size_t i = 1; i + 1 < argc; i++) {
			const char *o = opt_name(argv[i]);
			char id[256], backend[32];
			if (!o || strcmp(o, "chardev"))
				continue;
			if (opt_get(argv[i + 1], "backend", "backend", backend, sizeof(backend)) &&
			    !strcmp(backend, "socket") &&
			    opt_get(argv[i + 1], "id", NULL, id, sizeof(id)) && !strcmp(id, mon_chardev))
				opt_get(argv[i + 1], "path", NULL, out->qmp, sizeof(out->qmp));
		}
	}
	free(argv);
	free(copy);
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
		} else if (!strncmp(elem, "no", 2) && !strcmp(elem + 2, key)) {
			value = 0; /* "nowait" */
		}
	}
	return value;
}
