/* Writing one kernel event: into the machine's stream for that CPU (clock of
 * that machine), counted, and handed to the caller's hook with its true time. */
#ifndef VT_SIM_EMIT_H
#define VT_SIM_EMIT_H

#include "sim/model.h"

void vt_sim_ctx_make(uint8_t ctx[CTX_SIZE], int32_t tid, const char *comm);

void vt_sim_emit_switch(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		 const uint8_t *prev, int64_t prev_state, const uint8_t *next);
void vt_sim_emit_wakeup(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		 const uint8_t *woken, int32_t target_cpu);
void vt_sim_emit_kvm_entry(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t vcpu_id);
void vt_sim_emit_kvm_exit(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t reason,
		   uint64_t rip, uint64_t info1, uint64_t info2, uint32_t intr_info, uint32_t vcpu_id);
void vt_sim_emit_userspace_exit(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t reason);
void vt_sim_emit_irq(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx, int entry,
	      int32_t irq, const char *name);
/* kvm_x86_pio {rw, port, size, count}, kvm_x86_msr {write, ecx, data, exception},
 * kvm_x86_inj_virq {irq}: host events of the vCPU thread. */
void vt_sim_emit_pio(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t rw, uint32_t port,
		     uint32_t size);
void vt_sim_emit_msr(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t write, uint32_t ecx,
		     uint64_t data);
void vt_sim_emit_inj_virq(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint32_t irq);
/* The host's tick on cpu (timer_hrtimer_expire_entry of tick_sched_timer). */
void vt_sim_emit_tick(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx);
void vt_sim_emit_hypercall(struct sim *s, uint32_t cpu, uint64_t t, const uint8_t *ctx, uint64_t nr,
		    uint64_t a0, uint64_t a1);
void vt_sim_emit_vmsync(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		 enum evid id, uint32_t cnt, uint64_t vm_uid);
void vt_sim_emit_net(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
	      enum evid id, const struct msg *msg, const char *ifname, int sender_is_src);
void vt_sim_emit_softirq(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		  enum evid id, uint32_t vec);
void vt_sim_emit_statedump(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
		    int32_t tid, int32_t pid, int32_t ppid, const char *name);

void vt_sim_emit_fork(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx,
	       const uint8_t *parent, int32_t parent_pid, const uint8_t *child, int32_t child_pid);
void vt_sim_emit_exit(struct sim *s, struct machine *m, uint32_t cpu, uint64_t t, const uint8_t *ctx);
/* The guest's vmtraced ping events (guest.ping), on its agent trace. */
void vt_sim_emit_ust_ping(struct sim *s, struct machine *m, uint64_t t, int back, uint64_t session, uint64_t seq);
void vt_sim_emit_ust_guest_created(struct sim *s, uint64_t t, const struct guest *g);
/* The agent's kernel books of every running guest at t (host.agent_books). */
void vt_sim_emit_books(struct sim *s, uint64_t t);
void vt_sim_emit_ust_guest_destroyed(struct sim *s, uint64_t t, const struct guest *g);

/* The IPv4 address of a machine (10.0.3.1 host, 10.0.3.11.. guests). */
void vt_sim_machine_addr(uint32_t machine, uint8_t out[4]);

#endif
