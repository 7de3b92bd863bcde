# sync stage: message matching, convex hull per pair of machines, spanning tree.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/hull.c
  ${CMAKE_CURRENT_LIST_DIR}/containment.c
  ${CMAKE_CURRENT_LIST_DIR}/containment_wide.c
  ${CMAKE_CURRENT_LIST_DIR}/messages.c
  ${CMAKE_CURRENT_LIST_DIR}/ping.c
  ${CMAKE_CURRENT_LIST_DIR}/refine.c
  ${CMAKE_CURRENT_LIST_DIR}/sync.c
  ${CMAKE_CURRENT_LIST_DIR}/tsc.c)
