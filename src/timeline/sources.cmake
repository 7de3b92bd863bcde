# timeline stage: every machine's events merged in reference time, from the
# traces or from pass 1's spill.
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/spill.c
  ${CMAKE_CURRENT_LIST_DIR}/timeline.c
  ${CMAKE_CURRENT_LIST_DIR}/timeline_spill.c)
