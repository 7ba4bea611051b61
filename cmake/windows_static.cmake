# machine.exe is one file that imports only Windows' own DLLs: every library is linked from its
# static archive, and each archive's own system libraries follow it on the link line.
# windows.h without the rarely used APIs, winsock.h among them: it would clash with winsock2.h
# wherever windows.h comes first (as it may in a unity build's batch).
add_compile_definitions(NOMINMAX _WIN32_WINNT=0x0A00 # std::min, not windows.h's; Windows 10
                        WIN32_LEAN_AND_MEAN LIBSSH_STATIC CURL_STATICLIB LIBARCHIVE_STATIC)
set(MACHINE_STATIC_RUNTIME -static)
set(MACHINE_YAML_CPP yaml-cpp)
set(MACHINE_LIBSSH ssh)
set(MACHINE_LIBCRYPTO gcrypt gpg-error ws2_32 iphlpapi)
set(MACHINE_LIBZ z)
set(MACHINE_GSSAPI "")
set(MACHINE_LIBARCHIVE archive)
find_package(CURL REQUIRED)
set(MACHINE_CURL CURL::libcurl crypt32 secur32 bcrypt)
# The archives named by file (-l:libzstd.a) or by name (-lgcrypt) are in the prefix.
link_directories(${CMAKE_PREFIX_PATH}/lib)
