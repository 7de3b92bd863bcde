# findings stage: rules over the model's and analyses' results (docs/findings.md).
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/config.c
  ${CMAKE_CURRENT_LIST_DIR}/collect.c
  ${CMAKE_CURRENT_LIST_DIR}/findings.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_noisy.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_overcommit.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_paging.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_io.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_irq.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_lhp.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_halt.c
  ${CMAKE_CURRENT_LIST_DIR}/rule_quality.c)
