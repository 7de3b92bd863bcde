/* Names of KVM exit reasons: VMX basic exit reasons (Intel SDM, appendix C)
 * and SVM exit codes (AMD APM vol. 2, appendix C), as Linux names them, and
 * the KVM_EXIT_* codes of exits to userspace. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/exit_reason.h"
#include "vmtrace/event.h"

struct reason_name {
	uint32_t code;
	const char *name;
};

static const struct reason_name vmx[] = {
	{0, "EXCEPTION_NMI"},     {1, "EXTERNAL_INTERRUPT"}, {2, "TRIPLE_FAULT"},      {3, "INIT_SIGNAL"},
	{4, "SIPI_SIGNAL"},       {7, "INTERRUPT_WINDOW"},   {8, "NMI_WINDOW"},        {9, "TASK_SWITCH"},
	{10, "CPUID"},            {12, "HLT"},               {13, "INVD"},             {14, "INVLPG"},
	{15, "RDPMC"},            {16, "RDTSC"},             {18, "VMCALL"},           {19, "VMCLEAR"},
	{20, "VMLAUNCH"},         {21, "VMPTRLD"},           {22, "VMPTRST"},          {23, "VMREAD"},
	{24, "VMRESUME"},         {25, "VMWRITE"},           {26, "VMOFF"},            {27, "VMON"},
	{28, "CR_ACCESS"},        {29, "DR_ACCESS"},         {30, "IO_INSTRUCTION"},   {31, "MSR_READ"},
	{32, "MSR_WRITE"},        {33, "INVALID_STATE"},     {34, "MSR_LOAD_FAIL"},    {36, "MWAIT_INSTRUCTION"},
	{37, "MONITOR_TRAP_FLAG"}, {39, "MONITOR_INSTRUCTION"}, {40, "PAUSE_INSTRUCTION"}, {41, "MCE_DURING_VMENTRY"},
	{43, "TPR_BELOW_THRESHOLD"}, {44, "APIC_ACCESS"},    {45, "EOI_INDUCED"},      {46, "GDTR_IDTR"},
	{47, "LDTR_TR"},          {48, "EPT_VIOLATION"},     {49, "EPT_MISCONFIG"},    {50, "INVEPT"},
	{51, "RDTSCP"},           {52, "PREEMPTION_TIMER"},  {53, "INVVPID"},          {54, "WBINVD"},
	{55, "XSETBV"},           {56, "APIC_WRITE"},        {57, "RDRAND"},           {58, "INVPCID"},
	{59, "VMFUNC"},           {60, "ENCLS"},             {61, "RDSEED"},           {62, "PML_FULL"},
	{63, "XSAVES"},           {64, "XRSTORS"},           {67, "UMWAIT"},           {68, "TPAUSE"},
	{74, "BUS_LOCK"},         {75, "NOTIFY"},
};

static const struct reason_name svm[] = {
	{0x060, "INTR"},     {0x061, "NMI"},        {0x062, "SMI"},         {0x063, "INIT"},
	{0x064, "VINTR"},    {0x065, "CR0_SEL_WRITE"}, {0x066, "IDTR_READ"}, {0x067, "GDTR_READ"},
	{0x068, "LDTR_READ"}, {0x069, "TR_READ"},    {0x06a, "IDTR_WRITE"},  {0x06b, "GDTR_WRITE"},
	{0x06c, "LDTR_WRITE"}, {0x06d, "TR_WRITE"},  {0x06e, "RDTSC"},       {0x06f, "RDPMC"},
	{0x070, "PUSHF"},    {0x071, "POPF"},       {0x072, "CPUID"},       {0x073, "RSM"},
	{0x074, "IRET"},     {0x075, "SWINT"},      {0x076, "INVD"},        {0x077, "PAUSE"},
	{0x078, "HLT"},      {0x079, "INVLPG"},     {0x07a, "INVLPGA"},     {0x07b, "IOIO"},
	{0x07c, "MSR"},      {0x07d, "TASK_SWITCH"}, {0x07e, "FERR_FREEZE"}, {0x07f, "SHUTDOWN"},
	{0x080, "VMRUN"},    {0x081, "VMMCALL"},    {0x082, "VMLOAD"},      {0x083, "VMSAVE"},
	{0x084, "STGI"},     {0x085, "CLGI"},       {0x086, "SKINIT"},      {0x087, "RDTSCP"},
	{0x088, "ICEBP"},    {0x089, "WBINVD"},     {0x08a, "MONITOR"},     {0x08b, "MWAIT"},
	{0x08c, "MWAIT_COND"}, {0x08d, "XSETBV"},   {0x08e, "RDPRU"},       {0x08f, "EFER_WRITE_TRAP"},
	{0x400, "NPF"},      {0x401, "AVIC_INCOMPLETE_IPI"}, {0x402, "AVIC_UNACCELERATED_ACCESS"}, {0x403, "VMGEXIT"},
};

static const char *const svm_cr[] = {"READ_CR", "WRITE_CR", "READ_DR", "WRITE_DR"};

static const char *lookup(const struct reason_name *t, size_t n, uint64_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

const char *vt_exit_reason_name(uint32_t isa, uint64_t reason, char *buf, size_t size)
{
	const char *name = NULL;
	if (isa == VT_ISA_VMX)
		name = lookup(vmx, sizeof(vmx) / sizeof(vmx[0]), reason & 0xffff); /* the basic exit reason */
	else if (isa == VT_ISA_SVM) {
		name = lookup(svm, sizeof(svm) / sizeof(svm[0]), reason);
		if (!name && reason < 0x40) { /* CR and DR accesses: four blocks of 16 */
			snprintf(buf, size, "%s%u", svm_cr[reason / 16], (unsigned)(reason % 16));
			return buf;
		}
		if (!name && reason >= 0x40 && reason < 0x60) {
			static const char *const excp[] = {"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM",
							   "DF", "09", "TS", "NP", "SS", "GP", "PF", "15",
							   "MF", "AC", "MC", "XF"};
			unsigned v = (unsigned)(reason - 0x40);
			if (v < sizeof(excp) / sizeof(excp[0]))
				snprintf(buf, size, "EXCP_%s", excp[v]);
			else
				snprintf(buf, size, "EXCP_%u", v);
			return buf;
		}
	}
	if (name)
		return name;
	snprintf(buf, size, "%llu", (unsigned long long)reason);
	return buf;
}

int vt_exit_is_hypercall(uint32_t isa, uint64_t reason)
{
	int vmx = (reason & 0xffff) == 18, svm = reason == 0x081;
	return isa == VT_ISA_VMX ? vmx : isa == VT_ISA_SVM ? svm : vmx || svm;
}

int vt_exit_is_interrupt(uint32_t isa, uint64_t reason)
{
	int vmx = (reason & 0xffff) == 1, svm = reason == 0x060;
	return isa == VT_ISA_VMX ? vmx : isa == VT_ISA_SVM ? svm : vmx || svm;
}

const char *vt_kvm_exit_name(uint32_t code)
{
	/* include/uapi/linux/kvm.h */
	static const char *const names[] = {
		"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN",
		"FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR", "NMI",
		"INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
		"SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
		"DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
		"LOONGARCH_IOCSR", "MEMORY_FAULT"};
	return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}
