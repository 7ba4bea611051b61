# macOS: a `machine` that needs nothing but macOS itself. Built by .ci/cross macos with zig on the
# static libraries of .ci/cross-deps-macos (libssh on mbedTLS), or by Homebrew on its own shared
# ones. libcurl is macOS's own, loaded when a download starts (platform/curl.cpp); SHA-256 is
# CommonCrypto's.
# zig links libc++ statically by itself; Apple's toolchain uses macOS's own.
set(MACHINE_STATIC_RUNTIME "")
# A static libssh is on mbedTLS; a shared one (Homebrew's) brings its own crypto.
find_library(MACHINE_MBEDCRYPTO_ARCHIVE NAMES libmbedcrypto.a)
if(MACHINE_LIBSSH_ARCHIVE AND MACHINE_MBEDCRYPTO_ARCHIVE)
    set(MACHINE_LIBCRYPTO ${MACHINE_MBEDCRYPTO_ARCHIVE})
else()
    set(MACHINE_LIBCRYPTO "")
endif()
# The direction checks link an area's whole archive. CMake's Darwin default hands the archive to
# the compiler driver after `-Xlinker -force_load`; zig's driver wants both words for the linker.
set(CMAKE_LINK_LIBRARY_USING_WHOLE_ARCHIVE "LINKER:-force_load,<LIB_ITEM>")
