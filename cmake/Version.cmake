# The revision is read at configure time; a tarball without .git reports "unknown".
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE FIREDRILL_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT FIREDRILL_REVISION)
  set(FIREDRILL_REVISION "unknown")
endif()
set(FIREDRILL_VERSION ${PROJECT_VERSION})
