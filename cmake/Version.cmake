# The revision is read at configure time; a build without .git (a container image) passes it
# with -DFIREDRILL_REVISION=..., else it reports "unknown".
if(NOT FIREDRILL_REVISION)
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE FIREDRILL_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
endif()
if(NOT FIREDRILL_REVISION)
  set(FIREDRILL_REVISION "unknown")
endif()
set(FIREDRILL_VERSION ${PROJECT_VERSION})
