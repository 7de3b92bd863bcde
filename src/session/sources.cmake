# session: the library's entry point, wiring the stages in their order
# (include/vmtrace/session.h).
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/session.c
  ${CMAKE_CURRENT_LIST_DIR}/read.c
  ${CMAKE_CURRENT_LIST_DIR}/place.c
  ${CMAKE_CURRENT_LIST_DIR}/refine.c
  ${CMAKE_CURRENT_LIST_DIR}/replay.c)
