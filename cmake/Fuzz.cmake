# firedrill_add_fuzzer(<name> CORPUS <dir> SOURCES <file>... [INCLUDES <dir>...]
#                      [LIBRARIES <target>...])
#
# A libFuzzer target (the fuzz preset: clang, FIREDRILL_FUZZ=ON) with ASan and UBSan, built by the
# `fuzzers` target and listed, with its seed corpus, in <build>/fuzzers.tsv for scripts/fuzz.
# The code under test is compiled into the target (SOURCES), so that libFuzzer's coverage sees it.
if(FIREDRILL_FUZZ)
  add_custom_target(fuzzers)
endif()

function(firedrill_add_fuzzer name)
  if(NOT FIREDRILL_FUZZ)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "CORPUS" "SOURCES;INCLUDES;LIBRARIES")
  add_executable(${name} ${arg_SOURCES})
  target_include_directories(${name} PRIVATE ${arg_INCLUDES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined
                                         -fno-sanitize-recover=undefined)
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
