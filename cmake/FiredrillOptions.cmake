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
# In a unity build every source is an #include of the generated unity file, so GCC takes a class
# defined in a .cpp with a member of an anonymous-namespace type (Store::Impl's) for one defined in
# a header. The warning holds for real headers, and the debug preset (no unity build) still has it.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(firedrill_warnings INTERFACE -Wno-subobject-linkage)
endif()

add_library(firedrill_options INTERFACE)
if(FIREDRILL_SANITIZE)
  target_compile_options(firedrill_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(firedrill_options INTERFACE -fsanitize=address,undefined)
endif()
