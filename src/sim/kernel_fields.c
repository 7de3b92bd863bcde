/* Field layouts of the lttng-modules 2.13.9 kernel events (x86) the simulator
 * writes, exactly as that tracer declares them in its metadata (so that readers
 * see the layout of real traces). net_dev_queue and net_if_receive_skb share one. */
#include "sim/kernel_fields.h"

const char vt_sim_fields_sched_switch[] =
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _prev_comm[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _prev_tid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _prev_prio;\n"
	"		integer { size = 64; align = 8; signed = 1; encoding = none; base = 10; } _prev_state;\n"
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _next_comm[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _next_tid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _next_prio;\n";

const char vt_sim_fields_sched_wakeup[] =
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _comm[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _prio;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _target_cpu;\n";

const char vt_sim_fields_sched_process_fork[] =
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _parent_comm[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _parent_tid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _parent_pid;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _parent_ns_inum;\n"
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _child_comm[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _child_tid;\n"
	"		integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; } __vtids_length;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _vtids[ __vtids_length ];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _child_pid;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _child_ns_inum;\n";

const char vt_sim_fields_sched_process_exit[] =
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _comm[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _prio;\n";

const char vt_sim_fields_kvm_x86_entry[] =
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _vcpu_id;\n";

const char vt_sim_fields_kvm_x86_exit[] =
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _exit_reason;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _guest_rip;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _isa;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _info1;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _info2;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _intr_info;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _error_code;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _vcpu_id;\n";

const char vt_sim_fields_kvm_x86_hypercall[] =
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _nr;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _a0;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _a1;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _a2;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _a3;\n";

/* lttng-modules declares the same transport header under ipv4 and ipv6. */
#define VT_SIM_TRANSPORT_HEADER \
	"				enum : integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; } {\n" \
	"					\"_unknown\" = 0,\n" \
	"					\"_tcp\" = 1,\n" \
	"					\"_udp\" = 2,\n" \
	"					\"_icmp\" = 3,\n" \
	"				} _transport_header_type;\n" \
	"				variant <_transport_header_type> {\n" \
	"					struct {\n" \
	"					} _unknown;\n" \
	"					struct {\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _source_port;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _dest_port;\n" \
	"						integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _seq;\n" \
	"						integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _ack_seq;\n" \
	"						integer { size = 4; align = 4; signed = 0; encoding = none; base = 10; byte_order = be; } _data_offset;\n" \
	"						integer { size = 3; align = 1; signed = 0; encoding = none; base = 10; byte_order = be; } _reserved;\n" \
	"						integer { size = 9; align = 1; signed = 0; encoding = none; base = 16; byte_order = be; } _flags;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _window_size;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 16; byte_order = be; } _checksum;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _urg_ptr;\n" \
	"					} _tcp;\n" \
	"					struct {\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _source_port;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _dest_port;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _len;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _check;\n" \
	"					} _udp;\n" \
	"					struct {\n" \
	"						integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _type;\n" \
	"						integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _code;\n" \
	"						integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _checksum;\n" \
	"						integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _gateway;\n" \
	"					} _icmp;\n" \
	"				} _transport_header;\n"

const char vt_sim_fields_net[] =
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 16; } _skbaddr;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _len;\n"
	"		string _name;\n"
	"		enum : integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; } {\n"
	"			\"_unknown\" = 0,\n"
	"			\"_ipv4\" = 1,\n"
	"			\"_ipv6\" = 2,\n"
	"		} _network_header_type;\n"
	"		variant <_network_header_type> {\n"
	"			struct {\n"
	"			} _unknown;\n"
	"			struct {\n"
	"				integer { size = 4; align = 4; signed = 0; encoding = none; base = 10; byte_order = be; } _version;\n"
	"				integer { size = 4; align = 4; signed = 0; encoding = none; base = 10; byte_order = be; } _ihl;\n"
	"				integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _tos;\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _tot_len;\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 16; byte_order = be; } _id;\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _frag_off;\n"
	"				integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _ttl;\n"
	"				enum : integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } {\n"
	"					\"_unknown\" = 0,\n"
	"					\"_icmp\" = 1,\n"
	"					\"_unknown\" = 2 ... 5,\n"
	"					\"_tcp\" = 6,\n"
	"					\"_unknown\" = 7 ... 16,\n"
	"					\"_udp\" = 17,\n"
	"					\"_unknown\" = 18 ... 255,\n"
	"				} _protocol;\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 16; byte_order = be; } _checksum;\n"
	"				struct { } align(8) _saddr_padding;\n"
	"				integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _saddr[4];\n"
	"				struct { } align(8) _daddr_padding;\n"
	"				integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _daddr[4];\n"
	VT_SIM_TRANSPORT_HEADER
	"			} _ipv4;\n"
	"			struct {\n"
	"				integer { size = 4; align = 4; signed = 0; encoding = none; base = 10; byte_order = be; } _version;\n"
	"				integer { size = 4; align = 4; signed = 0; encoding = none; base = 10; byte_order = be; } _prio;\n"
	"				struct { } align(8) _flow_lbl_padding;\n"
	"				integer { size = 8; align = 8; signed = 0; encoding = none; base = 16; byte_order = be; } _flow_lbl[3];\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _payload_len;\n"
	"				enum : integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } {\n"
	"					\"_unknown\" = 0,\n"
	"					\"_icmp\" = 1,\n"
	"					\"_unknown\" = 2 ... 5,\n"
	"					\"_tcp\" = 6,\n"
	"					\"_unknown\" = 7 ... 16,\n"
	"					\"_udp\" = 17,\n"
	"					\"_unknown\" = 18 ... 255,\n"
	"				} _nexthdr;\n"
	"				integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; byte_order = be; } _hop_limit;\n"
	"				struct { } align(8) _saddr_padding;\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 16; byte_order = be; } _saddr[8];\n"
	"				struct { } align(8) _daddr_padding;\n"
	"				integer { size = 16; align = 8; signed = 0; encoding = none; base = 16; byte_order = be; } _daddr[8];\n"
	VT_SIM_TRANSPORT_HEADER
	"			} _ipv6;\n"
	"		} _network_header;\n";

const char vt_sim_fields_irq_handler_entry[] =
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _irq;\n"
	"		string _name;\n";

const char vt_sim_fields_irq_handler_exit[] =
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _irq;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _ret;\n";

const char vt_sim_fields_lttng_statedump_process_state[] =
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _tid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _pid;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _ppid;\n"
	"		integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; } _name[16];\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _type;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _mode;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _submode;\n"
	"		integer { size = 32; align = 8; signed = 1; encoding = none; base = 10; } _status;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _cpu;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 16; } _file_table_address;\n";

const char vt_sim_fields_kvm_x86_pio[] =
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _rw;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _port;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _size;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _count;\n";

const char vt_sim_fields_kvm_x86_msr[] =
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _write;\n"
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _ecx;\n"
	"		integer { size = 64; align = 8; signed = 0; encoding = none; base = 10; } _data;\n"
	"		integer { size = 8; align = 8; signed = 0; encoding = none; base = 10; } _exception;\n";

const char vt_sim_fields_kvm_x86_inj_virq[] =
	"		integer { size = 32; align = 8; signed = 0; encoding = none; base = 10; } _irq;\n";
