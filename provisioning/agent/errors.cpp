#include "provisioning/agent/errors.h"

#include "provisioning/agent/text.h"

#include <cstring>

namespace machine::agent {

FieldError::FieldError(std::string field, const std::string &problem)
    : AgentError(field.empty() ? problem : field + ": " + problem), field_(std::move(field)) {}

SystemError::SystemError(const std::string &what, int error_number)
    : AgentError(what + ": " + std::strerror(error_number)), error_number_(error_number) {}

CommandFailed::CommandFailed(const std::vector<std::string> &argv, const std::string &outcome)
    : AgentError("`" + join(argv, " ") + "` " + outcome) {}

} // namespace machine::agent
