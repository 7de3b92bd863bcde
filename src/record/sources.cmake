# An internal library of `vmtrace record`: not part of libvmtrace, never installed.
# record: `vmtrace record`'s parts beside the data flow, like src/agent (docs/record.md).
# One file a line, sorted.
add_library(vt_record STATIC
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_assemble.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_capdir.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_capture.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_guest_script.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_rec.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_stream.c
  ${CMAKE_CURRENT_LIST_DIR}/ftrace_tracefs.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_fetch.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_lttng.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_report.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_session.c
  ${CMAKE_CURRENT_LIST_DIR}/lttng_ctl.c
  ${CMAKE_CURRENT_LIST_DIR}/proc_run.c
  ${CMAKE_CURRENT_LIST_DIR}/qga.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_b64.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_find.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_libvirt.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_ops.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_reader.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_reply.c
  ${CMAKE_CURRENT_LIST_DIR}/qga_virsh.c
  ${CMAKE_CURRENT_LIST_DIR}/relayd.c
  ${CMAKE_CURRENT_LIST_DIR}/untar.c
  ${CMAKE_CURRENT_LIST_DIR}/untar_fs.c
  ${CMAKE_CURRENT_LIST_DIR}/untar_name.c
)
target_include_directories(vt_record PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(vt_record PUBLIC vt_agent vmtrace_static)
if(VT_FUZZ)
  target_compile_options(vt_record PRIVATE -fsanitize=fuzzer-no-link)
endif()
