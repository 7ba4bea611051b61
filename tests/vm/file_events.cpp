#include "file_events.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace machine::test {

namespace {

using namespace std::chrono_literals;

struct Event {
    std::string kind, name, first_line;
    double at = 0; // the guest's clock, seconds since the epoch
};

std::vector<Event> parse_events(const std::string &log) {
    std::vector<Event> events;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        Event event;
        if (fields >> event.kind >> event.name >> event.at) {
            std::getline(fields >> std::ws, event.first_line);
            events.push_back(event);
        }
    }
    return events;
}

double host_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

void check_file_events(const CliSandbox &sandbox, const std::string &machine,
                       const std::filesystem::path &host_folder, const std::string &guest_folder) {
    std::filesystem::create_directories(host_folder);
    REQUIRE(sandbox.run({"cp", FILE_WATCH, machine + ":/tmp/file_watch"}).exit_code == 0);
    auto started = sandbox.run(
        {"ssh", machine,
         "chmod 0755 /tmp/file_watch && podman run -d --name watcher -v " + guest_folder +
             ":/w -v /tmp/file_watch:/file_watch:ro localhost/busybox /file_watch /w"});
    INFO(started.out << started.err);
    REQUIRE(started.exit_code == 0);
    auto logs = [&] { return sandbox.run({"ssh", machine, "podman logs watcher"}).out; };
    // Until `done` holds for the events so far, or 20 s.
    auto wait_for = [&](const std::function<bool(const std::vector<Event> &)> &done) {
        for (auto deadline = std::chrono::steady_clock::now() + 20s;
             std::chrono::steady_clock::now() < deadline;) {
            auto events = parse_events(logs());
            if (done(events))
                return events;
            std::this_thread::sleep_for(200ms);
        }
        return parse_events(logs());
    };
    for (int i = 0; i < 50 && logs().find("watching") == std::string::npos; ++i)
        std::this_thread::sleep_for(200ms);
    REQUIRE(logs().find("watching") != std::string::npos);

    std::vector<double> latencies;
    for (int edit = 1; edit <= 3; ++edit) {
        auto content = "version " + std::to_string(edit);
        auto written = host_now();
        std::ofstream(host_folder / "app.js") << content << "\n";
        auto events = wait_for([&](const std::vector<Event> &so_far) {
            return std::any_of(so_far.begin(), so_far.end(), [&](const Event &e) {
                return e.name == "app.js" && e.first_line == content;
            });
        });
        auto seen = std::find_if(events.begin(), events.end(), [&](const Event &e) {
            return e.name == "app.js" && e.first_line == content;
        });
        INFO("edit " << edit << ", events so far:\n" << logs());
        REQUIRE(seen != events.end()); // woken, and the new content was there to read
        CHECK((seen->kind == "MODIFY" || seen->kind == "CLOSE_WRITE"));
        latencies.push_back(seen->at - written);
    }
    std::sort(latencies.begin(), latencies.end());
    WARN("host write to the container's watcher: " << latencies[0] << ", " << latencies[1] << ", "
                                                   << latencies[2] << " s");
    CHECK(latencies[1] < 1.0);

    std::set<std::string> burst;
    for (int i = 0; i < 20; ++i) {
        auto name = "burst-" + std::to_string(i) + ".txt";
        std::ofstream(host_folder / name) << "file " << i << "\n";
        burst.insert(name);
    }
    auto events = wait_for([&](const std::vector<Event> &so_far) {
        std::set<std::string> seen;
        for (const auto &e : so_far)
            if (burst.count(e.name))
                seen.insert(e.name);
        return seen == burst;
    });
    std::set<std::string> seen;
    for (const auto &e : events)
        if (burst.count(e.name))
            seen.insert(e.name);
    CHECK(seen == burst);

    auto count = events.size();
    std::this_thread::sleep_for(3s);
    CHECK(parse_events(logs()).size() == count); // quiet: nothing echoes back and forth
    sandbox.run({"ssh", machine, "podman rm -f watcher"});
}

} // namespace machine::test
