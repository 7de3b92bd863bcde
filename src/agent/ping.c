/* The guest's clock ping (issue 18, docs/sync.md): PING_OUT, a KVM hypercall
 * made from user space, PING_BACK. KVM traces every hypercall (kvm_hypercall:
 * nr, a0..a3) before it looks at who made it, then refuses one from user
 * space with -KVM_EPERM in rax and nothing else: so a ping needs no kernel
 * module and no root, and the host's trace carries its number and sequence.
 * The host's exit before it and entry after it bound the guest's clock from
 * both sides. */
#include "agent/agent.h"
#include "vmtrace/event.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>

static void cpuid_string(unsigned leaf, char out[13], unsigned *max)
{
	unsigned a, b, c, d;
	__cpuid(leaf, a, b, c, d);
	if (leaf == 0) { /* the vendor: ebx, edx, ecx */
		memcpy(out, &b, 4);
		memcpy(out + 4, &d, 4);
		memcpy(out + 8, &c, 4);
	} else { /* a hypervisor's signature: ebx, ecx, edx */
		memcpy(out, &b, 4);
		memcpy(out + 4, &c, 4);
		memcpy(out + 8, &d, 4);
	}
	out[12] = '\0';
	for (int i = 0; i < 12; i++) /* printed in messages: nothing but letters */
		if (out[i] && (out[i] < 0x20 || out[i] > 0x7e))
			out[i] = '?';
	if (max)
		*max = a;
}

/* KVM intercepts the vendor's own instruction; the other one would be
 * emulated and patched in place, which it cannot do on our read-only text. */
static long kvm_call(void *ctx, uint64_t nr, uint64_t a0, uint64_t a1)
{
	const struct vt_pinger *p = ctx;
	long ret;
	if (p->amd)
		__asm__ volatile(".byte 0x0f,0x01,0xd9" /* vmmcall */ : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1) : "memory");
	else
		__asm__ volatile(".byte 0x0f,0x01,0xc1" /* vmcall */ : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1) : "memory");
	return ret;
}

static int kvm_guest(struct vt_pinger *p, struct vt_error *err)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return vt_error_set(err, "this machine is not a virtual machine (CPUID shows no hypervisor)");
	char sig[13], vendor[13];
	cpuid_string(0x40000000, sig, NULL);
	if (strcmp(sig, "KVMKVMKVM"))
		return vt_error_set(err, "this machine's hypervisor says '%s', not KVM's 'KVMKVMKVM' at CPUID "
					 "0x40000000 (with Hyper-V enlightenments its hypercalls go to their "
					 "emulation, which does not trace them)",
				    sig);
	cpuid_string(0, vendor, NULL);
	p->amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
	p->call = kvm_call;
	p->call_ctx = p;
	return 0;
}
#else
static int kvm_guest(struct vt_pinger *p, struct vt_error *err)
{
	(void)p;
	return vt_error_set(err, "the ping is made for x86-64 KVM guests only");
}
#endif

static uint64_t random_session(void)
{
	uint64_t x = 0;
	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x)) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		x = (uint64_t)t.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)t.tv_sec << 20 ^ (uint64_t)getpid();
	}
	return x ? x : 1;
}

int vt_pinger_open(struct vt_pinger *p, struct vt_error *err)
{
	memset(p, 0, sizeof(*p));
	if (kvm_guest(p, err) < 0)
		return -1;
	p->session = random_session();
	return 0;
}

void vt_pinger_fake(struct vt_pinger *p, long (*call)(void *ctx, uint64_t nr, uint64_t a0, uint64_t a1), void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->session = random_session();
	p->call = call;
	p->call_ctx = ctx;
}

void vt_agent_ping(struct vt_pinger *p, const struct vt_agent_sink *sinks, size_t n)
{
	struct vt_ping ping = {p->session, p->seq++};
	for (size_t i = 0; i < n; i++)
		if (sinks[i].ping)
			sinks[i].ping(sinks[i].ctx, 0, &ping);
	p->last_ret = p->call(p->call_ctx, VT_PING_HYPERCALL, ping.seq, ping.session);
	for (size_t i = 0; i < n; i++)
		if (sinks[i].ping)
			sinks[i].ping(sinks[i].ctx, 1, &ping);
}
