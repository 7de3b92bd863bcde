/* QemuOpts strings ("socket,id=qga0,path=/run/qga.sock,server=on") read as
 * QEMU reads them, for other parts of vmtrace that look at QEMU command lines. */
#ifndef VT_AGENT_QEMU_OPTS_H
#define VT_AGENT_QEMU_OPTS_H

#include <stddef.h>

/* Value of KEY (",," undone) into out (cut to size); implied: the key a
 * leading element without '=' stands for ("socket" is backend=socket).
 * Returns 1 when found, 0 when absent. */
int vt_qemu_opt_get(const char *opts, const char *key, const char *implied, char *out, size_t size);

/* A boolean option: "key=on|yes|true|y" or the bare "key" are 1, other
 * values and "nokey" 0; absent when the key is not there. The last one wins. */
int vt_qemu_opt_bool(const char *opts, const char *key, int absent);

#endif
