#pragma once
// The agent's effects on the running system, behind one narrow interface: the programs it runs
// (useradd, usermod, systemctl, resize2fs) and the hostname it sets. The real implementation
// does them; the recording one (tests, and `--root` dry runs) only remembers them. Every argv
// is data, never a shell string.
#include <functional>
#include <string>
#include <vector>

namespace machine::agent {

using Argv = std::vector<std::string>;

class System {
public:
    virtual ~System() = default;
    // Runs `argv` (argv[0] looked up in PATH) to completion, stdin from /dev/null, stdout and
    // stderr inherited (the journal, in the guest). Throws CommandFailed unless it exits 0.
    virtual void run(const Argv &argv) = 0;
    // The same with `input` on its stdin (a few KiB at most: written whole before the wait).
    virtual void run_with_input(const Argv &argv, const std::string &input) = 0;

    // Sets the running kernel's hostname: systemd read /etc/hostname early in the boot, before
    // the agent wrote it. Throws SystemError.
    virtual void set_hostname(const std::string &name) = 0;
};

class SpawnSystem final : public System {
public:
    void run(const Argv &argv) override;
    void run_with_input(const Argv &argv, const std::string &input) override;
    void set_hostname(const std::string &name) override;
};

class RecordingSystem final : public System {
public:
    // `on_run` sees each argv as it is run: a test can make "useradd" add a passwd line, a dry
    // run can log it.
    explicit RecordingSystem(std::function<void(const Argv &)> on_run = {});
    void run(const Argv &argv) override;
    // Recorded like run(); the input is kept beside it.
    void run_with_input(const Argv &argv, const std::string &input) override;
    // Recorded as the command that would do the same: {"hostname", name}.
    void set_hostname(const std::string &name) override;
    const std::vector<Argv> &commands() const { return commands_; }
    const std::vector<std::string> &inputs() const { return inputs_; } // one per command
    void clear() {
        commands_.clear();
        inputs_.clear();
    }

private:
    std::function<void(const Argv &)> on_run_;
    std::vector<Argv> commands_;
    std::vector<std::string> inputs_;
};

} // namespace machine::agent
