#pragma once
// Every failure the agent reports. main.cpp catches `AgentError` once, prints its message as one
// line on the serial console and exits non-zero; no "Ready" is sent after any of them.
#include <stdexcept>
#include <string>
#include <vector>

namespace machine::agent {

class AgentError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A failure that one config field is at fault for; `field()` names it ("storage.files[2].mode"),
// and is empty when the document as a whole is (not JSON at all). The message starts with it.
class FieldError : public AgentError {
public:
    FieldError(std::string field, const std::string &problem);
    const std::string &field() const { return field_; }

private:
    std::string field_;
};

// The Ignition config is unusable: not JSON, a wrong type, a bad data: URL, a version other
// than 3.x.y. Found before anything is changed.
class ConfigError : public FieldError {
public:
    using FieldError::FieldError;
};

// A valid config this system cannot honour: a group that does not exist, a directory where a
// file should go, a unit with no unit file to enable.
class ApplyError : public FieldError {
public:
    using FieldError::FieldError;
};

// A system call failed; the message names what was being done and errno's text.
class SystemError : public AgentError {
public:
    SystemError(const std::string &what, int error_number);
    int error_number() const { return error_number_; }

private:
    int error_number_;
};

// A program the agent ran (useradd, systemctl, resize2fs) failed or could not start.
class CommandFailed : public AgentError {
public:
    CommandFailed(const std::vector<std::string> &argv, const std::string &outcome);
};

// Waiting for sshd or the podman socket took longer than allowed.
class Timeout : public AgentError {
public:
    using AgentError::AgentError;
};

// No config arrived and this machine was never provisioned, so it must not report Ready.
class NotProvisioned : public AgentError {
public:
    using AgentError::AgentError;
};

// Bad command-line flags.
class UsageError : public AgentError {
public:
    using AgentError::AgentError;
};

} // namespace machine::agent
