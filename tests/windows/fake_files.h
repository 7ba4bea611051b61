#pragma once
// The files a fake Windows tool (fake_powershell.cpp, fake_wsl.cpp) keeps beside itself: the
// state of what it stands in for, as JSON, and a log of every run, a JSON line each.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <windows.h>

namespace machine::test {

inline std::filesystem::path beside_me(const char *name) {
    wchar_t path[MAX_PATH];
    GetModuleFileNameW(nullptr, path, MAX_PATH);
    return std::filesystem::path(path).parent_path() / name;
}

// The state kept in `name`, or `fresh` when there is none yet.
inline nlohmann::json load_state(const char *name, const nlohmann::json &fresh) {
    std::ifstream in(beside_me(name));
    auto state = nlohmann::json::parse(in, nullptr, false);
    return state.is_object() ? state : fresh;
}

// Written beside, then renamed: a reader never sees half of it.
inline void save_state(const char *name, const nlohmann::json &state) {
    auto file = beside_me(name);
    auto partial = file;
    partial += ".partial";
    std::ofstream(partial) << state.dump(2);
    std::filesystem::rename(partial, file);
}

inline void log_run(const char *name, const nlohmann::json &run) {
    std::ofstream(beside_me(name), std::ios::app) << run.dump() << "\n";
}

} // namespace machine::test
