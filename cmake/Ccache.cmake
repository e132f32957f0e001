# ccache, when installed (scripts/install-deps installs it), caches compilations across builds,
# presets and clones. base_dir makes the paths on the command line relative to the source tree, and
# the debug prefix map keeps the build directory out of the debug info, so a second clone in
# another folder hits the cache (ccache then leaves the working directory out of its hash).
# FIREDRILL_CCACHE=OFF turns it off; a launcher given on the command line wins.
option(FIREDRILL_CCACHE "Compile through ccache when it is installed" ON)
if(FIREDRILL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
        CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
        ${CCACHE_PROGRAM})
    # __FILE__ too (Catch2's and assert's): a unity build includes each source by its absolute
    # path, which ccache's base_dir does not rewrite, so every test source missed in a second clone.
    target_compile_options(firedrill_options INTERFACE -fdebug-prefix-map=${PROJECT_SOURCE_DIR}=.
                                                       -fmacro-prefix-map=${PROJECT_SOURCE_DIR}=.)
    message(STATUS "ccache: ${CCACHE_PROGRAM} (base_dir ${PROJECT_SOURCE_DIR})")
  endif()
endif()
