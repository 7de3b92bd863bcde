target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cleanup.c
  ${CMAKE_CURRENT_LIST_DIR}/dirs.c
  ${CMAKE_CURRENT_LIST_DIR}/error.c
  ${CMAKE_CURRENT_LIST_DIR}/exit_reason.c
  ${CMAKE_CURRENT_LIST_DIR}/kind.c
  ${CMAKE_CURRENT_LIST_DIR}/marker_format.c
  ${CMAKE_CURRENT_LIST_DIR}/marker_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/oom.c
  ${CMAKE_CURRENT_LIST_DIR}/output.c
  ${CMAKE_CURRENT_LIST_DIR}/sigpipe.c
  ${CMAKE_CURRENT_LIST_DIR}/text.c
  ${CMAKE_CURRENT_LIST_DIR}/tmpfile.c)
