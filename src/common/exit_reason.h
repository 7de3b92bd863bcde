/* The names of KVM's exits kept in one file (exit_reason.c): the hardware's
 * reasons (vt_exit_reason_name, include/vmtrace/event.h) and the KVM_EXIT_*
 * codes an exit to userspace carries. */
#ifndef VT_COMMON_EXIT_REASON_H
#define VT_COMMON_EXIT_REASON_H

#include <stdint.h>

/* The KVM_EXIT_* name of an exit to userspace ("IO", "MMIO"...), NULL for a
 * code this table does not know. */
const char *vt_kvm_exit_name(uint32_t code);

#endif
