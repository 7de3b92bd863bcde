/* Field layouts of the lttng-modules 2.13.9 kernel events the simulator writes. */
#ifndef VT_SIM_KERNEL_FIELDS_H
#define VT_SIM_KERNEL_FIELDS_H

extern const char vt_sim_fields_sched_switch[];
extern const char vt_sim_fields_sched_wakeup[];
extern const char vt_sim_fields_sched_process_fork[];
extern const char vt_sim_fields_sched_process_exit[];
extern const char vt_sim_fields_kvm_x86_entry[];
extern const char vt_sim_fields_kvm_x86_exit[];
extern const char vt_sim_fields_kvm_x86_hypercall[];
extern const char vt_sim_fields_net[];
extern const char vt_sim_fields_kvm_x86_pio[];
extern const char vt_sim_fields_kvm_x86_msr[];
extern const char vt_sim_fields_kvm_x86_inj_virq[];
extern const char vt_sim_fields_irq_handler_entry[];
extern const char vt_sim_fields_irq_handler_exit[];
extern const char vt_sim_fields_lttng_statedump_process_state[];

#endif
