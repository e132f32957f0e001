# Runs slo-rules on a bad spec: it must exit 2 with exactly one line naming the setting.
execute_process(COMMAND ${SLO_RULES} --check --spec ${SPEC}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(expected "slo-rules: ${SPEC}: services[0].slos[0].objective: must be between 0 and 1 (exclusive), got 99.9\n")
if(NOT result EQUAL 2)
  message(FATAL_ERROR "expected exit status 2, got ${result}; stderr: ${err}")
endif()
if(NOT err STREQUAL expected)
  message(FATAL_ERROR "unexpected error output:\n${err}\nexpected:\n${expected}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "expected no standard output, got: ${out}")
endif()
