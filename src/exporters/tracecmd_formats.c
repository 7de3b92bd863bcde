/* The format texts, copied from /sys/kernel/tracing/events on Linux 6.18
 * (x86-64) so that readers see exactly what a recording of that kernel holds.
 * vmsync_* are not in any kernel: they carry the lttng-modules vmsync addon's
 * fields (cnt, vm_uid). Long print formats are split into adjacent literals. */
#include "exporters/tracecmd_formats.h"

static const char fmt_kvm_entry[] =
	"name: kvm_entry\n"
	"ID: 115\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int vcpu_id;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long rip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:bool immediate_exit;\toffset:24;\tsize:1;\tsigned:0;\n"
	"\tfield:u32 intr_info;\toffset:28;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 error_code;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"vcpu %u, rip 0x%lx intr_info 0x%08x error_code 0x%08x%s\", REC->vcpu_id, REC->rip, "
	"REC->intr_info, REC->error_code, REC->immediate_exit ? \"[immediate exit]\" : \"\"\n";

static const char fmt_kvm_exit[] =
	"name: kvm_exit\n"
	"ID: 103\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long guest_rip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 isa;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 info1;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 info2;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\tfield:u32 intr_info;\toffset:48;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 error_code;\toffset:52;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int vcpu_id;\toffset:56;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 requests;\toffset:64;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"vcpu %u reason %s%s%s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info 0x%08x error_"
	"code 0x%08x requests 0x%016llx\", REC->vcpu_id, "
	"(REC->isa == 1) ? __print_symbolic(REC->exit_reason & 0xffff, { 0, \"EXCEPTION_NMI\" }, { 1, "
	"\"EXTERNAL_INTERRUPT\" }, { 2, \"TRIPLE_FAULT\" }, { 3, \"INIT_SIGNAL\" }, { 4, \"SIPI_SIGNAL\" }, "
	"{ 7, \"INTERRUPT_WINDOW\" }, { 8, \"NMI_WINDOW\" }, { 9, \"TASK_SWITCH\" }, { 10, \"CPUID\" }, "
	"{ 12, \"HLT\" }, { 13, \"INVD\" }, { 14, \"INVLPG\" }, { 15, \"RDPMC\" }, { 16, \"RDTSC\" }, { 18, "
	"\"VMCALL\" }, { 19, \"VMCLEAR\" }, { 20, \"VMLAUNCH\" }, { 21, \"VMPTRLD\" }, { 22, \"VMPTRST\" }, "
	"{ 23, \"VMREAD\" }, { 24, \"VMRESUME\" }, { 25, \"VMWRITE\" }, { 26, \"VMOFF\" }, { 27, \"VMON\" }, "
	"{ 28, \"CR_ACCESS\" }, { 29, \"DR_ACCESS\" }, { 30, \"IO_INSTRUCTION\" }, { 31, \"MSR_READ\" }, "
	"{ 32, \"MSR_WRITE\" }, { 33, \"INVALID_STATE\" }, { 34, \"MSR_LOAD_FAIL\" }, { 36, "
	"\"MWAIT_INSTRUCTION\" }, { 37, \"MONITOR_TRAP_FLAG\" }, { 39, \"MONITOR_INSTRUCTION\" }, { 40, "
	"\"PAUSE_INSTRUCTION\" }, { 41, \"MCE_DURING_VMENTRY\" }, { 43, \"TPR_BELOW_THRESHOLD\" }, { 44, "
	"\"APIC_ACCESS\" }, { 45, \"EOI_INDUCED\" }, { 46, \"GDTR_IDTR\" }, { 47, \"LDTR_TR\" }, { 48, "
	"\"EPT_VIOLATION\" }, { 49, \"EPT_MISCONFIG\" }, { 50, \"INVEPT\" }, { 51, \"RDTSCP\" }, { 52, "
	"\"PREEMPTION_TIMER\" }, { 53, \"INVVPID\" }, { 54, \"WBINVD\" }, { 55, \"XSETBV\" }, { 56, "
	"\"APIC_WRITE\" }, { 57, \"RDRAND\" }, { 58, \"INVPCID\" }, { 59, \"VMFUNC\" }, { 60, \"ENCLS\" }, "
	"{ 61, \"RDSEED\" }, { 62, \"PML_FULL\" }, { 63, \"XSAVES\" }, { 64, \"XRSTORS\" }, { 67, "
	"\"UMWAIT\" }, { 68, \"TPAUSE\" }, { 74, \"BUS_LOCK\" }, { 75, \"NOTIFY\" }, { 77, \"TDCALL\" }, "
	"{ 84, \"MSR_READ_IMM\" }, { 85, \"MSR_WRITE_IMM\" }) : __print_symbolic(REC->exit_reason, { 0x000, "
	"\"read_cr0\" }, { 0x002, \"read_cr2\" }, { 0x003, \"read_cr3\" }, { 0x004, \"read_cr4\" }, { 0x008, "
	"\"read_cr8\" }, { 0x010, \"write_cr0\" }, { 0x012, \"write_cr2\" }, { 0x013, \"write_cr3\" }, "
	"{ 0x014, \"write_cr4\" }, { 0x018, \"write_cr8\" }, { 0x020, \"read_dr0\" }, { 0x021, "
	"\"read_dr1\" }, { 0x022, \"read_dr2\" }, { 0x023, \"read_dr3\" }, { 0x024, \"read_dr4\" }, { 0x025, "
	"\"read_dr5\" }, { 0x026, \"read_dr6\" }, { 0x027, \"read_dr7\" }, { 0x030, \"write_dr0\" }, "
	"{ 0x031, \"write_dr1\" }, { 0x032, \"write_dr2\" }, { 0x033, \"write_dr3\" }, { 0x034, "
	"\"write_dr4\" }, { 0x035, \"write_dr5\" }, { 0x036, \"write_dr6\" }, { 0x037, \"write_dr7\" }, "
	"{ 0x040 + 0, \"DE excp\" }, { 0x040 + 1, \"DB excp\" }, { 0x040 + 3, \"BP excp\" }, { 0x040 + 4, "
	"\"OF excp\" }, { 0x040 + 5, \"BR excp\" }, { 0x040 + 6, \"UD excp\" }, { 0x040 + 7, \"NM excp\" }, "
	"{ 0x040 + 8, \"DF excp\" }, { 0x040 + 10, \"TS excp\" }, { 0x040 + 11, \"NP excp\" }, { 0x040 + 12, "
	"\"SS excp\" }, { 0x040 + 13, \"GP excp\" }, { 0x040 + 14, \"PF excp\" }, { 0x040 + 16, "
	"\"MF excp\" }, { 0x040 + 17, \"AC excp\" }, { 0x040 + 18, \"MC excp\" }, { 0x040 + 19, "
	"\"XF excp\" }, { 0x060, \"interrupt\" }, { 0x061, \"nmi\" }, { 0x062, \"smi\" }, { 0x063, "
	"\"init\" }, { 0x064, \"vintr\" }, { 0x065, \"cr0_sel_write\" }, { 0x066, \"read_idtr\" }, { 0x067, "
	"\"read_gdtr\" }, { 0x068, \"read_ldtr\" }, { 0x069, \"read_rt\" }, { 0x06a, \"write_idtr\" }, "
	"{ 0x06b, \"write_gdtr\" }, { 0x06c, \"write_ldtr\" }, { 0x06d, \"write_rt\" }, { 0x06e, "
	"\"rdtsc\" }, { 0x06f, \"rdpmc\" }, { 0x070, \"pushf\" }, { 0x071, \"popf\" }, { 0x072, \"cpuid\" }, "
	"{ 0x073, \"rsm\" }, { 0x074, \"iret\" }, { 0x075, \"swint\" }, { 0x076, \"invd\" }, { 0x077, "
	"\"pause\" }, { 0x078, \"hlt\" }, { 0x079, \"invlpg\" }, { 0x07a, \"invlpga\" }, { 0x07b, \"io\" }, "
	"{ 0x07c, \"msr\" }, { 0x07d, \"task_switch\" }, { 0x07e, \"ferr_freeze\" }, { 0x07f, "
	"\"shutdown\" }, { 0x080, \"vmrun\" }, { 0x081, \"hypercall\" }, { 0x082, \"vmload\" }, { 0x083, "
	"\"vmsave\" }, { 0x084, \"stgi\" }, { 0x085, \"clgi\" }, { 0x086, \"skinit\" }, { 0x087, "
	"\"rdtscp\" }, { 0x088, \"icebp\" }, { 0x089, \"wbinvd\" }, { 0x08a, \"monitor\" }, { 0x08b, "
	"\"mwait\" }, { 0x08d, \"xsetbv\" }, { 0x08f, \"write_efer_trap\" }, { 0x090, \"write_cr0_trap\" }, "
	"{ 0x094, \"write_cr4_trap\" }, { 0x098, \"write_cr8_trap\" }, { 0x0a2, \"invpcid\" }, { 0x0a5, "
	"\"buslock\" }, { 0x0a6, \"idle-halt\" }, { 0x400, \"npf\" }, { 0x401, \"avic_incomplete_ipi\" }, "
	"{ 0x402, \"avic_unaccelerated_access\" }, { 0x403, \"vmgexit\" }, { 0x80000001, "
	"\"vmgexit_mmio_read\" }, { 0x80000002, \"vmgexit_mmio_write\" }, { 0x80000003, "
	"\"vmgexit_nmi_complete\" }, { 0x80000004, \"vmgexit_ap_hlt_loop\" }, { 0x80000005, "
	"\"vmgexit_ap_jump_table\" }, { 0x80000010, \"vmgexit_page_state_change\" }, { 0x80000011, "
	"\"vmgexit_guest_request\" }, { 0x80000012, \"vmgexit_ext_guest_request\" }, { 0x80000013, "
	"\"vmgexit_ap_creation\" }, { 0x8000fffd, \"vmgexit_hypervisor_feature\" }, { -1, "
	"\"invalid_guest_state\" }), (REC->isa == 1 && REC->exit_reason & ~0xffff) ? \" \" : \"\", "
	"(REC->isa == 1) ? __print_flags(REC->exit_reason & ~0xffff, \" \", { 0x80000000, "
	"\"FAILED_VMENTRY\" }) : \"\", REC->guest_rip, REC->info1, REC->info2, REC->intr_info, "
	"REC->error_code, REC->requests\n";

