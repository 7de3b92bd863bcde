# model stage: vCPU state machines from the host's events.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/vcpu_states.c)
