#include "platform/pipe_security.h"

#include "platform/windows_error.h"

namespace machine::platform {

namespace {

std::vector<unsigned char> token_user() {
    HANDLE raw = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw))
        throw_windows_error("cannot open the process token", GetLastError());
    WinHandle token(raw);
    DWORD size = 0;
    GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<unsigned char> user(size);
    if (size == 0 || !GetTokenInformation(token.get(), TokenUser, user.data(), size, &size))
        throw_windows_error("cannot read the process token's user", GetLastError());
    return user;
}

} // namespace

UserOnlySecurity::UserOnlySecurity() : token_user_(token_user()) {
    PSID user = reinterpret_cast<TOKEN_USER *>(token_user_.data())->User.Sid;
    DWORD acl_size = sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + GetLengthSid(user);
    acl_.resize(acl_size);
    auto *acl = reinterpret_cast<ACL *>(acl_.data());
    bool built = InitializeAcl(acl, acl_size, ACL_REVISION) &&
                 AddAccessAllowedAce(acl, ACL_REVISION, allowed, user) &&
                 InitializeSecurityDescriptor(&descriptor_, SECURITY_DESCRIPTOR_REVISION) &&
                 SetSecurityDescriptorOwner(&descriptor_, user, FALSE) &&
                 SetSecurityDescriptorDacl(&descriptor_, TRUE, acl, FALSE) &&
                 SetSecurityDescriptorControl(&descriptor_, SE_DACL_PROTECTED, SE_DACL_PROTECTED);
    if (!built)
        throw_windows_error("cannot build the named pipe's security descriptor", GetLastError());
    attributes_ = {sizeof attributes_, &descriptor_, FALSE};
}

} // namespace machine::platform