static const char fmt_kvm_userspace_exit[] =
	"name: kvm_userspace_exit\n"
	"ID: 42\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"reason %s (%d)\", "
	"REC->errno < 0 ? (REC->errno == -4 ? \"restart\" : \"error\") : __print_symbolic(REC->reason, { 0, "
	"\"KVM_EXIT_\" \"UNKNOWN\" }, { 1, \"KVM_EXIT_\" \"EXCEPTION\" }, { 2, \"KVM_EXIT_\" \"IO\" }, { 3, "
	"\"KVM_EXIT_\" \"HYPERCALL\" }, { 4, \"KVM_EXIT_\" \"DEBUG\" }, { 5, \"KVM_EXIT_\" \"HLT\" }, { 6, "
	"\"KVM_EXIT_\" \"MMIO\" }, { 7, \"KVM_EXIT_\" \"IRQ_WINDOW_OPEN\" }, { 8, "
	"\"KVM_EXIT_\" \"SHUTDOWN\" }, { 9, \"KVM_EXIT_\" \"FAIL_ENTRY\" }, { 10, \"KVM_EXIT_\" \"INTR\" }, "
	"{ 11, \"KVM_EXIT_\" \"SET_TPR\" }, { 12, \"KVM_EXIT_\" \"TPR_ACCESS\" }, { 13, "
	"\"KVM_EXIT_\" \"S390_SIEIC\" }, { 14, \"KVM_EXIT_\" \"S390_RESET\" }, { 15, "
	"\"KVM_EXIT_\" \"DCR\" }, { 16, \"KVM_EXIT_\" \"NMI\" }, { 17, \"KVM_EXIT_\" \"INTERNAL_ERROR\" }, "
	"{ 18, \"KVM_EXIT_\" \"OSI\" }, { 19, \"KVM_EXIT_\" \"PAPR_HCALL\" }, { 20, "
	"\"KVM_EXIT_\" \"S390_UCONTROL\" }, { 21, \"KVM_EXIT_\" \"WATCHDOG\" }, { 22, "
	"\"KVM_EXIT_\" \"S390_TSCH\" }, { 23, \"KVM_EXIT_\" \"EPR\" }, { 24, "
	"\"KVM_EXIT_\" \"SYSTEM_EVENT\" }, { 25, \"KVM_EXIT_\" \"S390_STSI\" }, { 26, "
	"\"KVM_EXIT_\" \"IOAPIC_EOI\" }, { 27, \"KVM_EXIT_\" \"HYPERV\" }, { 28, "
	"\"KVM_EXIT_\" \"ARM_NISV\" }, { 29, \"KVM_EXIT_\" \"X86_RDMSR\" }, { 30, "
	"\"KVM_EXIT_\" \"X86_WRMSR\" }), REC->errno < 0 ? -REC->errno : REC->reason\n";

