# sources stage: CTF through libbabeltrace2 (discover, graph, per-stream walk, decode),
# trace.dat through libtracecmd (tracecmd_*), and the merge of both (source.c).
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/discover.c
  ${CMAKE_CURRENT_LIST_DIR}/metadata_check.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_names.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_fill.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/decoder_map.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_graph.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_stream.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_probe.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_source.c
  ${CMAKE_CURRENT_LIST_DIR}/source.c)
# The native CTF reader's metadata (issue 15): one trace class (ctf_ir.h) from
# CTF 1.8 TSDL (ctf_tsdl_*) or CTF 2 JSON (ctf2_meta*); nothing calls it yet.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ctf_ir.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_ir_build.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_ir_resolve.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_meta.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_tsdl_lex.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_tsdl_types.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_tsdl_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_tsdl_roles.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf2_meta.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf2_meta_fc.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf2_meta_draft.c)
# Its stream decoder and the native source behind VMTRACE_READER=native.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ctf_bits.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_read.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_plan.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_flat.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_flat_run.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_index.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_packet.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_nstream.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_native.c)
