# exporters stage
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ctf_metadata.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_writer.c)
