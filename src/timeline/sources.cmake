# timeline stage: every machine's events merged in reference time.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/timeline.c)
