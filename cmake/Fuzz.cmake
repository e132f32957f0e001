# firedrill_add_fuzzer(<name> CORPUS <dir> SOURCES <file>... [INCLUDES <dir>...]
#                      [LIBRARIES <target>...])
#
# A libFuzzer target (the fuzz preset: clang, FIREDRILL_FUZZ=ON) with ASan and UBSan, built by the
# `fuzzers` target and listed, with its seed corpus, in <build>/fuzzers.tsv for scripts/fuzz.
# The code under test is compiled into the target (SOURCES), or into a set of fuzz objects that
# several targets share (LIBRARIES), so that libFuzzer's coverage sees it.
#
# firedrill_add_fuzz_objects(<name> SOURCES <file>... [INCLUDES <dir>...] [LIBRARIES <target>...])
#
# Sources compiled once with the fuzzers' instrumentation (an OBJECT library), for every fuzzer
# that tests them: the `fuzzers` target builds each source once, and builds nothing the fuzzers
# do not link (no whole kit, no whole UI library).
if(FIREDRILL_FUZZ)
  add_custom_target(fuzzers)
endif()

set(FIREDRILL_FUZZ_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)

function(firedrill_add_fuzz_objects name)
  if(NOT FIREDRILL_FUZZ)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;INCLUDES;LIBRARIES")
  add_library(${name} OBJECT ${arg_SOURCES})
  target_include_directories(${name} PUBLIC ${arg_INCLUDES})
  target_compile_options(${name} PRIVATE ${FIREDRILL_FUZZ_FLAGS})
  target_link_libraries(${name} PUBLIC ${arg_LIBRARIES} PRIVATE firedrill_warnings firedrill_options)
endfunction()

function(firedrill_add_fuzzer name)
  if(NOT FIREDRILL_FUZZ)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "CORPUS" "SOURCES;INCLUDES;LIBRARIES")
  add_executable(${name} ${arg_SOURCES})
  target_include_directories(${name} PRIVATE ${arg_INCLUDES})
  target_compile_options(${name} PRIVATE ${FIREDRILL_FUZZ_FLAGS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${arg_LIBRARIES} firedrill_warnings firedrill_options)
  add_dependencies(fuzzers ${name})
  set_property(GLOBAL APPEND PROPERTY FIREDRILL_FUZZERS "${name}\t$<TARGET_FILE:${name}>\t${arg_CORPUS}")
endfunction()

# Called once, at the end of the top-level CMakeLists.txt.
function(firedrill_write_fuzzer_list)
  if(NOT FIREDRILL_FUZZ)
    return()
  endif()
  get_property(fuzzers GLOBAL PROPERTY FIREDRILL_FUZZERS)
  list(JOIN fuzzers "\n" content)
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fuzzers.tsv CONTENT "${content}\n")
endfunction()
