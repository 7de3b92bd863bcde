/* Where a QEMU process's guest agent (qemu-ga) listens: the socket of the
 * chardev behind `-device virtserialport,name=org.qemu.guest_agent.0`. */
#ifndef VT_RECORD_QGA_FIND_H
#define VT_RECORD_QGA_FIND_H

#include <stddef.h>
#include <stdint.h>

#include "agent/agent.h"
#include "vmtrace/error.h"

/* The port name qemu-ga opens in the guest. */
#define VT_QGA_PORT_NAME "org.qemu.guest_agent.0"

/* The most of /proc/PID/cmdline and /proc/PID/net/unix read. */
#define VT_QGA_MAX_CMDLINE (256u * 1024u)
#define VT_QGA_MAX_NET_UNIX (16u * 1024u * 1024u)

/* What a command line says of the agent's chardev. */
struct vt_qga_spec {
	char chardev[128]; /* the chardev's id */
	char backend[32];  /* "socket" is the only one we can reach */
	char path[512];    /* path=, "" when absent */
	int fd;            /* fd=N (libvirt passes its own listening socket), -1 when absent */
	int server;        /* server=on: QEMU listens (else it connects out) */
	int tcp;           /* host=/port=: a TCP socket, not reachable */
};

/* Reads a NUL-separated command line (any bytes). Returns 1 with *out filled
 * when a virtserialport named VT_QGA_PORT_NAME and its -chardev are there,
 * 0 when not (out->chardev says the port's chardev id when only the -chardev
 * is missing). Handles -device QemuOpts and JSON forms, -chardev's
 * server/server=on/yes, wait=off/nowait. Allocates nothing that outlives it. */
int vt_qga_parse_cmdline(const char *buf, size_t len, struct vt_qga_spec *out);

/* A found endpoint. */
struct vt_qga_endpoint {
	int64_t pid;        /* the QEMU process */
	char path[512];     /* the socket file to connect to */
	int from_fd;        /* the path was found through /proc/PID/fd (libvirt's fd passing) */
	int busy;           /* another client is connected to it: QEMU serves one at a time */
	int libvirt;        /* a libvirt channel (its path, or its fd passing) */
};

/* Finds pid's guest agent socket from PROC/PID/cmdline (and PROC/PID/fd,
 * PROC/PID/net/unix for fd=N). Returns 0 with *out filled, -1 with err
 * saying why not (no channel, a client or TCP chardev, an abstract socket...).
 * busy is noted, not refused: vt_qga_endpoint_usable says. */
int vt_qga_find(const struct vt_agent_paths *paths, int64_t pid, struct vt_qga_endpoint *out,
		struct vt_error *err);

/* Is ep libvirt's channel (fd passing, or libvirt's path held by a client)?
 * Then libvirtd holds its one connection: the agent is reached through
 * libvirt (vt_qga_connect_libvirt), never connected to. */
int vt_qga_endpoint_is_libvirt(const struct vt_qga_endpoint *ep);

/* 0 when ep can be connected to, else -1 with err: a libvirt channel (fd
 * passing or libvirt's path; libvirtd holds its one connection: "libvirt
 * owns the guest agent channel": vt_qga_endpoint_is_libvirt), another
 * client connected. */
int vt_qga_endpoint_usable(const struct vt_qga_endpoint *ep, struct vt_error *err);

/* One line of /proc/net/unix (any bytes): its inode, state and path. Returns
 * 1 when it is a well-formed entry ("@..." for an abstract name), else 0. */
int vt_qga_net_unix_line(const char *line, size_t len, uint64_t *inode, unsigned *state, char *path,
			 size_t size);

#endif
