# record: `vmtrace record`'s parts beside the data flow (docs/record.md).
# One file a line, sorted (two helpers add lines here).
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_assemble.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_capdir.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_capture.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_guest_script.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_rec.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_stream.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_tracefs.c
)
