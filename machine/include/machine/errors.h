#pragma once
// One hierarchy for every failure the tool reports. host-cli/main.cpp catches
// `machine::Error` once, prints `message()` and `hint()`, and exits with 125.
#include <stdexcept>
#include <string>

namespace machine {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message, std::string hint = {})
        : std::runtime_error(message), hint_(std::move(hint)) {}
    const std::string &hint() const { return hint_; }

private:
    std::string hint_;
};

// A machine, file or image that should exist does not.
class NotFound : public Error {
    using Error::Error;
};

// A machine of that name exists already.
class AlreadyExists : public Error {
    using Error::Error;
};

// The verb cannot run in the machine's current state (e.g. `set` while running).
class WrongState : public Error {
    using Error::Error;
};

// Bad input from the user; `field()` names the flag or config key at fault.
class InvalidInput : public Error {
public:
    InvalidInput(std::string field, const std::string &message, std::string hint = {})
        : Error(message, std::move(hint)), field_(std::move(field)) {}
    const std::string &field() const { return field_; }

private:
    std::string field_;
};

// A stored machine config that cannot be read; names the file and the field.
class CorruptConfig : public Error {
public:
    CorruptConfig(std::string file, std::string field, const std::string &problem);
    const std::string &file() const { return file_; }
    const std::string &field() const { return field_; }

private:
    std::string file_;
    std::string field_;
};

// The host lacks something the tool needs (a program, a device, a folder).
class HostNotReady : public Error {
    using Error::Error;
};

// A child process failed; the message carries the command, code and stderr tail.
class ProcessFailed : public Error {
public:
    ProcessFailed(const std::string &command, int exit_code, const std::string &stderr_tail);
    int exit_code() const { return exit_code_; }

private:
    int exit_code_;
};

// A system call failed; the message names what was being done and errno's text.
class SystemError : public Error {
public:
    SystemError(const std::string &what, int error_number);
    // Where the system's text is not strerror's (Windows: GetLastError's code and its text).
    SystemError(const std::string &what, int error_number, const std::string &system_text)
        : Error(what + ": " + system_text), error_number_(error_number) {}
    int error_number() const { return error_number_; }

private:
    int error_number_;
};

} // namespace machine

namespace machine {

// QEMU's monitor refused a command or broke the protocol.
class QmpError : public Error {
    using Error::Error;
};

// An SSH connection, authentication or channel failed, or the host key was not the pinned one.
class SshError : public Error {
    using Error::Error;
};

// A peer (the engine's HTTP API) sent bytes that do not follow its protocol.
class ProtocolError : public Error {
    using Error::Error;
};

// Waiting for something (a boot, a shutdown, a socket) took longer than allowed.
class Timeout : public Error {
    using Error::Error;
};

} // namespace machine
