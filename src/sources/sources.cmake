# sources stage: CTF through libbabeltrace2 (discover, graph, per-stream walk, decode),
# trace.dat through libtracecmd (tracecmd_*), and the merge of both (source.c).
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/discover.c
  ${CMAKE_CURRENT_LIST_DIR}/metadata_check.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_names.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/decoder_map.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_graph.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_stream.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_probe.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_decode.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_source.c
  ${CMAKE_CURRENT_LIST_DIR}/source.c)
