# model stage: vCPU state machines from the host's events, one file a part.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/model.c
  ${CMAKE_CURRENT_LIST_DIR}/vcpu_states.c
  ${CMAKE_CURRENT_LIST_DIR}/guest_threads.c
  ${CMAKE_CURRENT_LIST_DIR}/pcpu_view.c
  ${CMAKE_CURRENT_LIST_DIR}/exits.c
  ${CMAKE_CURRENT_LIST_DIR}/interval.c)