static const char fmt_kvm_hypercall[] =
	"name: kvm_hypercall\n"
	"ID: 114\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long nr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a0;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a1;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a2;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long a3;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"nr 0x%lx a0 0x%lx a1 0x%lx a2 0x%lx a3 0x%lx\", REC->nr, REC->a0, REC->a1, REC->a2, "
	"REC->a3\n";

static const char fmt_kvm_pio[] =
	"name: kvm_pio\n"
	"ID: 110\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int rw;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int port;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int size;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int count;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int val;\toffset:24;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"pio_%s at 0x%x size %d count %d val 0x%x %s\", REC->rw ? \"write\" : \"read\", "
	"REC->port, REC->size, REC->count, REC->val, REC->count > 1 ? \"(...)\" : \"\"\n";

static const char fmt_kvm_msr[] =
	"name: kvm_msr\n"
	"ID: 99\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned write;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u32 ecx;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 data;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u8 exception;\toffset:24;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"msr_%s %x = 0x%llx%s\", REC->write ? \"write\" : \"read\", REC->ecx, REC->data, "
	"REC->exception ? \" (#GP)\" : \"\"\n";

static const char fmt_kvm_inj_virq[] =
	"name: kvm_inj_virq\n"
	"ID: 102\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int vector;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:bool soft;\toffset:12;\tsize:1;\tsigned:0;\n"
	"\tfield:bool reinjected;\toffset:13;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"%s 0x%x%s\", REC->soft ? \"Soft/INTn\" : \"IRQ\", REC->vector, "
	"REC->reinjected ? \" [reinjected]\" : \"\"\n";

