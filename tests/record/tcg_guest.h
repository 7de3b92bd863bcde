/* A real guest for the record tests on a machine without KVM: the nested
 * testbed's L2 kernel and image (tools/testbed/make-initramfs l2: busybox,
 * qemu-ga, lttng) booted under TCG with vt.mode=agent-only, its guest agent
 * on a virtio-serial port whose socket the test chooses. Needs the testbed's
 * cache (make testbed fetches it): skips with VT_SKIP_NO_TESTBED without. */
#ifndef VT_TEST_TCG_GUEST_H
#define VT_TEST_TCG_GUEST_H

#include <sys/types.h>

struct tcg_guest {
	pid_t pid;          /* the QEMU process, -1 when not running */
	char console[700];  /* its serial console's log */
	char sock[700];     /* its guest agent's socket ("" without one) */
	char log[700];      /* QEMU's stderr */
};

/* Skips unless root, the testbed cache, qemu-system-x86_64 and qemu-ga are
 * there; then builds the L2 image into DIR/l2.img (once per process). */
void tcg_prepare(const char *dir);

/* The testbed's L2 kernel and the image tcg_prepare built (for a guest
 * that another program starts: libvirt). */
const char *tcg_kernel(void);
const char *tcg_image(void);

/* Boots NAME (-name NAME, -uuid UUID when not NULL, 2 vCPUs) and waits for
 * VT-READY (bounded: 5 min under TCG); agent: with the guest agent's
 * virtio-serial port. paused: `-S`, no boot at all (its agent never answers). */
void tcg_boot(struct tcg_guest *g, const char *dir, const char *name, const char *uuid, int agent, int paused);
void tcg_kill(struct tcg_guest *g);

/* KVM's debugfs folder of a QEMU (DEBUGFS/kvm/PID-1 with vcpuN/tsc-offset):
 * what a KVM host would have, so that a TCG guest counts as KVM for the
 * agent (--debugfs, tests only). */
void tcg_fake_debugfs(const char *debugfs, pid_t qemu, int vcpus);

#endif
