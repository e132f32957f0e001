# Every dependency comes from Debian's packages; nothing is vendored or downloaded.
find_package(PkgConfig REQUIRED)
# Debian ships cpp-httplib compiled (with OpenSSL, zlib and brotli): its pkg-config flags must be
# used, or the class layouts in the header will not match the library.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# Matchers use RE2, the engine of Alertmanager's Go regexp: same syntax, linear time.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# mock-slack's PostgreSQL store talks to the server through libpq (libpq-dev).
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(prometheus-cpp REQUIRED COMPONENTS core push)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Catch2 2 REQUIRED)
find_package(Threads REQUIRED)
find_package(yaml-cpp QUIET)

# kainjow mustache is a single header from libkainjow-mustache-dev.
find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
add_library(kainjow_mustache INTERFACE)
target_include_directories(kainjow_mustache SYSTEM INTERFACE ${KAINJOW_MUSTACHE_INCLUDE_DIR})

find_program(PROMTOOL promtool)
find_program(AMTOOL amtool)
