# identify stage: machines, roles, guests <-> QEMU pids, vCPU <-> host threads.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/collect.c
  ${CMAKE_CURRENT_LIST_DIR}/claims.c
  ${CMAKE_CURRENT_LIST_DIR}/machines.c
  ${CMAKE_CURRENT_LIST_DIR}/threads.c)