static const char fmt_sched_switch[] =
	"name: sched_switch\n"
	"ID: 372\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next"
	"_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, "
	"(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 |"
	" 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x0000"
	"0001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1),"
	" \"|\", { 0x00000001, \"S\" }, { 0x00000002, \"D\" }, { 0x00000004, \"T\" }, { 0x00000008, \"t\" }, "
	"{ 0x00000010, \"X\" }, { 0x00000020, \"Z\" }, { 0x00000040, \"P\" }, { 0x00000080, "
	"\"I\" }) : \"R\", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x0000000"
	"8 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? \"+\" : \"\", REC->next_comm, REC->next_pid, "
	"REC->next_prio\n";

static const char fmt_sched_wakeup[] =
	"name: sched_wakeup\n"
	"ID: 374\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, "
	"REC->target_cpu\n";

static const char fmt_sched_wakeup_new[] =
	"name: sched_wakeup_new\n"
	"ID: 373\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, "
	"REC->target_cpu\n";

static const char fmt_sched_process_fork[] =
	"name: sched_process_fork\n"
	"ID: 366\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:__data_loc char[] child_comm;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"comm=%s pid=%d child_comm=%s child_pid=%d\", __get_str(parent_comm), REC->parent_pid, "
	"__get_str(child_comm), REC->child_pid\n";

static const char fmt_sched_process_exec[] =
	"name: sched_process_exec\n"
	"ID: 365\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"filename=%s pid=%d old_pid=%d\", __get_str(filename), REC->pid, REC->old_pid\n";

static const char fmt_sched_process_exit[] =
	"name: sched_process_exit\n"
	"ID: 369\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"comm=%s pid=%d prio=%d group_dead=%s\", REC->comm, REC->pid, REC->prio, "
	"REC->group_dead ? \"true\" : \"false\"\n";

static const char fmt_irq_handler_entry[] =
	"name: irq_handler_entry\n"
	"ID: 225\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int irq;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:__data_loc char[] name;\toffset:12;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"irq=%d name=%s\", REC->irq, __get_str(name)\n";

static const char fmt_irq_handler_exit[] =
	"name: irq_handler_exit\n"
	"ID: 224\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int irq;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int ret;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"irq=%d ret=%s\", REC->irq, REC->ret ? \"handled\" : \"unhandled\"\n";

static const char fmt_softirq_entry[] =
	"name: softirq_entry\n"
	"ID: 223\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int vec;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, { 1, "
	"\"TIMER\" }, { 2, \"NET_TX\" }, { 3, \"NET_RX\" }, { 4, \"BLOCK\" }, { 5, \"IRQ_POLL\" }, { 6, "
	"\"TASKLET\" }, { 7, \"SCHED\" }, { 8, \"HRTIMER\" }, { 9, \"RCU\" })\n";

static const char fmt_softirq_exit[] =
	"name: softirq_exit\n"
	"ID: 222\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned int vec;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, { 1, "
	"\"TIMER\" }, { 2, \"NET_TX\" }, { 3, \"NET_RX\" }, { 4, \"BLOCK\" }, { 5, \"IRQ_POLL\" }, { 6, "
	"\"TASKLET\" }, { 7, \"SCHED\" }, { 8, \"HRTIMER\" }, { 9, \"RCU\" })\n";

