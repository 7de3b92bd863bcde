/* Shared by the model's files: a file for each part (vCPU states, guest
 * threads, pCPU view, exits), model.c that builds and feeds them, and the one
 * interval helper through which every part hands its intervals to the sink. */
#ifndef VT_MODEL_INTERNAL_H
#define VT_MODEL_INTERNAL_H

#include "vmtrace/model.h"

/* interval.c. Each vCPU, guest thread and pCPU keeps one open interval, its
 * `pending`: a stretch that goes on from its end in the same state lengthens
 * it, any other closes it (to the sink, when it holds time). */
enum vt_part { VT_PART_VCPU, VT_PART_THREAD, VT_PART_CPU };
/* Whether a stretch from `from`, in the same state (same), goes on from the
 * interval [start, end). */
int vt_interval_continues(uint64_t start, uint64_t end, uint64_t from, int same);
/* The stretch [from, to) of part `index`: returns 1 when it lengthened the
 * open interval; else the open one went to the sink and returns 0, and the
 * caller makes the stretch the open interval. */
int vt_interval_join(struct vt_model *model, enum vt_part part, size_t index, uint64_t from, uint64_t to, int same);
/* Passes part `index`'s open interval to the sink when it holds time. */
void vt_interval_close(struct vt_model *model, enum vt_part part, size_t index);

/* vcpu_states.c: the vCPU state machine, fed with the host's events. */
/* A new vCPU in model->vcpus (the next one added may move it), NULL with
 * model->oom set when out of memory. */
struct vt_vcpu_model *vt_vcpu_add(struct vt_model *model, int guest, uint32_t vcpu, int32_t tid, int64_t qemu_pid);
struct vt_vcpu_model *vt_vcpu_of(struct vt_model *model, int32_t tid);
void vt_vcpu_feed(struct vt_model *model, uint64_t ts, const struct vt_event *ev);
void vt_vcpu_finish(struct vt_model *model, struct vt_vcpu_model *v);
void vt_vcpu_restart(struct vt_model *model, struct vt_vcpu_model *v, uint64_t ts);

/* guest_threads.c: each guest's threads, from its own trace. */
void vt_threads_feed(struct vt_model *model, int guest, uint64_t ts, const struct vt_event *ev);
/* A thread's time since its last change: on its own events, and whenever the
 * vCPU it is current on changes state. */
void vt_thread_account(struct vt_model *model, struct vt_thread_model *t, uint64_t ts);
void vt_thread_finish(struct vt_model *model, struct vt_thread_model *t);
void vt_thread_restart(struct vt_model *model, struct vt_thread_model *t, uint64_t ts);

/* pcpu_view.c: who held each pCPU. */
int vt_pcpu_grow(struct vt_model *model, int32_t cpu);
/* A pCPU's time since its last change, to its holder: on a switch, and
 * whenever the vCPU holding it changes state (guest mode or not). */
void vt_pcpu_account(struct vt_model *model, int32_t cpu, uint64_t ts);
void vt_pcpu_set_holder(struct vt_model *model, int32_t cpu, int32_t tid, const char *comm);
void vt_pcpu_restart(struct vt_model *model, size_t cpu, uint64_t ts);

/* exits.c: each vCPU's exits by reason. */
void vt_exits_count(struct vt_model *model, struct vt_vcpu_model *v, uint64_t reason, uint64_t ns);
void vt_exits_charge(struct vt_model *model, struct vt_vcpu_model *v, uint64_t reason, uint64_t ns);
void vt_exits_userspace(struct vt_vcpu_model *v, uint32_t code);
void vt_exits_forget(struct vt_vcpu_model *v);

#endif
