# An internal library of vmtraced and `vmtrace guests|watch|clock-check|record`:
# not part of libvmtrace, never installed.
# agent (vmtraced): library part — statedump, uevents, machine identity, sinks
# without lttng-ust, clock check. The LTTng-UST provider lives in tools/vmtraced.
add_library(vt_agent STATIC
  ${CMAKE_CURRENT_LIST_DIR}/paths.c
  ${CMAKE_CURRENT_LIST_DIR}/util.c
  ${CMAKE_CURRENT_LIST_DIR}/qemu_cmdline.c
  ${CMAKE_CURRENT_LIST_DIR}/debugfs.c
  ${CMAKE_CURRENT_LIST_DIR}/kacct.c
  ${CMAKE_CURRENT_LIST_DIR}/guest.c
  ${CMAKE_CURRENT_LIST_DIR}/statedump.c
  ${CMAKE_CURRENT_LIST_DIR}/qmp.c
  ${CMAKE_CURRENT_LIST_DIR}/qmp_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/trust.c
  ${CMAKE_CURRENT_LIST_DIR}/uevent.c
  ${CMAKE_CURRENT_LIST_DIR}/machine.c
  ${CMAKE_CURRENT_LIST_DIR}/emit.c
  ${CMAKE_CURRENT_LIST_DIR}/books.c
  ${CMAKE_CURRENT_LIST_DIR}/ping.c
  ${CMAKE_CURRENT_LIST_DIR}/loop.c
  ${CMAKE_CURRENT_LIST_DIR}/json_sink.c
  ${CMAKE_CURRENT_LIST_DIR}/marker_sink.c
  ${CMAKE_CURRENT_LIST_DIR}/clock_check.c
  ${CMAKE_CURRENT_LIST_DIR}/clock_report.c)
target_include_directories(vt_agent PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(vt_agent PUBLIC vmtrace_static)
if(VT_FUZZ)
  target_compile_options(vt_agent PRIVATE -fsanitize=fuzzer-no-link)
endif()
