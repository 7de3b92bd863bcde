# An internal library of vmtrace-sim (and `vmtrace analyze` with no PATH):
# not part of libvmtrace, never installed.
# simulator (vmtrace-sim): library part
add_library(vt_sim STATIC
  ${CMAKE_CURRENT_LIST_DIR}/acct.c
  ${CMAKE_CURRENT_LIST_DIR}/clock.c
  ${CMAKE_CURRENT_LIST_DIR}/emit.c
  ${CMAKE_CURRENT_LIST_DIR}/host.c
  ${CMAKE_CURRENT_LIST_DIR}/kernel_fields.c
  ${CMAKE_CURRENT_LIST_DIR}/lifecycle.c
  ${CMAKE_CURRENT_LIST_DIR}/meta.c
  ${CMAKE_CURRENT_LIST_DIR}/net.c
  ${CMAKE_CURRENT_LIST_DIR}/queue.c
  ${CMAKE_CURRENT_LIST_DIR}/run.c
  ${CMAKE_CURRENT_LIST_DIR}/scenario.c
  ${CMAKE_CURRENT_LIST_DIR}/startup.c
  ${CMAKE_CURRENT_LIST_DIR}/truth.c
  ${CMAKE_CURRENT_LIST_DIR}/vcpu.c
  ${CMAKE_CURRENT_LIST_DIR}/world.c)
target_include_directories(vt_sim PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(vt_sim PUBLIC vmtrace_static)
if(VT_FUZZ)
  target_compile_options(vt_sim PRIVATE -fsanitize=fuzzer-no-link)
endif()
