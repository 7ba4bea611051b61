#pragma once
// Shared by the agent tests: a temporary root folder to apply into, small file helpers, a
// stand-in for useradd/usermod that edits the root's account files as the real ones would, and
// `thrown<E>` to look inside an expected exception.
#include "provisioning/agent/files.h"
#include "provisioning/agent/system.h"
#include "provisioning/agent/text.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace machine::agent::test {

namespace fs = std::filesystem;

// A fresh folder under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir() {
        auto pattern = (fs::temp_directory_path() / "machine-agent-test-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path &path() const { return path_; }
    // The host path of a guest path under this root.
    fs::path operator/(std::string_view guest_path) const { return Root(path_).host(guest_path); }

private:
    fs::path path_;
};

inline void write_text(const fs::path &path, const std::string &text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_text(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline unsigned mode_of(const fs::path &path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + path.string());
    return st.st_mode & 07777;
}

inline uid_t owner_of(const fs::path &path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + path.string());
    return st.st_uid;
}

inline std::string link_of(const fs::path &path) {
    return fs::read_symlink(path).string();
}

// The uid the tests give "core": 1000 as root (so ownership changes are really made and
// checked), the test's own uid otherwise (so no chown needs privileges).
inline uid_t test_uid() {
    return ::geteuid() == 0 ? 1000 : ::geteuid();
}
inline gid_t test_gid() {
    return ::geteuid() == 0 ? 1000 : ::getegid();
}

// /etc/passwd and /etc/group with root and (when `with_core`) core, as a fresh image has them
// after useradd; sudo has no members.
inline void write_accounts(const TempDir &root, bool with_core) {
    auto uid = std::to_string(test_uid()), gid = std::to_string(test_gid());
    std::string passwd = "root:x:0:0:root:/root:/bin/bash\n";
    std::string group = "root:x:0:\nsudo:x:27:\n";
    if (with_core) {
        passwd += "core:x:" + uid + ":" + gid + "::/home/core:/bin/bash\n";
        group += "core:x:" + gid + ":\n";
        fs::create_directories(root / "/home/core");
    }
    write_text(root / "/etc/passwd", passwd);
    write_text(root / "/etc/group", group);
    fs::create_directories(root / "/root");
}

// Plays useradd and usermod against the account files under `root`, for a RecordingSystem's
// hook: what the real programs would leave behind, for the flags the agent uses.
inline void play_account_commands(const TempDir &root, const Argv &argv) {
    auto add_to_groups = [&](const std::string &groups, const std::string &user) {
        auto text = read_text(root / "/etc/group");
        std::string out;
        for (auto line : split(trim(text), '\n')) {
            std::string entry(line);
            for (auto group : split(groups, ','))
                if (entry.rfind(std::string(group) + ":", 0) == 0)
                    entry += (entry.back() == ':' ? "" : ",") + user;
            out += entry + "\n";
        }
        write_text(root / "/etc/group", out);
    };
    if (argv.at(0) == "useradd") {
        const auto &name = argv.back();
        auto uid = std::to_string(test_uid()), gid = std::to_string(test_gid());
        std::string groups;
        for (std::size_t i = 1; i + 1 < argv.size(); ++i) {
            if (argv[i] == "--uid")
                uid = argv[i + 1];
            if (argv[i] == "--groups")
                groups = argv[i + 1];
        }
        write_text(root / "/etc/passwd", read_text(root / "/etc/passwd") + name + ":x:" + uid +
                                             ":" + gid + "::/home/" + name + ":/bin/bash\n");
        write_text(root / "/etc/group",
                   read_text(root / "/etc/group") + name + ":x:" + gid + ":\n");
        if (!groups.empty())
            add_to_groups(groups, name);
        fs::create_directories(root / ("/home/" + name));
    } else if (argv.at(0) == "usermod" && argv.size() == 5 && argv[1] == "--append") {
        add_to_groups(argv[3], argv[4]);
    }
}

template <typename E, typename F> E thrown(F &&action) {
    try {
        action();
    } catch (const E &error) {
        return error;
    }
    throw std::logic_error("expected an exception, but none was thrown");
}

inline bool one_line(const std::string &message) {
    return !message.empty() && message.find_first_of("\r\n") == std::string::npos;
}

} // namespace machine::agent::test
