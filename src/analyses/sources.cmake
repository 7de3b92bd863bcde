# analyses stage: the model's per-vCPU figures per guest.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/guests.c)
