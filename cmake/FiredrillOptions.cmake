# Warnings and sanitizers live on INTERFACE targets that our own targets link PRIVATE, so that
# nothing leaks into dependencies or into CMAKE_CXX_FLAGS.
add_library(firedrill_warnings INTERFACE)
target_compile_options(firedrill_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(FIREDRILL_WERROR)
  target_compile_options(firedrill_warnings INTERFACE -Werror)
endif()

add_library(firedrill_options INTERFACE)
if(FIREDRILL_SANITIZE)
  target_compile_options(firedrill_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(firedrill_options INTERFACE -fsanitize=address,undefined)
endif()

# A libFuzzer target (fuzz preset, clang): its sources are compiled with coverage and
# ASan + UBSan; `LIBS` are linked as they are. Only the parser's own sources go in SOURCES.
function(firedrill_add_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;INCLUDES;LIBS" ${ARGN})
  add_executable(${name} ${F_SOURCES})
  target_include_directories(${name} PRIVATE ${F_INCLUDES})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined
                                         -fno-sanitize-recover=undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${F_LIBS} firedrill_warnings)
endfunction()