static const char fmt_hrtimer_expire_entry[] =
	"name: hrtimer_expire_entry\n"
	"ID: 357\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:void * hrtimer;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:s64 now;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\tfield:void * function;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"hrtimer=%p function=%ps now=%llu\", REC->hrtimer, REC->function, (unsigned long long) REC->now\n";

static const char fmt_net_dev_queue[] =
	"name: net_dev_queue\n"
	"ID: 2304\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int len;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"dev=%s skbaddr=%p len=%u\", __get_str(name), REC->skbaddr, REC->len\n";

static const char fmt_netif_receive_skb[] =
	"name: netif_receive_skb\n"
	"ID: 2303\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int len;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"dev=%s skbaddr=%p len=%u\", __get_str(name), REC->skbaddr, REC->len\n";

static const char fmt_print[] =
	"name: print\n"
	"ID: 5\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:0;\n"
	"\n"
	"print fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n";

static const char fmt_vmsync_gh_guest[] =
	"name: vmsync_gh_guest\n"
	"ID: 3001\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u32 cnt;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 vm_uid;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"cnt=%u vm_uid=%llu\", REC->cnt, REC->vm_uid\n";

static const char fmt_vmsync_hg_guest[] =
	"name: vmsync_hg_guest\n"
	"ID: 3002\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u32 cnt;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 vm_uid;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"cnt=%u vm_uid=%llu\", REC->cnt, REC->vm_uid\n";

static const char fmt_vmsync_gh_host[] =
	"name: vmsync_gh_host\n"
	"ID: 3003\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u32 cnt;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 vm_uid;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"cnt=%u vm_uid=%llu\", REC->cnt, REC->vm_uid\n";

static const char fmt_vmsync_hg_host[] =
	"name: vmsync_hg_host\n"
	"ID: 3004\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:u32 cnt;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:u64 vm_uid;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"cnt=%u vm_uid=%llu\", REC->cnt, REC->vm_uid\n";

const char vt_tc_header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

const char vt_tc_header_event[] =
	"# compressed entry header\n"
	"\ttype_len    :    5 bits\n"
	"\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n"
	"\n"
	"\tpadding     : type == 29\n"
	"\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n"
	"\tdata max type_len  == 28\n";

const struct vt_tc_format vt_tc_formats[] = {
	{"kvm", "kvm_entry", 115, fmt_kvm_entry},
	{"kvm", "kvm_exit", 103, fmt_kvm_exit},
	{"kvm", "kvm_userspace_exit", 42, fmt_kvm_userspace_exit},
	{"kvm", "kvm_hypercall", 114, fmt_kvm_hypercall},
	{"kvm", "kvm_pio", 110, fmt_kvm_pio},
	{"kvm", "kvm_msr", 99, fmt_kvm_msr},
	{"kvm", "kvm_inj_virq", 102, fmt_kvm_inj_virq},
	{"sched", "sched_switch", 372, fmt_sched_switch},
	{"sched", "sched_wakeup", 374, fmt_sched_wakeup},
	{"sched", "sched_wakeup_new", 373, fmt_sched_wakeup_new},
	{"sched", "sched_process_fork", 366, fmt_sched_process_fork},
	{"sched", "sched_process_exec", 365, fmt_sched_process_exec},
	{"sched", "sched_process_exit", 369, fmt_sched_process_exit},
	{"irq", "irq_handler_entry", 225, fmt_irq_handler_entry},
	{"irq", "irq_handler_exit", 224, fmt_irq_handler_exit},
	{"irq", "softirq_entry", 223, fmt_softirq_entry},
	{"irq", "softirq_exit", 222, fmt_softirq_exit},
	{"timer", "hrtimer_expire_entry", 357, fmt_hrtimer_expire_entry},
	{"net", "net_dev_queue", 2304, fmt_net_dev_queue},
	{"net", "netif_receive_skb", 2303, fmt_netif_receive_skb},
	{"ftrace", "print", 5, fmt_print},
	{"vmsync", "vmsync_gh_guest", 3001, fmt_vmsync_gh_guest},
	{"vmsync", "vmsync_hg_guest", 3002, fmt_vmsync_hg_guest},
	{"vmsync", "vmsync_gh_host", 3003, fmt_vmsync_gh_host},
	{"vmsync", "vmsync_hg_host", 3004, fmt_vmsync_hg_host},
};

const size_t vt_tc_nformats = sizeof(vt_tc_formats) / sizeof(vt_tc_formats[0]);

const char *const vt_tc_clocks[] = {"local", "global", "counter", "uptime", "perf", "mono",
				    "mono_raw", "boot", "tai", "x86-tsc", NULL};
