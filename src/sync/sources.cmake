# sync stage: message matching, methods behind one interface (method.h) listed in
# one table (methods.c), the tree of links, the policy choosing among candidates.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/hull.c
  ${CMAKE_CURRENT_LIST_DIR}/containment.c
  ${CMAKE_CURRENT_LIST_DIR}/containment_wide.c
  ${CMAKE_CURRENT_LIST_DIR}/edges.c
  ${CMAKE_CURRENT_LIST_DIR}/evidence.c
  ${CMAKE_CURRENT_LIST_DIR}/links.c
  ${CMAKE_CURRENT_LIST_DIR}/measure.c
  ${CMAKE_CURRENT_LIST_DIR}/messages.c
  ${CMAKE_CURRENT_LIST_DIR}/method_containment.c
  ${CMAKE_CURRENT_LIST_DIR}/method_fit.c
  ${CMAKE_CURRENT_LIST_DIR}/method_hull.c
  ${CMAKE_CURRENT_LIST_DIR}/method_ping.c
  ${CMAKE_CURRENT_LIST_DIR}/method_trusted.c
  ${CMAKE_CURRENT_LIST_DIR}/method_tsc.c
  ${CMAKE_CURRENT_LIST_DIR}/methods.c
  ${CMAKE_CURRENT_LIST_DIR}/ping.c
  ${CMAKE_CURRENT_LIST_DIR}/policy.c
  ${CMAKE_CURRENT_LIST_DIR}/sync.c
  ${CMAKE_CURRENT_LIST_DIR}/transform.c
  ${CMAKE_CURRENT_LIST_DIR}/tree.c
  ${CMAKE_CURRENT_LIST_DIR}/tsc.c)
