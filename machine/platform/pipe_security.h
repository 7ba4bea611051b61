#pragma once
// The security of a named pipe only the current user may open (Windows only): the owner and one
// allow entry are the process token's user; nothing inherited, no default DACL (which would let
// in SYSTEM, Administrators and, for some tokens, everyone).
#include "platform/windows_handle.h"

#include <vector>

namespace machine::platform {

class UserOnlySecurity {
public:
    // Throws SystemError when the token cannot be read.
    UserOnlySecurity();
    UserOnlySecurity(const UserOnlySecurity &) = delete; // the descriptor points into this object
    UserOnlySecurity &operator=(const UserOnlySecurity &) = delete;

    // For CreateNamedPipe; valid while this object lives.
    SECURITY_ATTRIBUTES *attributes() { return &attributes_; }

    // What the one entry allows: reading and writing, which includes creating more instances
    // (FILE_CREATE_PIPE_INSTANCE is FILE_APPEND_DATA, part of FILE_GENERIC_WRITE).
    static constexpr DWORD allowed = FILE_GENERIC_READ | FILE_GENERIC_WRITE;

private:
    std::vector<unsigned char> token_user_; // a TOKEN_USER, which holds the user's SID
    std::vector<unsigned char> acl_;
    SECURITY_DESCRIPTOR descriptor_{};
    SECURITY_ATTRIBUTES attributes_{};
};

} // namespace machine::platform
